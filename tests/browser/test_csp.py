"""Pages under the strict Content-Security-Policy in a real browser. Every browser test fails
on a CSP violation (tests/browser/conftest.py); these cover the pages no other browser test
opens: a route page with its Leaflet map, and Swagger UI at /api/docs/."""

import datetime

import pytest

from routing.services import partner_route_build
from tests.browser.test_recruiting_pages import log_in
from tests.routing.conftest import packages_for

pytestmark = pytest.mark.browser


def test_route_page_draws_its_map_under_the_csp(live_server, page, partner, partner_staff):
    # given today's route of three stops
    today = datetime.date.today()
    packages_for(partner, today, 3)
    partner_route_build(partner=partner, service_date=today)
    # when the staff member opens it
    log_in(page, live_server, partner_staff)
    page.goto(live_server.url + f"/partner/route/?date={today.isoformat()}")
    # then Leaflet drew the shop and the stops (tiles may not load offline: no CSP error)
    page.locator("#route-map .leaflet-interactive").first.wait_for()
    assert page.locator("#route-map path.leaflet-interactive").count() >= 4


def test_swagger_ui_runs_under_the_csp(live_server, page, partner_owner):
    # given a logged-in partner
    log_in(page, live_server, partner_owner)
    # when they open the API docs
    page.goto(live_server.url + "/api/docs/")
    # then Swagger UI's split start-up script ran and rendered the schema's operations
    page.locator(".opblock").first.wait_for()
    assert "Hub Delivery Partner Portal API" in page.content()
