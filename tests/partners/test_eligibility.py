"""The landing page's eligibility check by ZIP, with and without JavaScript, and the
waitlist it leads to."""

import pytest
from django.urls import reverse

from partners.models import Lead, LeadSource, TargetState
from partners.selectors.recruiting import EligibilityOutcome, eligibility_check

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_landing_explains_the_program_and_offers_the_check(client, db):
    html = client.get(reverse("partners:landing")).content.decode()
    assert "about 30 a day" in html
    assert "no delivery experience needed" in html
    assert 'hx-get="/eligibility/"' in html
    assert 'action="/eligibility/"' in html  # works without JavaScript too


@pytest.mark.parametrize(
    ("zip_code", "outcome", "market"),
    [
        ("02116", EligibilityOutcome.IN_MARKET, "Boston"),
        ("07030", EligibilityOutcome.IN_MARKET, "Hoboken"),
        ("98103", EligibilityOutcome.IN_MARKET, "Seattle"),
        ("58102", EligibilityOutcome.IN_TARGET_STATE, None),  # Fargo, ND
        ("01060", EligibilityOutcome.IN_TARGET_STATE, None),  # Northampton, MA: far from Boston
        ("80202", EligibilityOutcome.WAITLIST, None),  # Denver, CO
        ("99999", EligibilityOutcome.UNKNOWN_ZIP, None),
        ("12", EligibilityOutcome.UNKNOWN_ZIP, None),
    ],
)
def test_eligibility_outcomes(db, zip_code, outcome, market):
    result = eligibility_check(zip_code=zip_code)
    assert result.outcome == outcome
    assert (result.market.name if result.market else None) == market


def test_in_market_invites_to_apply_with_htmx(client, db):
    response = client.get(reverse("partners:eligibility"), {"zip_code": "02116"}, **HTMX)
    html = response.content.decode()
    assert "<html" not in html  # a fragment for htmx to swap in
    assert "is in our Boston area" in html
    assert "Apply now" in html


def test_target_state_outside_markets_may_apply_and_is_noted(client, db):
    response = client.get(reverse("partners:eligibility"), {"zip_code": "58102"}, **HTMX)
    html = response.content.decode()
    assert "North Dakota is one of our states" in html
    assert "we will note where you are" in html
    assert "Apply now" in html


def test_outside_target_states_offers_the_waitlist_without_javascript(client, db):
    response = client.get(reverse("partners:eligibility"), {"zip_code": "80202"})
    html = response.content.decode()
    assert "<html" in html  # the whole landing page
    assert "We do not deliver in Colorado yet." in html
    assert "Join the waitlist" in html
    assert 'value="80202"' in html


def test_unknown_zip_gets_a_clear_message(client, db):
    response = client.get(reverse("partners:eligibility"), {"zip_code": "00000"}, **HTMX)
    assert "We could not find the ZIP code" in response.content.decode()


def test_empty_zip_gets_a_message(client, db):
    response = client.get(reverse("partners:eligibility"), {"zip_code": ""}, **HTMX)
    assert "This field is required." in response.content.decode()


def test_a_deactivated_state_sends_its_zips_to_the_waitlist(db):
    TargetState.objects.filter(code="ND").update(is_active=False)
    assert eligibility_check(zip_code="58102").outcome == EligibilityOutcome.WAITLIST


def test_joining_the_waitlist_keeps_a_lead_once(client, db):
    data = {"email": "Baker@Denver.example", "zip_code": "80202"}
    response = client.post(reverse("partners:waitlist-join"), data, follow=True)
    assert "You are on the waitlist" in response.content.decode()
    client.post(reverse("partners:waitlist-join"), data)
    lead = Lead.objects.get()
    assert (lead.email, lead.state, lead.zip_code) == ("baker@denver.example", "CO", "80202")
    assert lead.source == LeadSource.ELIGIBILITY_CHECK


def test_waitlist_with_bad_values_says_why_and_keeps_them(client, db):
    response = client.post(
        reverse("partners:waitlist-join"), {"email": "not-an-email", "zip_code": "00000"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter a valid email address." in html
    assert "Enter a 5-digit US ZIP code" in html
    assert 'value="not-an-email"' in html
    assert not Lead.objects.exists()


def test_the_check_varies_on_htmx_so_caches_keep_fragment_and_page_apart(client, db):
    response = client.get(reverse("partners:eligibility"), {"zip_code": "02116"})
    assert "HX-Request" in response["Vary"]
