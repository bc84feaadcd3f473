"""Who may act, by role: the `*_require` checks that need nothing but the user.

The project's access vocabulary, one layer per app so no app imports one above it:
- accounts/decorators.py: the pages' role gates (`ops_required`, `partner_member_required`...);
- accounts/access.py (here): role checks for services;
- partners/access.py: the owner, members and deliverers of a partner, the applicant;
- packages/access.py: a DSP's drivers and the sides of a handoff.
Every `*_require` raises `hubdelivery.exceptions.NotAllowed` and returns what it found.
"""

from django.urls import resolve, reverse
from django.utils.functional import Promise as StrPromise
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import Role
from hubdelivery.exceptions import NotAllowed

OPS_ONLY = _("Only ops reviewers and ops admins may do this.")


def ops_require(*, actor: User, refusal: "str | StrPromise" = OPS_ONLY) -> None:
    """Ops reviewers and ops admins; `refusal` is the message the others get."""
    if not actor.is_ops:
        raise NotAllowed(refusal)


def ops_admin_require(*, actor: User, message: str = "") -> None:
    """Ops admins only: markets, target states, pay and the program's settings. `message`
    says what the refused change was (markets and target states unless told)."""
    if not actor.has_role(Role.OPS_ADMIN):
        raise NotAllowed(message or _("Only ops admins may change markets and target states."))


def may_open(user: User, url_name: str) -> bool:
    """Whether `user`'s roles pass the role gate of the page `url_name` names (a URL without
    arguments): the rule links are shown by, read from the view's own gate so a link and
    its page never disagree."""
    view = resolve(reverse(url_name)).func
    allowed_roles = getattr(view, "allowed_roles", None)
    if allowed_roles is None:
        return True
    return user.is_authenticated and bool(user.roles & allowed_roles)
