from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
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


# ------------------------------------------------------------------------------
# Invitations (partner staff, DSP drivers): the person sets their own password
# ------------------------------------------------------------------------------
def invitation_join_path(*, user: User, url_name: str) -> str:
    """The one-use link of the join page `url_name`: the token changes once a password is set."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse(url_name, kwargs={"uidb64": uid, "token": token})


def invited_user_get_or_create(*, email: str, full_name: str) -> tuple[User, bool]:
    """The invited person's user and whether it is new: a new one has no usable password and an
    unverified address until they follow the link. The caller checks an existing user's roles."""
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        return user, False
    user = User.objects.create_user(email=email, password=None, full_name=full_name)
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=False)
    return user, True


@transaction.atomic
def invitation_password_set(*, user: User, password: str) -> None:
    """Set the invited person's password; the link they followed proves the email is theirs."""
    user.set_password(password)
    user.save(update_fields=["password"])
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
