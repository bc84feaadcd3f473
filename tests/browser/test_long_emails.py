"""Long email addresses wrap on a phone: no sideways scroll on the applicant's home page and
the partner's staff page at 390 px (the default viewport of these tests)."""

import pytest

from accounts.roles import Role
from partners.models import MemberRole
from tests.browser.conftest import horizontal_overflow
from tests.browser.test_recruiting_pages import log_in
from tests.factories import PartnerApplicationFactory, PartnerMemberFactory, UserFactory

pytestmark = pytest.mark.browser

LONG_EMAIL = "maria.fernanda.gonzalez-rodriguez.deliveries.and.flowers@long-business-name.mail.test"


def test_a_long_email_wraps_on_the_applicants_home(live_server, page, db):
    applicant = UserFactory(email=LONG_EMAIL, full_name="", roles=[Role.APPLICANT])
    PartnerApplicationFactory(owner=applicant, status="draft")
    log_in(page, live_server, applicant)
    page.goto(live_server.url + "/apply/home/")
    assert horizontal_overflow(page) == 0


def test_a_long_email_wraps_on_the_staff_page(live_server, page, partner):
    PartnerMemberFactory(
        partner=partner, user=UserFactory(email=LONG_EMAIL, full_name=""), role=MemberRole.STAFF
    )
    log_in(page, live_server, partner.owner)
    page.goto(live_server.url + "/partner/staff/")
    assert LONG_EMAIL in page.content()
    assert horizontal_overflow(page) == 0
