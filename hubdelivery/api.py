"""REST API plumbing shared by every app."""

from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from hubdelivery.exceptions import DomainError


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's handler, plus domain errors from services as 409 with the service's message."""
    if isinstance(exc, DomainError):
        return Response({"detail": str(exc), "code": type(exc).__name__}, status.HTTP_409_CONFLICT)
    return drf_exception_handler(exc, context)
