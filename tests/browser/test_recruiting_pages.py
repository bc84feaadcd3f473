"""Recruiting and review pages in a real browser: the htmx eligibility check, the application
form and the ops review pages fit a phone (390 px; ops pages also 1280 px) without horizontal
scroll or serious accessibility violations."""

from importlib import import_module

import pytest
from django.apps import apps
from django.conf import settings
from django.test import Client

from partners.models import ApplicationStatus
from tests.browser.conftest import DESKTOP, horizontal_overflow, serious_accessibility_violations
from tests.factories import PartnerApplicationFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def recruiting_seed(transactional_db) -> None:
    """Live-server tests flush the database between tests, seeded rows included: put the
    target states and markets back with the data migration's own function."""
    import_module("partners.migrations.0005_seed_target_states_and_markets").seed(apps, None)


def log_in(page, live_server, user) -> None:
    """Log in through a session cookie (the log-in form itself has its own browser test)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )


def assert_fits_and_is_accessible(page) -> None:
    assert horizontal_overflow(page) == 0
    assert serious_accessibility_violations(page) == []


def test_eligibility_check_answers_in_place_with_htmx(live_server, page, recruiting_seed):
    # given the landing page on a phone
    page.goto(live_server.url + "/")
    # when a ZIP outside the target states is checked
    page.get_by_label("Your business's ZIP code").fill("80202")
    page.get_by_role("button", name="Check my ZIP code").click()
    # then the answer and the waitlist form appear without leaving the page
    page.get_by_text("We do not deliver in Colorado yet.").wait_for()
    assert page.url == live_server.url + "/"
    assert page.get_by_role("button", name="Join the waitlist").is_visible()
    assert_fits_and_is_accessible(page)


def test_application_form_on_a_phone_names_what_is_missing(
    live_server, page, recruiting_seed, applicant
):
    # given the applicant's new draft
    log_in(page, live_server, applicant)
    page.goto(live_server.url + "/apply/home/")
    page.get_by_role("button", name="Start my application").click()
    assert_fits_and_is_accessible(page)
    # when they type a name and submit
    page.get_by_label("Trade name").fill("Petal Shop")
    page.get_by_role("button", name="Submit application").click()
    # then each missing item is named and what they typed is still there
    page.get_by_text("Business legal name is required to submit.").wait_for()
    assert page.get_by_label("Trade name").input_value() == "Petal Shop"
    assert_fits_and_is_accessible(page)


@pytest.mark.parametrize("viewport", [None, DESKTOP], ids=["phone", "desktop"])
def test_review_pages_fit_phone_and_desktop(live_server, page, recruiting_seed, reviewer, viewport):
    # given a submitted application and a reviewer
    if viewport:
        page.set_viewport_size(viewport)
    application = PartnerApplicationFactory(
        status=ApplicationStatus.IN_REVIEW,
        assigned_reviewer=reviewer,
        documents=True,
        latitude=42.35,
        longitude=-71.07,
    )
    log_in(page, live_server, reviewer)
    # then the queue, the detail (map without tiles) and the waitlist page fit
    for path in ("/ops/applications/", f"/ops/applications/{application.pk}/", "/ops/waitlist/"):
        page.goto(live_server.url + path)
        assert_fits_and_is_accessible(page)


def test_market_pages_fit_a_phone(live_server, page, recruiting_seed, ops_admin):
    log_in(page, live_server, ops_admin)
    for path in ("/ops/markets/", "/ops/markets/new/", "/ops/target-states/"):
        page.goto(live_server.url + path)
        assert_fits_and_is_accessible(page)
