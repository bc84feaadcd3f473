"""End-to-end journeys in Debian's Chromium, each step asserting what the person sees.

1. A Boston florist checks eligibility, signs up, verifies the email from the sent message,
   fills the application with a licence PDF and a storage photo, gets the EIN wrong and fixes
   it without retyping anything else, submits and sees the status.
2. An ops reviewer filters the queue by state, opens the application and asks for
   information; the applicant answers; the reviewer approves; the owner completes onboarding
   and ops tick the rest: the partner becomes active.
3. (tests/browser/test_handoff.py) The driver and the partner run the morning handoff by
   typing labels + Enter, an unknown label and a double scan included; both confirm.
4. The partner works through the today list in route order: a delivery with a photo, one
   refused for lack of proof and then given a name, one attempt; the end of day; ops send
   the failed one back; the next morning's return handoff takes it, both confirm.
5. Ops get a date range wrong on the dashboard, fix it, see the day's numbers and download
   the same table as CSV.

Every page passes axe (no serious or critical violations) and fits a 390 px phone; the ops
pages also 1280 px. SAVE_SCREENSHOTS=1 writes each step to docs/screenshots/journeys/.
"""

import os
import re
from pathlib import Path

import pytest
from django.core import mail

from accounts.roles import Role
from partners.models import ApplicationStatus, PartnerApplication, PartnerStatus
from tests.browser.conftest import DESKTOP, PHONE, horizontal_overflow
from tests.browser.conftest import serious_accessibility_violations as axe_violations
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "journeys"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d4944415478da63f8cfc0f01f0005000201a5f0b9a40000000049454e44ae426082"
)


def check(page, name: str) -> None:
    """What every step of every journey must hold, plus a screenshot when asked for."""
    assert horizontal_overflow(page) == 0, name
    assert axe_violations(page) == [], name
    if os.environ.get("SAVE_SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def log_in(page, base_url: str, email: str, password: str = TEST_PASSWORD) -> None:
    page.goto(base_url + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_load_state("networkidle")


def field(page, label: str):
    return page.get_by_label(label, exact=True)


def as_written(text: str, context: str | None = None) -> str:
    return text


def fill_application(page, tmp_path: Path, *, ein: str, label=as_written) -> None:
    """The whole application form; `label` turns each English label into the page's
    language (tests/i18n_words.in_spanish for the Spanish journey)."""
    licence, photo = tmp_path / "licence.pdf", tmp_path / "storage.png"
    licence.write_bytes(PDF)
    photo.write_bytes(PNG)
    field(page, label("Business legal name")).fill("Petal & Stem LLC")
    field(page, label("Trade name")).fill("Petal & Stem")
    field(page, label("Business type")).select_option("florist")
    field(page, label("EIN")).fill(ein)
    field(page, label("Years in business")).fill("6")
    field(page, label("Owner's full name")).fill("Flora Bloom")
    field(page, label("Owner's phone")).fill("(617) 555-0142")
    field(page, label("Street address")).fill("12 Newbury St")
    field(page, label("City")).fill("Boston")
    field(page, label("State")).select_option("MA")
    field(page, label("ZIP code")).fill("02116")
    for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"):
        field(page, label(day, "opening day")).check()
    field(page, label("Opens at")).fill("08:00")
    field(page, label("Closes at")).fill("19:00")
    field(page, label("We have a secure storage area for packages")).check()
    field(page, label("Storage description")).fill("Locked back room with shelving")
    field(page, label("Storage capacity (packages)")).fill("60")
    field(page, label("Packages per day")).fill("30")
    field(page, label("People who would deliver")).fill("2")
    field(page, label("On foot")).check()
    field(page, label("Bike")).check()
    field(page, label("Business licence")).set_input_files(str(licence))
    field(page, label("Photo of the storage area")).set_input_files(str(photo))
    field(page, label("I accept the program terms")).check()


def test_journey_1_a_boston_florist_applies(live_server, page, recruiting_world, tmp_path):
    base = live_server.url
    # the florist checks their ZIP on the landing page
    page.goto(base + "/")
    page.get_by_label("Your business's ZIP code").fill("0211")
    page.get_by_role("button", name="Check my ZIP code").click()
    page.get_by_role("alert").wait_for()
    assert page.get_by_label("Your business's ZIP code").input_value() == "0211"
    page.get_by_label("Your business's ZIP code").fill("02116")
    page.get_by_role("button", name="Check my ZIP code").click()
    page.get_by_text("is in our Boston area").wait_for()
    check(page, "1-01-eligible")

    # signs up, and cannot log in before verifying
    page.get_by_role("link", name="Apply now").click()
    page.get_by_label("Email").fill("flora@petal-and-stem.example")
    page.get_by_label("Password:", exact=True).fill("tulips-in-may-42")
    page.get_by_label("Password (again)").fill("tulips-in-may-42")
    page.get_by_role("button", name="Sign Up").click()
    page.get_by_role("heading", name="Verify Your Email Address").wait_for()
    check(page, "1-02-verify-email")

    # follows the link in the email and confirms
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    page.goto(base + link[link.index("/accounts/") :])
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/apply/home/")

    # starts the application, makes a mistake in the EIN, and fixes only that
    page.get_by_role("button", name="Start my application").click()
    fill_application(page, tmp_path, ein="12-34")
    page.get_by_role("button", name="Submit application").click()
    page.get_by_text("EIN").first.wait_for()
    assert "valid EIN" in page.content() or "EIN" in page.locator(".field-error").inner_text()
    assert page.get_by_label("Trade name").input_value() == "Petal & Stem"
    assert page.get_by_label("Street address").input_value() == "12 Newbury St"
    assert "licence.pdf" in page.content()  # the upload is kept with the draft
    check(page, "1-03-ein-error")
    page.get_by_label("EIN").fill("04-2103594")
    page.get_by_label("I accept the program terms").check()
    page.get_by_role("button", name="Submit application").click()
    page.wait_for_load_state("networkidle")

    # and sees the status in words
    assert "submitted" in page.content().lower()
    application = PartnerApplication.objects.get(owner__email="flora@petal-and-stem.example")
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.documents.count() == 2
    check(page, "1-04-submitted")


@pytest.fixture
def submitted_application(recruiting_world, tmp_path, live_server, browser):
    """Journey 1's end state, built through the application page itself."""
    owner = UserFactory(email="flora@petal-and-stem.example", roles=[Role.APPLICANT])
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    log_in(page, live_server.url, owner.email)
    page.get_by_role("button", name="Start my application").click()
    fill_application(page, tmp_path, ein="04-2103594")
    page.get_by_role("button", name="Submit application").click()
    page.wait_for_load_state("networkidle")
    context.close()
    return PartnerApplication.objects.get(owner=owner)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_journey_2_review_info_request_approval_and_onboarding(
    live_server, browser, submitted_application, reviewer, viewport
):
    base = live_server.url
    ops = browser.new_context(viewport=viewport).new_page()
    applicant = browser.new_context(viewport=PHONE).new_page()
    log_in(ops, base, reviewer.email)
    log_in(applicant, base, submitted_application.owner.email)

    # the reviewer filters the queue by state and opens the application
    ops.goto(base + "/ops/applications/")
    ops.get_by_text("Filter and sort").click()
    ops.get_by_label("State").select_option("MA")
    ops.get_by_role("button", name="Apply", exact=True).click()
    ops.get_by_role("link", name="Petal & Stem").click()
    ops.get_by_role("button", name="Assign to me and start the review").click()
    check(ops, f"2-01-review-{viewport['width']}")

    # asks for information, first forgetting the question
    ops.get_by_label("Ask for information").check()
    ops.get_by_role("button", name="Record the decision").click()
    ops.get_by_text("Write what the applicant should add or change.").wait_for()
    ops.get_by_label("Ask for information").check()
    ops.get_by_label("Reason or message to the applicant").fill("Please add the back door lock.")
    ops.get_by_role("button", name="Record the decision").click()
    ops.wait_for_load_state("networkidle")

    # the applicant reads the question, updates the description and resubmits
    applicant.goto(base + "/apply/home/")
    assert "Please add the back door lock." in applicant.content()
    applicant.get_by_role("link", name="Update and resubmit").click()
    field(applicant, "Storage description").fill("Locked back room, deadbolt on back door")
    applicant.get_by_label("I accept the program terms").check()
    applicant.get_by_role("button", name="Resubmit").click()
    applicant.wait_for_load_state("networkidle")
    check(applicant, f"2-02-resubmitted-{viewport['width']}")

    # the answer went back to the reviewer, in review: they approve
    submitted_application.refresh_from_db()
    assert submitted_application.status == ApplicationStatus.IN_REVIEW
    assert submitted_application.assigned_reviewer == reviewer
    ops.reload()
    ops.get_by_label("Approve").check()
    ops.get_by_role("button", name="Record the decision").click()
    ops.wait_for_load_state("networkidle")
    submitted_application.refresh_from_db()
    assert submitted_application.status == ApplicationStatus.APPROVED
    partner = submitted_application.partner
    assert partner.status == PartnerStatus.ONBOARDING

    # the owner accepts the agreement and the training from the partner home
    applicant.goto(base + "/partner/")
    assert "Getting started" in applicant.content()
    applicant.get_by_role("link", name="Program agreement accepted").click()
    applicant.get_by_role("button", name=re.compile("I accept the agreement")).click()
    applicant.get_by_role("link", name="Training guide completed").click()
    applicant.get_by_role("button", name="I have read the guide and trained my staff").click()
    check(applicant, f"2-03-onboarding-{viewport['width']}")

    # ops verify the storage and tick the first handoff: the partner is active
    ops.goto(base + f"/ops/partners/{partner.pk}/")
    ops.get_by_role("button", name="Mark verified").click()
    ops.get_by_role("button", name="Mark done").click()
    assert "Active" in ops.content()
    check(ops, f"2-04-active-{viewport['width']}")
    partner.refresh_from_db()
    assert partner.status == PartnerStatus.ACTIVE
    applicant.goto(base + "/partner/")
    assert "Getting started" not in applicant.content()


def find_package(page, tracking_id: str) -> None:
    page.get_by_label("Package label").fill(tracking_id)
    page.get_by_label("Package label").press("Enter")
    page.get_by_role("button", name="Delivered").wait_for()


def test_journey_4_the_partner_works_through_the_day_and_the_return_next_morning(
    live_server, browser, received_day, partner, dsp_driver, reviewer, tmp_path
):
    from PIL import Image

    base = live_server.url
    first, second, third, kept = sorted(received_day, key=lambda p: p.route_sequence)
    owner = browser.new_context(viewport=PHONE).new_page()
    log_in(owner, base, partner.owner.email)

    # the today list is in route order
    owner.goto(base + "/today/")
    listed = owner.locator("main").inner_text()
    positions = [listed.index(p.tracking_id) for p in (first, second, third, kept)]
    assert positions == sorted(positions)
    check(owner, "4-01-today")

    # delivers the first with a photo
    photo = tmp_path / "door.jpg"
    Image.new("RGB", (2400, 1800), (200, 120, 80)).save(photo, "JPEG")
    find_package(owner, first.tracking_id)
    owner.get_by_label("Photo of the package at the door").set_input_files(str(photo))
    owner.get_by_role("button", name="Delivered").click()
    owner.wait_for_load_state("networkidle")
    check(owner, "4-02-delivered-with-photo")

    # tries to deliver the second without any proof, is told, then gives a name
    find_package(owner, second.tracking_id)
    owner.get_by_role("button", name="Delivered").click()
    owner.get_by_role("alert").first.wait_for()
    assert "photo" in owner.locator(".form-errors, .error").first.inner_text().lower()
    owner.get_by_label("Handed to (name)").fill("J. Rivera")
    owner.get_by_role("button", name="Delivered").click()
    owner.wait_for_load_state("networkidle")

    # cannot deliver the third: records why
    find_package(owner, third.tracking_id)
    owner.get_by_text("Could not deliver").click()
    owner.get_by_label("Why not delivered").select_option("recipient_unavailable")
    owner.get_by_role("button", name="Not delivered").click()
    owner.wait_for_load_state("networkidle")

    # the end of the day says what is open; the fourth is kept for the return, once the
    # owner confirms it is in the secure storage area
    owner.goto(base + "/today/")
    assert "End of day" in owner.content()
    check(owner, "4-03-end-of-day")
    owner.get_by_label("These packages are in our secure storage area").check()
    owner.get_by_role("button", name="Keep 1 for the return").click()
    owner.wait_for_load_state("networkidle")
    assert "1 package kept for the driver" in owner.locator("main").inner_text()
    for package in received_day:
        package.refresh_from_db()
    assert [p.status for p in (first, second, third, kept)] == [
        "delivered", "delivered", "attempted", "return_pending",
    ]  # fmt: skip
    assert first.attempts.get().photo.name.endswith(".jpg")

    # the first package's history: each step of its custody, with the proof photo
    owner.get_by_role("link", name=first.tracking_id, exact=True).click()
    owner.wait_for_load_state("networkidle")
    assert "Custody timeline" in owner.content()
    assert owner.get_by_role("img", name=f"Proof photo of {first.tracking_id}").is_visible()
    check(owner, "4-03b-package-history")

    # ops send the failed one back to the DSP
    ops = browser.new_context(viewport=PHONE).new_page()
    log_in(ops, base, reviewer.email)
    ops.goto(base + "/ops/incidents/")
    ops.get_by_role("button", name="Return to DSP").click()
    ops.wait_for_load_state("networkidle")

    # next morning the driver opens the return and scans it back; both confirm
    driver = browser.new_context(viewport=PHONE).new_page()
    log_in(driver, base, dsp_driver.email)
    driver.goto(base + "/handoffs/")
    driver.get_by_label("Partner").select_option(label=partner.trade_name)
    driver.get_by_role("button", name="Open return").click()
    driver.wait_for_load_state("networkidle")
    for package in (third, kept):
        driver.get_by_label("Tracking id").fill(package.tracking_id)
        driver.get_by_label("Tracking id").press("Enter")
        driver.locator("#scan-answer .scan-answer", has_text=package.tracking_id).wait_for()
    check(driver, "4-04-return-handoff")
    driver.reload()
    driver.get_by_role("button", name="Confirm as driver").click()
    owner.goto(driver.url)
    owner.get_by_role("button", name="Confirm as partner").click()
    owner.wait_for_load_state("networkidle")
    assert "Both sides confirmed" in owner.locator("main").inner_text()
    for package in (third, kept):
        package.refresh_from_db()
        assert package.status == "returned"


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_journey_5_ops_see_the_day_on_the_dashboard_and_download_a_csv(
    live_server, browser, received_day, partner, reviewer, viewport
):
    import csv
    import io

    from dashboard.tasks import facts_refresh_task
    from hubdelivery.lib.dates import local_date
    from packages import services

    # given the day's work: two delivered, one attempted, one still at the partner
    first, second, third, _ = received_day
    member = partner.owner
    for n, package in enumerate((first, second)):
        services.package_deliver(actor=member, package=package, recipient_name="Jo",
                                 idempotency_key=f"j5-d{n}")  # fmt: skip
    services.package_attempt(actor=member, package=third, reason="unsafe", idempotency_key="j5-a")
    facts_refresh_task()  # the beat's minute: the dashboard reads the rolled-up facts
    today = local_date(tz_name=partner.time_zone).isoformat()
    ops = browser.new_context(viewport=viewport, accept_downloads=True).new_page()
    log_in(ops, live_server.url, reviewer.email)

    # a date range the wrong way round is explained, and what was typed stays
    ops.goto(live_server.url + "/ops/dashboard/")
    ops.get_by_label("From").fill("2026-12-31")
    ops.get_by_label("To").fill("2026-12-01")
    ops.get_by_role("button", name="Show").click()
    ops.get_by_text("The start date comes after the end date.").wait_for()
    assert ops.get_by_label("From").input_value() == "2026-12-31"

    # the day shows on the dashboard
    ops.get_by_label("From").fill(today)
    ops.get_by_label("To").fill(today)
    ops.get_by_role("button", name="Show").click()
    table = ops.get_by_role("table", name=re.compile("Operations by service date"))
    row = table.get_by_role("row", name=re.compile(today))
    cells = row.get_by_role("cell").all_inner_texts()
    assert cells[:4] == [today, "4", "4", "2"]  # manifested, handed off, delivered
    check(ops, f"5-01-dashboard-{viewport['width']}")

    # and the same numbers download as CSV
    with ops.expect_download() as download:
        ops.get_by_role("link", name="Download “Operations by service date” (CSV)").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text())))
    header, day = rows[0], next(r for r in rows if r[0] == today)
    assert header[:4] == ["Service date", "Manifested", "Handed off", "Delivered"]
    assert day[:4] == [today, "4", "4", "2"]
