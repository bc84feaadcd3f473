"""A distance as a person reads it: "0.3 mi" from a tenth of a mile up, "450 ft" below, in
the active language (templates: `{{ metres|distance }}` from accounts' portal_formats)."""

from django.utils.formats import number_format
from django.utils.translation import pgettext

from hubdelivery.lib.geo import METRES_PER_MILE

FEET_PER_METRE = 3.28084
FEET_UNDER = 0.1  # miles: shorter distances read in feet
WHOLE_MILES_FROM = 10  # "12 mi", not "12.3 mi": a tenth means nothing that far out
FEET_STEP = 10  # "450 ft": nobody paces out single feet


def distance_text(*, metres: float) -> str:
    miles = metres / METRES_PER_MILE
    if miles < FEET_UNDER:
        feet = round(metres * FEET_PER_METRE / FEET_STEP) * FEET_STEP
        return pgettext("distance", "%(feet)s ft") % {"feet": feet}
    places = 0 if round(miles, 1) >= WHOLE_MILES_FROM else 1
    # number_format cuts off extra decimals rather than rounding them
    shown = number_format(round(miles, places), decimal_pos=places, force_grouping=True)
    return pgettext("distance", "%(miles)s mi") % {"miles": shown}
