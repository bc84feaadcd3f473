"""Spanish for the partners pages' tests: the catalog compiled into a temporary folder (compiled
files are never committed) and LocaleMiddleware in the stack, so a request's Accept-Language
chooses the language."""

from pathlib import Path

import polib
import pytest
from django.conf import settings as django_settings

LOCALE_MIDDLEWARE = "django.middleware.locale.LocaleMiddleware"


@pytest.fixture(scope="session")
def compiled_locale(tmp_path_factory) -> Path:
    source = Path(django_settings.BASE_DIR) / "locale"
    target = tmp_path_factory.mktemp("locale")
    for po_path in source.glob("*/LC_MESSAGES/*.po"):
        mo_path = target / po_path.relative_to(source).with_suffix(".mo")
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
    return target


@pytest.fixture
def spanish(settings, compiled_locale) -> None:
    """Spanish available; English stays the default without an Accept-Language header."""
    settings.LOCALE_PATHS = [compiled_locale]
    settings.LANGUAGES = [("en", "English"), ("es", "Español")]
    if LOCALE_MIDDLEWARE not in settings.MIDDLEWARE:
        middleware = list(settings.MIDDLEWARE)
        after_session = middleware.index("django.contrib.sessions.middleware.SessionMiddleware")
        middleware.insert(after_session + 1, LOCALE_MIDDLEWARE)
        settings.MIDDLEWARE = middleware
