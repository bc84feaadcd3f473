"""A date as a person reads it, in one of the portal's named formats and the active
language's pattern (hubdelivery/formats/<lang>/formats.py): "Nov 30, 2026", "30 nov 2026".
Templates use the `local_date` filter from accounts' portal_formats, which calls this."""

import datetime

from django.utils.dateformat import format as date_format
from django.utils.formats import iter_format_modules
from django.utils.translation import get_language


class UnknownDateFormat(LookupError):
    pass


def named_format(name: str, language: str) -> str:
    """The first format module of the language that defines `name` (ours, then Django's)."""
    for module in iter_format_modules(language):
        if hasattr(module, name):
            return getattr(module, name)
    raise UnknownDateFormat(f"No date format named {name!r} for {language!r}.")


def date_text(value: datetime.date | datetime.datetime, name: str = "MEDIUM_DATE") -> str:
    return date_format(value, named_format(name, get_language() or "en"))
