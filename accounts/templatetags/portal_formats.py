"""`local_date`: a date in one of the portal's named formats, in the active language's
pattern (hubdelivery/formats/<lang>/formats.py); `distance`: metres (or miles) as "0.3 mi" or
"450 ft"."""

import datetime

from django import template

from hubdelivery.lib.date_text import UnknownDateFormat, date_text
from hubdelivery.lib.distance_text import distance_text
from hubdelivery.lib.geo import METRES_PER_MILE

register = template.Library()


@register.filter(expects_localtime=True)
def local_date(value: datetime.date | datetime.datetime | None, name: str) -> str:
    """{{ handoff.created|local_date:"MEDIUM_DATETIME_ZONE" }}; "" for no date, like |date."""
    if value in (None, ""):
        return ""
    try:
        return date_text(value, name)
    except UnknownDateFormat as error:
        raise template.TemplateSyntaxError(str(error)) from error


@register.filter
def distance(value: float | None, unit: str = "m") -> str:
    """{{ stop.leg_distance_m|distance }}, {{ market_miles|distance:"mi" }}; "" for none."""
    if value in (None, ""):
        return ""
    metres = float(value) * (METRES_PER_MILE if unit == "mi" else 1)
    return distance_text(metres=metres)
