"""Time helpers: the database holds UTC; people see their partner's local time."""

import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone


def local_date(*, tz_name: str, at: datetime.datetime | None = None) -> datetime.date:
    """The calendar date at `at` (default now) in the time zone `tz_name`."""
    return (at or timezone.now()).astimezone(ZoneInfo(tz_name)).date()


def local_datetime(*, tz_name: str, at: datetime.datetime) -> datetime.datetime:
    return at.astimezone(ZoneInfo(tz_name))
