import datetime

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext

from accounts.access import ops_admin_require
from accounts.models import User
from hubdelivery.exceptions import DomainError, InvalidInput, NotAllowed
from hubdelivery.lib.dates import local_date
from partners.access import owner_require
from partners.closing import ClosingCause, PartnersClosed, partners_closed_announce
from partners.events import partner_event_record
from partners.lock_objects import partner_lock
from partners.models import Closure, Partner, PartnerEventKind
from partners.selectors.partners import closure_days_used, days_within_year

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


def closure_allowance_check(
    *, partner: Partner, start_date: datetime.date, end_date: datetime.date
) -> None:
    """Refuse a closure that takes the partner past the year's allowance of closure days."""
    allowed = settings.CLOSURE_ALLOWANCE_DAYS
    for year in range(start_date.year, end_date.year + 1):
        used = closure_days_used(partner=partner, year=year)
        asked = days_within_year(start_date, end_date, year)
        if used + asked > allowed:
            raise DomainError(
                gettext(
                    "The program allows %(allowed)s closure days a year; %(used)s of %(year)s "
                    "are used, so %(left)s are left and this closure needs %(asked)s. "
                    "Ask ops if you must close longer."
                )
                % {
                    "allowed": allowed,
                    "used": used,
                    "year": year,
                    "left": max(0, allowed - used),
                    "asked": asked,
                }
            )


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
    closure_allowance_check(partner=locked, start_date=start_date, end_date=end_date)
    return _closure_record(
        partner=locked, actor=actor, start_date=start_date, end_date=end_date, reason=reason,
        kind=PartnerEventKind.CLOSURE_DECLARED,
    )  # fmt: skip


@transaction.atomic
def closure_declare_beyond_allowance(
    *,
    partner: Partner,
    actor: User,
    start_date: datetime.date,
    end_date: datetime.date,
    reason: str,
    override_reason: str,
) -> Closure:
    """An ops admin declares a closure for the partner past the year's allowance; the
    override and its reason are on the partner's history."""
    ops_admin_require(actor=actor)
    if not override_reason.strip():
        raise InvalidInput(
            gettext("Give the reason for going past the allowance."), field="override_reason"
        )
    locked = partner_lock(partner_id=partner.pk)
    closure_validate(partner=locked, start_date=start_date, end_date=end_date)
    return _closure_record(
        partner=locked, actor=actor, start_date=start_date, end_date=end_date, reason=reason,
        kind=PartnerEventKind.CLOSURE_ALLOWANCE_OVERRIDDEN,
        detail_suffix=f". Past the allowance: {override_reason.strip()}",
    )  # fmt: skip


def _closure_record(
    *,
    partner: Partner,
    actor: User,
    start_date: datetime.date,
    end_date: datetime.date,
    reason: str,
    kind: PartnerEventKind,
    detail_suffix: str = "",
) -> Closure:
    """The closure row, its line on the partner's history (the partner row is locked), and
    the packages assigned to the partner for those days moved to open partners (routing's
    answer to partners_closed_announce, in this transaction)."""
    closure = Closure.objects.create(
        partner=partner,
        start_date=start_date,
        end_date=end_date,
        reason=reason.strip(),
        created_by=actor,
    )
    partner_event_record(
        partner=partner,
        actor=actor,
        kind=kind,
        detail=(
            f"Closed {start_date:%b %-d} to {end_date:%b %-d, %Y}: {closure.reason}{detail_suffix}"
        ),
    )
    partners_closed_announce(
        closed=PartnersClosed(
            partners=Partner.objects.filter(pk=partner.pk), start_date=start_date,
            end_date=end_date, cause=ClosingCause.CLOSURE, reason=closure.reason, actor=actor,
        )
    )  # fmt: skip
    return closure


@transaction.atomic
def closure_cancel(*, closure: Closure, actor: User) -> None:
    """Reopen the days. Packages moved away when the closure was declared stay where they
    went: nothing moves them back; the next assignment run for the DSP and date (which
    re-places every package routing placed) counts the partner as open again."""
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
