"""`local_date`: a date in one of the portal's named formats, in the active language's
pattern (hubdelivery/formats/<lang>/formats.py); `distance`: metres (or miles) as "0.3 mi" or
"450 ft"."""

import datetime

from django import template
from django.utils.dateformat import format as date_format
from django.utils.formats import iter_format_modules
from django.utils.translation import get_language

from hubdelivery.lib.distance_text import distance_text
from hubdelivery.lib.geo import METRES_PER_MILE

register = template.Library()


def named_format(name: str, language: str) -> str:
    """The first format module of the language that defines `name` (ours, then Django's)."""
    for module in iter_format_modules(language):
        if hasattr(module, name):
            return getattr(module, name)
    raise template.TemplateSyntaxError(f"No date format named {name!r} for {language!r}.")


@register.filter(expects_localtime=True)
def local_date(value: datetime.date | datetime.datetime | None, name: str) -> str:
    """{{ handoff.created|local_date:"MEDIUM_DATETIME_ZONE" }}; "" for no date, like |date."""
    if value in (None, ""):
        return ""
    return date_format(value, named_format(name, get_language() or "en"))


@register.filter
def distance(value: float | None, unit: str = "m") -> str:
    """{{ stop.leg_distance_m|distance }}, {{ market_miles|distance:"mi" }}; "" for none."""
    if value in (None, ""):
        return ""
    metres = float(value) * (METRES_PER_MILE if unit == "mi" else 1)
    return distance_text(metres=metres)
