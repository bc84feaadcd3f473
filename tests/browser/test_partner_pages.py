"""The partner's own pages (390 px) and the ops partner pages (390 and 1280 px): they fit
without horizontal scroll, carry no serious accessibility violations, and show their data."""

import datetime

import pytest

from partners.models import BackgroundCheck, Closure, MemberRole, PartnerStatus
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_recruiting_pages import assert_fits_and_is_accessible, log_in
from tests.factories import PartnerMemberFactory, UserFactory

pytestmark = pytest.mark.browser

PARTNER_PAGES = [
    ("/partner/", "Back Bay Blooms"),
    ("/partner/staff/", "Invite a staff member"),
    ("/partner/closures/", "Declare a closure"),
    ("/partner/settings/", "Packages per day"),
    ("/partner/agreement/", "Program Agreement"),
    ("/partner/training/", "How a day works"),
]


@pytest.fixture
def busy_partner(partner):
    PartnerMemberFactory(
        partner=partner,
        user=UserFactory(full_name="Pat Pending"),
        role=MemberRole.STAFF,
        background_check=BackgroundCheck.PENDING,
    )
    start = datetime.date.today() + datetime.timedelta(days=7)
    Closure.objects.create(partner=partner, start_date=start, end_date=start, reason="Wedding")
    return partner


@pytest.mark.parametrize(("path", "text"), PARTNER_PAGES)
def test_partner_pages_on_a_phone(live_server, page, busy_partner, path, text):
    log_in(page, live_server, busy_partner.owner)
    page.goto(live_server.url + path)
    assert text in page.content()
    assert_fits_and_is_accessible(page)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_ops_partner_pages(live_server, page, busy_partner, reviewer, viewport):
    page.set_viewport_size(viewport)
    log_in(page, live_server, reviewer)
    page.goto(live_server.url + "/ops/partners/")
    assert "Back Bay Blooms" in page.content()
    assert_fits_and_is_accessible(page)
    page.get_by_role("link", name="Back Bay Blooms").click()
    assert "Onboarding checklist" in page.content()
    assert "Pat Pending" in page.content()
    assert_fits_and_is_accessible(page)


def test_ops_pause_form_error_keeps_the_page_usable(live_server, page, busy_partner, reviewer):
    log_in(page, live_server, reviewer)
    page.goto(live_server.url + f"/ops/partners/{busy_partner.pk}/")
    page.get_by_role("button", name="Pause partner").click()
    assert "This field is required." in page.content()
    assert_fits_and_is_accessible(page)
    page.locator("#id_pause-reason").fill("Flooded storage room")
    page.get_by_role("button", name="Pause partner").click()
    assert "Partner paused." in page.content()
    busy_partner.refresh_from_db()
    assert busy_partner.status == PartnerStatus.PAUSED
