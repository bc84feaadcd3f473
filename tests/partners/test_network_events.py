"""Market and target-state changes write NetworkEvent rows: who, when, from what, to what."""

import pytest
from django.urls import reverse

from partners.models import Market, NetworkEvent, NetworkEventKind, TargetState
from partners.services import recruiting as services
from tests.conftest import client_for


def events() -> list[tuple[str, str, str, str]]:
    return [
        (event.kind, event.actor.email, event.from_value, event.to_value)
        for event in NetworkEvent.objects.select_related("actor").order_by("id")
    ]


def test_opening_a_market_records_who_and_what(ops_admin):
    market = services.market_create(
        actor=ops_admin, name="Denver", center_zip="80202", radius_miles=10
    )
    event = NetworkEvent.objects.get()
    assert event.market == market and event.target_state is None
    assert (event.kind, event.actor, event.from_value) == (
        NetworkEventKind.MARKET_CREATED,
        ops_admin,
        "",
    )
    assert event.to_value == "name=Denver; state=CO; center_zip=80202; radius_miles=10"
    assert event.created is not None


def test_editing_a_market_records_only_the_fields_that_changed(ops_admin):
    market = Market.objects.get(name="Boston")
    services.market_update(
        actor=ops_admin, market=market, name="Boston", center_zip=market.center_zip, radius_miles=15
    )
    assert events() == [
        (NetworkEventKind.MARKET_EDITED, ops_admin.email, "radius_miles=10", "radius_miles=15")
    ]


def test_saving_a_market_unchanged_records_nothing(ops_admin):
    market = Market.objects.get(name="Boston")
    services.market_update(
        actor=ops_admin,
        market=market,
        name=market.name,
        center_zip=market.center_zip,
        radius_miles=market.radius_miles,
    )
    assert events() == []


def test_closing_and_reopening_a_market_records_both(ops_admin):
    market = Market.objects.get(name="Boston")
    services.market_deactivate(actor=ops_admin, market=market)
    services.market_deactivate(actor=ops_admin, market=market)  # already closed: no row
    services.market_activate(actor=ops_admin, market=market)
    assert events() == [
        (NetworkEventKind.MARKET_DEACTIVATED, ops_admin.email, "active", "inactive"),
        (NetworkEventKind.MARKET_ACTIVATED, ops_admin.email, "inactive", "active"),
    ]


def test_target_state_add_remove_and_return_are_recorded(ops_admin):
    services.target_state_add(actor=ops_admin, code="CO")
    colorado = TargetState.objects.get(code="CO")
    services.target_state_deactivate(actor=ops_admin, target_state=colorado)
    services.target_state_add(actor=ops_admin, code="CO")  # back: a reactivation
    assert events() == [
        (NetworkEventKind.TARGET_STATE_ADDED, ops_admin.email, "", "active"),
        (NetworkEventKind.TARGET_STATE_DEACTIVATED, ops_admin.email, "active", "inactive"),
        (NetworkEventKind.TARGET_STATE_ACTIVATED, ops_admin.email, "inactive", "active"),
    ]
    assert {event.target_state for event in NetworkEvent.objects.all()} == {colorado}


def test_a_refused_market_writes_no_row(ops_admin):
    with pytest.raises(Exception):  # noqa: B017 (the DomainError of the unknown ZIP)
        services.market_create(actor=ops_admin, name="Nowhere", center_zip="00000", radius_miles=5)
    assert events() == []


def test_the_market_pages_write_rows_with_the_signed_in_actor(ops_admin):
    client = client_for(ops_admin)
    boston = Market.objects.get(name="Boston")
    client.post(reverse("partners:market-set-active", args=[boston.pk]), {"active": "0"})
    client.post(reverse("partners:target-state-list"), {"code": "CO"})
    assert [(kind, actor) for kind, actor, _before, _after in events()] == [
        (NetworkEventKind.MARKET_DEACTIVATED, ops_admin.email),
        (NetworkEventKind.TARGET_STATE_ADDED, ops_admin.email),
    ]
