"""The ops audit log: every family in one list, newest first, filtered, paginated, and as CSV."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from dashboard.models import MarketRate, StatementAdjustment, WeeklyStatement
from dashboard.selectors.audit import FAMILIES
from packages.dsp_events import dsp_event_record
from packages.models import DspEvent, DspEventKind
from partners.events import application_event_record, partner_event_record
from partners.models import (
    ApplicationEvent,
    ApplicationEventKind,
    HolidayEvent,
    Market,
    NetworkEvent,
    PartnerEvent,
    PartnerEventKind,
)
from partners.services import recruiting
from tests.conftest import client_for
from tests.factories import DspFactory, PartnerApplicationFactory, PartnerFactory
from tests.i18n_support import spanish  # noqa: F401

URL = reverse("dashboard:ops-audit")
CSV_URL = reverse("dashboard:ops-audit-csv")


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


@pytest.fixture
def one_of_each(ops_admin, reviewer):
    """An event of every family, oldest first: application, partner, market, DSP key."""
    application = PartnerApplicationFactory(trade_name="Corner Books")
    application_event_record(
        application=application, actor=reviewer, kind=ApplicationEventKind.ASSIGNED
    )
    partner = PartnerFactory(trade_name="=HYPERLINK(1)")
    partner_event_record(partner=partner, actor=ops_admin, kind=PartnerEventKind.PAUSED)
    recruiting.market_deactivate(actor=ops_admin, market=Market.objects.get(name="Boston"))
    dsp = DspFactory(name="Frontier Last Mile")
    dsp_event_record(dsp=dsp, actor=ops_admin, kind=DspEventKind.KEY_ISSUED, to_state="active")


def test_every_family_is_in_the_registry():
    models = {family.model for family in FAMILIES.values()}
    assert models == {
        ApplicationEvent,
        PartnerEvent,
        NetworkEvent,
        DspEvent,
        HolidayEvent,
        MarketRate,
        StatementAdjustment,
        WeeklyStatement,
    }


def test_the_log_lists_every_family_newest_first(one_of_each, reviewer):
    response = client_for(reviewer).get(URL)
    assert response.status_code == 200
    subjects = [row.subject for row in response.context["rows"]]
    assert subjects[0] == "Frontier Last Mile"
    assert subjects[1] == "Boston"
    assert subjects[2] == "=HYPERLINK(1)"
    assert subjects[3].startswith("Corner Books #")
    html = response.content.decode()
    assert "Market closed" in html and "API key issued" in html
    assert "Download CSV" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"actor": "reviewer@"}, ["Corner Books"]),
        ({"kind": "network"}, ["Boston"]),
        ({"kind": "dsp:key_issued"}, ["Frontier Last Mile"]),
        ({"kind": "partner:resumed"}, []),
        ({"subject": "frontier"}, ["Frontier Last Mile"]),
    ],
)
def test_each_filter_narrows_the_log(one_of_each, reviewer, query, expected):
    rows = client_for(reviewer).get(URL, query).context["rows"]
    assert [row.subject.split(" #")[0] for row in rows] == expected


def test_the_date_range_keeps_the_days_inside_it(one_of_each, reviewer):
    today = timezone.localdate()
    client = client_for(reviewer)
    assert len(client.get(URL, {"date_from": today, "date_to": today}).context["rows"]) == 4
    tomorrow = today + datetime.timedelta(days=1)
    assert client.get(URL, {"date_from": tomorrow}).context["rows"] == []


def test_a_backwards_date_range_is_refused_naming_the_field(one_of_each, reviewer):
    response = client_for(reviewer).get(URL, {"date_from": "2026-05-02", "date_to": "2026-05-01"})
    html = response.content.decode()
    assert "To: The end date is before the start date." in html
    assert len(response.context["rows"]) == 4  # nothing filtered


def test_a_page_costs_the_same_queries_however_many_rows(
    ops_admin, reviewer, django_assert_max_num_queries
):
    client = client_for(reviewer)
    market = Market.objects.get(name="Boston")
    for _ in range(3):
        recruiting.market_deactivate(actor=ops_admin, market=market)
        recruiting.market_activate(actor=ops_admin, market=market)
    client.get(URL)  # session and caches warm
    with django_assert_max_num_queries(6) as few:
        client.get(URL)
    for _ in range(40):
        recruiting.market_deactivate(actor=ops_admin, market=market)
        recruiting.market_activate(actor=ops_admin, market=market)
    partner = PartnerFactory()
    for _ in range(30):
        partner_event_record(partner=partner, actor=ops_admin, kind=PartnerEventKind.PAUSED)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(URL, {"page": 2})
    assert len(response.context["rows"]) == 50


def test_the_csv_keeps_the_filters_and_quotes_formulas(one_of_each, reviewer):
    response = client_for(reviewer).get(CSV_URL, {"kind": "partner"})
    assert response["Content-Type"].startswith("text/csv")
    assert response.streaming
    rows = csv_rows(response)
    assert rows[0] == ["When", "Who", "Family", "What", "Object", "Before", "After", "Detail"]
    assert len(rows) == 2
    assert rows[1][1:5] == ["opsadmin@mail.test", "Partners", "Paused", "'=HYPERLINK(1)"]


def test_the_csv_header_is_in_the_readers_language(spanish, one_of_each, reviewer):  # noqa: F811
    response = client_for(reviewer).get(CSV_URL, {"kind": "network"}, HTTP_ACCEPT_LANGUAGE="es")
    rows = csv_rows(response)
    assert rows[0][:4] == ["Cuándo", "Quién", "Familia", "Qué"]
    assert rows[1][3] == "Mercado cerrado"


def test_the_page_in_spanish(spanish, one_of_each, reviewer):  # noqa: F811
    html = client_for(reviewer).get(URL, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Registro de auditoría" in html and "Descargar CSV" in html


@pytest.mark.parametrize("url", [URL, CSV_URL])
def test_partners_and_drivers_may_not_read_the_log(url, partner_owner, dsp_driver):
    assert client_for(partner_owner).get(url).status_code == 403
    assert client_for(dsp_driver).get(url).status_code == 403


@pytest.mark.parametrize("url", [URL, CSV_URL])
def test_ops_admins_read_the_log(url, ops_admin):
    assert client_for(ops_admin).get(url).status_code == 200


def test_the_csv_refuses_bad_filters_naming_the_field(one_of_each, reviewer):
    response = client_for(reviewer).get(CSV_URL, {"date_from": "2026-05-02", "date_to": "x"})
    assert response.status_code == 400
    assert "To: Enter a valid date." in response.content.decode()
