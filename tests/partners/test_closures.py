import datetime

import pytest
import time_machine
from django.urls import reverse

from partners.models import Closure, PartnerEvent

TODAY = datetime.date(2026, 11, 25)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime.datetime(2026, 11, 25, 15, tzinfo=datetime.UTC)):
        yield


def declare(client, start: str, end: str, reason: str = "Vacation"):
    return client.post(
        reverse("partners:partner-closures"),
        {"start_date": start, "end_date": end, "reason": reason},
    )


def test_owner_declares_a_closure_and_ops_see_it(client, partner, reviewer):
    client.force_login(partner.owner)
    response = declare(client, "2026-12-02", "2026-12-04")
    assert response.status_code == 302
    closure = Closure.objects.get(partner=partner)
    assert (closure.start_date, closure.end_date) == (
        datetime.date(2026, 12, 2),
        datetime.date(2026, 12, 4),
    )
    assert closure.created_by == partner.owner
    assert PartnerEvent.objects.filter(partner=partner, kind="closure_declared").exists()
    client.force_login(reviewer)
    detail = client.get(reverse("partners:ops-partner-detail", args=[partner.pk]))
    assert "Vacation" in detail.content.decode()


def test_overlapping_closure_is_refused_with_a_message(client, partner):
    client.force_login(partner.owner)
    declare(client, "2026-12-02", "2026-12-04")
    response = declare(client, "2026-12-04", "2026-12-06", reason="Inventory")
    html = response.content.decode()
    assert response.status_code == 200
    assert "overlaps a closure" in html
    assert 'value="Inventory"' in html
    assert Closure.objects.count() == 1


def test_closure_in_the_past_or_backwards_is_refused(client, partner):
    client.force_login(partner.owner)
    assert (
        "cannot start in the past" in declare(client, "2026-11-20", "2026-11-28").content.decode()
    )
    backwards = declare(client, "2026-12-10", "2026-12-08").content.decode()
    assert "The last day must be on or after the first day." in backwards
    assert not Closure.objects.exists()


def test_staff_see_closures_but_cannot_declare(client, partner, partner_staff):
    client.force_login(partner_staff)
    assert client.get(reverse("partners:partner-closures")).status_code == 200
    assert declare(client, "2026-12-02", "2026-12-04").status_code == 403


def test_owner_cancels_an_upcoming_closure(client, partner):
    client.force_login(partner.owner)
    declare(client, "2026-12-02", "2026-12-04")
    closure = Closure.objects.get()
    client.post(reverse("partners:partner-closure-cancel", args=[closure.pk]))
    assert not Closure.objects.exists()
    assert PartnerEvent.objects.filter(kind="closure_cancelled").count() == 1


def test_other_partners_closure_is_404(client, partner, other_partner):
    closure = Closure.objects.create(
        partner=other_partner,
        start_date=TODAY + datetime.timedelta(days=3),
        end_date=TODAY + datetime.timedelta(days=4),
        reason="Theirs",
    )
    client.force_login(partner.owner)
    assert (
        client.post(reverse("partners:partner-closure-cancel", args=[closure.pk])).status_code
        == 404
    )
    assert Closure.objects.filter(pk=closure.pk).exists()
