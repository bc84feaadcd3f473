"""The ops dashboard, its CSV and the ops emails in Spanish; English stays the default."""

import csv
import datetime
import io

from django.urls import reverse
from django.utils import translation

from accounts.emails import email_render
from routing.models import CapacityReport, FindingKind
from tests.conftest import client_for
from tests.dashboard.conftest import DAY
from tests.factories import PartnerFactory
from tests.i18n_support import assert_spanish

URL = reverse("dashboard:ops-dashboard")
RANGE = {"date_from": DAY.isoformat(), "date_to": (DAY + datetime.timedelta(days=1)).isoformat()}


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_dashboard_in_spanish(spanish, funnel, reviewer):
    response = client_for(reviewer).get(URL, RANGE, HTTP_ACCEPT_LANGUAGE="es")
    html = response.content.decode()
    assert response.status_code == 200
    assert_spanish(html, "Embudo de reclutamiento", "Recruiting funnel")
    assert_spanish(html, "Éxito al primer intento", "First-attempt success")
    assert_spanish(html, "Fuera de los mercados", "Outside markets")
    assert "Back Bay Blooms" in html


def test_dashboard_stays_english_by_default(spanish, funnel, reviewer):
    html = client_for(reviewer).get(URL, RANGE).content.decode()
    assert "Recruiting funnel" in html and "Embudo de reclutamiento" not in html


def test_a_cached_snapshot_shows_each_reader_their_language(spanish, funnel, reviewer):
    client = client_for(reviewer)
    client.get(URL, RANGE, HTTP_ACCEPT_LANGUAGE="es")  # builds and caches the snapshot
    html = client.get(URL, RANGE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Outside markets" in html and "Fuera de los mercados" not in html


def test_csv_headers_follow_the_language_and_stay_formula_safe(spanish, reviewer):
    PartnerFactory(trade_name="=HYPERLINK(1)", status="active")
    url = reverse("dashboard:ops-dashboard-csv", args=["partner-scorecards"])
    client = client_for(reviewer)
    spanish_rows = csv_rows(client.get(url, RANGE, HTTP_ACCEPT_LANGUAGE="es"))
    english_rows = csv_rows(client.get(url, RANGE))
    assert spanish_rows[0][:3] == ["Socio", "Estado (EE. UU.)", "Mercado"]
    assert english_rows[0][:3] == ["Partner", "State", "Market"]
    assert spanish_rows[1][0] == "'=HYPERLINK(1)" == english_rows[1][0]
    assert spanish_rows[1][2] == "Fuera de los mercados"


def digest_context(reviewer) -> dict:
    totals = dict.fromkeys(
        ["manifested", "handed_off", "delivered", "attempted", "returned", "missing", "damaged"], 3
    )
    totals.update(first_attempt_rate=None, completion_rate=None)
    return {
        "user": reviewer,
        "day": DAY,
        "totals": totals,
        "findings": [],
        "url": "https://hub.test/",
    }


def test_ops_digest_email_in_spanish_and_english(spanish, reviewer):
    with translation.override("es"):
        subject, text, html = email_render(
            template="ops-daily-digest", context=digest_context(reviewer)
        )
    assert subject.startswith("Operaciones ") and "3 entregados" in subject
    assert_spanish(text, "Entregados al socio: 3", "Handed off")
    assert_spanish(html, "Abrir el panel", "Open the dashboard")
    assert 'lang="es"' in html
    subject, text, html = email_render(
        template="ops-daily-digest", context=digest_context(reviewer)
    )
    assert "3 delivered" in subject and "Handed off: 3" in text and "Open the dashboard" in html


def test_capacity_report_email_in_spanish_and_english(spanish):
    report = CapacityReport(
        service_date=DAY, time_zone="America/New_York", partners_checked=4, packages_assigned=9
    )
    context = {
        "report": report,
        "finding_count": 2,
        "counts": [(FindingKind.OVER_STORAGE.label, 2)],
        "url": "https://hub.test/r",
    }
    with translation.override("es"):
        subject, text, html = email_render(template="capacity-report", context=context)
    assert subject.startswith("Verificación de capacidad del") and "2 hallazgos" in subject
    assert_spanish(text, "Socios verificados: 4", "Partners checked")
    assert_spanish(html, "Más paquetes de los que caben", "More packages than the storage")
    subject, text, html = email_render(template="capacity-report", context=context)
    assert subject.startswith("Capacity check for") and "Partners checked: 4" in text
    assert "More packages than the storage area holds: 2" in html
