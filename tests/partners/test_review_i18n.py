"""The recruiting and partner ops pages in Spanish: review queue and detail, partner list and
detail, markets, target states and waitlist demand."""

import pytest
from django.urls import reverse

from partners.models import ApplicationStatus
from tests.conftest import client_for
from tests.factories import MarketFactory, PartnerApplicationFactory
from tests.i18n_support import assert_spanish

ES = {"HTTP_ACCEPT_LANGUAGE": "es"}


@pytest.fixture
def in_review(applicant, reviewer):
    return PartnerApplicationFactory(
        owner=applicant, status=ApplicationStatus.IN_REVIEW, assigned_reviewer=reviewer
    )


def test_review_queue_in_spanish(spanish, reviewer, in_review):
    html = client_for(reviewer).get(reverse("partners:review-queue"), **ES).content.decode()
    assert_spanish(html, "Filtrar y ordenar", "Filter and sort")
    assert_spanish(html, "1 solicitud.", "1 application.")


def test_review_detail_in_spanish(spanish, reviewer, in_review):
    url = reverse("partners:review-detail", args=[in_review.pk])
    html = client_for(reviewer).get(url, **ES).content.decode()
    assert_spanish(html, "Notas internas", "Internal notes")
    assert_spanish(html, "Registrar la decisión", "Record the decision")


def test_review_detail_stays_english_by_default(spanish, reviewer, in_review):
    url = reverse("partners:review-detail", args=[in_review.pk])
    html = client_for(reviewer).get(url).content.decode()
    assert "Internal notes" in html and "Notas internas" not in html


def test_partner_list_and_detail_in_spanish(spanish, reviewer, partner):
    client = client_for(reviewer)
    listing = client.get(reverse("partners:ops-partner-list"), **ES).content.decode()
    assert_spanish(listing, "Verificaciones pendientes", "Checks waiting")
    detail = client.get(reverse("partners:ops-partner-detail", args=[partner.pk]), **ES)
    assert_spanish(detail.content.decode(), "Lista de incorporación", "Onboarding checklist")


def test_markets_and_target_states_in_spanish(spanish, ops_admin):
    MarketFactory()
    client = client_for(ops_admin)
    markets = client.get(reverse("partners:market-list"), **ES).content.decode()
    assert_spanish(markets, "Abrir un mercado", "Open a market")
    states = client.get(reverse("partners:target-state-list"), **ES).content.decode()
    assert_spanish(states, "Agregar o reactivar", "Add or reactivate")


def test_waitlist_demand_in_spanish(spanish, reviewer):
    html = client_for(reviewer).get(reverse("partners:waitlist-demand"), **ES).content.decode()
    assert_spanish(html, "Interesados por código postal", "Leads by ZIP code")
    assert_spanish(html, "Todavía no hay interesados.", "No leads yet.")


def test_partner_detail_and_coverage_name_the_delivery_modes(reviewer, partner):
    # given a walking partner: the stored value is "walk", the label "On foot"
    client = client_for(reviewer)
    detail = client.get(reverse("partners:ops-partner-detail", args=[partner.pk])).content
    coverage = client.get(reverse("routing:ops-partner-coverage", args=[partner.pk])).content
    assert b"<dd>On foot</dd>" in detail
    assert b"delivery modes (On foot)" in coverage
