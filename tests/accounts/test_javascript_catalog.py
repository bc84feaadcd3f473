"""Django's JavaScript catalog (`gettext()` in static/js), loaded by base.html before every
page script."""

import re
from pathlib import Path

import polib
import pytest
from django.urls import reverse

JS_STRING = "Scanned %(count)s packages"
JS_SPANISH = "Se escanearon %(count)s paquetes"


@pytest.fixture
def js_catalog(settings, tmp_path: Path) -> None:
    """A Spanish djangojs catalog of one string, in a temporary LOCALE_PATHS."""
    messages = tmp_path / "es" / "LC_MESSAGES"
    messages.mkdir(parents=True)
    catalog = polib.POFile()
    catalog.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Language": "es"}
    catalog.append(polib.POEntry(msgid=JS_STRING, msgstr=JS_SPANISH))
    catalog.save_as_mofile(str(messages / "djangojs.mo"))
    settings.LOCALE_PATHS = [tmp_path]


def test_catalog_serves_spanish_to_a_spanish_browser(client, db, js_catalog):
    response = client.get(reverse("javascript-catalog"), HTTP_ACCEPT_LANGUAGE="es")
    body = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert JS_SPANISH in body
    assert "django.gettext" in body


def test_catalog_in_english_has_no_spanish(client, db, js_catalog):
    body = client.get(reverse("javascript-catalog"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert JS_SPANISH not in body
    assert "django.gettext" in body


def test_catalog_follows_the_users_saved_language(applicant, js_catalog):
    from tests.conftest import client_for

    applicant.language = "es"
    applicant.save()
    response = client_for(applicant).get(reverse("javascript-catalog"))
    assert JS_SPANISH in response.content.decode()


def test_catalog_is_cached_per_language(client, db, js_catalog, settings):
    client.get(reverse("javascript-catalog"), HTTP_ACCEPT_LANGUAGE="es")
    # when the catalog goes away, the cached answer still serves
    settings.LOCALE_PATHS = []
    again = client.get(reverse("javascript-catalog"), HTTP_ACCEPT_LANGUAGE="es")
    english = client.get(reverse("javascript-catalog"), HTTP_ACCEPT_LANGUAGE="en")
    assert "max-age=3600" in again["Cache-Control"]
    assert JS_SPANISH in again.content.decode()
    assert JS_SPANISH not in english.content.decode()


@pytest.mark.django_db
def test_base_loads_the_catalog_first_with_the_language_in_its_url(client):
    """Deferred scripts run in document order: the catalog must precede every page script."""
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    scripts = re.findall(r'<script src="([^"]+)"([^>]*)>', html)
    assert scripts[0][0] == reverse("javascript-catalog") + "?language=es"
    assert all("defer" in attributes for _, attributes in scripts)
