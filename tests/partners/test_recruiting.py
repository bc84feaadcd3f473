"""Markets and target states (seeded, managed by ops admins) and the waitlist invitation,
sent exactly once per lead."""

import pytest
from django.core import mail
from django.urls import reverse

from hubdelivery.exceptions import DomainError, NotAllowed
from partners.models import Lead, Market, TargetState
from partners.services import recruiting as services
from tests.conftest import client_for
from tests.factories import LeadFactory

DESIGN_STATES = {
    "AL", "AK", "AR", "CA", "FL", "IA", "IN", "IL", "MA", "MN", "NC", "ND",
    "NJ", "NY", "OH", "SD", "WA", "MI", "MS", "MO", "NE", "OK", "WI",
}  # fmt: skip


def test_the_23_target_states_and_five_markets_are_seeded_active(db):
    assert set(TargetState.objects.filter(is_active=True).values_list("code", flat=True)) == (
        DESIGN_STATES
    )
    markets = Market.objects.filter(is_active=True)
    assert set(markets.values_list("name", flat=True)) == {
        "New York",
        "Boston",
        "Los Angeles",
        "Seattle",
        "Hoboken",
    }
    assert set(markets.values_list("radius_miles", flat=True)) == {10}


# ------------------------------------------------------------------------------
# Invitations
# ------------------------------------------------------------------------------
@pytest.fixture
def denver_leads(db):
    near = LeadFactory(
        email="near@mail.test", zip_code="80205", latitude=39.759, longitude=-104.966
    )
    far = LeadFactory(email="far@mail.test", zip_code="80903", latitude=38.83, longitude=-104.82)
    return near, far


def test_opening_a_market_invites_the_leads_inside_it_once(
    denver_leads, ops_admin, django_capture_on_commit_callbacks
):
    near, far = denver_leads
    # when ops open a Denver market
    with django_capture_on_commit_callbacks(execute=True):
        market = services.market_create(
            actor=ops_admin, name="Denver", center_zip="80202", radius_miles=10
        )
    # then the lead inside it is invited, the one 64 miles away is not
    assert [m.to for m in mail.outbox] == [["near@mail.test"]]
    assert "open near you" in mail.outbox[0].subject
    near.refresh_from_db()
    far.refresh_from_db()
    assert near.invited_at is not None and "Denver" in near.invited_for
    assert far.invited_at is None
    # when the market is closed, reopened and enlarged over both
    with django_capture_on_commit_callbacks(execute=True):
        services.market_deactivate(actor=ops_admin, market=market)
        services.market_activate(actor=ops_admin, market=market)
        services.market_update(
            actor=ops_admin, market=market, name="Denver", center_zip="80202", radius_miles=100
        )
        services.market_update(
            actor=ops_admin, market=market, name="Denver", center_zip="80202", radius_miles=100
        )
    # then only the newly covered lead gets its (first) invitation
    assert [m.to for m in mail.outbox] == [["near@mail.test"], ["far@mail.test"]]


def test_activating_a_target_state_invites_its_leads_once(
    denver_leads, ops_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        state = services.target_state_add(actor=ops_admin, code="CO")
        services.target_state_deactivate(actor=ops_admin, target_state=state)
        services.target_state_activate(actor=ops_admin, target_state=state)
        services.target_state_add(actor=ops_admin, code="CO")
    assert sorted(m.to[0] for m in mail.outbox) == ["far@mail.test", "near@mail.test"]
    assert Lead.objects.filter(invited_at__isnull=True).count() == 0


def test_a_lead_covered_by_a_market_and_a_state_is_invited_once(
    denver_leads, ops_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.market_create(actor=ops_admin, name="Denver", center_zip="80202", radius_miles=10)
        services.target_state_add(actor=ops_admin, code="CO")
    assert sorted(m.to[0] for m in mail.outbox) == ["far@mail.test", "near@mail.test"]


@pytest.mark.parametrize(
    "change",
    [
        lambda actor, market, state: services.market_create(
            actor=actor, name="Denver", center_zip="80202", radius_miles=10
        ),
        lambda actor, market, state: services.market_update(
            actor=actor, market=market, name="Boston", center_zip="02116", radius_miles=50
        ),
        lambda actor, market, state: services.market_deactivate(actor=actor, market=market),
        lambda actor, market, state: services.market_activate(actor=actor, market=market),
        lambda actor, market, state: services.target_state_add(actor=actor, code="CO"),
        lambda actor, market, state: services.target_state_deactivate(
            actor=actor, target_state=state
        ),
        lambda actor, market, state: services.target_state_activate(
            actor=actor, target_state=state
        ),
    ],
    ids=["create", "update", "deactivate", "activate", "add-state", "state-off", "state-on"],
)
def test_only_ops_admins_change_markets_and_target_states_whoever_calls(reviewer, change):
    # given a reviewer (ops, but not an admin) reaching the services directly
    market = Market.objects.get(name="Boston")
    state = TargetState.objects.get(code="MA")
    # when / then: the service refuses, whatever page or job might call it
    with pytest.raises(NotAllowed, match="Only ops admins"):
        change(reviewer, market, state)
    market.refresh_from_db()
    assert market.radius_miles != 50 and market.is_active


def test_the_invitation_claim_is_a_conditional_update(denver_leads):
    # given two processes holding the same uninvited lead
    near, _ = denver_leads
    stale_copy = Lead.objects.get(pk=near.pk)
    # when both try to invite it
    first = services.lead_invite(lead=near, invited_for="x")
    second = services.lead_invite(lead=stale_copy, invited_for="x")
    # then only the first sends
    assert (first, second) == (True, False)


def test_market_create_refuses_unknown_zip_and_duplicate_name(ops_admin):
    with pytest.raises(DomainError, match="not a US ZIP"):
        services.market_create(actor=ops_admin, name="Nowhere", center_zip="00000", radius_miles=10)
    with pytest.raises(DomainError, match="already exists"):
        services.market_create(actor=ops_admin, name="boston", center_zip="02116", radius_miles=10)


def test_target_state_add_refuses_an_unknown_code(ops_admin):
    with pytest.raises(DomainError):
        services.target_state_add(actor=ops_admin, code="XX")


# ------------------------------------------------------------------------------
# Ops admin pages
# ------------------------------------------------------------------------------
ADMIN_PAGES = [
    ("get", "partners:market-list", False),
    ("get", "partners:market-create", False),
    ("get", "partners:market-edit", True),
    ("post", "partners:market-set-active", True),
    ("get", "partners:target-state-list", False),
]


def admin_url(name: str, needs_pk: bool) -> str:
    return reverse(name, args=[Market.objects.first().pk] if needs_pk else [])


@pytest.mark.parametrize(("method", "name", "needs_pk"), ADMIN_PAGES)
def test_market_pages_are_for_ops_admins_only(
    method, name, needs_pk, client, reviewer, applicant, partner_owner
):
    url = admin_url(name, needs_pk)
    response = getattr(client, method)(url)
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    for user in (reviewer, applicant, partner_owner):
        assert getattr(client_for(user), method)(url).status_code == 403


def test_ops_admin_opens_edits_and_closes_a_market(ops_admin):
    client = client_for(ops_admin)
    response = client.post(
        reverse("partners:market-create"),
        {"name": "Chicago", "center_zip": "60603", "radius_miles": "12"},
    )
    assert response.status_code == 302
    market = Market.objects.get(name="Chicago")
    assert (market.state, market.radius_miles, market.is_active) == ("IL", 12, True)
    assert market.latitude == pytest.approx(41.88, abs=0.05)
    client.post(
        reverse("partners:market-edit", args=[market.pk]),
        {"name": "Chicago Loop", "center_zip": "60603", "radius_miles": "8"},
    )
    client.post(reverse("partners:market-set-active", args=[market.pk]), {"active": "0"})
    market.refresh_from_db()
    assert (market.name, market.radius_miles, market.is_active) == ("Chicago Loop", 8, False)
    assert "Chicago Loop" in client.get(reverse("partners:market-list")).content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "X", "center_zip": "00000", "radius_miles": "10"}, "Enter a 5-digit US ZIP"),
        ({"name": "X", "center_zip": "60603", "radius_miles": "0"}, "greater than or equal to 1"),
        ({"name": "Boston", "center_zip": "02116", "radius_miles": "10"}, "already exists"),
    ],
)
def test_market_form_bad_values_show_a_message(ops_admin, data, message):
    response = client_for(ops_admin).post(reverse("partners:market-create"), data)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_ops_admin_adds_and_deactivates_a_target_state(ops_admin):
    client = client_for(ops_admin)
    client.post(reverse("partners:target-state-list"), {"code": "TX"})
    texas = TargetState.objects.get(code="TX")
    assert texas.is_active
    client.post(reverse("partners:target-state-set-active", args=[texas.pk]), {"active": "0"})
    texas.refresh_from_db()
    assert not texas.is_active
    assert "Texas" in client.get(reverse("partners:target-state-list")).content.decode()
