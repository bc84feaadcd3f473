import datetime

import pytest
import time_machine
from django.urls import reverse

from hubdelivery.exceptions import DomainError, InvalidTransition, NotAllowed
from partners.agreement import AGREEMENT_VERSION
from partners.models import PartnerEvent, PartnerStatus
from partners.services import partners as services
from tests.factories import PartnerFactory


@pytest.fixture
def onboarding_partner(partner):
    partner.status = PartnerStatus.ONBOARDING
    partner.save(update_fields=["status"])
    return partner


def test_checklist_complete_makes_the_partner_active(onboarding_partner, reviewer):
    # given
    owner = onboarding_partner.owner
    # when every checklist item is done
    services.partner_agreement_accept(
        partner=onboarding_partner, actor=owner, version=AGREEMENT_VERSION
    )
    services.partner_training_complete(partner=onboarding_partner, actor=owner)
    services.partner_storage_verify(partner=onboarding_partner, actor=reviewer)
    assert PartnerEvent.objects.filter(partner=onboarding_partner, kind="activated").count() == 0
    services.partner_first_handoff_record(partner=onboarding_partner, actor=None)
    # then the partner is active, with an event naming the change
    onboarding_partner.refresh_from_db()
    assert onboarding_partner.status == PartnerStatus.ACTIVE
    assert onboarding_partner.activated_at is not None
    assert onboarding_partner.agreement_version == AGREEMENT_VERSION
    event = PartnerEvent.objects.get(partner=onboarding_partner, kind="activated")
    assert (event.from_status, event.to_status) == ("onboarding", "active")


def test_checklist_tick_is_a_noop_when_repeated(onboarding_partner):
    owner = onboarding_partner.owner
    services.partner_training_complete(partner=onboarding_partner, actor=owner)
    services.partner_training_complete(partner=onboarding_partner, actor=owner)
    assert PartnerEvent.objects.filter(kind="training_completed").count() == 1


def test_staff_cannot_accept_the_agreement(onboarding_partner, partner_staff):
    with pytest.raises(NotAllowed):
        services.partner_agreement_accept(
            partner=onboarding_partner, actor=partner_staff, version=AGREEMENT_VERSION
        )
    onboarding_partner.refresh_from_db()
    assert onboarding_partner.agreement_accepted_at is None


def test_only_ops_verify_storage(onboarding_partner):
    with pytest.raises(NotAllowed):
        services.partner_storage_verify(partner=onboarding_partner, actor=onboarding_partner.owner)


def test_pause_and_resume_write_events(partner, reviewer):
    # when
    services.partner_pause(partner=partner, actor=reviewer, reason="Renovation")
    partner.refresh_from_db()
    # then
    assert partner.status == PartnerStatus.PAUSED
    assert partner.status_reason == "Renovation"
    services.partner_resume(partner=partner, actor=reviewer)
    partner.refresh_from_db()
    assert partner.status == PartnerStatus.ACTIVE
    kinds = list(PartnerEvent.objects.filter(partner=partner).values_list("kind", "to_status"))
    assert kinds == [("paused", "paused"), ("resumed", "active")]


def test_pause_needs_a_reason_and_a_future_end(partner, reviewer):
    with pytest.raises(DomainError, match="reason"):
        services.partner_pause(partner=partner, actor=reviewer, reason="  ")
    with pytest.raises(DomainError, match="after today"):
        services.partner_pause(
            partner=partner, actor=reviewer, reason="Vacation", until=datetime.date(2000, 1, 1)
        )
    partner.refresh_from_db()
    assert partner.status == PartnerStatus.ACTIVE


def test_onboarding_partner_cannot_be_paused(onboarding_partner, reviewer):
    with pytest.raises(InvalidTransition):
        services.partner_pause(partner=onboarding_partner, actor=reviewer, reason="Vacation")


def test_offboarded_partner_stays_offboarded(partner, reviewer):
    services.partner_offboard(partner=partner, actor=reviewer, reason="Closed the shop")
    services.partner_offboard(partner=partner, actor=reviewer, reason="Again")
    assert PartnerEvent.objects.filter(partner=partner, kind="offboarded").count() == 1
    with pytest.raises(InvalidTransition):
        services.partner_resume(partner=partner, actor=reviewer)


def test_partner_owner_cannot_pause_or_offboard(partner):
    with pytest.raises(NotAllowed):
        services.partner_pause(partner=partner, actor=partner.owner, reason="x")
    with pytest.raises(NotAllowed):
        services.partner_offboard(partner=partner, actor=partner.owner, reason="x")


def test_pause_with_end_date_resumes_on_that_local_date(db, reviewer):
    # given an Anchorage partner paused until Dec 3 (local)
    with time_machine.travel(datetime.datetime(2026, 11, 25, 12, tzinfo=datetime.UTC)):
        alaska = PartnerFactory(time_zone="America/Anchorage", state="AK", zip_code="99501")
        services.partner_pause(
            partner=alaska, actor=reviewer, reason="Vacation", until=datetime.date(2026, 12, 3)
        )
    # when the sweep runs at 08:30 UTC Dec 3 (still Dec 2 in Anchorage), nothing resumes
    at = datetime.datetime(2026, 12, 3, 8, 30, tzinfo=datetime.UTC)
    assert services.partners_resume_due(now=at) == []
    # then at 09:30 UTC (00:30 Dec 3 in Anchorage, UTC-9) it resumes
    assert services.partners_resume_due(now=at + datetime.timedelta(hours=1)) == [alaska.pk]
    alaska.refresh_from_db()
    assert alaska.status == PartnerStatus.ACTIVE
    assert alaska.paused_until is None
    assert PartnerEvent.objects.get(partner=alaska, kind="resumed").actor is None


def test_settings_change_is_audited_with_what_changed(partner):
    services.partner_settings_update(
        partner=partner,
        actor=partner.owner,
        daily_capacity=40,
        storage_capacity=partner.storage_capacity,
        delivery_modes=["walk", "car"],
        opening_days=["mon"],
        opens_at=None,
        closes_at=None,
    )
    event = PartnerEvent.objects.get(partner=partner, kind="settings_changed")
    assert "daily capacity: 30 → 40" in event.detail
    assert "delivery modes" in event.detail
    assert "storage capacity" not in event.detail


def test_agreement_page_accepts_for_owner(client, onboarding_partner):
    client.force_login(onboarding_partner.owner)
    page = client.get(reverse("partners:partner-agreement"))
    assert "Program Agreement" in page.content.decode()
    response = client.post(reverse("partners:partner-agreement"), follow=True)
    assert "agreement is accepted" in response.content.decode()
    onboarding_partner.refresh_from_db()
    assert onboarding_partner.agreement_accepted_at is not None


def test_onboarding_home_shows_the_checklist(client, onboarding_partner):
    client.force_login(onboarding_partner.owner)
    html = client.get(reverse("partners:partner-home")).content.decode()
    assert "Getting started" in html
    assert "Storage area verified by ops" in html
