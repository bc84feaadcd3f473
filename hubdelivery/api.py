"""REST API plumbing shared by every app."""

import logging
import sqlite3

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import OperationalError
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from hubdelivery.exceptions import DomainError, InvalidInput, NotAllowed

# Django's request size limits (DATA_UPLOAD_MAX_*), hit while DRF reads the body. Left to
# Django they become its HTML 400 page; an API client gets JSON like any other bad input.
REQUEST_TOO_LARGE = (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)
# SQLite's answers when another connection held the write lock past the timeout.
SQLITE_BUSY_CODES = (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
DATABASE_BUSY_RETRY_AFTER_SECONDS = 5


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's handler, plus domain errors from services with the service's message: 403 when
    the actor may not do it, 409 when the object's state forbids it; and a body over Django's
    size limits as a 400, logged as Django logs it. A service's refusal of one input value is
    a 400 naming the field, like a serializer's. A database busy past its lock timeout
    (SQLite: a write lock held by another request) is a 503 to retry, not a 500."""
    if isinstance(exc, InvalidInput):
        return Response({exc.field: [str(exc)]}, status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DomainError):
        code = (
            status.HTTP_403_FORBIDDEN if isinstance(exc, NotAllowed) else status.HTTP_409_CONFLICT
        )
        return Response({"detail": str(exc), "code": type(exc).__name__}, code)
    if database_busy(exc):
        # The request's transaction was rolled back. The phone's outbox keeps its
        # events and sends them again; the server answers them by client id.
        detail = _("The database is busy. Try again in a few seconds.")
        return Response(
            {"detail": detail, "code": "DatabaseBusy"},
            status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(DATABASE_BUSY_RETRY_AFTER_SECONDS)},
        )
    if isinstance(exc, REQUEST_TOO_LARGE):
        logging.getLogger(f"django.security.{type(exc).__name__}").error(str(exc))
        detail = _("The request body is too large or has too many fields.")
        return Response({"detail": detail}, status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)


def database_busy(exc: Exception) -> bool:
    """SQLite's "database is locked": the write lock stayed with another connection for
    longer than the timeout (settings.SQLITE_OPTIONS)."""
    cause = exc.__cause__
    return (
        isinstance(exc, OperationalError)
        and isinstance(cause, sqlite3.OperationalError)
        # The extended code (SQLITE_BUSY_SNAPSHOT...) carries the primary one in its low byte.
        and (getattr(cause, "sqlite_errorcode", 0) & 0xFF) in SQLITE_BUSY_CODES
    )
