"""The journey in Spanish, at 390x844. A Boston florist switches the landing page to
Spanish, checks the ZIP code, signs up, and applies with a mistake in the EIN (the error in
Spanish, nothing typed lost). An owner whose browser asks for Spanish works through a day:
the today page, a delivery, the evening summary.

No page of it shows an English word of the portal's own strings (nor allauth's) outside a
short allow-list of the names in the data (tests/i18n_words.py). Labels are looked up in the
Spanish catalog, so the test reads what a Spanish speaker sees without restating it.
"""

import re

import pytest
from django.core import mail

from partners.models import ApplicationStatus, PartnerApplication
from tests.browser.conftest import PHONE
from tests.browser.test_journeys import check, fill_application
from tests.factories import TEST_PASSWORD
from tests.i18n_words import english_words_in
from tests.i18n_words import in_spanish as tr

pytestmark = pytest.mark.browser

NAMES = frozenset(
    [
        "New",  # New York, New Jersey... in the state list
        "Hub",
        "Delivery",
        "Boston",
        "Petal",
        "Stem",
        "Flora",
        "Bloom",
        "Newbury",
        "Back",
        "Bay",
        "Blooms",
        "Beacon",
        "Marlborough",
        "Commonwealth",
        "Rivera",
        "LLC",
    ]
)
EIN_ERROR = "Enter the 9-digit Employer Identification Number from the IRS, like 12-3456789."


def spanish_only(page, name: str) -> None:
    """The page is in Spanish: no English word of ours on it, and the journey's checks."""
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "es", name
    # email addresses and file names are the user's own words
    text = re.sub(r"\S+@\S+|\S+\.(pdf|png|jpg)\b", " ", page.locator("body").inner_text())
    english = english_words_in(text, allowed=NAMES)
    lines = [line for line in text.splitlines() if set(english) & {w.lower() for w in line.split()}]
    assert english == [], f"{name}: {english} in {lines}"
    check(page, f"es-{name}")


def test_a_florist_applies_in_spanish(live_server, browser, recruiting_world, tmp_path):
    base = live_server.url
    page = browser.new_context(viewport=PHONE).new_page()

    # the landing page is in English until the visitor picks Spanish
    page.goto(base + "/")
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_label("Language").select_option("es")
    page.get_by_role("button", name="Change").click()
    spanish_only(page, "01-landing")

    # checks the ZIP code
    page.get_by_label(tr("Your business's ZIP code")).fill("02116")
    page.get_by_role("button", name=tr("Check my ZIP code")).click()
    page.get_by_role("link", name=tr("Apply now")).wait_for()
    spanish_only(page, "02-eligible")

    # signs up on allauth's page, in Spanish, and confirms the address
    page.get_by_role("link", name=tr("Apply now")).click()
    page.locator("#id_email").fill("flora@petal-and-stem.example")
    page.locator("#id_password1").fill("tulips-in-may-42")
    page.locator("#id_password2").fill("tulips-in-may-42")
    spanish_only(page, "03-sign-up")
    page.get_by_role("button", name=tr("Sign Up")).click()
    page.get_by_role("heading", name=tr("Verify Your Email Address")).wait_for()
    spanish_only(page, "04-verify-email")
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    page.goto(base + link[link.index("/accounts/") :])
    page.get_by_role("button", name=tr("Confirm")).click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/apply/home/")
    spanish_only(page, "05-applicant-home")

    # applies with a wrong EIN: the error in Spanish, everything typed still there
    page.get_by_role("button", name=tr("Start my application")).click()
    fill_application(page, tmp_path, ein="12-34", label=tr)
    page.get_by_role("button", name=tr("Submit application")).click()
    page.get_by_text(tr(EIN_ERROR)).wait_for()
    assert page.get_by_label(tr("Trade name"), exact=True).input_value() == "Petal & Stem"
    spanish_only(page, "06-ein-error")
    page.get_by_label(tr("EIN"), exact=True).fill("04-2103594")
    page.get_by_label(tr("I accept the program terms"), exact=True).check()
    page.get_by_role("button", name=tr("Submit application")).click()
    spanish_only(page, "07-submitted")
    application = PartnerApplication.objects.get(owner__email="flora@petal-and-stem.example")
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.owner.language == "es"  # the language it signed up in


def test_an_owner_works_through_the_day_in_spanish(live_server, browser, received_day, partner):
    base = live_server.url
    first, *_ = sorted(received_day, key=lambda p: p.route_sequence)
    page = browser.new_context(viewport=PHONE, locale="es-US").new_page()

    # the browser asks for Spanish: the log-in page is in Spanish already
    page.goto(base + "/accounts/login/")
    page.locator("#id_login").fill(partner.owner.email)
    page.locator("#id_password").fill(TEST_PASSWORD)
    spanish_only(page, "11-log-in")
    page.get_by_role("button", name=tr("Sign In")).click()

    page.goto(base + "/today/")
    spanish_only(page, "12-today")

    # delivers the first package to a named person
    page.get_by_label(tr("Package label")).fill(first.tracking_id)
    page.get_by_label(tr("Package label")).press("Enter")
    page.get_by_role("button", name=tr("Delivered"), exact=True).wait_for()
    spanish_only(page, "13-deliver")
    page.get_by_label(tr("Handed to (name)")).fill("J. Rivera")
    page.get_by_role("button", name=tr("Delivered"), exact=True).click()
    spanish_only(page, "14-delivered")
    first.refresh_from_db()
    assert first.status == "delivered"

    # the evening summary counts it
    page.goto(base + "/today/")
    summary = page.locator("section", has=page.get_by_role("heading", name=tr("Evening summary")))
    assert "1/4" in summary.inner_text()
    spanish_only(page, "15-evening-summary")
