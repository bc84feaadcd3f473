"""Issue 18's journey in Debian's Chromium, at 1280 and 390 px: ops run the network from the
portal, with no trip to /admin/.

An ops admin creates the DSP "Frontier Last Mile" and places its station ANC1 from ZIP 99501 on
the map pin page; the station serves the Anchorage partners, not the Fairbanks one. Ops invite
a driver, who sets a password from the email's link and sees only the station's partners, and
the DSP's manager (the invitation form on the DSP's page), who issues an API key (shown once,
read from the page); the DSP's system posts a manifest with it; the evening's assignment
places the packages. The downtown florist closes that day: its packages move to the Spenard
café. Ops declare a storm day in Alaska: all of them stay with the DSP; the assignment page and
each package's history say why. Ops add the Anchorage market's rate from next week, and this
week's statement on the pay page reads the same before and after.

The world (Anchorage partners with coverage, their market, this week's deliveries, the ops
admin) comes from factories; every action of ops, the manager, the owner and the driver goes
through the pages. Every page passes axe and fits the viewport.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.core import mail

from accounts.roles import Role
from dashboard.pay import week_monday
from dashboard.services import weekly_statements_compute
from hubdelivery.lib.dates import local_date
from hubdelivery.lib.zipdata import zip_lookup
from packages.models import Dsp, PackageStatus, Station
from partners.models import ApplicationStatus, HolidayDay, MemberRole, Partner
from routing.models import Coverage
from routing.tasks import packages_assign_task
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_journeys import check, log_in
from tests.conftest import client_for
from tests.factories import (
    DspFactory,
    ManifestFactory,
    MarketFactory,
    PackageFactory,
    PartnerApplicationFactory,
    PartnerFactory,
    PartnerMemberFactory,
    StationFactory,
    UserFactory,
)

ANCHORAGE = "America/Anchorage"
DSP_NAME = "Frontier Last Mile"
DRIVER_EMAIL = "kai@frontier-last-mile.example"
MANAGER_EMAIL = "dispatch@frontier-last-mile.example"


# ------------------------------------------------------------------------------
# The world: Anchorage's market and partners (with coverage and this week's deliveries),
# one partner far from the station (Fairbanks), the ops admin and the DSP's manager account
# ------------------------------------------------------------------------------
def anchorage_partner(*, trade_name: str, zip_code: str, market, covers: list[str]) -> Partner:
    place = zip_lookup(zip_code)
    owner = UserFactory(email=f"owner-{zip_code}@mail.test", roles=[Role.PARTNER_OWNER])
    partner = PartnerFactory(
        owner=owner, trade_name=trade_name, city=place.city, state="AK", zip_code=zip_code,
        latitude=place.latitude, longitude=place.longitude, time_zone=ANCHORAGE,
    )  # fmt: skip
    PartnerMemberFactory(partner=partner, user=owner, role=MemberRole.OWNER)
    if market is not None:
        PartnerApplicationFactory(
            owner=owner, status=ApplicationStatus.APPROVED, market=market, partner=partner,
            trade_name=trade_name, city=place.city, state="AK", zip_code=zip_code,
        )  # fmt: skip
    now = datetime.datetime.now(datetime.UTC)
    Coverage.objects.create(partner=partner, zip_codes=covers, radius_miles=1.5, updated_at=now)
    return partner


@pytest.fixture
def alaska(transactional_db, settings):
    """Two Anchorage partners in the Anchorage market (the café also covers downtown), a
    Fairbanks one far from the station, and three packages the florist delivered this week for
    another DSP (this week's statement)."""
    settings.MAP_TILE_URL = ""  # the pin and its coordinates, no tiles fetched from the internet
    centre = zip_lookup("99501")
    market = MarketFactory(
        name="Anchorage", state="AK", center_zip="99501", latitude=centre.latitude,
        longitude=centre.longitude, radius_miles=15, rate_per_package=Decimal("2.50"),
    )  # fmt: skip
    florist = anchorage_partner(
        trade_name="Midnight Sun Florist", zip_code="99501", market=market, covers=["99501"]
    )
    anchorage_partner(
        trade_name="Spenard Roasters", zip_code="99503", market=market, covers=["99503", "99501"]
    )
    anchorage_partner(trade_name="Goldstream Books", zip_code="99701", market=None, covers=[])
    today = local_date(tz_name=ANCHORAGE)
    earlier = ManifestFactory(dsp=DspFactory(name="Northern Routes"), partner=florist,
                              service_date=today)  # fmt: skip
    for _ in range(3):
        PackageFactory(
            manifest=earlier, status=PackageStatus.DELIVERED, zip_code="99501", city="Anchorage",
            latitude=centre.latitude, longitude=centre.longitude,
        )  # fmt: skip
    return {"florist": florist, "today": today}


def the_week_after(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """Next week's Monday (the new rate's first day) and Tuesday (the storm day): both
    outside this week, so this week's statement never counts the storm day's packages."""
    next_monday = week_monday(today) + datetime.timedelta(days=7)
    return next_monday, next_monday + datetime.timedelta(days=1)


def manifest_rows() -> list[dict]:
    """Four packages downtown (99501) and two in Spenard (99503)."""
    streets = [("99501", "W 4th Ave"), ("99501", "E 5th Ave"), ("99501", "G St"),
               ("99501", "K St"), ("99503", "Spenard Rd"), ("99503", "Arctic Blvd")]  # fmt: skip
    return [
        {"tracking_id": f"FLM{n:07d}", "recipient_name": "Jo Recipient",
         "address_line": f"{100 + n} {street}", "zip_code": zip_code, "city": "Anchorage"}
        for n, (zip_code, street) in enumerate(streets)
    ]  # fmt: skip


def assignment_rows(page, base: str, day: datetime.date) -> dict[str, tuple[str, str]]:
    """The ops assignment page of `day`: each package's partner and why."""
    page.goto(base + f"/ops/assignment/?date={day.isoformat()}")
    rows = page.get_by_role("table").locator("tbody tr").all()
    cells = [row.get_by_role("cell").all_inner_texts() for row in rows]
    return {tracking: (partner, why) for tracking, _, _, _, partner, _, why in cells}


def payout_row(page, partner_name: str) -> list[str]:
    row = page.locator("#table-payout").get_by_role("row", name=re.compile(partner_name))
    return row.get_by_role("cell").all_inner_texts()


def pay_page_week(page, base: str, week: datetime.date) -> None:
    page.goto(base + "/ops/pay/")
    page.get_by_label("Week starting (a Monday)").fill(week.isoformat())
    page.get_by_role("button", name="Show").click()
    page.locator("#table-payout").wait_for()


# ------------------------------------------------------------------------------
# The journey
# ------------------------------------------------------------------------------
@pytest.mark.browser
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_journey_ops_set_up_a_dsp_in_anchorage_and_run_its_day(
    live_server, browser, playwright, alaska, ops_admin, viewport
):
    base, width = live_server.url, viewport["width"]
    today = alaska["today"]
    next_monday, storm_day = the_week_after(today)
    this_week = week_monday(today)
    ops = browser.new_context(viewport=viewport).new_page()
    log_in(ops, base, ops_admin.email)

    # ops create the DSP from the DSP list
    ops.goto(base + "/ops/dsps/")
    ops.get_by_role("link", name="New DSP").click()
    ops.get_by_label("Name").fill(DSP_NAME)
    ops.get_by_label("Contact email (optional)").fill("ops@frontier-last-mile.example")
    check(ops, f"18-01-new-dsp-{width}")
    ops.get_by_role("button", name="Save DSP").click()
    ops.get_by_role("heading", name=DSP_NAME).wait_for()
    ops.get_by_text(f"DSP {DSP_NAME} created.").wait_for()
    dsp = Dsp.objects.get(name=DSP_NAME)

    # and its station from ZIP 99501: placed at the ZIP's centre, the pin on the map
    ops.get_by_role("link", name="Add a station").click()
    ops.get_by_label("Station code").fill("ANC1")
    ops.get_by_label("Name").fill("Anchorage Ship Creek")
    ops.get_by_label("Street address (optional)").fill("1 Ship Creek Ave")
    ops.get_by_label("ZIP code").fill("99501")
    ops.get_by_role("button", name="Place at the ZIP's center").click()
    ops.locator("#station-map .leaflet-marker-icon").wait_for()
    centre = zip_lookup("99501")
    assert float(ops.get_by_label("Latitude").input_value()) == pytest.approx(centre.latitude)
    assert float(ops.get_by_label("Longitude").input_value()) == pytest.approx(centre.longitude)
    check(ops, f"18-02-station-pin-{width}")
    ops.get_by_role("button", name="Save station").click()
    ops.get_by_text("Station ANC1 Anchorage Ship Creek created.").wait_for()
    station = Station.objects.get(dsp=dsp, code="ANC1")
    assert station.latitude == pytest.approx(centre.latitude)
    assert station.longitude == pytest.approx(centre.longitude)

    # the station serves the Anchorage partners within its radius, not the Fairbanks one
    ops.get_by_role("link", name="Partners served by ANC1").click()
    served = ops.get_by_role("region", name="Partners served").locator("li strong")
    assert sorted(served.all_inner_texts()) == ["Midnight Sun Florist", "Spenard Roasters"]
    check(ops, f"18-02b-station-partners-{width}")
    ops.get_by_role("link", name=f"← {DSP_NAME}").click()

    # ops invite a driver to the station
    ops.get_by_role("link", name="Invite a driver").click()
    ops.get_by_label("Email").fill(DRIVER_EMAIL)
    ops.get_by_label("Full name").fill("Kai Nanook")
    ops.get_by_label("Home station").select_option(label=str(station))
    check(ops, f"18-03-invite-driver-{width}")
    ops.get_by_role("button", name="Send invitation").click()
    ops.get_by_text(f"Invitation sent to {DRIVER_EMAIL}.").wait_for()
    assert "Invited, not joined yet" in ops.locator("main").inner_text()
    check(ops, f"18-04-dsp-page-{width}")

    # the driver follows the email's link and sets a password
    invitation = next(m for m in mail.outbox if m.to == [DRIVER_EMAIL])
    link = re.search(r"https?://\S+(/driver/join/\S+/)", invitation.body).group(1)
    driver = browser.new_context(viewport=PHONE).new_page()
    driver.goto(base + link)
    driver.get_by_label("Choose a password").fill("northern-lights-77")
    driver.get_by_label("Type it again").fill("northern-lights-77")
    check(driver, f"18-05-driver-join-{width}")
    driver.get_by_role("button", name="Set password and continue").click()
    driver.get_by_text("Welcome! Your account is ready.").wait_for()
    facts = driver.locator("main").inner_text()
    assert DSP_NAME in facts and "ANC1" in facts
    # and sees only the partners the station serves
    driver.get_by_role("heading", name="Your station's partners").wait_for()
    listed = driver.locator("main .plain-list li strong").all_inner_texts()
    assert sorted(listed) == ["Midnight Sun Florist", "Spenard Roasters"]
    check(driver, f"18-06-driver-home-{width}")

    # ops invite the DSP's manager from the DSP's page; they set a password from the link
    invite = ops.locator("form").filter(has=ops.get_by_role("heading", name="Invite a manager"))
    invite.get_by_label("Email").fill(MANAGER_EMAIL)
    invite.get_by_label("Full name").fill("Dana Dispatch")
    invite.get_by_role("button", name="Send invitation").click()
    ops.get_by_text(f"Invitation sent to {MANAGER_EMAIL}.").wait_for()
    invitation = next(m for m in mail.outbox if m.to == [MANAGER_EMAIL])
    link = re.search(r"https?://\S+(/dsp/join/\S+/)", invitation.body).group(1)
    manager = browser.new_context(viewport=viewport).new_page()
    manager.goto(base + link)
    manager.get_by_label("Choose a password").fill("midnight-dispatch-42")
    manager.get_by_label("Type it again").fill("midnight-dispatch-42")
    check(manager, f"18-06b-manager-join-{width}")
    manager.get_by_role("button", name="Set password and continue").click()
    manager.get_by_text("Welcome! Your account is ready.").wait_for()

    # the DSP's manager issues an API key, shown once
    manager.get_by_role("heading", name=DSP_NAME).wait_for()
    manager.get_by_role("link", name="API keys").click()
    manager.get_by_label("Name").fill("dispatch")
    manager.get_by_role("button", name="Issue key").click()
    key = manager.get_by_role("textbox", name="Key “dispatch”").input_value()
    assert len(key) > 20
    check(manager, f"18-07-key-shown-{width}")

    # the DSP's system posts the storm day's manifest with it
    api = playwright.request.new_context(
        base_url=base, extra_http_headers={"Authorization": f"Bearer {key}"}
    )
    manifest = {
        "external_id": "FLM-ANC-1",
        "service_date": storm_day.isoformat(),
        "packages": manifest_rows(),
    }
    answer = api.post("/api/v1/manifests", data=manifest)
    assert answer.status == 201, answer.text()
    assert answer.json()["package_count"] == 6
    api.dispose()
    manager.get_by_role("link", name="I have copied it: back to the keys").click()
    assert "Never" not in manager.locator("main .card").first.inner_text()  # last used: now

    # the evening's assignment places them (the beat's work, run here)
    assert packages_assign_task(dsp_id=dsp.pk, service_date=storm_day.isoformat()) == [6, 0]

    # the downtown florist closes that day, on the owner's closures page
    owner = browser.new_context(viewport=PHONE).new_page()
    log_in(owner, base, alaska["florist"].owner.email)
    owner.goto(base + "/partner/closures/")
    owner.get_by_label("First day closed").fill(storm_day.isoformat())
    owner.get_by_label("Last day closed").fill(storm_day.isoformat())
    owner.get_by_label("Reason").fill("Staff training")
    owner.get_by_role("button", name="Save closure").click()
    owner.get_by_text("Closure saved.").wait_for()
    check(owner, f"18-08-closure-{width}")

    # its four downtown packages move to Spenard Roasters, which covers 99501 too
    downtown, spenard = [f"FLM{n:07d}" for n in range(4)], ["FLM0000004", "FLM0000005"]
    placed = assignment_rows(ops, base, storm_day)
    for tracking in downtown:
        partner, why = placed[tracking]
        assert partner == "Spenard Roasters", tracking
        assert why.startswith("Midnight Sun Florist closed (Staff training); "), why
    assert {placed[tracking][0] for tracking in spenard} == {"Spenard Roasters"}
    check(ops, f"18-08b-moved-{width}")

    # ops declare a storm day in Alaska on the holiday calendar
    ops.goto(base + "/ops/holidays/")
    ops.locator("#id_add-date").fill(storm_day.isoformat())
    ops.locator("#id_add-name").fill("Storm")
    ops.locator("#id_add-kind").select_option("ad_hoc")
    ops.locator("#id_add-state").select_option("AK")
    ops.locator("#id_add-reason").fill("Winter storm warning")
    ops.get_by_role("button", name="Add the day").click()
    ops.get_by_text("Storm added to the calendar.").wait_for()
    assert HolidayDay.objects.filter(state="AK", date=storm_day, name="Storm").exists()
    check(ops, f"18-09-storm-day-{width}")

    # every partner in Alaska is closed that day: the six packages stay with the DSP, and say why
    placed = assignment_rows(ops, base, storm_day)
    assert "6 in all, 6 left with the DSP" in ops.locator("main").inner_text()
    for tracking in downtown + spenard:
        partner, why = placed[tracking]
        assert partner == "With the DSP", tracking
        assert why.startswith("Spenard Roasters closed (Storm); "), why
        assert "stays with the DSP" in why, why
    check(ops, f"18-09b-with-the-dsp-{width}")

    # a downtown package's history tells both moves, each with its cause
    ops.get_by_role("link", name=downtown[0]).click()
    history = ops.locator("main").inner_text()
    assert "From Midnight Sun Florist to Spenard Roasters." in history
    assert "The partner declared a closure: Staff training" in history
    assert "From Spenard Roasters back to the DSP: no open covering partner had room." in history
    assert "A holiday or ad-hoc day of the calendar: Storm" in history
    check(ops, f"18-09c-package-history-{width}")

    # this week's statement on the pay page, before the rate change
    weekly_statements_compute(week_start=this_week, time_zone=ANCHORAGE)  # the nightly job
    pay_page_week(ops, base, this_week)
    before = payout_row(ops, "Midnight Sun Florist")
    assert before[3:7] == ["3", "7.50", "0.00", "7.50"]  # delivered, amount, adjustments, total
    check(ops, f"18-10-pay-before-{width}")

    # ops add the market's rate from next week
    ops.goto(base + "/ops/markets/")
    ops.get_by_role("row", name=re.compile("Anchorage")).get_by_role("link", name="Rates").click()
    ops.get_by_label("Rate per delivered package (USD)").fill("3.10")
    ops.get_by_label("In force from (local date)").fill(next_monday.isoformat())
    ops.get_by_role("button", name="Set the rate").click()
    ops.get_by_text("Anchorage pays $3.10 per package from").wait_for()
    check(ops, f"18-11-rate-{width}")

    # this week's statement reads the same, even once the nightly job has run again
    weekly_statements_compute(week_start=this_week, time_zone=ANCHORAGE)
    pay_page_week(ops, base, this_week)
    assert payout_row(ops, "Midnight Sun Florist") == before

    # and the audit log tells who set up the DSP
    ops.goto(base + "/ops/audit/")
    ops.get_by_label("Object").fill(DSP_NAME)
    ops.get_by_role("button", name="Filter").click()
    log = ops.locator("main table").inner_text()
    for what in ("DSP created", "Station created", "Driver invited", "Driver joined",
                 "API key issued"):  # fmt: skip
        assert what in log, what
    check(ops, f"18-12-audit-{width}")


# ------------------------------------------------------------------------------
# No page of the journey sends ops to /admin/
# ------------------------------------------------------------------------------
def journey_pages_for_ops(
    *, station: Station, market, week: datetime.date, statement_id: int, tracking_id: str
) -> list[str]:
    """Every page the ops admin opens in the journey above (and the ones it leads to)."""
    dsp = station.dsp
    return [
        "/ops/dsps/",
        "/ops/dsps/new/",
        f"/dsps/{dsp.pk}/",
        f"/dsps/{dsp.pk}/stations/new/",
        f"/stations/{station.pk}/",
        f"/dsps/{dsp.pk}/drivers/invite/",
        f"/dsps/{dsp.pk}/keys/",
        "/ops/holidays/",
        f"/ops/pay/?week={week.isoformat()}",
        f"/ops/statements/{statement_id}/",
        "/ops/markets/",
        f"/ops/markets/{market.pk}/rates/",
        f"/ops/assignment/?date={week.isoformat()}",
        f"/ops/packages/{tracking_id}/",
        "/ops/audit/",
    ]


def test_no_page_of_the_journey_links_ops_admins_to_the_django_admin(ops_admin, partner):
    # given: a DSP with a station, a market, a week with the partner's statement, a package
    station = StationFactory(dsp=DspFactory(name=DSP_NAME))
    market = MarketFactory(name="Anchorage", state="AK", center_zip="99501")
    week = week_monday(local_date(tz_name=partner.time_zone)) - datetime.timedelta(days=7)
    (statement,) = weekly_statements_compute(week_start=week)
    package = PackageFactory(manifest=ManifestFactory(dsp=station.dsp, partner=partner))
    client = client_for(ops_admin)
    pages = journey_pages_for_ops(
        station=station, market=market, week=week, statement_id=statement.pk,
        tracking_id=package.tracking_id,
    )  # fmt: skip
    for path in pages:
        # when
        response = client.get(path)
        # then: the page's own content neither links nor posts to /admin/ (the header's
        # "Admin" link is the way to the few tasks the README names)
        assert response.status_code == 200, path
        html = response.content.decode()
        main = html[html.index("<main") : html.index("</main>")]
        assert "/admin/" not in main, path
