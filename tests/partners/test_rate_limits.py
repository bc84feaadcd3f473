"""Rate limits on the public forms (eligibility check, waitlist) and the application form:
past the limit the answer is 429 with a clear message, and nothing is processed."""

import pytest
from django.urls import reverse

from partners.models import ApplicationStatus, Lead

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def low_limits(settings):
    settings.PORTAL_RATE_LIMITS = {
        "eligibility_check": "3/m/ip",
        "waitlist_join": "2/m/ip",
        "application_save": "2/m/user",
    }


def test_eligibility_check_past_the_limit_is_429_with_a_message(client, db, low_limits):
    # given three checks from one address
    for _ in range(3):
        response = client.get(reverse("partners:eligibility"), {"zip_code": "02116"})
        assert response.status_code == 200
    # when a fourth comes within the minute, without and with htmx
    page = client.get(reverse("partners:eligibility"), {"zip_code": "02116"})
    fragment = client.get(reverse("partners:eligibility"), {"zip_code": "02116"}, **HTMX)
    # then both are refused with the message (a whole page, or a fragment for htmx to swap)
    assert page.status_code == fragment.status_code == 429
    assert "Too many requests" in page.content.decode()
    assert "<html" in page.content.decode()
    assert "Too many requests" in fragment.content.decode()
    assert "<html" not in fragment.content.decode()


def test_another_address_is_not_limited(client, db, low_limits):
    for _ in range(4):
        client.get(reverse("partners:eligibility"), {"zip_code": "02116"})
    response = client.get(
        reverse("partners:eligibility"), {"zip_code": "02116"}, REMOTE_ADDR="203.0.113.9"
    )
    assert response.status_code == 200


def test_waitlist_past_the_limit_is_429_and_adds_no_lead(client, db, low_limits):
    # given two waitlist sign-ups from one address
    for n in range(2):
        client.post(
            reverse("partners:waitlist-join"), {"email": f"a{n}@x.com", "zip_code": "80202"}
        )
    assert Lead.objects.count() == 2
    # when a third comes within the minute
    response = client.post(
        reverse("partners:waitlist-join"), {"email": "a3@x.com", "zip_code": "80202"}
    )
    # then it is refused and not stored
    assert response.status_code == 429
    assert "Too many requests" in response.content.decode()
    assert Lead.objects.count() == 2


def test_application_saves_past_the_limit_are_429_and_change_nothing(
    client, draft_application, low_limits
):
    # given an applicant who saved their draft twice
    client.force_login(draft_application.owner)
    url = reverse("partners:application-edit", args=[draft_application.pk])
    for name in ("One", "Two"):
        assert client.post(url, {"trade_name": name, "save": "1"}).status_code == 302
    # when they save (or submit) a third time within the minute
    response = client.post(url, {"trade_name": "Three", "submit": "1"})
    # then the request is refused and the draft keeps the last accepted value
    assert response.status_code == 429
    draft_application.refresh_from_db()
    assert draft_application.trade_name == "Two"
    assert draft_application.status == ApplicationStatus.DRAFT
    # and reading the form is never limited
    assert client.get(url).status_code == 200
