"""The 403, 404 and 500 pages (DEBUG is off in tests): styled, with the role's navigation
and a way home, in English and Spanish; the API keeps answering JSON."""

import datetime
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from dashboard.models import WeeklyStatement
from tests.conftest import client_for

SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es"}


def visible_text(response) -> str:
    html = re.sub(r"<script.*?</script>", "", response.content.decode(), flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def statement_of(partner) -> WeeklyStatement:
    week_start = datetime.date(2026, 3, 2)
    return WeeklyStatement.objects.create(
        partner=partner,
        week_start=week_start,
        week_end=week_start + datetime.timedelta(days=6),
        packages=3,
        delivered=1,
        rate_per_package=Decimal("2.50"),
        amount=Decimal("2.50"),
        computed_at=datetime.datetime.now(datetime.UTC),
    )


def test_a_partner_opening_an_ops_page_gets_the_styled_403_with_their_navigation(partner):
    response = client_for(partner.owner).get(reverse("partners:review-queue"))
    assert response.status_code == 403
    text = visible_text(response)
    assert "You cannot open this page" in text
    assert "Your role does not give access to this page." in text
    assert "My business" in text  # the partner's navigation
    assert f'href="{reverse("accounts:home")}"' in response.content.decode()
    assert "Go to your home page" in text


def test_the_403_page_in_spanish(partner):
    response = client_for(partner.owner).get(reverse("partners:review-queue"), **SPANISH)
    text = visible_text(response)
    assert "No puede abrir esta página" in text
    assert "Ir a su página de inicio" in text
    assert "You cannot open this page" not in text


def test_another_partners_object_is_the_styled_404_with_the_navigation(partner, other_partner):
    statement = statement_of(other_partner)
    url = reverse("dashboard:partner-statement", args=[statement.pk])
    response = client_for(partner.owner).get(url)
    assert response.status_code == 404
    text = visible_text(response)
    assert "Page not found" in text
    assert "My business" in text
    assert "Go to your home page" in text
    assert "Página no encontrada" in visible_text(client_for(partner.owner).get(url, **SPANISH))


@pytest.mark.django_db
def test_an_unknown_address_for_a_visitor_links_to_the_landing_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert f'href="{reverse("partners:landing")}"' in response.content.decode()


@pytest.mark.django_db
def test_an_unknown_api_address_is_json(client):
    response = client.get("/api/no-such-thing/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_the_api_403_stays_json(partner):
    # manifests are the DSP systems' and ops', not a partner's
    response = client_for(partner.owner).get(reverse("api-manifests"))
    assert response.status_code == 403
    assert "detail" in response.json()


@pytest.fixture
def raising_site(settings) -> Client:
    settings.ROOT_URLCONF = "tests.error_urls"
    return Client(raise_request_exception=False)


def test_a_server_error_is_the_styled_500_without_the_database(raising_site, django_db_blocker):
    # The database is blocked: any query while rendering would fail the test.
    with django_db_blocker.block():
        response = raising_site.get("/boom/")
        spanish = raising_site.get("/boom/", **SPANISH)
    assert response.status_code == 500
    text = visible_text(response)
    assert "Something went wrong" in text
    assert "Go to your home page" in text
    assert "css/portal.css" in response.content.decode()
    assert "Algo salió mal" in visible_text(spanish)


def test_a_server_error_in_the_api_is_json(raising_site, django_db_blocker):
    with django_db_blocker.block():
        response = raising_site.get("/api/boom/")
    assert response.status_code == 500
    assert response.json() == {"detail": "A server error occurred."}
