from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest

from hubdelivery.exceptions import DomainError


def run_action(request: HttpRequest, action: Callable[[], object], success: str) -> bool:
    """Run a service call; show the domain error or the success message. True on success."""
    try:
        action()
    except DomainError as error:
        messages.error(request, str(error))
        return False
    messages.success(request, success)
    return True
