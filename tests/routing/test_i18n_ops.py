"""The routing ops pages in Spanish: assignment, capacity check and report, coverage."""

from django.urls import reverse
from django.utils import translation

from routing.services import capacity_check_run
from tests.conftest import client_for
from tests.i18n_support import assert_spanish
from tests.routing.conftest import packages_for
from tests.routing.test_capacity_check import DATE, NY, boston

ES = {"HTTP_ACCEPT_LANGUAGE": "es"}


def test_assignment_page_in_spanish(spanish, reviewer):
    response = client_for(reviewer).get(
        reverse("routing:ops-assignment"), {"date": "2026-12-02"}, **ES
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert_spanish(html, "Paquetes de manifiestos del DSP", "Packages of DSP-level manifests")
    assert_spanish(html, "No se listan los paquetes", "are not listed")


def test_capacity_pages_in_spanish(spanish, reviewer):
    packages_for(boston(trade_name="Busy Florist"), DATE, 40)
    report = capacity_check_run(service_date=DATE, time_zone=NY)
    client = client_for(reviewer)
    html = client.get(reverse("routing:ops-capacity"), **ES).content.decode()
    assert_spanish(html, "Verificación de capacidad", "Capacity check")
    assert_spanish(html, "Más paquetes que la capacidad diaria", "More packages than the daily")
    detail = client.get(reverse("routing:ops-capacity-report", args=[report.pk]), **ES)
    assert_spanish(detail.content.decode(), "Socios verificados", "Partners checked")


def test_capacity_finding_texts_in_spanish_when_the_check_runs_in_spanish(
    spanish,
    db,
):
    packages_for(boston(trade_name="Busy Florist"), DATE, 40)
    with translation.override("es"):
        report = capacity_check_run(service_date=DATE, time_zone=NY)
    actions = set(report.findings.values_list("suggested_action", flat=True))
    assert "Deje 10 paquetes con el DSP." in actions


def test_coverage_page_and_its_form_error_in_spanish(spanish, reviewer, partner):
    url = reverse("routing:ops-partner-coverage", args=[partner.pk])
    client = client_for(reviewer)
    html = client.get(url, **ES).content.decode()
    assert_spanish(html, "Guardar cobertura", "Save coverage")
    assert_spanish(html, "Códigos postales atendidos", "ZIP codes served")
    error = client.post(url, {"zip_codes": "00000", "radius_miles": "1"}, **ES)
    assert_spanish(
        error.content.decode(), "Códigos postales de EE. UU. desconocidos: 00000", "Not known US"
    )
