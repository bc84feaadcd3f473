"""The pay rules, read by the statements (services) and the partner's running numbers
(selectors) alike: a week runs Monday to Sunday in the partner's time zone, and each
delivered package earns the rate of the partner's market in force on its service date (the
latest MarketRate effective by then, else the market's own rate)."""

import datetime
from decimal import Decimal

from hubdelivery.lib.dates import local_date
from partners.models import Market, Partner

RateHistory = dict[int, list[tuple[datetime.date, Decimal]]]

DEFAULT_RATE_PER_PACKAGE = Decimal("2.50")  # partners outside every market
CENTS = Decimal("0.01")


def week_monday(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def last_complete_week(*, tz_name: str, at: datetime.datetime | None = None) -> datetime.date:
    """The Monday of the latest Monday-Sunday week that has ended in `tz_name`."""
    return week_monday(local_date(tz_name=tz_name, at=at)) - datetime.timedelta(days=7)


def partner_market(partner: Partner) -> Market | None:
    return partner.application.market if hasattr(partner, "application") else None


def rate_on(*, market: Market | None, history: RateHistory, day: datetime.date) -> Decimal:
    if market is None:
        return DEFAULT_RATE_PER_PACKAGE
    for effective_from, rate in history.get(market.pk, []):
        if effective_from <= day:
            return rate
    return market.rate_per_package


def amount_earned(*, rate: Decimal, delivered: int) -> Decimal:
    return (rate * delivered).quantize(CENTS)
