"""Row locks for partner writes, in one place so every service locks in the same order:
partners in ascending pk."""

from collections.abc import Iterable

from partners.models import Partner, PartnerMember


def partner_lock(*, partner_id: int) -> Partner:
    return Partner.objects.select_for_update().get(pk=partner_id)


def partners_lock(*, partner_ids: Iterable[int]) -> None:
    """Lock several partners' rows in ascending pk, so two callers wait rather than deadlock.

    FOR NO KEY UPDATE (PostgreSQL): it still makes a second caller wait, but lets others
    insert rows that point at the partner meanwhile (an insert takes FOR KEY SHARE, which
    plain FOR UPDATE would block)."""
    partners = Partner.objects.select_for_update(no_key=True).filter(pk__in=partner_ids)
    list(partners.order_by("pk"))


def member_lock(*, member_id: int) -> PartnerMember:
    """Lock the member row only (`of=("self",)`: PostgreSQL cannot lock the nullable join)."""
    return (
        PartnerMember.objects.select_for_update(of=("self",))
        .select_related("partner", "user")
        .get(pk=member_id)
    )
