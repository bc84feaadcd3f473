"""Demo partners: the demo owner runs an active Boston florist with one staff member."""

from accounts.models import User
from partners.models import BackgroundCheck, MemberRole, Partner, PartnerMember, PartnerStatus
from partners.zipdata import zip_lookup


def demo_partner_ensure(
    *,
    owner: User,
    trade_name: str,
    legal_name: str,
    address_line: str,
    zip_code: str,
    status: PartnerStatus,
) -> Partner:
    place = zip_lookup(zip_code)
    assert place is not None, zip_code
    partner, _ = Partner.objects.get_or_create(
        owner=owner,
        trade_name=trade_name,
        defaults={
            "legal_name": legal_name,
            "status": status,
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
        },
    )
    return partner


def demo_member_ensure(*, partner: Partner, user: User, role: MemberRole) -> PartnerMember:
    member, _ = PartnerMember.objects.get_or_create(
        partner=partner,
        user=user,
        removed_at=None,
        defaults={"role": role, "background_check": BackgroundCheck.CLEAR},
    )
    return member


def seed() -> None:
    owner = User.objects.get(email="owner@demo.hub")
    staff = User.objects.get(email="staff@demo.hub")
    florist = demo_partner_ensure(
        owner=owner,
        trade_name="Back Bay Blooms",
        legal_name="Back Bay Blooms LLC",
        address_line="210 Newbury St",
        zip_code="02116",
        status=PartnerStatus.ACTIVE,
    )
    demo_member_ensure(partner=florist, user=owner, role=MemberRole.OWNER)
    demo_member_ensure(partner=florist, user=staff, role=MemberRole.STAFF)
