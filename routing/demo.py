"""Demo routes (the florist's today and next day, the Boston station's drop-off order) and
capacity reports with at least one finding of each kind, and the florist's over-capacity
finding applied (the ZIPs it names moved to the café for the date, with its Undo).

The check runs for the next ordinary service date (tomorrow, or the first day after it that is
not a major holiday) in every time zone, and for the next major holiday in New York. The rows
it needs are added here: an overflowing florist with a neighbour that has room, a paused
partner with packages, an Alaska partner whose stale packages fill its storage area and
with a handoff left open, and a Boston café with a weak two-week record.

Coverage for the two Boston partners, and a DSP-level manifest (no partner) of 20 packages
around Back Bay and the South End that the assignment spreads over both, two of them outside
every coverage and left with the DSP. It is for the ordinary day after the checked date:
on the checked date the florist is over capacity on purpose (the capacity findings), so
there it could take none of them.

On the ordinary day after that the café is closed (a closure it declares here) after the
DSP sent it packages: the Back Bay ones moved to the florist, the rest stay with the DSP,
each with its move event and reason."""

import datetime

from django.conf import settings
from django.utils import timezone

from accounts.demo import demo_user_ensure
from accounts.models import User
from accounts.roles import Role
from hubdelivery.lib.dates import local_date
from packages.demo import demo_dsp_ensure
from packages.models import Handoff, HandoffDirection, Manifest, Package, PackageStatus
from partners.demo import demo_member_ensure, demo_partner_ensure
from partners.models import BackgroundCheck, MemberRole, Partner, PartnerStatus
from partners.selectors.partners import closure_days_used
from partners.services.closures import closure_declare
from routing.models import CapacityFinding, FindingKind, ZipMove
from routing.selectors import major_holiday, partner_time_zones
from routing.services import (
    capacity_check_run,
    coverage_update,
    dropoff_route_build,
    finding_apply,
    packages_assign,
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
    *,
    partner: Partner,
    service_date: datetime.date,
    count: int,
    status: str,
    label: str,
    zip_code: str = "",
) -> None:
    """`count` packages for the partner and date (in the shop's ZIP unless told) under one
    demo manifest, created once."""
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
            zip_code=zip_code or partner.zip_code,
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


# (address, ZIP, latitude, longitude): Back Bay and the South End, then two far outside.
AREA_ADDRESSES = [
    ("250 Newbury St", "02116", 42.3487, -71.0830),
    ("12 Dartmouth St", "02116", 42.3478, -71.0760),
    ("400 Boylston St", "02116", 42.3517, -71.0712),
    ("90 Commonwealth Ave", "02116", 42.3522, -71.0755),
    ("33 Marlborough St", "02116", 42.3540, -71.0730),
    ("700 Boylston St", "02116", 42.3496, -71.0806),
    ("15 Clarendon St", "02116", 42.3490, -71.0740),
    ("200 Beacon St", "02116", 42.3548, -71.0800),
    ("55 Gloucester St", "02115", 42.3485, -71.0860),
    ("160 Massachusetts Ave", "02115", 42.3470, -71.0880),
    ("8 Union Park", "02118", 42.3405, -71.0690),
    ("600 Tremont St", "02118", 42.3420, -71.0720),
    ("1500 Washington St", "02118", 42.3385, -71.0735),
    ("30 Dwight St", "02118", 42.3440, -71.0660),
    ("75 W Brookline St", "02118", 42.3410, -71.0760),
    ("20 Rutland Sq", "02118", 42.3395, -71.0770),
    ("500 Harrison Ave", "02118", 42.3430, -71.0640),
    ("100 E Berkeley St", "02118", 42.3455, -71.0650),
    ("1 Ashmont St", "02124", 42.2846, -71.0638),
    ("300 Market St", "02135", 42.3505, -71.1563),
]


def demo_coverage_ensure(*, florist: Partner, cafe: Partner) -> None:
    """Saving the same coverage again is a no-op, so a second seed writes no event."""
    coverage_update(partner=florist, actor=None, zip_codes=["02115", "02116"], radius_miles=1.0)
    coverage_update(partner=cafe, actor=None, zip_codes=["02118"], radius_miles=1.0)


def demo_area_manifest_ensure(*, service_date: datetime.date) -> None:
    """The DSP-level manifest of the date, created once, then assigned (deterministic)."""
    dsp, _ = demo_dsp_ensure()
    external_id = f"DEMO-AREA-{service_date:%Y%m%d}"
    manifest, created = Manifest.objects.get_or_create(
        dsp=dsp, external_id=external_id,
        defaults={"partner": None, "service_date": service_date, "source": "api",
                  "package_count": len(AREA_ADDRESSES)},
    )  # fmt: skip
    if created:
        Package.objects.bulk_create(
            Package(
                tracking_id=f"AREA{service_date:%Y%m%d}{n:03d}", dsp=dsp, manifest=manifest,
                service_date=service_date, recipient_name="Demo Recipient", address_line=address,
                city="Boston", zip_code=zip_code, latitude=lat, longitude=lng,
                status=PackageStatus.MANIFESTED, status_changed_at=timezone.now(),
            )
            for n, (address, zip_code, lat, lng) in enumerate(AREA_ADDRESSES)
        )  # fmt: skip
    packages_assign(dsp=dsp, service_date=service_date)


# The café's packages on its closed day: those within the florist's mile go to it; the two
# at the South End's far edge stay with the DSP (only the closed café serves them).
CLOSED_DAY_ADDRESSES = [
    *AREA_ADDRESSES[1:4],
    *AREA_ADDRESSES[14:18],
    ("1010 Massachusetts Ave", "02118", 42.3337, -71.0730),
    ("560 Albany St", "02118", 42.3345, -71.0680),
]


def demo_closed_day_ensure(*, cafe: Partner, service_date: datetime.date) -> None:
    """The café declares a closure for a day the DSP had already sent it packages for, so
    they move (or stay with the DSP) with their reasons. Once: a café already closed from
    today on, or without closure days left, is left as it is."""
    if cafe.closures.filter(end_date__gte=local_date(tz_name=cafe.time_zone)).exists():
        return
    if closure_days_used(partner=cafe, year=service_date.year) >= settings.CLOSURE_ALLOWANCE_DAYS:
        return
    dsp, _ = demo_dsp_ensure()
    manifest, _ = Manifest.objects.get_or_create(
        dsp=dsp, external_id=f"DEMO-CLOSED-{service_date:%Y%m%d}",
        defaults={"partner": cafe, "service_date": service_date, "source": "api",
                  "package_count": len(CLOSED_DAY_ADDRESSES)},
    )  # fmt: skip
    Package.objects.bulk_create(
        Package(
            tracking_id=f"CLOSED{service_date:%Y%m%d}{n:03d}", dsp=dsp, manifest=manifest,
            partner=cafe, service_date=service_date, recipient_name="Demo Recipient",
            address_line=address, city="Boston", zip_code=zip_code, latitude=lat, longitude=lng,
            status=PackageStatus.MANIFESTED, status_changed_at=timezone.now(),
        )
        for n, (address, zip_code, lat, lng) in enumerate(CLOSED_DAY_ADDRESSES)
    )  # fmt: skip
    closure_declare(partner=cafe, actor=cafe.owner, start_date=service_date,
                    end_date=service_date, reason="Espresso machine repair")  # fmt: skip


def seed() -> None:
    florist = Partner.objects.get(trade_name="Back Bay Blooms")
    today = local_date(tz_name=florist.time_zone)
    service_date = next_ordinary_date(today + datetime.timedelta(days=1))
    cafe = demo_neighbour_ensure()
    demo_history_ensure(partner=cafe, today=today)
    demo_coverage_ensure(florist=florist, cafe=cafe)
    area_date = next_ordinary_date(service_date + datetime.timedelta(days=1))
    demo_area_manifest_ensure(service_date=area_date)
    closed_date = next_ordinary_date(area_date + datetime.timedelta(days=1))
    demo_closed_day_ensure(cafe=cafe, service_date=closed_date)
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
    demo_zip_move_ensure(florist=florist, service_date=service_date)


def demo_zip_move_ensure(*, florist: Partner, service_date: datetime.date) -> None:
    """The florist's over-capacity finding applied by the demo reviewer (the ZIPs it names
    go to the café for the date), once: the capacity report shows who applied it, with its
    Undo."""
    finding = (
        CapacityFinding.objects.filter(
            partner=florist,
            report__service_date=service_date,
            kind=FindingKind.OVER_DAILY_CAPACITY,
            neighbour__isnull=False,
        )
        .select_related("report", "partner", "neighbour")
        .first()
    )
    if finding is None or ZipMove.objects.filter(report=finding.report, partner_from=florist):
        return
    reviewer = User.objects.get(email="reviewer@demo.hub")
    finding_apply(finding=finding, actor=reviewer)
