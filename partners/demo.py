"""Demo partners in every status, each from an approved application in the market covering its
shop (the demo ops admin opens San Francisco, Chicago and Anchorage for the partners outside
the five seeded markets), so market rates price their statements. The demo owner runs an
active Boston florist with one staff member whose check is clear, one whose check is
pending, and closures using 3 of the year's 5 closure days. The holiday calendar has
Patriots' Day in Massachusetts and a storm day in Alaska."""

import datetime

from django.utils import timezone

from accounts.demo import demo_user_ensure
from accounts.models import User
from accounts.roles import Role
from hubdelivery.lib.dates import local_date
from hubdelivery.lib.zipdata import zip_lookup
from partners.agreement import AGREEMENT_VERSION
from partners.events import application_event_record, partner_event_record
from partners.models import (
    DEFAULT_MARKET_RADIUS_MILES,
    ApplicationEventKind,
    ApplicationStatus,
    BackgroundCheck,
    BusinessType,
    Closure,
    HolidayDay,
    HolidayKind,
    Market,
    MemberRole,
    NetworkEvent,
    Partner,
    PartnerApplication,
    PartnerEventKind,
    PartnerMember,
    PartnerStatus,
)
from partners.selectors.recruiting import market_covering
from partners.services import recruiting
from partners.services.holidays import federal_holidays_seed_current, holiday_add
from partners.services.partners import CHECKLIST

# (owner email, owner name, trade name, legal name, street, ZIP, status, checklist items done)
DEMO_PARTNERS = [
    (
        "owner@demo.hub",
        "Olivia Owner",
        "Back Bay Blooms",
        "Back Bay Blooms LLC",
        "210 Newbury St",
        "02116",
        PartnerStatus.ACTIVE,
        4,
    ),
    (
        "owner-onboarding@demo.hub",
        "Omar Onboarding",
        "Mission Street Coffee",
        "Mission Street Coffee Co.",
        "2799 Mission St",
        "94110",
        PartnerStatus.ONBOARDING,
        2,
    ),
    (
        "owner-paused@demo.hub",
        "Paula Paused",
        "Lakeview Bodega",
        "Lakeview Bodega Inc.",
        "3100 N Broadway",
        "60657",
        PartnerStatus.PAUSED,
        4,
    ),
    (
        "owner-offboarded@demo.hub",
        "Otto Offboarded",
        "Old Town Salon",
        "Old Town Salon LLC",
        "1 Pike Pl",
        "98101",
        PartnerStatus.OFFBOARDED,
        4,
    ),
    (
        "owner-alaska@demo.hub",
        "Nanook North",
        "Midnight Sun Florist",
        "Midnight Sun Florist LLC",
        "420 W 4th Ave",
        "99501",
        PartnerStatus.ACTIVE,
        4,
    ),
]
# Markets the demo ops admin opens for the demo partners outside the seeded ones: name, centre.
DEMO_MARKETS = [("San Francisco", "94110"), ("Chicago", "60657"), ("Anchorage", "99501")]
CHECKLIST_FIELDS = [field for field, _, _ in CHECKLIST]
STATUS_REASONS = {
    PartnerStatus.PAUSED: "Store renovation.",
    PartnerStatus.OFFBOARDED: "Owner sold the business.",
}


def demo_partner_ensure(
    *, owner: User, trade_name: str, legal_name: str, address_line: str, zip_code: str,
    status: PartnerStatus, checklist_done: int,
) -> Partner:  # fmt: skip
    place = zip_lookup(zip_code)
    if place is None:
        raise ValueError(f"demo ZIP code {zip_code} is unknown")
    now = timezone.now()
    partner, created = Partner.objects.get_or_create(
        owner=owner,
        trade_name=trade_name,
        defaults={
            "legal_name": legal_name,
            "status": status,
            "status_reason": STATUS_REASONS.get(status, ""),
            "address_line": address_line,
            "city": place.city,
            "state": place.state,
            "zip_code": zip_code,
            "latitude": place.latitude,
            "longitude": place.longitude,
            "time_zone": place.time_zone,
            "daily_capacity": 30,
            "storage_capacity": 45,
            "delivery_modes": ["walk", "bike"],
            "opening_days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
            "opens_at": datetime.time(8, 0),
            "closes_at": datetime.time(19, 0),
            "agreement_version": AGREEMENT_VERSION,
            "activated_at": None if status == PartnerStatus.ONBOARDING else now,
            **dict.fromkeys(CHECKLIST_FIELDS[:checklist_done], now),
        },
    )
    if created:
        partner_event_record(
            partner=partner,
            actor=None,
            kind=PartnerEventKind.CREATED,
            from_status="",
            detail="Demo data.",
        )
    if status == PartnerStatus.PAUSED and partner.paused_until is None:
        partner.paused_until = local_date(tz_name=partner.time_zone) + datetime.timedelta(days=10)
        partner.save(update_fields=["paused_until"])
    demo_partner_application_ensure(partner)
    return partner


def demo_member_ensure(
    *, partner: Partner, user: User, role: MemberRole, check: BackgroundCheck
) -> PartnerMember:
    member, _ = PartnerMember.objects.get_or_create(
        partner=partner,
        user=user,
        removed_at=None,
        defaults={
            "role": role,
            "background_check": check,
            "background_consent_at": None
            if check == BackgroundCheck.NOT_STARTED
            else timezone.now(),
        },
    )
    return member


def demo_markets_ensure() -> None:
    admin = User.objects.get(email="opsadmin@demo.hub")
    for name, center_zip in DEMO_MARKETS:
        if not Market.objects.filter(name=name).exists():
            recruiting.market_create(
                actor=admin,
                name=name,
                center_zip=center_zip,
                radius_miles=DEFAULT_MARKET_RADIUS_MILES,
            )


def demo_partner_application_ensure(partner: Partner) -> None:
    """The approved application the partner came from, in the market covering its shop."""
    if hasattr(partner, "application"):
        return
    market = market_covering(latitude=partner.latitude, longitude=partner.longitude)
    if market is None:
        raise ValueError(f"no market covers demo partner {partner.trade_name}")
    decided = partner.created
    application = PartnerApplication.objects.create(
        owner=partner.owner, status=ApplicationStatus.APPROVED, partner=partner, market=market,
        legal_name=partner.legal_name, trade_name=partner.trade_name,
        business_type=BusinessType.OTHER, business_type_other="Demo shop",
        address_line=partner.address_line, city=partner.city, state=partner.state,
        zip_code=partner.zip_code, latitude=partner.latitude, longitude=partner.longitude,
        time_zone=partner.time_zone, opening_days=partner.opening_days,
        opens_at=partner.opens_at, closes_at=partner.closes_at, has_secure_storage=True,
        storage_capacity=partner.storage_capacity, delivery_modes=partner.delivery_modes,
        daily_capacity=partner.daily_capacity, terms_accepted=True,
        decision_reason="Demo data.", submitted_at=decided, decided_at=decided,
    )  # fmt: skip
    application_event_record(
        application=application,
        actor=None,
        kind=ApplicationEventKind.TRANSITION,
        from_status=ApplicationStatus.SUBMITTED,
        reason="Demo data.",
    )


def demo_network_events_ensure() -> None:
    """The audit log shows market and target-state changes: Hoboken's radius widened and
    Colorado added then taken out again, by the demo ops admin (once)."""
    if NetworkEvent.objects.exists():
        return
    admin = User.objects.get(email="opsadmin@demo.hub")
    hoboken = Market.objects.get(name="Hoboken")
    recruiting.market_update(
        actor=admin,
        market=hoboken,
        name=hoboken.name,
        center_zip=hoboken.center_zip,
        radius_miles=hoboken.radius_miles + 2,
    )
    colorado = recruiting.target_state_add(actor=admin, code="CO")
    recruiting.target_state_deactivate(actor=admin, target_state=colorado)


def seed() -> None:
    demo_network_events_ensure()  # first: it runs only while no network event exists
    demo_markets_ensure()  # before the partners, who come from applications in them
    for email, name, trade, legal, street, zip_code, status, done in DEMO_PARTNERS:
        owner = demo_user_ensure(email=email, full_name=name, roles=[Role.PARTNER_OWNER])
        partner = demo_partner_ensure(
            owner=owner, trade_name=trade, legal_name=legal, address_line=street,
            zip_code=zip_code, status=status, checklist_done=done,
        )  # fmt: skip
        demo_member_ensure(
            partner=partner, user=owner, role=MemberRole.OWNER, check=BackgroundCheck.CLEAR
        )
    florist = Partner.objects.get(trade_name="Back Bay Blooms")
    staff = User.objects.get(email="staff@demo.hub")
    pending = demo_user_ensure(
        email="staff-pending@demo.hub", full_name="Pat Pending", roles=[Role.PARTNER_STAFF]
    )
    demo_member_ensure(
        partner=florist, user=staff, role=MemberRole.STAFF, check=BackgroundCheck.CLEAR
    )
    demo_member_ensure(
        partner=florist, user=pending, role=MemberRole.STAFF, check=BackgroundCheck.PENDING
    )
    next_week = local_date(tz_name=florist.time_zone) + datetime.timedelta(days=7)
    Closure.objects.get_or_create(
        partner=florist,
        reason="Family wedding",
        defaults={"start_date": next_week, "end_date": next_week + datetime.timedelta(days=1)},
    )
    # with the wedding, 3 of the year's 5 closure days are used
    stocktake = next_week + datetime.timedelta(days=7)
    Closure.objects.get_or_create(
        partner=florist,
        reason="Stocktake",
        defaults={"start_date": stocktake, "end_date": stocktake},
    )
    demo_holidays_ensure(today=local_date(tz_name=florist.time_zone))


def demo_holidays_ensure(*, today: datetime.date) -> None:
    """The federal days, Patriots' Day in Massachusetts and a storm day in Alaska, added by the
    demo ops admin through the calendar's service (so the audit log shows them)."""
    federal_holidays_seed_current()
    ops_admin = User.objects.get(email="opsadmin@demo.hub")
    patriots_day = third_monday_of_april(today.year)
    if patriots_day < today:
        patriots_day = third_monday_of_april(today.year + 1)
    if not HolidayDay.objects.filter(name="Patriots' Day", state="MA").exists():
        holiday_add(
            actor=ops_admin, date=patriots_day, kind=HolidayKind.STATE, name="Patriots' Day",
            reason="Massachusetts state holiday", state="MA",
        )  # fmt: skip
    if not HolidayDay.objects.filter(name="Storm", state="AK", kind=HolidayKind.AD_HOC).exists():
        holiday_add(
            actor=ops_admin, date=today + datetime.timedelta(days=3), kind=HolidayKind.AD_HOC,
            name="Storm", reason="Winter storm warning for Anchorage", state="AK",
        )  # fmt: skip


def third_monday_of_april(year: int) -> datetime.date:
    first = datetime.date(year, 4, 1)
    first_monday = first + datetime.timedelta(days=(7 - first.weekday()) % 7)
    return first_monday + datetime.timedelta(days=14)
