"""What every dashboard table shares: the filters, the targets, local dates in SQL."""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import (
    Case,
    When,
)
from django.db.models.functions import TruncDate
from django.utils.translation import gettext_lazy as _

from partners.models import (
    Partner,
    PartnerApplication,
)

COMPLETION_TARGET = Decimal("98.5")
FAST_SCAN_MINUTES = 30
TREND_WEEKS = 4
NO_MARKET = _("Outside markets")


@dataclass(frozen=True)
class DashboardFilters:
    date_from: datetime.date
    date_to: datetime.date
    state: str = ""
    market_id: int | None = None

    def days(self) -> list[datetime.date]:
        span = (self.date_to - self.date_from).days
        return [self.date_from + datetime.timedelta(days=n) for n in range(span + 1)]


# ------------------------------------------------------------------------------
# Local dates, set-based
# ------------------------------------------------------------------------------
def time_zones_in_use() -> list[str]:
    """The IANA zones of partners and applications (one query): the branches of local_date_of."""
    partner_zones = Partner.objects.order_by().values_list("time_zone", flat=True)
    application_zones = (
        PartnerApplication.objects.exclude(time_zone="")
        .order_by()
        .values_list("time_zone", flat=True)
    )
    return sorted(set(partner_zones.union(application_zones)))


def local_date_of(field: str, *, tz_field: str, zones: list[str]) -> Case:
    """The local calendar date of the datetime `field` in each row's own time zone `tz_field`.

    SQLite has no named time zones, so the conversion is one CASE branch per zone in use
    (Django converts each branch itself); rows in an unknown zone fall back to UTC."""
    return Case(
        *[When(**{tz_field: zone}, then=TruncDate(field, tzinfo=ZoneInfo(zone))) for zone in zones],
        default=TruncDate(field, tzinfo=datetime.UTC),
    )
