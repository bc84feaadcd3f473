"""Partners by status: the map's points and the table beside it."""

from typing import Any

from django.db.models import (
    Count,
    QuerySet,
)
from django.utils.translation import gettext_lazy as _

from dashboard.selectors.common import DashboardFilters
from dashboard.tables import Column, Table
from partners.models import (
    Partner,
    PartnerStatus,
)

STATUS_COLOURS = {
    PartnerStatus.ONBOARDING: "#2f5d9e",
    PartnerStatus.ACTIVE: "#1f6f43",
    PartnerStatus.PAUSED: "#b35c00",
    PartnerStatus.OFFBOARDED: "#8a1c1c",
}


def _partners_in(filters: DashboardFilters) -> QuerySet[Partner]:
    partners = Partner.objects.order_by()
    if filters.state:
        partners = partners.filter(state=filters.state)
    if filters.market_id:
        partners = partners.filter(application__market_id=filters.market_id)
    return partners


def partners_by_status(filters: DashboardFilters) -> Table:
    """Partners in each status today (the map's legend and accessible table)."""
    counts = dict(_partners_in(filters).values_list("status").annotate(n=Count("pk")))
    rows = [
        {"status": status.label, "partners": counts.get(status.value, 0)}
        for status in PartnerStatus
    ]
    columns = [Column("status", _("Status")), Column("partners", _("Partners"), "int")]
    return Table("partners-by-status", _("Partners by status"), columns, rows)


def partner_map_points(filters: DashboardFilters) -> dict[str, Any]:
    """Every filtered partner's pin, coloured by status (one query)."""
    labels = dict(PartnerStatus.choices)
    points = [
        {"lat": lat, "lng": lng, "name": name, "status": labels.get(status, status),
         "colour": STATUS_COLOURS.get(status, "#555")}
        for lat, lng, name, status in _partners_in(filters)
        .order_by("pk")
        .values_list("latitude", "longitude", "trade_name", "status")
    ]  # fmt: skip
    legend = [{"status": s.label, "colour": STATUS_COLOURS[s]} for s in PartnerStatus]
    return {"points": points, "legend": legend}
