"""Ops routing pages in a real browser: the coverage map draws its layers without a script
error, and "Plan this route now" plans the route."""

import datetime

import pytest

from routing.models import PartnerRoute
from routing.services import coverage_update
from tests.browser.test_recruiting_pages import log_in
from tests.routing.conftest import packages_for

pytestmark = pytest.mark.browser


def page_errors_of(page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def test_coverage_map_draws_the_radius_the_shop_and_the_zips(live_server, page, reviewer, partner):
    # given: a saved coverage of two ZIPs and a radius
    coverage_update(partner=partner, actor=reviewer, zip_codes=["02116", "02118"], radius_miles=2)
    errors = page_errors_of(page)
    log_in(page, live_server, reviewer)
    # when
    page.goto(live_server.url + f"/ops/partners/{partner.pk}/coverage/")
    page.locator("#coverage-map .coverage-zip").first.wait_for()
    # then: no script error, and every layer is on the map
    assert errors == []
    assert page.locator("#coverage-map path.coverage-radius").count() == 1
    assert page.locator("#coverage-map path.coverage-shop").count() == 1
    assert page.locator("#coverage-map path.coverage-zip").count() == 2


def test_default_coverage_map_draws_the_radius_without_zips(live_server, page, reviewer, partner):
    # given: no coverage saved: the walking radius of the partner's delivery modes
    errors = page_errors_of(page)
    log_in(page, live_server, reviewer)
    # when
    page.goto(live_server.url + f"/ops/partners/{partner.pk}/coverage/")
    page.locator("#coverage-map .coverage-radius").first.wait_for()
    # then
    assert errors == []
    assert page.locator("#coverage-map path.coverage-shop").count() == 1
    assert page.locator("#coverage-map path.coverage-zip").count() == 0


def test_plan_this_route_now_plans_it_and_says_so(live_server, page, reviewer, partner):
    # given: packages for today and no route yet
    today = datetime.date.today()
    packages_for(partner, today, 3)
    errors = page_errors_of(page)
    log_in(page, live_server, reviewer)
    page.goto(live_server.url + f"/ops/partners/{partner.pk}/route/?date={today.isoformat()}")
    # when
    page.get_by_role("button", name="Plan this route now").click()
    # then: the message, the map's stops and the route row
    page.get_by_text("Route rebuilt from the current packages.").wait_for()
    page.locator("#route-map .leaflet-interactive").first.wait_for()
    assert errors == []
    assert PartnerRoute.objects.get(partner=partner, service_date=today).stops.count() == 3
