"""The ops holiday calendar in a real browser at 390 px: an ops admin adds a storm day for
Alaska; the page fits the phone and has no serious accessibility violation."""

import datetime

import pytest

from partners.models import HolidayDay
from tests.browser.conftest import PHONE
from tests.browser.test_recruiting_pages import assert_fits_and_is_accessible, log_in

pytestmark = pytest.mark.browser


def test_an_ops_admin_declares_a_storm_day_in_alaska_on_a_phone(live_server, browser, ops_admin):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    log_in(page, live_server, ops_admin)
    page.goto(live_server.url + "/ops/holidays/")
    storm_day = datetime.date.today() + datetime.timedelta(days=3)
    page.locator("#id_add-date").fill(storm_day.isoformat())
    page.locator("#id_add-name").fill("Storm")
    page.locator("#id_add-state").select_option("AK")
    page.locator("#id_add-reason").fill("Winter storm warning")
    page.get_by_role("button", name="Add the day").click()
    page.get_by_text("Storm added to the calendar.").wait_for()
    assert HolidayDay.objects.filter(state="AK", date=storm_day, name="Storm").exists()
    assert_fits_and_is_accessible(page)
    context.close()
