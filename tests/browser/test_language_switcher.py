"""The language switcher at phone size: no script needed, big enough for a thumb, accessible,
under the strict CSP (every browser test fails on a violation)."""

import pytest

from tests.browser.conftest import horizontal_overflow, serious_accessibility_violations
from tests.browser.test_recruiting_pages import log_in

pytestmark = pytest.mark.browser


def switch_to(page, language_name: str) -> None:
    page.get_by_label("Language").or_(page.get_by_label("Idioma")).select_option(
        label=language_name
    )
    page.get_by_role("button", name="Change").or_(
        page.get_by_role("button", name="Cambiar")
    ).click()


def test_anonymous_visitor_switches_to_spanish_and_back(live_server, page):
    # given the landing page in the browser's English
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "en"
    # then the switcher fits a phone, thumb-sized
    for control in (page.locator("#language-select"), page.locator(".language-form button")):
        assert control.bounding_box()["height"] >= 44
    assert horizontal_overflow(page) == 0
    assert serious_accessibility_violations(page) == []
    # when they choose Español
    switch_to(page, "Español")
    # then the same page answers in Spanish, and keeps it on the next page
    page.wait_for_url(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.get_by_role("link", name="Iniciar sesión").is_visible()
    page.goto(live_server.url + "/accounts/login/")
    assert page.locator("html").get_attribute("lang") == "es"
    # when they switch back
    switch_to(page, "English")
    assert page.locator("html").get_attribute("lang") == "en"


def test_signed_in_owner_saves_spanish(live_server, page, partner_owner):
    log_in(page, live_server, partner_owner)
    page.goto(live_server.url + "/partner/")
    switch_to(page, "Español")
    page.get_by_role("link", name="Notificaciones").wait_for()
    partner_owner.refresh_from_db()
    assert partner_owner.language == "es"
