"""REST API plumbing shared by every app."""

from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from hubdelivery.exceptions import DomainError, NotAllowed


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's handler, plus domain errors from services with the service's message: 403 when
    the actor may not do it, 409 when the object's state forbids it."""
    if isinstance(exc, DomainError):
        code = (
            status.HTTP_403_FORBIDDEN if isinstance(exc, NotAllowed) else status.HTTP_409_CONFLICT
        )
        return Response({"detail": str(exc), "code": type(exc).__name__}, code)
    return drf_exception_handler(exc, context)
