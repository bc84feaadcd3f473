"""The closure allowance: closure days count against the year's allowance; past it the owner
is refused with a clear message and an ops admin may override with a reason (audited)."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from hubdelivery.exceptions import DomainError, InvalidInput, NotAllowed
from partners.models import Closure, PartnerEvent, PartnerEventKind
from partners.selectors.partners import closure_allowance
from partners.services.closures import closure_declare, closure_declare_beyond_allowance
from tests.conftest import client_for

NOW = datetime.datetime(2027, 3, 1, 15, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW):
        yield


def closed(partner, start: str, end: str) -> Closure:
    return Closure.objects.create(
        partner=partner,
        start_date=datetime.date.fromisoformat(start),
        end_date=datetime.date.fromisoformat(end),
        reason="Vacation",
    )


def test_closure_days_of_the_year_count_against_the_allowance(partner, settings):
    settings.CLOSURE_ALLOWANCE_DAYS = 5
    closed(partner, "2026-12-30", "2027-01-02")  # two of its days are in 2027
    closed(partner, "2027-04-01", "2027-04-01")
    allowance = closure_allowance(partner=partner, year=2027)
    assert (allowance.used, allowance.left) == (3, 2)


def test_the_owner_is_refused_past_the_allowance(partner, settings):
    settings.CLOSURE_ALLOWANCE_DAYS = 5
    closed(partner, "2027-04-01", "2027-04-03")
    with pytest.raises(DomainError) as refused:
        closure_declare(partner=partner, actor=partner.owner, reason="Trip",
                        start_date=datetime.date(2027, 5, 1),
                        end_date=datetime.date(2027, 5, 3))  # fmt: skip
    assert "2 are left" in str(refused.value)
    two_days = {"start_date": datetime.date(2027, 5, 1), "end_date": datetime.date(2027, 5, 2)}
    closure_declare(partner=partner, actor=partner.owner, reason="Trip", **two_days)
    assert closure_allowance(partner=partner, year=2027).left == 0


def test_an_ops_admin_overrides_with_a_reason_and_it_is_audited(partner, ops_admin, settings):
    settings.CLOSURE_ALLOWANCE_DAYS = 1
    closed(partner, "2027-04-01", "2027-04-01")
    closure_declare_beyond_allowance(
        partner=partner, actor=ops_admin, reason="Flood",
        start_date=datetime.date(2027, 5, 1), end_date=datetime.date(2027, 5, 4),
        override_reason="Basement flooded",
    )  # fmt: skip
    event = PartnerEvent.objects.get(kind=PartnerEventKind.CLOSURE_ALLOWANCE_OVERRIDDEN)
    assert event.actor == ops_admin and "Basement flooded" in event.detail
    assert closure_allowance(partner=partner, year=2027).used == 5


def test_the_override_needs_an_ops_admin_and_a_reason(partner, reviewer, ops_admin):
    days = {"start_date": datetime.date(2027, 5, 1), "end_date": datetime.date(2027, 5, 1)}
    with pytest.raises(NotAllowed):
        closure_declare_beyond_allowance(
            partner=partner, actor=reviewer, reason="R", override_reason="R", **days
        )
    with pytest.raises(InvalidInput) as refused:
        closure_declare_beyond_allowance(
            partner=partner, actor=ops_admin, reason="R", override_reason=" ", **days
        )
    assert refused.value.field == "override_reason"


def test_the_owner_sees_what_is_left(partner, settings):
    settings.CLOSURE_ALLOWANCE_DAYS = 5
    closed(partner, "2027-04-01", "2027-04-03")
    response = client_for(partner.owner).get(reverse("partners:partner-closures"))
    assert b"2 closure days left in 2027 (3 of 5 used)" in response.content


def test_ops_see_what_is_left_and_the_admin_overrides_from_the_page(partner, ops_admin, reviewer):
    url = reverse("partners:ops-partner-detail", args=[partner.pk])
    assert b"closure days left in 2027" in client_for(reviewer).get(url).content
    override = reverse("partners:ops-partner-closure-override", args=[partner.pk])
    data = {"override-start_date": "2027-05-01", "override-end_date": "2027-05-09",
            "override-reason": "Flood", "override-override_reason": ""}  # fmt: skip
    refused = client_for(ops_admin).post(override, data)
    assert refused.status_code == 400
    assert refused.context["override_form"].errors["override_reason"]
    assert client_for(reviewer).post(override, data).status_code == 403
    data["override-override_reason"] = "Basement flooded"
    assert client_for(ops_admin).post(override, data).status_code == 302
    assert partner.closures.count() == 1
