"""The ops dashboard at 390 and 1280 px: it fits, carries no serious accessibility
violations, and Chart.js draws every chart from its json_script data.

SAVE_SCREENSHOTS=1 also writes, from the demo data, docs/screenshots/ops-dashboard-desktop.png
and partner-home-phone.png."""

import os
from pathlib import Path

import pytest
from django.core.management import call_command

from accounts.models import User
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_recruiting_pages import assert_fits_and_is_accessible, log_in
from tests.dashboard.conftest import DAY, boston, funnel, ops_day  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.mark.usefixtures("funnel")
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_ops_dashboard_draws_its_charts(live_server, page, reviewer, viewport):
    # given
    log_in(page, live_server, reviewer)
    page.set_viewport_size(viewport)
    # when
    page.goto(f"{live_server.url}/ops/dashboard/?date_from={DAY}&date_to={DAY}")
    page.wait_for_load_state("networkidle")
    # then
    assert page.get_by_role("heading", level=1).inner_text() == "Dashboard"
    drawn = page.evaluate(
        "() => [...document.querySelectorAll('canvas[data-chart]')]"
        ".map((canvas) => Boolean(Chart.getChart(canvas)))"
    )
    assert drawn == [True, True, True]
    assert page.locator("#partner-map").get_attribute("data-markers") == "2"
    assert_fits_and_is_accessible(page)


@pytest.fixture
def demo(recruiting_world, settings):
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)
    settings.DEBUG = False


def test_demo_dashboard_and_partner_pages(live_server, page, demo, settings):
    # given the demo reviewer on a desktop
    settings.OPS_MFA_REQUIRED = False
    log_in(page, live_server, User.objects.get(email="reviewer@demo.hub"))
    page.set_viewport_size(DESKTOP)
    # when / then the dashboard of the last 7 days draws from real numbers
    page.goto(f"{live_server.url}/ops/dashboard/")
    page.wait_for_load_state("networkidle")
    assert_fits_and_is_accessible(page)
    save(page, "ops-dashboard-desktop.png")
    # and the demo owner's home and earnings on a phone
    page.context.clear_cookies()
    log_in(page, live_server, User.objects.get(email="owner@demo.hub"))
    page.set_viewport_size(PHONE)
    for path, name in [("/partner/", "partner-home-phone.png"), ("/partner/earnings/", None)]:
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        assert_fits_and_is_accessible(page)
        if name:
            save(page, name)
    assert page.get_by_role("heading", name="Weekly statements").is_visible()


def save(page, name: str) -> None:
    if os.environ.get("SAVE_SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / name), full_page=True)
