"""Package fixtures on top of the personas in tests/conftest.py."""

import datetime
import uuid

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from hubdelivery.lib.dates import local_date
from packages import services
from packages.models import Dsp, Handoff, HandoffDirection, Package
from partners.models import Partner
from tests.factories import ManifestFactory, PackageFactory


def new_key() -> str:
    """A client-generated idempotency key."""
    return str(uuid.uuid4())


@pytest.fixture
def dsp(dsp_driver) -> Dsp:
    return dsp_driver.driver.dsp


@pytest.fixture
def today(partner):
    return local_date(tz_name=partner.time_zone)


@pytest.fixture
def manifested(partner: Partner, dsp: Dsp, today) -> list[Package]:
    """Three packages on today's manifest for `partner`, still with the DSP."""
    manifest = ManifestFactory(dsp=dsp, partner=partner, service_date=today, package_count=3)
    return PackageFactory.create_batch(3, manifest=manifest)


@pytest.fixture
def drop_off(partner, dsp, dsp_driver, manifested, today) -> Handoff:
    event = services.handoff_open(
        actor=dsp_driver,
        partner=partner,
        dsp=dsp,
        direction=HandoffDirection.DROP_OFF,
        service_date=today,
        idempotency_key=new_key(),
    )
    return event.handoff


@pytest.fixture
def received(drop_off, dsp_driver, manifested) -> Package:
    """A package scanned in at the open drop-off: in the partner's custody."""
    package = manifested[0]
    services.package_receive(
        actor=dsp_driver,
        handoff=drop_off,
        tracking_id=package.tracking_id,
        idempotency_key=new_key(),
    )
    package.refresh_from_db()
    return package


@pytest.fixture
def return_handoff(partner, dsp, dsp_driver, received, today, drop_off, partner_owner):
    """Tomorrow morning: yesterday's undelivered package goes back."""
    services.handoff_confirm(actor=dsp_driver, handoff=drop_off, idempotency_key=new_key())
    services.handoff_confirm(actor=partner_owner, handoff=drop_off, idempotency_key=new_key())
    # A handoff is for the partner's local today: open it a day later.
    with time_machine.travel(timezone.now() + datetime.timedelta(days=1)):
        event = services.handoff_open(
            actor=dsp_driver,
            partner=partner,
            dsp=dsp,
            direction=HandoffDirection.RETURN,
            idempotency_key=new_key(),
        )
    assert event.handoff.service_date == today + datetime.timedelta(days=1)
    return event.handoff


@pytest.fixture
def other_partner_package(other_partner) -> Package:
    return PackageFactory(manifest=ManifestFactory(partner=other_partner))


def api_client_for(user) -> APIClient:
    """A browser-like client: session log-in."""
    client = APIClient()
    client.force_login(user)
    return client


def api_client_with_token(key: str) -> APIClient:
    """A DSP system: `Authorization: Bearer <key>`."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client
