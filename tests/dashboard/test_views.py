import csv
import datetime
import io

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dashboard import selectors
from dashboard.selectors import DashboardFilters
from dashboard.services import facts_refresh
from dashboard.tables import Column, Table
from packages.models import HandoffOutcome, PackageStatus
from tests.conftest import client_for
from tests.dashboard.conftest import DAY, at, drop_off, package
from tests.factories import DspFactory, ManifestFactory, PartnerFactory

URL = reverse("dashboard:ops-dashboard")
RANGE = {"date_from": DAY.isoformat(), "date_to": (DAY + datetime.timedelta(days=1)).isoformat()}


def csv_url(table: str) -> str:
    return reverse("dashboard:ops-dashboard-csv", args=[table])


@pytest.mark.parametrize("persona", ["partner_owner", "partner_staff", "applicant", "dsp_driver"])
def test_only_ops_reach_the_dashboard_and_its_csv(persona, request):
    # given
    client = client_for(request.getfixturevalue(persona))
    # when / then
    assert client.get(URL).status_code == 403
    assert client.get(csv_url("operations-by-day")).status_code == 403


def test_anonymous_is_sent_to_log_in(client):
    assert client.get(URL).status_code == 302


def test_reviewer_sees_the_figures(funnel, reviewer):
    # when
    response = client_for(reviewer).get(URL, RANGE)
    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert "Back Bay Blooms" in html and "75.0%" in html
    assert 'data-chart="chart-days"' in html and 'id="chart-days"' in html
    assert "<script>" not in html  # the charts are drawn by a static file


@pytest.mark.parametrize(
    "query",
    [
        {"date_from": "2026-13-01"},
        {"date_from": "2026-11-20", "date_to": "2026-11-01"},
        {"date_from": "2026-01-01", "date_to": "2026-12-31"},
        {"state": "ZZ"},
        {"market": "999999"},
    ],
)
def test_bad_filters_show_a_message_not_an_error(query, ops_admin):
    # when
    response = client_for(ops_admin).get(URL, query)
    # then
    assert response.status_code == 200
    assert list(response.context["messages"])


@pytest.mark.parametrize("table", list(selectors.TABLE_BUILDERS))
def test_each_csv_has_the_rows_of_its_table(table, funnel, reviewer):
    # given
    client = client_for(reviewer)
    page = client.get(URL, RANGE)
    shown = page.context["tables"][table.replace("-", "_")]
    # when
    response = client.get(csv_url(table), RANGE)
    # then
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == shown.header()
    assert rows[1:] == [[cell.text for cell in row] for row in shown.display_rows()]
    for row in shown.display_rows():  # and the page shows the same cells
        for cell in row:
            assert cell.text.replace("&", "&amp;") in page.content.decode()


def test_unknown_csv_is_404(reviewer):
    assert client_for(reviewer).get(csv_url("nope")).status_code == 404


def test_csv_of_operations_by_day_matches_the_hand_count(ops_day, reviewer):
    # when
    response = client_for(reviewer).get(csv_url("operations-by-day"), RANGE)
    # then
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1][:4] == [DAY.isoformat(), "6", "5", "3"]
    assert rows[2][1] == "0" and rows[2][8] == "—"  # the empty day
    assert rows[3][0] == "All"


def add_partners_with_history(n: int) -> None:
    """n more partners, each with its own DSP, market-less, and a scanned, delivered package."""
    for _ in range(n):
        partner = PartnerFactory()
        dsp = DspFactory()
        manifest = ManifestFactory(dsp=dsp, partner=partner, service_date=DAY)
        handoff = drop_off(partner, dsp, DAY, at(DAY, 13), expected=2, received=2)
        for _ in range(2):
            package(
                manifest,
                PackageStatus.DELIVERED,
                scan=(handoff, HandoffOutcome.RECEIVED, 3),
                attempts=["delivered"],
                changed_at=at(DAY, 17),
            )


def count_queries(client) -> int:
    """Queries of a page that builds its figures (none cached)."""
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL, RANGE).status_code == 200
    return len(queries)


def test_dashboard_query_count_does_not_grow_with_data(funnel, reviewer, django_assert_num_queries):
    # given
    client = client_for(reviewer)
    add_partners_with_history(2)
    client.get(URL, RANGE)  # warm the session and content types
    small = count_queries(client)
    # when
    add_partners_with_history(20)
    facts_refresh()  # the beat task's minute
    # then: session + user + roles (3), the facts' roll-up time (1; the request never rolls
    # them up), filter form's markets (1), operations (one grouping of facts feeds three
    # tables), the funnel (zones, counts, review times, leads, active partners, markets),
    # findings, scorecards (stats, discrepancies, trends, partners), partners by status,
    # map pins
    cache.clear()
    with django_assert_num_queries(small):
        client.get(URL, RANGE)
    assert small == 19
    assert len(selectors.partner_scorecards(DashboardFilters(DAY, DAY)).rows) == 24


def test_ops_users_share_a_snapshot_rebuilt_once_a_minute(funnel, reviewer, ops_admin):
    # given a reviewer has just opened the dashboard
    add_partners_with_history(2)
    with time_machine.travel(datetime.datetime(2026, 11, 25, 15, 0, tzinfo=datetime.UTC)):
        first = client_for(reviewer).get(URL, RANGE)
    volume = first.context["tables"]["partner_scorecards"].rows
    # when more work lands and another ops user opens it within the minute
    add_partners_with_history(3)
    admin = client_for(ops_admin)
    half_a_minute_on = datetime.datetime(2026, 11, 25, 15, 0, 30, tzinfo=datetime.UTC)
    with time_machine.travel(half_a_minute_on), CaptureQueriesContext(connection) as queries:
        soon = admin.get(URL, RANGE)
    # then they see the same figures, built once, and when they were built
    assert soon.context["tables"]["partner_scorecards"].rows == volume
    assert len(queries) < 8
    assert "Figures as of 3:00:00" in soon.content.decode()
    # and a minute later, once the beat task has rolled up the new work, they are rebuilt
    facts_refresh()
    with time_machine.travel(datetime.datetime(2026, 11, 25, 15, 1, 1, tzinfo=datetime.UTC)):
        later = admin.get(URL, RANGE)
    assert len(later.context["tables"]["partner_scorecards"].rows) == len(volume) + 3


def test_a_csv_has_the_figures_the_page_shows(funnel, reviewer):
    # given ops opened the dashboard, then more work landed within the minute
    client = client_for(reviewer)
    add_partners_with_history(2)
    shown = client.get(URL, RANGE).context["tables"]["partner_scorecards"].rows
    add_partners_with_history(3)
    # when they download the table
    response = client.get(csv_url("partner-scorecards"), RANGE)
    # then it has the page's rows, not newer ones
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert len(rows) == 1 + len(shown)


def test_table_rows_are_escaped_with_numbers_marked():
    # given a partner whose name holds markup
    columns = [Column("partner", "Partner"), Column("volume", "Volume", "int")]
    table = Table("t", "T", columns, [{"partner": "<b>Tom & Jerry's</b>", "volume": 3}])
    # when / then: the cells as the template's autoescape would write them
    assert table.body_html == (
        '<tr><td>&lt;b&gt;Tom &amp; Jerry&#x27;s&lt;/b&gt;</td><td class="num">3</td></tr>'
    )


def test_a_page_within_the_minute_reads_nothing_the_snapshot_has(
    funnel, reviewer, django_assert_num_queries
):
    # given the dashboard built once
    client = client_for(reviewer)
    client.get(URL, RANGE)
    # when it is opened again within the minute
    # then: session, user, roles, the filter form's markets; no figures, no map pins
    with django_assert_num_queries(4):
        response = client.get(URL, RANGE)
    assert response.context["map_data"]["points"]
    assert "Back Bay Blooms" in response.content.decode()
