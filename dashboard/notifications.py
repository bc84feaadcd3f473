"""The optional emails: tomorrow's volume (partner owner, the evening before), the ops daily
digest (yesterday's operations and open findings) and the weekly statement.

Each is sent at most once per (kind, recipient, period): `notification_send` writes the
NotificationSent row and queues the email in one transaction, and the outbox sends it after
commit. A retried task hits the unique row and queues nothing."""

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.emails import email_send_templated
from accounts.models import User
from accounts.roles import OPS_ROLES
from dashboard import selectors
from dashboard.models import (
    NotificationKind,
    NotificationPreference,
    NotificationSent,
    WeeklyStatement,
)
from dashboard.services import facts_refresh
from hubdelivery.lib.dates import local_date, local_datetime
from hubdelivery.lib.urls import absolute_url
from packages.models import Package
from partners.models import Partner, PartnerStatus
from partners.selectors.holidays import holidays_for_partners

EVENING_HOUR = 18  # tomorrow's volume goes out from 18:00 in the partner's time zone
PREFERENCE_FIELD = {
    NotificationKind.TOMORROW_VOLUME: "tomorrow_volume",
    NotificationKind.OPS_DAILY_DIGEST: "ops_daily_digest",
    NotificationKind.WEEKLY_STATEMENT: "weekly_statement",
}


def notification_wanted(*, user: User, kind: NotificationKind) -> bool:
    preference = NotificationPreference.objects.filter(user=user).first()
    return preference is None or getattr(preference, PREFERENCE_FIELD[kind])


@transaction.atomic
def notification_send(
    *, kind: NotificationKind, user: User, period: str, context: dict[str, Any]
) -> bool:
    """Queue the `kind` email for `user` and `period` unless switched off or already sent.
    Returns True when an email was queued."""
    if not notification_wanted(user=user, kind=kind):
        return False
    try:
        with transaction.atomic():  # a savepoint: the duplicate is expected, not an error
            NotificationSent.objects.create(kind=kind, recipient=user, period=period)
    except IntegrityError:
        return False
    email_send_templated(
        template=kind.value,
        to=user.email,
        context={"user": user, **context},
        language=user.language,
    )
    return True


def tomorrow_volume_notify_due(*, at: datetime.datetime | None = None) -> int:
    """Owners of active partners where it is evening now: tomorrow's package count."""
    partners = Partner.objects.filter(status=PartnerStatus.ACTIVE).select_related("owner")
    due = []
    for partner in partners:
        now_local = local_datetime(tz_name=partner.time_zone, at=at or timezone.now())
        if now_local.hour >= EVENING_HOUR:
            due.append((partner, now_local.date() + datetime.timedelta(days=1)))
    holidays = tomorrows_holidays(due)
    sent = 0
    for partner, tomorrow in due:
        sent += notification_send(
            kind=NotificationKind.TOMORROW_VOLUME,
            user=partner.owner,
            period=tomorrow.isoformat(),
            context={
                "partner": partner,
                "day": tomorrow,
                "holiday": holidays.get(partner.pk, ""),
                # one count per partner due: a background task, at most once an evening each
                "packages": Package.objects.filter(partner=partner, service_date=tomorrow).count(),
                "url": absolute_url(reverse("partners:partner-home")),
            },
        )
    return sent


def tomorrows_holidays(due: list[tuple[Partner, datetime.date]]) -> dict[int, str]:
    """{partner id: holiday name} from the calendar: one read per distinct tomorrow (the
    partners' zones span at most two dates)."""
    by_day: dict[datetime.date, list[int]] = {}
    for partner, tomorrow in due:
        by_day.setdefault(tomorrow, []).append(partner.pk)
    found: dict[int, str] = {}
    for day, partner_ids in by_day.items():
        found |= holidays_for_partners(day=day, partners=Partner.objects.filter(pk__in=partner_ids))
    return found


def ops_daily_digest_notify(*, day: datetime.date | None = None) -> int:
    """Yesterday's operations (eastern date) and the open capacity findings, to every ops user."""
    day = day or local_date(tz_name="America/New_York") - datetime.timedelta(days=1)
    filters = selectors.DashboardFilters(day, day)
    facts_refresh()
    totals = selectors.operations_by_day(filters).rows[-1]
    findings = selectors.capacity_findings_latest(filters)
    context = {
        "day": day,
        "totals": totals,
        "findings": findings,
        "url": absolute_url(reverse("dashboard:ops-dashboard")),
    }
    recipients = User.objects.filter(groups__name__in=OPS_ROLES, is_active=True).distinct()
    return sum(
        notification_send(
            kind=NotificationKind.OPS_DAILY_DIGEST,
            user=user,
            period=day.isoformat(),
            context=context,
        )
        for user in recipients
    )


def weekly_statements_notify(*, week_start: datetime.date, time_zone: str) -> int:
    """The week's statement to each owner of a partner in `time_zone`."""
    statements = WeeklyStatement.objects.filter(
        week_start=week_start, partner__time_zone=time_zone
    ).select_related("partner__owner")
    return sum(weekly_statement_notify(statement=statement) for statement in statements)


def weekly_statement_notify(*, statement: WeeklyStatement) -> bool:
    return notification_send(
        kind=NotificationKind.WEEKLY_STATEMENT,
        user=statement.partner.owner,
        period=statement.week_start.isoformat(),
        context={
            "statement": statement,
            "url": absolute_url(reverse("dashboard:partner-statement", args=[statement.pk])),
        },
    )
