"""The pay rules, read by the statements (services) and the partner's running numbers
(selectors) alike: a week runs Monday to Sunday in the partner's time zone, and each
delivered package earns the rate of the partner's market."""

import datetime
from decimal import Decimal

from hubdelivery.lib.dates import local_date
from partners.models import Partner

DEFAULT_RATE_PER_PACKAGE = Decimal("2.50")  # partners outside every market
CENTS = Decimal("0.01")


def week_monday(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def last_complete_week(*, tz_name: str, at: datetime.datetime | None = None) -> datetime.date:
    """The Monday of the latest Monday-Sunday week that has ended in `tz_name`."""
    return week_monday(local_date(tz_name=tz_name, at=at)) - datetime.timedelta(days=7)


def partner_rate(partner: Partner) -> Decimal:
    market = partner.application.market if hasattr(partner, "application") else None
    return market.rate_per_package if market else DEFAULT_RATE_PER_PACKAGE


def amount_earned(*, rate: Decimal, delivered: int) -> Decimal:
    return (rate * delivered).quantize(CENTS)
