"""`local_date`: a date in one of the portal's named formats, in the active language's
pattern (hubdelivery/formats/<lang>/formats.py)."""

import datetime

from django import template
from django.utils.dateformat import format as date_format
from django.utils.formats import iter_format_modules
from django.utils.translation import get_language

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
