"""Row locks for partner writes, in one place so every service locks in the same order."""

from partners.models import Partner, PartnerMember


def partner_lock(*, partner_id: int) -> Partner:
    return Partner.objects.select_for_update().get(pk=partner_id)


def member_lock(*, member_id: int) -> PartnerMember:
    """Lock the member row only (`of=("self",)`: PostgreSQL cannot lock the nullable join)."""
    return (
        PartnerMember.objects.select_for_update(of=("self",))
        .select_related("partner", "user")
        .get(pk=member_id)
    )
