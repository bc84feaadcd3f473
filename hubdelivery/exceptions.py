"""Domain errors raised by services. Views show them as messages, APIs as 4xx JSON."""

from django.core.exceptions import PermissionDenied


class DomainError(Exception):
    """A rule of the domain forbids the requested change; the message is shown to the user."""


class InvalidTransition(DomainError):
    """The object is not in a state from which the requested transition is allowed."""


class NotAllowed(DomainError, PermissionDenied):
    """The acting user may not make this change: the one exception every `*_require` check
    raises (accounts/access.py, partners/access.py, packages/access.py).

    A DomainError, so a page that runs a service shows its message and an API answers 403
    JSON (hubdelivery.api); a PermissionDenied, so a page that lets it through answers
    Django's 403 rather than a 500.
    """


class InvalidInput(DomainError):
    """A value the client sent breaks a rule; `field` names it. APIs answer 400 with the
    field, pages show the message on the form."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field
