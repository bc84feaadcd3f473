"""Every role logs in on a phone and lands on its home: readable, no horizontal scroll, and
no serious or critical accessibility violations."""

import pytest

from tests.browser.conftest import horizontal_overflow, serious_accessibility_violations
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser

ROLE_HOMES = [
    ("applicant", "Welcome"),
    ("partner_owner", "Back Bay Blooms"),
    ("partner_staff", "Back Bay Blooms"),
    ("reviewer", "Operations"),
    ("dsp_driver", "Hello"),
]


def test_landing_page_on_a_phone(live_server, page, db):
    # when
    page.goto(live_server.url + "/")
    # then
    assert page.get_by_role("heading", level=1).inner_text().startswith("Earn more")
    assert horizontal_overflow(page) == 0
    assert serious_accessibility_violations(page) == []


@pytest.mark.parametrize(("persona", "heading"), ROLE_HOMES)
def test_role_logs_in_and_lands_on_its_home(live_server, page, request, persona, heading):
    # given
    user = request.getfixturevalue(persona)
    # when the person logs in through the form
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    # then their home page greets them
    page.wait_for_load_state("networkidle")
    assert heading in page.get_by_role("heading", level=1).inner_text()
    assert horizontal_overflow(page) == 0
    assert serious_accessibility_violations(page) == []


def test_wrong_password_shows_the_message_and_keeps_the_email(live_server, page, applicant):
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill(applicant.email)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign In").click()
    assert "not correct" in page.content()
    assert page.get_by_label("Email").input_value() == applicant.email
    assert serious_accessibility_violations(page) == []
