"""The morning handoff on two phones: the driver and the partner each log in, type tracking
ids and press Enter (as a scanner does), and every answer shows without a reload. The
handoff and today pages have no serious accessibility violations and no horizontal scroll.

SAVE_SCREENSHOTS=1 also writes the phone-width screenshots in docs/screenshots/.
"""

import os
from pathlib import Path

import pytest

from hubdelivery.lib.dates import local_date
from tests.browser.conftest import PHONE, horizontal_overflow, serious_accessibility_violations
from tests.factories import TEST_PASSWORD, ManifestFactory, PackageFactory

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def log_in(browser, live_server):
    """Log a person in on their own phone (a browser context); closed after the test."""
    contexts = []

    def log_in(user):
        context = browser.new_context(viewport=PHONE)
        contexts.append(context)
        page = context.new_page()
        page.goto(live_server.url + "/accounts/login/")
        page.get_by_label("Email").fill(user.email)
        page.get_by_label("Password").fill(TEST_PASSWORD)
        page.get_by_role("button", name="Sign In").click()
        page.wait_for_load_state("networkidle")
        return page

    yield log_in
    for context in contexts:
        context.close()


def scan(page, tracking_id: str) -> str:
    """Type the label and press Enter; return the answer once it shows."""
    field = page.get_by_label("Tracking id")
    field.fill(tracking_id)
    field.press("Enter")
    answer = page.locator("#scan-answer .scan-answer", has_text=tracking_id)
    answer.wait_for()
    return answer.inner_text()


def save(page, name: str) -> None:
    if os.environ.get("SAVE_SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


def test_driver_and_partner_run_a_handoff_by_typing_labels(
    live_server, log_in, partner, partner_owner, dsp_driver
):
    # given today's manifest of four packages for the partner
    today = local_date(tz_name=partner.time_zone)
    manifest = ManifestFactory(dsp=dsp_driver.driver.dsp, partner=partner, service_date=today)
    labels = [p.tracking_id for p in PackageFactory.create_batch(4, manifest=manifest)]

    # when the driver opens the drop-off on their phone
    driver = log_in(dsp_driver)
    driver.goto(live_server.url + "/handoffs/")
    driver.get_by_label("Partner").select_option(label=partner.trade_name)
    driver.get_by_role("button", name="Open drop-off").click()
    driver.wait_for_load_state("networkidle")
    handoff_url = driver.url

    # then each typed label is answered in place, and focus stays in the scan field
    assert "Received" in scan(driver, labels[0])
    assert driver.evaluate("document.activeElement.name") == "tracking_id"
    assert "Not on this manifest" in scan(driver, "NOT-ON-IT-1")
    driver.get_by_label("Tracking id").fill(labels[0])
    driver.get_by_label("Tracking id").press("Enter")
    driver.locator("#scan-answer .scan-repeat").wait_for()
    assert "Already scanned" in driver.locator("#scan-answer").inner_text()
    counters = driver.locator("#handoff-counters").inner_text()
    assert "Received\n1" in counters and "Unexpected\n1" in counters
    assert driver.url == handoff_url  # no reload

    # and the partner, on its own phone, scans the next ones into the same handoff
    owner = log_in(partner_owner)
    owner.goto(handoff_url)
    assert "Received" in scan(owner, labels[1])
    assert "Received" in scan(owner, labels[2])
    assert horizontal_overflow(owner) == 0
    assert serious_accessibility_violations(owner) == []
    save(owner, "handoff-phone.png")

    # when both confirm, each on their own log-in
    driver.reload()
    driver.get_by_role("button", name="Confirm as driver").click()
    driver.wait_for_load_state("networkidle")
    owner.reload()
    owner.get_by_role("button", name="Confirm as partner").click()
    owner.wait_for_load_state("networkidle")

    # then the handoff is closed with its discrepancies: the stray label, one missing
    body = owner.locator("main").inner_text()
    assert "Both sides confirmed" in body
    assert "NOT-ON-IT-1" in body and labels[3] in body
    assert serious_accessibility_violations(owner) == []

    # and the partner's today page lists the day, readable on a phone
    owner.goto(live_server.url + "/today/")
    owner.get_by_label("Package label").fill(labels[1])
    owner.get_by_label("Package label").press("Enter")
    owner.get_by_role("button", name="Delivered").wait_for()
    assert horizontal_overflow(owner) == 0
    assert serious_accessibility_violations(owner) == []
    save(owner, "today-phone.png")


def test_camera_scanning_falls_back_to_the_vendored_polyfill(live_server, log_in, partner_owner):
    """Chromium on Linux has no native BarcodeDetector: the vendored polyfill and its
    WebAssembly decoder load from our own static files, not from a CDN, under the camera
    pages' policy (the only pages that allow WebAssembly)."""
    # given the partner's today page, which carries the camera scanner
    page = log_in(partner_owner)
    page.goto(live_server.url + "/today/")
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    assert page.evaluate("'BarcodeDetector' in window") is False
    # when the polyfill is loaded the way scan.js does it, and asked to read a blank frame
    found = page.evaluate(
        """async (base) => {
          await new Promise((resolve, reject) => {
            const s = document.createElement('script');
            s.src = base + 'polyfill.iife.js'; s.onload = resolve; s.onerror = reject;
            document.head.appendChild(s);
          });
          BarcodeDetectionAPI.setZXingModuleOverrides({
            locateFile: (path, prefix) =>
              path.endsWith('.wasm') ? base + 'zxing_reader.wasm' : prefix + path,
          });
          const detector = new BarcodeDetector({formats: ['code_128', 'qr_code']});
          const frame = new ImageData(64, 64);
          return (await detector.detect(frame)).length;
        }""",
        "/static/vendor/barcode-detector/",
    )
    # then it answers (nothing found), with the decoder fetched from /static/
    assert found == 0
    assert any(
        url.endswith("/static/vendor/barcode-detector/zxing_reader.wasm") for url in requests
    )
    assert not any("jsdelivr" in url for url in requests)


def test_ops_and_start_pages_fit_a_phone(live_server, log_in, partner, dsp_driver, reviewer):
    """The other new pages: no horizontal scroll and no serious violations at 390 px."""
    from packages import services
    from packages.models import HandoffDirection
    from tests.factories import PartnerMemberFactory

    # given a received package, a failed attempt (an open incident) and the handoff
    today = local_date(tz_name=partner.time_zone)
    manifest = ManifestFactory(dsp=dsp_driver.driver.dsp, partner=partner, service_date=today)
    package = PackageFactory(manifest=manifest)
    handoff = services.handoff_open(
        actor=dsp_driver,
        partner=partner,
        dsp=manifest.dsp,
        direction=HandoffDirection.DROP_OFF,
        service_date=today,
        idempotency_key="b-open",
    ).handoff
    services.package_receive(
        actor=dsp_driver, handoff=handoff, tracking_id=package.tracking_id, idempotency_key="b-r"
    )
    member = PartnerMemberFactory(partner=partner)
    services.package_attempt(
        actor=member.user, package=package, reason="unsafe", idempotency_key="b-a"
    )
    pages = {
        dsp_driver: ["/handoffs/"],
        reviewer: [
            "/ops/handoffs/",
            f"/ops/handoffs/{handoff.pk}/",
            "/ops/incidents/",
            f"/ops/packages/{package.tracking_id}/",
        ],
    }
    for user, paths in pages.items():
        page = log_in(user)
        for path in paths:
            page.goto(live_server.url + path)
            assert horizontal_overflow(page) == 0, path
            assert serious_accessibility_violations(page) == [], path
