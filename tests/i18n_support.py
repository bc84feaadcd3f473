"""Spanish active for the ops pages' tests: the catalog compiled, the languages and the
LocaleMiddleware in place (whether or not the settings of this branch have them yet)."""

from pathlib import Path

import polib
import pytest
from django.conf import settings as django_settings
from django.utils import translation

LOCALE_DIR = Path(django_settings.BASE_DIR) / "locale"
LOCALE_MIDDLEWARE = "django.middleware.locale.LocaleMiddleware"


def compile_catalogs() -> None:
    """The .mo next to each .po, rebuilt when the .po is newer (they are never committed)."""
    for po_path in LOCALE_DIR.glob("*/LC_MESSAGES/*.po"):
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
            polib.pofile(str(po_path)).save_as_mofile(str(mo_path))


@pytest.fixture
def spanish(settings):
    """Requests with Accept-Language: es get Spanish; English stays the default."""
    compile_catalogs()
    settings.LOCALE_PATHS = [LOCALE_DIR]
    settings.LANGUAGES = [("en", "English"), ("es", "Español")]
    if LOCALE_MIDDLEWARE not in settings.MIDDLEWARE:
        middleware = list(settings.MIDDLEWARE)
        after = middleware.index("django.contrib.sessions.middleware.SessionMiddleware") + 1
        middleware.insert(after, LOCALE_MIDDLEWARE)
        settings.MIDDLEWARE = middleware
    yield
    translation.activate(settings.LANGUAGE_CODE)


def assert_spanish(html: str, spanish_text: str, english_text: str) -> None:
    assert spanish_text in html, spanish_text
    assert english_text not in html, english_text
