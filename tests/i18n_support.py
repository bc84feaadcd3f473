"""Spanish for the pages' tests: the catalogs compiled when the session starts (`make test`
does it too; a bare `pytest` may not have), and the headers of a Spanish-speaking browser."""

from pathlib import Path

import polib
import pytest
from django.conf import settings as django_settings
from django.utils import translation

LOCALE_DIR = Path(django_settings.BASE_DIR) / "locale"
SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es"}


def catalogs_compile() -> None:
    """Compile each .po whose .mo is missing or older."""
    for po_path in LOCALE_DIR.glob("*/LC_MESSAGES/*.po"):
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
            polib.pofile(str(po_path)).save_as_mofile(str(mo_path))


@pytest.fixture
def spanish() -> dict[str, str]:
    """Requests with these headers get Spanish; English stays the default."""
    yield SPANISH
    translation.activate(django_settings.LANGUAGE_CODE)


def assert_spanish(body: str, spanish: str, english: str) -> None:
    assert spanish in body, f"{spanish!r} missing"
    assert english not in body, f"{english!r} still in English"
