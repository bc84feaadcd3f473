"""Staff sub-accounts and background checks.

The owner invites staff by email; the invited person sets their own password through a
one-time link. Everyone who delivers, the owner included, consents to a background check in
the portal; ops enter the result. Only a clear result lets a person deliver.
"""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, override

from accounts.access import ops_require
from accounts.emails import email_send_templated
from accounts.models import User
from accounts.roles import Role
from accounts.services import (
    invitation_join_path,
    invitation_password_set,
    invited_user_get_or_create,
    role_grant,
    role_revoke,
)
from hubdelivery.exceptions import DomainError, InvalidTransition, NotAllowed
from hubdelivery.lib.urls import absolute_url
from partners.access import owner_require
from partners.events import partner_event_record
from partners.lock_objects import member_lock
from partners.models import BackgroundCheck, MemberRole, Partner, PartnerEventKind, PartnerMember
from partners.selectors.partners import membership_current_for
from partners.services.partners import OPS_STAFF_ONLY


def staff_join_path(*, user: User) -> str:
    return invitation_join_path(user=user, url_name="partners:staff-join")


def staff_user_for_invitation(*, email: str, full_name: str) -> User:
    """The invited person's user: a new one without a usable password, or an existing one
    that works for no partner and is not ops."""
    user, created = invited_user_get_or_create(email=email, full_name=full_name)
    if created:
        return user
    if user.is_ops:
        raise DomainError(
            gettext("That email belongs to an ops account and cannot be partner staff.")
        )
    if membership_current_for(user=user) is not None:
        raise DomainError(gettext("That person already works for a partner business."))
    return user


@transaction.atomic
def staff_invite(*, partner: Partner, actor: User, email: str, full_name: str) -> PartnerMember:
    owner_require(actor=actor, partner=partner)
    user = staff_user_for_invitation(email=email.strip().lower(), full_name=full_name.strip())
    member = PartnerMember.objects.create(partner=partner, user=user, role=MemberRole.STAFF)
    role_grant(user=user, role=Role.PARTNER_STAFF)
    partner_event_record(
        partner=partner,
        actor=actor,
        kind=PartnerEventKind.STAFF_INVITED,
        detail=f"{user.email} invited.",
    )
    join_url = absolute_url(staff_join_path(user=user)) if not user.has_usable_password() else ""
    email_send_templated(
        template="staff-invitation",
        to=user.email,
        context={
            "partner": partner,
            "owner": actor,
            "user": user,
            "join_url": join_url,
            "login_url": absolute_url(reverse("account_login")),
        },
    )
    return member


@transaction.atomic
def staff_invitation_accept(*, user: User, password: str) -> User:
    """Set the invited person's password; the link they followed proves the email is theirs."""
    invitation_password_set(user=user, password=password)
    member = membership_current_for(user=user)
    if member is not None:
        partner_event_record(
            partner=member.partner,
            actor=user,
            kind=PartnerEventKind.STAFF_JOINED,
            detail=f"{user.email} joined.",
        )
    return user


@transaction.atomic
def staff_remove(*, member: PartnerMember, actor: User) -> PartnerMember:
    owner_require(actor=actor, partner=member.partner)
    locked = member_lock(member_id=member.pk)
    if locked.removed_at is not None:
        return locked
    if locked.is_owner:
        raise NotAllowed(gettext("The owner cannot be removed from the business."))
    locked.removed_at = timezone.now()
    locked.save(update_fields=["removed_at"])
    role_revoke(user=locked.user, role=Role.PARTNER_STAFF)
    partner_event_record(
        partner=locked.partner,
        actor=actor,
        kind=PartnerEventKind.STAFF_REMOVED,
        detail=f"{locked.user.email} removed.",
    )
    return locked


def _status_change_detail(*, email: str, previous: BackgroundCheck, result: BackgroundCheck) -> str:
    """The event's detail, stored in English whatever the actor's language (an audit row)."""
    with override("en"):
        return f"{email}: {previous.label} → {result.label}."


@transaction.atomic
def background_consent_record(*, member: PartnerMember, actor: User) -> PartnerMember:
    """The person themself consents; only then can ops run and record the check."""
    if member.user_id != actor.pk:
        raise NotAllowed(gettext("Only the person being checked can give consent."))
    locked = member_lock(member_id=member.pk)
    if locked.background_check != BackgroundCheck.NOT_STARTED:
        return locked
    if locked.removed_at is not None:
        raise InvalidTransition(gettext("You no longer work for this business."))
    locked.background_check = BackgroundCheck.PENDING
    locked.background_consent_at = timezone.now()
    locked.save(update_fields=["background_check", "background_consent_at"])
    partner_event_record(
        partner=locked.partner,
        actor=actor,
        kind=PartnerEventKind.BACKGROUND_CONSENT,
        detail=_status_change_detail(
            email=locked.user.email,
            previous=BackgroundCheck.NOT_STARTED,
            result=BackgroundCheck.PENDING,
        ),
    )
    return locked


@transaction.atomic
def background_result_record(
    *, member: PartnerMember, actor: User, result: BackgroundCheck
) -> PartnerMember:
    ops_require(actor=actor, refusal=OPS_STAFF_ONLY)
    if result not in (BackgroundCheck.CLEAR, BackgroundCheck.NOT_CLEAR):
        raise DomainError(gettext("The result is either clear or not clear."))
    locked = member_lock(member_id=member.pk)
    if locked.background_check == result:
        return locked
    if locked.background_check == BackgroundCheck.NOT_STARTED:
        raise InvalidTransition(gettext("The person has not consented to a background check yet."))
    previous = BackgroundCheck(locked.background_check)
    locked.background_check = result
    locked.background_result_at = timezone.now()
    locked.save(update_fields=["background_check", "background_result_at"])
    partner_event_record(
        partner=locked.partner,
        actor=actor,
        kind=PartnerEventKind.BACKGROUND_RESULT,
        detail=_status_change_detail(
            email=locked.user.email, previous=previous, result=BackgroundCheck(result)
        ),
    )
    return locked
