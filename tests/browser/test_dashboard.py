"""The ops dashboard at 390 and 1280 px: it fits, carries no serious accessibility
violations, and Chart.js draws every chart from its json_script data.

SAVE_SCREENSHOTS=1 also writes docs/screenshots/ops-dashboard-desktop.png."""

import os
from pathlib import Path

import pytest

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
    assert_fits_and_is_accessible(page)
    if os.environ.get("SAVE_SCREENSHOTS") and viewport == DESKTOP:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "ops-dashboard-desktop.png"), full_page=True)
