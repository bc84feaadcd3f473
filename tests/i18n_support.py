"""Spanish for the tests of the partner's and driver's pages: the catalogs compiled, the
language taken from Accept-Language (LocaleMiddleware), whatever the settings of the branch."""

from pathlib import Path

import polib
import pytest
from django.conf import settings as django_settings

LOCALE_DIR = Path(django_settings.BASE_DIR) / "locale"
LOCALE_MIDDLEWARE = "django.middleware.locale.LocaleMiddleware"
SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es"}


def catalogs_compile() -> None:
    """Compile each .po whose .mo is missing or older (the build does it for real)."""
    for po_path in LOCALE_DIR.glob("*/LC_MESSAGES/*.po"):
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
            polib.pofile(str(po_path)).save_as_mofile(str(mo_path))


@pytest.fixture
def spanish(settings) -> dict[str, str]:
    """The headers of a Spanish-speaking browser, with the site able to answer in Spanish."""
    catalogs_compile()
    if LOCALE_DIR not in [Path(path) for path in settings.LOCALE_PATHS]:
        settings.LOCALE_PATHS = [*settings.LOCALE_PATHS, LOCALE_DIR]
    if LOCALE_MIDDLEWARE not in settings.MIDDLEWARE:
        middleware = list(settings.MIDDLEWARE)
        after = middleware.index("django.contrib.sessions.middleware.SessionMiddleware") + 1
        settings.MIDDLEWARE = [*middleware[:after], LOCALE_MIDDLEWARE, *middleware[after:]]
    return SPANISH


def assert_spanish(body: str, *, spanish: str, english: str) -> None:
    assert spanish in body, f"{spanish!r} missing"
    assert english not in body, f"{english!r} still in English"
