"""Every ops list downloads as CSV: the page's filters, every cell formula-safe (one helper,
hubdelivery/lib/csvutil.py), the header in the reader's language, ops only."""

import csv
import datetime
import io
from dataclasses import dataclass

import pytest
from django.urls import reverse

from packages.models import (
    AttemptOutcome,
    DeliveryAttempt,
    Handoff,
    HandoffDirection,
    HandoffStatus,
    Incident,
    PackageEvent,
)
from partners.models import ApplicationStatus, PartnerStatus
from routing.models import CapacityFinding, CapacityReport, FindingKind
from tests.conftest import client_for
from tests.factories import (
    DspFactory,
    LeadFactory,
    ManifestFactory,
    PackageFactory,
    PartnerApplicationFactory,
    PartnerFactory,
)
from tests.i18n_support import spanish  # noqa: F401

FORMULA = "=HYPERLINK(1)"
DAY = datetime.date(2026, 11, 20)
NOW = datetime.datetime(2026, 11, 20, 15, 0, tzinfo=datetime.UTC)


@dataclass(frozen=True)
class CsvList:
    name: str
    url: str
    page: str  # the page that links to it
    keeps: dict  # a filter that keeps the hostile row only
    english: str  # the header's first cell
    spanish: str
    formula: str = "=HYPERLINK(1)"  # the hostile cell (a ZIP code holds five characters)


LISTS = [
    CsvList(
        "review queue",
        "partners:review-queue-csv",
        "partners:review-queue",
        {"state": "NY"},
        "Business",
        "Negocio",
    ),
    CsvList(
        "partners",
        "partners:ops-partner-list-csv",
        "partners:ops-partner-list",
        {"status": "paused"},
        "Business",
        "Negocio",
    ),
    CsvList(
        "waitlist demand",
        "partners:waitlist-demand-csv",
        "partners:waitlist-demand",
        {"state": "WY"},
        "ZIP code",
        "Código postal",
        formula="=A1+1",
    ),
    CsvList(
        "handoffs",
        "packages:ops-handoffs-csv",
        "packages:ops-handoffs",
        {"status": "open"},
        "Date",
        "Fecha",
    ),
    CsvList(
        "incidents",
        "packages:ops-incidents-csv",
        "packages:ops-incidents",
        {"reason": "address_problem"},
        "Package",
        "Paquete",
    ),
    CsvList(
        "assignment",
        "routing:ops-assignment-csv",
        "routing:ops-assignment",
        {"date": (DAY + datetime.timedelta(days=1)).isoformat()},
        "Package",
        "Paquete",
    ),
    CsvList(
        "capacity findings",
        "routing:ops-capacity-csv",
        "routing:ops-capacity",
        {"kind": FindingKind.CLOSED},
        "Service date",
        "Fecha de servicio",
    ),
    CsvList(
        "audit log",
        "dashboard:ops-audit-csv",
        "dashboard:ops-audit",
        {"subject": "HYPERLINK"},
        "When",
        "Cuándo",
    ),
]
IDS = [csv_list.name for csv_list in LISTS]


def rows_of(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def incident(package, reason: str) -> Incident:
    event = PackageEvent.objects.create(
        package=package, event_type="attempted", idempotency_key=f"k-{package.pk}", received_at=NOW
    )
    attempt = DeliveryAttempt.objects.create(
        package=package,
        event=event,
        outcome=AttemptOutcome.ATTEMPTED,
        reason=reason,
        attempted_at=NOW,
    )
    return Incident.objects.create(package=package, attempt=attempt, reason=reason, opened_at=NOW)


@pytest.fixture
def world(db, ops_admin):
    """In every list: a plain row and a hostile one (a cell that reads as a formula) that the
    list's filter keeps alone."""
    PartnerApplicationFactory(status=ApplicationStatus.SUBMITTED, state="MA")
    PartnerApplicationFactory(status=ApplicationStatus.SUBMITTED, state="NY", trade_name=FORMULA)
    plain = PartnerFactory(trade_name="Corner Books")
    hostile = PartnerFactory(trade_name=FORMULA, status=PartnerStatus.PAUSED)
    LeadFactory(state="CO", zip_code="80202")
    LeadFactory(state="WY", zip_code="=A1+1")
    dsp = DspFactory()
    for partner, status in [(plain, HandoffStatus.CLOSED), (hostile, HandoffStatus.OPEN)]:
        Handoff.objects.create(
            direction=HandoffDirection.DROP_OFF,
            partner=partner,
            dsp=dsp,
            service_date=DAY,
            status=status,
            opened_at=NOW,
        )
    manifest = ManifestFactory(dsp=dsp, partner=plain, service_date=DAY)
    incident(PackageFactory(manifest=manifest), "no_access")
    incident(PackageFactory(manifest=manifest, address_line=FORMULA), "address_problem")
    next_day = ManifestFactory(dsp=dsp, partner=None, service_date=DAY + datetime.timedelta(days=1))
    PackageFactory(manifest=manifest, assigned_by_routing=True)
    PackageFactory(manifest=next_day, partner=None, recipient_name=FORMULA)
    report = CapacityReport.objects.create(
        service_date=DAY, time_zone=plain.time_zone, started_at=NOW
    )
    for kind, message in [(FindingKind.OVER_DAILY_CAPACITY, "Busy"), (FindingKind.CLOSED, FORMULA)]:
        CapacityFinding.objects.create(
            report=report, partner=plain, kind=kind, message=message, suggested_action="Act"
        )
    from partners.events import partner_event_record
    from partners.models import PartnerEventKind

    partner_event_record(partner=plain, actor=ops_admin, kind=PartnerEventKind.PAUSED)
    partner_event_record(partner=hostile, actor=ops_admin, kind=PartnerEventKind.PAUSED)


@pytest.mark.parametrize("csv_list", LISTS, ids=IDS)
def test_each_csv_keeps_the_filter_and_quotes_formulas(world, reviewer, csv_list):
    response = client_for(reviewer).get(reverse(csv_list.url), csv_list.keeps)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.streaming  # long lists are written as they are read
    header, *rows = rows_of(response)
    assert header[0] == csv_list.english
    assert len(rows) == 1, rows
    assert "'" + csv_list.formula in rows[0]
    assert csv_list.formula not in rows[0]


@pytest.mark.parametrize("csv_list", LISTS, ids=IDS)
def test_each_csv_without_the_filter_has_the_plain_row_too(world, reviewer, csv_list):
    client = client_for(reviewer)
    # the assignment always shows one date: the other one
    other = {"date": DAY.isoformat()} if csv_list.name == "assignment" else {}
    kept = rows_of(client.get(reverse(csv_list.url), csv_list.keeps))[1:]
    everything = rows_of(client.get(reverse(csv_list.url), other))[1:]
    assert [row for row in everything if row not in kept]


@pytest.mark.parametrize("csv_list", LISTS, ids=IDS)
def test_each_csv_header_is_in_the_readers_language(
    spanish,  # noqa: F811
    world,
    reviewer,
    csv_list,
):
    response = client_for(reviewer).get(
        reverse(csv_list.url), csv_list.keeps, HTTP_ACCEPT_LANGUAGE="es"
    )
    assert rows_of(response)[0][0] == csv_list.spanish


@pytest.mark.parametrize("csv_list", LISTS, ids=IDS)
def test_each_page_links_its_csv_with_the_filters(world, reviewer, csv_list):
    html = client_for(reviewer).get(reverse(csv_list.page), csv_list.keeps).content.decode()
    assert "Download CSV" in html
    link = reverse(csv_list.url) + "?"
    assert link in html
    key, value = next(iter(csv_list.keeps.items()))
    assert f"{key}={value}" in html.split(link, 1)[1].split('"', 1)[0]


@pytest.mark.parametrize("csv_list", LISTS, ids=IDS)
def test_ops_admins_download_each_csv(world, ops_admin, csv_list):
    assert client_for(ops_admin).get(reverse(csv_list.url)).status_code == 200


@pytest.mark.parametrize("csv_list", LISTS, ids=IDS)
def test_partners_and_drivers_may_not_download(world, partner_owner, dsp_driver, csv_list):
    assert client_for(partner_owner).get(reverse(csv_list.url)).status_code == 403
    assert client_for(dsp_driver).get(reverse(csv_list.url)).status_code == 403


def test_the_capacity_report_csv_lists_only_its_report(world, reviewer):
    report = CapacityReport.objects.get()
    url = reverse("routing:ops-capacity-report-csv", args=[report.pk])
    rows = rows_of(client_for(reviewer).get(url, {"kind": FindingKind.OVER_DAILY_CAPACITY}))
    assert [row[4] for row in rows[1:]] == ["Busy"]
