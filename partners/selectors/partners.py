from django.db.models import Count, QuerySet

from accounts.models import User
from partners.models import Partner, PartnerMember


def membership_get_for_user(*, user: User) -> PartnerMember | None:
    """The user's current membership with its partner, or None."""
    return (
        PartnerMember.objects.select_related("partner")
        .filter(user=user, removed_at__isnull=True)
        .first()
    )


def partner_members(*, partner: Partner) -> QuerySet[PartnerMember]:
    return partner.members.filter(removed_at__isnull=True).select_related("user")


def partner_counts_by_status() -> dict[str, int]:
    rows = Partner.objects.values("status").annotate(n=Count("id")).order_by()
    return {row["status"]: row["n"] for row in rows}
