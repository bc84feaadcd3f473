"""The English a Spanish page must not show: every word of the portal's own English strings
(and allauth's) that is not also a word of their Spanish translations, minus proper names."""

import re
from functools import cache
from pathlib import Path

import allauth
import polib
from django.conf import settings
from django.utils import translation

# Whole words only: an identifier like assign_packages is not the word "packages".
WORD = re.compile(r"(?<!\w)[A-Za-zÁÉÍÓÚÜÑáéíóúüñ]{3,}(?!\w)")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w*\}|<[^>]+>|&\w+;")


def words_of(text: str) -> set[str]:
    return {word.lower() for word in WORD.findall(PLACEHOLDER.sub(" ", text))}


def catalogs() -> list[Path]:
    ours = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES"
    allauth_es = Path(allauth.__file__).parent / "locale" / "es" / "LC_MESSAGES"
    return [ours / "django.po", ours / "djangojs.po", allauth_es / "django.po"]


@cache
def english_only_words(allowed: frozenset[str] = frozenset()) -> frozenset[str]:
    english: set[str] = set()
    spanish: set[str] = set()
    for path in catalogs():
        if not path.exists():
            continue
        for entry in polib.pofile(str(path)):
            if entry.obsolete:
                continue
            english |= words_of(entry.msgid) | words_of(entry.msgid_plural or "")
            spanish |= words_of(entry.msgstr)
            for text in entry.msgstr_plural.values():
                spanish |= words_of(text)
    return frozenset(english - spanish - {w.lower() for w in allowed})


def english_words_in(text: str, *, allowed: frozenset[str] = frozenset()) -> list[str]:
    vocabulary = english_only_words(allowed)
    return sorted(words_of(text) & vocabulary)


def in_spanish(text: str, context: str | None = None) -> str:
    """What the Spanish catalog makes of an English string (with its context, if any)."""
    with translation.override("es"):
        return translation.pgettext(context, text) if context else translation.gettext(text)
