import datetime

from django.db import transaction
from django.utils.translation import gettext

from accounts.models import User
from hubdelivery.exceptions import DomainError, NotAllowed
from hubdelivery.lib.dates import local_date
from partners.access import owner_require
from partners.events import partner_event_record
from partners.lock_objects import partner_lock
from partners.models import Closure, Partner, PartnerEventKind

MAX_CLOSURE_DAYS = 90


def closure_validate(*, partner: Partner, start_date: datetime.date, end_date: datetime.date):
    today = local_date(tz_name=partner.time_zone)
    if end_date < start_date:
        raise DomainError(gettext("The closure must end on or after its first day."))
    if start_date < today:
        raise DomainError(gettext("A closure cannot start in the past."))
    if (end_date - start_date).days >= MAX_CLOSURE_DAYS:
        raise DomainError(
            gettext("Closures are at most %(days)s days; ask ops to pause the partnership.")
            % {"days": MAX_CLOSURE_DAYS}
        )
    overlapping = partner.closures.filter(start_date__lte=end_date, end_date__gte=start_date)
    if overlapping.exists():
        raise DomainError(gettext("This overlaps a closure you already declared."))


@transaction.atomic
def closure_declare(
    *,
    partner: Partner,
    actor: User,
    start_date: datetime.date,
    end_date: datetime.date,
    reason: str,
) -> Closure:
    owner_require(actor=actor, partner=partner)
    locked = partner_lock(partner_id=partner.pk)  # serialises two overlapping declarations
    closure_validate(partner=locked, start_date=start_date, end_date=end_date)
    closure = Closure.objects.create(
        partner=locked,
        start_date=start_date,
        end_date=end_date,
        reason=reason.strip(),
        created_by=actor,
    )
    partner_event_record(
        partner=locked,
        actor=actor,
        kind=PartnerEventKind.CLOSURE_DECLARED,
        detail=f"Closed {start_date:%b %-d} to {end_date:%b %-d, %Y}: {closure.reason}",
    )
    return closure


@transaction.atomic
def closure_cancel(*, closure: Closure, actor: User) -> None:
    partner = closure.partner
    owner_require(actor=actor, partner=partner)
    partner_lock(partner_id=partner.pk)
    if closure.end_date < local_date(tz_name=partner.time_zone):
        raise NotAllowed(gettext("A closure that has already ended stays on record."))
    partner_event_record(
        partner=partner,
        actor=actor,
        kind=PartnerEventKind.CLOSURE_CANCELLED,
        detail=f"Closure {closure.start_date:%b %-d} to {closure.end_date:%b %-d, %Y} cancelled.",
    )
    closure.delete()
