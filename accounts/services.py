from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role
from hubdelivery.exceptions import InvalidInput


@transaction.atomic
def user_create(
    *, email: str, password: str | None, full_name: str = "", roles: list[Role]
) -> User:
    user = User.objects.create_user(email=email, password=password, full_name=full_name)
    for role in roles:
        role_grant(user=user, role=role)
    return user


@transaction.atomic
def role_grant(*, user: User, role: Role) -> None:
    """Add the user to the role's group. Ops admins also get the Django admin."""
    group, _ = Group.objects.get_or_create(name=role.value)
    user.groups.add(group)
    if role == Role.OPS_ADMIN and not (user.is_staff and user.is_superuser):
        user.is_staff = True
        user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
    user.__dict__.pop("roles", None)


@transaction.atomic
def role_revoke(*, user: User, role: Role) -> None:
    user.groups.remove(*Group.objects.filter(name=role.value))
    if role == Role.OPS_ADMIN:
        user.is_staff = False
        user.is_superuser = False
        user.save(update_fields=["is_staff", "is_superuser"])
    user.__dict__.pop("roles", None)


def user_language_set(*, user: User, language: str) -> None:
    """Save the user's language: a code of settings.LANGUAGES, or "" to follow the browser."""
    if language and language not in dict(settings.LANGUAGES):
        raise InvalidInput(_("Choose one of the offered languages."), field="language")
    if user.language == language:
        return
    user.language = language
    user.save(update_fields=["language"])
