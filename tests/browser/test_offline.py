"""The phone pages without a connection (issue 19), in Chromium at 390x844.

Going offline is `context.set_offline(True)` plus aborting the service worker's own requests:
Playwright's offline switch does not reach a service worker's fetches
(microsoft/playwright#2311), and a phone without a connection reaches nothing.
"""

import datetime
import io
import time

import pytest
from django.utils import timezone
from PIL import Image

from hubdelivery.lib.dates import local_date
from packages import services
from packages.models import (
    DeliveryAttempt,
    HandoffDirection,
    LateEvent,
    Package,
    PackageEvent,
)
from tests.browser.conftest import PHONE, serious_accessibility_violations
from tests.browser.test_recruiting_pages import log_in
from tests.factories import ManifestFactory, PackageFactory

pytestmark = pytest.mark.browser

PAGES_KEPT = "hub-pages"


def _worker_request_fails(route) -> None:
    if route.request.service_worker:
        route.abort("internetdisconnected")
    else:
        route.continue_()


def go_offline(context) -> None:
    context.set_offline(True)
    context.route("**/*", _worker_request_fails)


def go_online(context) -> None:
    context.unroute("**/*", _worker_request_fails)
    context.set_offline(False)


def wait_for(page, script: str, arg=None, timeout: float = 10) -> None:
    """Poll `script` until it is truthy. page.wait_for_function evaluates a string inside
    the page, which the pages' CSP (no eval) refuses; page.evaluate goes through DevTools."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(script, arg):
        assert time.monotonic() < deadline, f"timed out waiting for {script}"
        page.wait_for_timeout(100)


@pytest.fixture
def phone(browser, live_server):
    """A person's own phone (a browser context) with the page open at `path`, once the
    service worker controls it and has kept the app's start page."""
    contexts = []

    def phone(user, path):
        context = browser.new_context(viewport=PHONE)
        contexts.append(context)
        page = context.new_page()
        log_in(page, live_server, user)
        page.goto(live_server.url + path)
        wait_for(page, "() => navigator.serviceWorker.controller !== null")
        return page

    yield phone
    for context in contexts:
        context.close()


def wait_until_kept(page, path: str) -> None:
    wait_for(page, "async (path) => !!(await (await caches.open('hub-pages')).match(path))", path)


def outbox_items(page) -> list[dict]:
    return page.evaluate("async () => (await idb.openDB('hub-outbox', 1)).getAll('outbox')")


def banner(page) -> str:
    return page.locator("#outbox-banner").inner_text()


def scan_offline(page, tracking_id: str) -> None:
    field = page.get_by_label("Tracking id")
    field.fill(tracking_id)
    field.press("Enter")
    page.locator("#scan-answer .scan-kept", has_text=tracking_id).wait_for()


def find_package(page, tracking_id: str) -> None:
    page.get_by_label("Package label").fill(tracking_id)
    page.get_by_label("Package label").press("Enter")
    page.locator("#deliver-heading", has_text=tracking_id).wait_for()


def deliver_offline(page, tracking_id: str, *, photo: bytes | None = None) -> None:
    find_package(page, tracking_id)
    if photo:
        page.get_by_label("Photo of the package at the door").set_input_files(
            {"name": "door.jpg", "mimeType": "image/jpeg", "buffer": photo}
        )
    else:
        page.get_by_label("Handed to (name)").fill("Ana")
    page.get_by_role("button", name="Delivered", exact=True).click()
    page.locator("#deliver-panel .scan-kept", has_text=tracking_id).wait_for()


def attempt_offline(page, tracking_id: str) -> None:
    find_package(page, tracking_id)
    page.get_by_text("Could not deliver").click()
    page.get_by_label("Why not delivered").select_option("unsafe")
    page.get_by_role("button", name="Not delivered").click()
    page.locator("#deliver-panel .scan-kept", has_text=tracking_id).wait_for()


def big_photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (2400, 1800), (120, 90, 60)).save(buffer, format="JPEG")
    return buffer.getvalue()


@pytest.fixture
def morning(partner, dsp_driver):
    """Thirty packages for the partner today, and the drop-off the driver opened."""
    today = local_date(tz_name=partner.time_zone)
    manifest = ManifestFactory(dsp=dsp_driver.driver.dsp, partner=partner, service_date=today)
    packages = PackageFactory.create_batch(30, manifest=manifest)
    handoff = services.handoff_open(
        actor=dsp_driver, partner=partner, dsp=manifest.dsp,
        direction=HandoffDirection.DROP_OFF, service_date=today, idempotency_key="off-open",
    ).handoff  # fmt: skip
    return handoff, [p.tracking_id for p in packages]


def counts(page, attribute: str) -> dict[str, str]:
    """The page's counters by name (`data-count` on a handoff, `data-summary` on the day)."""
    return page.evaluate(
        "(attribute) => Object.fromEntries([...document.querySelectorAll(`[${attribute}]`)]"
        ".map((node) => [node.getAttribute(attribute), node.textContent.trim()]))",
        attribute,
    )


def outbox_empty(page, timeout: float = 20) -> None:
    wait_for(
        page,
        "async () => (await (await idb.openDB('hub-outbox', 1)).count('outbox')) === 0",
        timeout=timeout,
    )


def test_a_day_made_offline_reaches_the_server_once_in_device_order(
    live_server, phone, morning, partner_owner, dsp_driver
):
    handoff, labels = morning
    handoff_path = f"/handoffs/{handoff.pk}/"
    # given the driver and the partner with the handoff open on their phones
    driver = phone(dsp_driver, handoff_path)
    owner = phone(partner_owner, handoff_path)
    wait_until_kept(owner, "/today/")
    wait_until_kept(owner, handoff_path)

    # when both go offline; the partner scans the thirty labels and both confirm
    go_offline(driver.context)
    go_offline(owner.context)
    for label in labels:
        scan_offline(owner, label)
    assert "You are offline" in banner(owner)
    assert "30 actions waiting to be sent" in banner(owner)
    assert owner.locator("#scan-list .chip-pending").count() == 30
    assert owner.locator("#still-expected li:visible").count() == 0
    # and the counters already say what the server will say once it has the scans
    scanned = {"expected": "30", "received": "30", "scanned": "30", "still": "0"}
    assert counts(owner, "data-count").items() >= scanned.items()
    driver.get_by_role("button", name="Confirm as driver").click()
    driver.locator(".scan-kept", has_text="Handoff confirmed").wait_for()
    owner.get_by_role("button", name="Confirm as partner").click()
    owner.locator(".scan-kept", has_text="Handoff confirmed").wait_for()
    assert serious_accessibility_violations(owner) == []

    # and on the today page (opened from the phone): five deliveries (one with a photo),
    # one failed attempt, one delivery undone
    owner.goto(live_server.url + "/today/")
    deliver_offline(owner, labels[0], photo=big_photo())
    for label in labels[1:5]:
        deliver_offline(owner, label)
    attempt_offline(owner, labels[5])
    owner.get_by_role("button", name=f"Undo delivery of {labels[4]}").click()
    owner.locator(".scan-kept", has_text="Delivery undone").wait_for()
    assert serious_accessibility_violations(owner) == []

    # then the page closed and opened again without a connection still shows it all
    context = owner.context
    owner.close()
    owner = context.new_page()
    owner.goto(live_server.url + "/today/")
    owner.locator("#outbox-banner", has_text="38 actions waiting to be sent").wait_for()
    day = {"delivered": "4", "incident": "1", "open": "25", "queued_for_return": "0"}
    wait_for(owner, "() => document.querySelector('[data-summary=delivered]').textContent === '4'")
    assert counts(owner, "data-summary").items() >= day.items()
    row = owner.locator(f"[data-tracking-id='{labels[1]}']")
    assert "Delivered · not sent yet" in row.inner_text()
    items = outbox_items(owner)
    assert [i["type"] for i in items] == (
        ["received"] * 30
        + ["handoff_confirm"]
        + ["delivered"] * 5
        + ["attempted", "delivery_undone"]
    )
    assert [i["device_time"] for i in items] == sorted(i["device_time"] for i in items)
    photo_side = owner.evaluate(
        "async (url) => { const img = new Image(); img.src = url; await img.decode();"
        " return Math.max(img.naturalWidth, img.naturalHeight); }",
        items[31]["photo"],
    )
    assert photo_side == 1600
    assert serious_accessibility_violations(owner) == []
    client_ids = [i["client_id"] for i in items]
    assert not PackageEvent.objects.filter(idempotency_key__in=client_ids).exists()

    # when the connection returns, the driver's phone first, then the partner's
    go_online(driver.context)
    outbox_empty(driver)
    go_online(context)
    outbox_empty(owner)

    # then the server holds each event made, once (the key is unique), in device order,
    # with the device's time and its own
    events = list(PackageEvent.objects.filter(idempotency_key__in=client_ids).order_by("id"))
    assert [e.idempotency_key for e in events] == client_ids
    assert all(e.device_time and e.received_at for e in events)
    assert [e.device_time for e in events] == sorted(e.device_time for e in events)
    handoff.refresh_from_db()
    assert not handoff.is_open
    status = dict(
        Package.objects.filter(tracking_id__in=labels).values_list("tracking_id", "status")
    )
    assert [status[label] for label in labels[:6]] == ["delivered"] * 4 + ["received", "attempted"]
    assert DeliveryAttempt.objects.get(package__tracking_id=labels[0]).photo
    owner.reload()
    assert owner.locator("#outbox-banner").is_hidden()
    assert counts(owner, "data-summary").items() >= day.items()
    owner.goto(live_server.url + handoff_path)
    del scanned["still"]  # the closed handoff lists nothing still to scan
    assert counts(owner, "data-count").items() >= scanned.items()


def scan_offline_as(page, tracking_id: str, button: str) -> None:
    page.get_by_label("Tracking id").fill(tracking_id)
    page.get_by_role("button", name=button, exact=True).click()
    page.locator("#scan-answer .scan-kept", has_text=tracking_id).wait_for()


def test_offline_scans_count_as_the_server_counts_them_once_sent(
    live_server, phone, morning, partner_owner
):
    handoff, labels = morning
    # given one label marked missing and one received before the phone lost its connection
    services.package_mark_missing(
        actor=partner_owner, handoff=handoff, tracking_id=labels[0], idempotency_key="off-missing"
    )
    services.package_receive(
        actor=partner_owner, handoff=handoff, tracking_id=labels[1], idempotency_key="off-recv"
    )
    handoff_path = f"/handoffs/{handoff.pk}/"
    owner = phone(partner_owner, handoff_path)
    wait_until_kept(owner, handoff_path)

    # when offline the missing one turns up, the received one and one still to scan are
    # damaged, a label on no manifest is scanned, another is marked damaged (refused), and a
    # damaged one is scanned again (no change)
    go_offline(owner.context)
    scan_offline(owner, labels[0])
    scan_offline_as(owner, labels[1], "Damaged")
    scan_offline_as(owner, labels[2], "Damaged")
    scan_offline(owner, "NOT-ON-ANY-MANIFEST")
    scan_offline_as(owner, "NOT-ON-ANY-MANIFEST-2", "Damaged")
    scan_offline(owner, labels[2])

    # then the counters already say what the server will say (its own rule, scan-outcomes)
    then = {
        "expected": "30",
        "received": "1",
        "missing": "0",
        "damaged": "2",
        "unexpected": "1",
        "scanned": "4",
        "still": "27",
    }
    wait_for(owner, "() => document.querySelector('[data-count=damaged]').textContent === '2'")
    assert counts(owner, "data-count").items() >= then.items()

    # and once sent, the server's own counters say the same
    go_online(owner.context)
    owner.locator("#outbox-banner", has_text="1 action was refused").wait_for(timeout=20_000)
    owner.reload()
    assert counts(owner, "data-count").items() >= then.items()
    handoff.refresh_from_db()
    assert (handoff.received, handoff.missing, handoff.damaged, handoff.unexpected) == (1, 0, 2, 1)


def test_a_cut_sync_and_a_second_tab_create_no_duplicate(
    live_server, phone, received_day, partner_owner
):
    labels = [p.tracking_id for p in received_day]
    # given the partner's day open in two tabs of one phone, two deliveries made offline
    first = phone(partner_owner, "/today/")
    context = first.context
    second = context.new_page()
    second.goto(live_server.url + "/today/")
    go_offline(context)
    deliver_offline(first, labels[0])
    deliver_offline(first, labels[1])
    second.locator("#outbox-banner", has_text="2 actions waiting to be sent").wait_for()
    # and a connection that drops the first sync's answer after the server applied it
    sent: list[str] = []

    def cut_the_first_answer(route) -> None:
        sent.append(route.request.post_data)
        response = route.fetch()
        if len(sent) == 1:
            assert response.status == 200
            route.abort("connectionreset")
        else:
            route.fulfill(response=response)

    context.route("**/api/v1/sync", cut_the_first_answer)

    # when the connection returns to both tabs
    go_online(context)
    outbox_empty(first, timeout=45)

    # then the retry was answered "already applied": one event and one delivery each
    assert len(sent) >= 2
    delivered = PackageEvent.objects.filter(
        package__tracking_id__in=labels[:2], event_type="delivered"
    )
    assert delivered.count() == 2
    assert DeliveryAttempt.objects.filter(package__tracking_id__in=labels[:2]).count() == 2
    for page in (first, second):
        page.reload()
        assert page.locator("#outbox-banner").is_hidden()


HOLD_THE_SEND_LOCK = """() => {
  navigator.locks.request("hub-outbox-send", () => new Promise((release) => {
    window.releaseSendLock = release;
  }));
}"""


def test_a_send_that_found_another_sender_busy_tries_again_soon(
    live_server, phone, received_day, partner_owner
):
    # given a delivery made offline, and another sender (a second tab, the worker) holding
    # the send lock when the connection returns
    page = phone(partner_owner, "/today/")
    go_offline(page.context)
    deliver_offline(page, received_day[0].tracking_id)
    page.evaluate(HOLD_THE_SEND_LOCK)
    go_online(page.context)
    wait_for(page, "() => navigator.onLine")
    page.wait_for_timeout(500)  # the online event's send finds the lock held
    assert [item["state"] for item in outbox_items(page)] == ["waiting"]
    # when that sender finishes without sending this delivery
    page.evaluate("() => window.releaseSendLock()")
    # then the page sends it within seconds, not at the next half-minute round
    outbox_empty(page, timeout=15)
    assert PackageEvent.objects.filter(package=received_day[0], event_type="delivered").exists()


def test_a_delivery_a_teammate_made_first_is_refused_in_plain_words(
    live_server, phone, received_day, partner, partner_owner
):
    from tests.factories import PartnerMemberFactory

    package = received_day[0]
    # given the owner's phone offline, delivering a package
    owner = phone(partner_owner, "/today/")
    go_offline(owner.context)
    deliver_offline(owner, package.tracking_id)
    # while a teammate delivered it first on their own phone
    teammate = PartnerMemberFactory(partner=partner).user
    services.package_deliver(
        actor=teammate, package=package, recipient_name="Bo", idempotency_key="teammate-1"
    )

    # when the owner's phone is back online
    go_online(owner.context)
    refusal = owner.locator("#outbox-banner", has_text="1 action was refused")
    refusal.wait_for(timeout=45_000)

    # then the phone says so next to the package and in the banner, in plain words
    row = owner.locator(f"[data-tracking-id='{package.tracking_id}'] .outbox-refused")
    assert "Refused (Delivered):" in row.inner_text()
    assert package.tracking_id in owner.locator("#outbox-banner").inner_text()
    assert serious_accessibility_violations(owner) == []
    assert PackageEvent.objects.filter(package=package, event_type="delivered").count() == 1
    # and once read, the refusal goes away
    owner.get_by_role("button", name="I have read this").click()
    owner.locator("#outbox-banner").wait_for(state="hidden")


def test_log_out_drops_the_pages_kept_on_the_phone(live_server, phone, partner_owner):
    # given the partner's today page kept for offline use
    page = phone(partner_owner, "/today/")
    wait_until_kept(page, "/today/")
    # when they log out
    with page.expect_navigation():
        page.get_by_role("button", name="Log out").click()
    page.wait_for_load_state("networkidle")
    # then no page of theirs stays on the device
    kept = page.evaluate(
        "async () => (await (await caches.open('hub-pages')).keys()).map(r => r.url)"
    )
    assert kept == []


def test_without_the_service_worker_the_pages_work_as_before(
    browser, live_server, received_day, partner_owner
):
    """A first visit, or a browser without service workers: the page's own forms and htmx
    answer as they always did, and nothing waits on the phone."""
    # given a browser that runs no service worker
    context = browser.new_context(viewport=PHONE, service_workers="block")
    page = context.new_page()
    log_in(page, live_server, partner_owner)
    package = received_day[0]
    # when the partner finds a package and delivers it online
    page.goto(live_server.url + "/today/")
    find_package(page, package.tracking_id)
    page.get_by_label("Handed to (name)").fill("Ana")
    page.get_by_role("button", name="Delivered", exact=True).click()
    page.wait_for_load_state("networkidle")
    # then the server's answer shows, as before, and the banner stays hidden
    assert f"Delivered {package.tracking_id}" in page.locator("main").inner_text()
    assert page.locator("#outbox-banner").is_hidden()
    package.refresh_from_db()
    assert package.status == "delivered"
    context.close()


def test_a_scan_whose_request_fails_is_kept_and_sent_once(
    live_server, phone, morning, partner_owner
):
    handoff, labels = morning
    # given the partner on the handoff page, online, on a connection that drops one scan
    owner = phone(partner_owner, f"/handoffs/{handoff.pk}/")
    owner.context.route("**/scan/", lambda route: route.abort("connectionreset"))
    # when they scan a label
    scan_offline(owner, labels[0])
    # then it is kept on the phone, and sent once the connection carries requests again
    owner.context.unroute("**/scan/")
    outbox_empty(owner)
    assert (
        PackageEvent.objects.filter(package__tracking_id=labels[0], event_type="received").count()
        == 1
    )


def test_a_delivery_form_whose_post_fails_is_kept_and_sent_once(
    live_server, phone, received_day, partner_owner
):
    package = received_day[0]
    # given the partner's day, online, on a connection that drops the delivery's post
    owner = phone(partner_owner, "/today/")
    dropped: list[str] = []

    def drop_the_post(route) -> None:
        dropped.append(route.request.url)
        route.abort("connectionreset")

    owner.context.route("**/deliver/", drop_the_post)
    # when they deliver a package through the page's own form
    find_package(owner, package.tracking_id)
    owner.get_by_label("Handed to (name)").fill("Ana")
    owner.get_by_role("button", name="Delivered", exact=True).click()
    # then the worker kept it, the day opens again, and the outbox sends it once
    owner.wait_for_url(live_server.url + "/today/")
    outbox_empty(owner)
    assert dropped
    assert PackageEvent.objects.filter(package=package, event_type="delivered").count() == 1
    package.refresh_from_db()
    assert package.status == "delivered"


def test_an_end_of_day_made_offline_closes_the_day_once_with_the_device_time(
    live_server, phone, received_day, partner_owner
):
    labels = [p.tracking_id for p in received_day]
    # given the partner's day kept on the phone, and the phone offline
    owner = phone(partner_owner, "/today/")
    wait_until_kept(owner, "/today/")
    go_offline(owner.context)
    # when they put the four packages in the storage area and close the day
    owner.get_by_label("These packages are in our secure storage area for the driver").check()
    owner.get_by_role("button", name="Keep 4 for the return").click()
    owner.locator(".scan-kept", has_text="Kept for the return").wait_for()
    closed = {"delivered": "0", "open": "0", "queued_for_return": "4"}
    assert counts(owner, "data-summary").items() >= closed.items()

    # then the page opened again without a connection still shows the day closed
    context = owner.context
    owner.close()
    owner = context.new_page()
    owner.goto(live_server.url + "/today/")
    owner.locator("#outbox-banner", has_text="1 action waiting to be sent").wait_for()
    wait_for(owner, "() => document.querySelector('[data-summary=open]').textContent === '0'")
    assert counts(owner, "data-summary").items() >= closed.items()
    [item] = outbox_items(owner)

    # when the connection returns, the server closes the day once, at the phone's time
    go_online(context)
    outbox_empty(owner)
    kept = PackageEvent.objects.filter(to_status="return_pending")
    assert sorted(kept.values_list("package__tracking_id", flat=True)) == sorted(labels)
    assert {e.idempotency_key.split(":")[0] for e in kept} == {item["client_id"]}
    assert {e.device_time for e in kept} == {datetime.datetime.fromisoformat(item["device_time"])}
    owner.reload()
    assert counts(owner, "data-summary").items() >= closed.items()


def test_a_delivery_sent_after_its_day_closed_says_ops_have_it(
    live_server, phone, received_day, partner_owner
):
    package = received_day[0]
    # given the owner's phone offline, its clock still on yesterday evening
    owner = phone(partner_owner, "/today/")
    go_offline(owner.context)
    owner.clock.set_fixed_time(timezone.now() - datetime.timedelta(days=1))
    deliver_offline(owner, package.tracking_id)

    # when the phone is back online today
    go_online(owner.context)
    owner.locator("#outbox-banner", has_text="1 action was sent after the day closed").wait_for(
        timeout=45_000
    )

    # then the delivery counts, ops have it, and the phone says so in plain words
    assert "Sent after the day closed: ops have it." in banner(owner)
    row = owner.locator(f"[data-tracking-id='{package.tracking_id}'] .outbox-late")
    assert "Sent after the day closed" in row.inner_text()
    assert LateEvent.objects.filter(tracking_id=package.tracking_id, outcome="applied").exists()
    assert serious_accessibility_violations(owner) == []
    owner.get_by_role("button", name="I have read this").click()
    owner.locator("#outbox-banner").wait_for(state="hidden")


def test_without_web_locks_two_tabs_send_the_outbox_once(
    browser, live_server, received_day, partner_owner
):
    labels = [p.tracking_id for p in received_day]
    # given a browser without Web Locks (nor a service worker, which would send as well),
    # the partner's day open in two tabs, and a lock record a closed tab left long ago
    context = browser.new_context(viewport=PHONE, service_workers="block")
    context.add_init_script("delete Navigator.prototype.locks;")
    first = context.new_page()
    log_in(first, live_server, partner_owner)
    first.goto(live_server.url + "/today/")
    second = context.new_page()
    second.goto(live_server.url + "/today/")
    assert first.evaluate("() => navigator.locks === undefined")
    first.evaluate(
        "async () => (await idb.openDB('hub-outbox', 1))"
        ".put('meta', {holder: 'closed-tab', expires: Date.now() - 1}, 'send-lock')"
    )
    # and two deliveries made offline in the first tab, shown in the second
    context.set_offline(True)
    deliver_offline(first, labels[0])
    deliver_offline(first, labels[1])
    second.locator("#outbox-banner", has_text="2 actions waiting to be sent").wait_for()
    syncs: list[str] = []

    def count_the_sync(route) -> None:
        syncs.append(route.request.post_data)
        route.continue_()

    context.route("**/api/v1/sync", count_the_sync)

    # when the connection returns to both tabs at once
    context.set_offline(False)
    outbox_empty(first)
    second.locator("#outbox-banner").wait_for(state="hidden")

    # then one tab sent the outbox, once, and the lock is free again
    assert len(syncs) == 1
    assert (
        PackageEvent.objects.filter(
            package__tracking_id__in=labels[:2], event_type="delivered"
        ).count()
        == 2
    )
    lock = first.evaluate(
        "async () => (await idb.openDB('hub-outbox', 1)).get('meta', 'send-lock')"
    )
    assert lock is None
    context.close()
