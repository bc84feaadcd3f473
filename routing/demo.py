"""Demo routes (the florist's today and next day, the Boston station's drop-off order) and
capacity reports with at least one finding of each kind.

The check runs for the next ordinary service date (tomorrow, or the first day after it that is
not a major holiday) in every time zone, and for the next major holiday in New York. The rows
it needs are added here: an overflowing florist with a neighbour that has room, a paused
partner with packages, an Alaska partner whose stale packages fill its storage area and
with a handoff left open, and a Boston café with a weak two-week record."""

import datetime

from django.utils import timezone

from accounts.demo import demo_user_ensure
from accounts.roles import Role
from hubdelivery.lib.dates import local_date
from packages.demo import demo_dsp_ensure
from packages.models import Handoff, HandoffDirection, Manifest, Package, PackageStatus
from partners.demo import demo_member_ensure, demo_partner_ensure
from partners.models import BackgroundCheck, MemberRole, Partner, PartnerStatus
from routing.selectors import partner_time_zones
from routing.services import (
    capacity_check_run,
    dropoff_route_build,
    major_holiday,
    partner_route_build,
)


def next_ordinary_date(start: datetime.date) -> datetime.date:
    day = start
    while major_holiday(day):
        day += datetime.timedelta(days=1)
    return day


def next_major_holiday(start: datetime.date) -> datetime.date:
    day = start
    while not major_holiday(day):
        day += datetime.timedelta(days=1)
    return day


def demo_packages_ensure(
    *, partner: Partner, service_date: datetime.date, count: int, status: str, label: str
) -> None:
    """`count` packages for the partner and date under one demo manifest, created once."""
    dsp, _ = demo_dsp_ensure()
    external_id = f"DEMO-{label}-{partner.pk}-{service_date:%Y%m%d}"
    manifest, created = Manifest.objects.get_or_create(
        dsp=dsp,
        external_id=external_id,
        defaults={"partner": partner, "service_date": service_date, "source": "api",
                  "package_count": count},
    )  # fmt: skip
    if not created:
        return
    Package.objects.bulk_create(
        Package(
            tracking_id=f"{external_id[5:]}-{n:03d}".replace("-", "")[:40],
            dsp=dsp,
            manifest=manifest,
            partner=partner,
            service_date=service_date,
            recipient_name="Demo Recipient",
            address_line=f"{10 + n} Demo St",
            city=partner.city,
            zip_code=partner.zip_code,
            latitude=partner.latitude,
            longitude=partner.longitude,
            status=status,
            status_changed_at=timezone.now(),
        )
        for n in range(count)
    )


def demo_neighbour_ensure() -> Partner:
    owner = demo_user_ensure(
        email="owner-southend@demo.hub", full_name="Sofia Southend", roles=[Role.PARTNER_OWNER]
    )
    cafe = demo_partner_ensure(
        owner=owner, trade_name="South End Coffee", legal_name="South End Coffee LLC",
        address_line="1 Union Park", zip_code="02118", status=PartnerStatus.ACTIVE,
        checklist_done=4,
    )  # fmt: skip
    demo_member_ensure(partner=cafe, user=owner, role=MemberRole.OWNER, check=BackgroundCheck.CLEAR)
    if cafe.activated_at and (timezone.now() - cafe.activated_at).days < 30:
        Partner.objects.filter(pk=cafe.pk).update(
            activated_at=timezone.now() - datetime.timedelta(days=30)
        )
    return cafe


def demo_history_ensure(*, partner: Partner, today: datetime.date) -> None:
    """Two weeks at about 75% delivered: the café's low success and low volume."""
    for offset in range(1, 15):
        day = today - datetime.timedelta(days=offset)
        demo_packages_ensure(partner=partner, service_date=day, count=3,
                             status=PackageStatus.DELIVERED, label="HISTD")  # fmt: skip
        demo_packages_ensure(partner=partner, service_date=day, count=1,
                             status=PackageStatus.RETURNED, label="HISTR")  # fmt: skip


def demo_alaska_backlog_ensure(*, alaska: Partner, service_date: datetime.date) -> None:
    today = local_date(tz_name=alaska.time_zone)
    demo_packages_ensure(partner=alaska, service_date=today - datetime.timedelta(days=3),
                         count=18, status=PackageStatus.RECEIVED, label="STALE")  # fmt: skip
    demo_packages_ensure(partner=alaska, service_date=service_date, count=30,
                         status=PackageStatus.MANIFESTED, label="BIG")  # fmt: skip
    yesterday = today - datetime.timedelta(days=1)
    if not Handoff.objects.filter(partner=alaska, service_date=yesterday, status="open").exists():
        dsp, _ = demo_dsp_ensure()
        Handoff.objects.create(
            partner=alaska, dsp=dsp, direction=HandoffDirection.DROP_OFF,
            service_date=yesterday, opened_at=timezone.now() - datetime.timedelta(days=1),
            expected=3,
        )  # fmt: skip


def seed() -> None:
    florist = Partner.objects.get(trade_name="Back Bay Blooms")
    today = local_date(tz_name=florist.time_zone)
    service_date = next_ordinary_date(today + datetime.timedelta(days=1))
    cafe = demo_neighbour_ensure()
    demo_history_ensure(partner=cafe, today=today)
    demo_packages_ensure(partner=florist, service_date=service_date, count=36,
                         status=PackageStatus.MANIFESTED, label="OVER")  # fmt: skip
    demo_packages_ensure(partner=cafe, service_date=service_date, count=8,
                         status=PackageStatus.MANIFESTED, label="ROOM")  # fmt: skip
    paused = Partner.objects.get(trade_name="Lakeview Bodega")
    demo_packages_ensure(partner=paused, service_date=service_date, count=4,
                         status=PackageStatus.MANIFESTED, label="PAUSED")  # fmt: skip
    alaska = Partner.objects.get(trade_name="Midnight Sun Florist")
    demo_alaska_backlog_ensure(alaska=alaska, service_date=service_date)
    holiday = next_major_holiday(today + datetime.timedelta(days=1))
    demo_packages_ensure(partner=florist, service_date=holiday, count=5,
                         status=PackageStatus.MANIFESTED, label="HOLIDAY")  # fmt: skip
    for day in (today, service_date):
        partner_route_build(partner=florist, service_date=day)
    dsp_station = demo_dsp_ensure()[1]
    dropoff_route_build(station=dsp_station, service_date=today)
    # force=False: a second seed the same day keeps the reports (and sends no more email)
    for zone in partner_time_zones():
        capacity_check_run(service_date=service_date, time_zone=zone, force=False)
    capacity_check_run(service_date=holiday, time_zone=florist.time_zone, force=False)
