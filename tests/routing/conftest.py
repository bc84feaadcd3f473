import datetime
import itertools

import pytest

from packages.models import Handoff, Package, PackageStatus
from partners.models import Partner
from tests.factories import DspFactory, ManifestFactory

_tracking = itertools.count(1)


def packages_for(
    partner: Partner,
    service_date: datetime.date,
    count: int,
    *,
    status: str = PackageStatus.MANIFESTED,
    zip_code: str = "02116",
) -> None:
    """`count` packages for the partner and date, in one manifest and one insert."""
    manifest = ManifestFactory(partner=partner, service_date=service_date)
    Package.objects.bulk_create(
        Package(
            tracking_id=f"CAP{next(_tracking):09d}",
            dsp=manifest.dsp,
            manifest=manifest,
            partner=partner,
            service_date=service_date,
            recipient_name="Recipient",
            address_line=f"{n} Main St",
            city=partner.city,
            zip_code=zip_code,
            latitude=partner.latitude,
            longitude=partner.longitude,
            status=status,
        )
        for n in range(count)
    )


def open_handoff(partner: Partner, service_date: datetime.date) -> Handoff:
    return Handoff.objects.create(
        partner=partner,
        dsp=DspFactory(),
        direction="drop_off",
        service_date=service_date,
        opened_at=datetime.datetime.combine(service_date, datetime.time(8), tzinfo=datetime.UTC),
    )


@pytest.fixture
def make_packages():
    return packages_for
