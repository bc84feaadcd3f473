"""Reads for pages and the API. Every queryset is scoped to the viewer here, once, so a view
cannot forget it: another tenant's object is simply not found (404).

Who sees what:
- ops: everything;
- a partner member: its partner's packages, handoffs and incidents;
- a DSP driver: its DSP's packages and handoffs;
- a DSP system token: its DSP's manifests, packages and handoffs.
Recipient names and addresses: ops and the package's partner only (`Viewer.sees_recipient`).
"""

import datetime
from dataclasses import dataclass

from django.db.models import F, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import User
from packages.models import (
    Driver,
    DspApiToken,
    Handoff,
    HandoffItem,
    Incident,
    Manifest,
    ManifestUpload,
    Package,
    PackageEvent,
)
from partners.selectors.partners import membership_get_for_user


@dataclass(frozen=True)
class Viewer:
    """Who is reading, reduced to what scoping needs. Built once per request."""

    user: User | None = None
    token: DspApiToken | None = None
    is_ops: bool = False
    partner_id: int | None = None
    dsp_id: int | None = None

    @property
    def is_dsp_system(self) -> bool:
        return self.token is not None

    @property
    def is_driver(self) -> bool:
        return self.token is None and self.dsp_id is not None

    def sees_recipient(self, package: Package) -> bool:
        return self.is_ops or (
            self.partner_id is not None and package.partner_id == self.partner_id
        )


def viewer_for(*, user: User | None = None, token: DspApiToken | None = None) -> Viewer:
    if token is not None:
        return Viewer(token=token, dsp_id=token.dsp_id)
    assert user is not None
    if user.is_ops:
        return Viewer(user=user, is_ops=True)
    membership = membership_get_for_user(user=user)
    driver = Driver.objects.filter(user=user).only("dsp_id").first()
    return Viewer(
        user=user,
        partner_id=membership.partner_id if membership else None,
        dsp_id=driver.dsp_id if driver else None,
    )


def driver_get_for_user(*, user: User) -> Driver | None:
    return Driver.objects.select_related("dsp", "home_station").filter(user=user).first()


def _scoped(queryset: QuerySet, viewer: Viewer, *, partner: str, dsp: str | None) -> QuerySet:
    if viewer.is_ops:
        return queryset
    if viewer.partner_id is not None:
        return queryset.filter(**{partner: viewer.partner_id})
    if viewer.dsp_id is not None and dsp is not None:
        return queryset.filter(**{dsp: viewer.dsp_id})
    return queryset.none()


# ------------------------------------------------------------------------------
# Manifests: ops and the DSP's systems
# ------------------------------------------------------------------------------
def manifest_qs_for(*, viewer: Viewer) -> QuerySet[Manifest]:
    queryset = Manifest.objects.select_related("dsp", "partner")
    if viewer.is_ops:
        return queryset
    if viewer.is_dsp_system:
        return queryset.filter(dsp_id=viewer.dsp_id)
    return queryset.none()


# ------------------------------------------------------------------------------
# Packages
# ------------------------------------------------------------------------------
# Route order within a day; packages routing has not ordered yet come last, by address (the
# explicit nulls_last keeps SQLite and PostgreSQL in the same order).
PACKAGE_ROUTE_ORDER = (
    "service_date",
    F("route_sequence").asc(nulls_last=True),
    "address_line",
    "id",
)


def package_qs_for(*, viewer: Viewer) -> QuerySet[Package]:
    packages = Package.objects.select_related("partner", "dsp").order_by(*PACKAGE_ROUTE_ORDER)
    return _scoped(packages, viewer, partner="partner_id", dsp="dsp_id")


def package_get_for(*, viewer: Viewer, tracking_id: str) -> Package | None:
    return package_qs_for(viewer=viewer).filter(tracking_id=tracking_id).first()


def package_list_for_partner_day(*, partner_id: int, service_date: datetime.date):
    """The partner's packages for a day in route order (routing writes `route_sequence`;
    until then, address order)."""
    return (
        Package.objects.filter(partner_id=partner_id, service_date=service_date)
        .select_related("partner", "dsp")
        .order_by(*PACKAGE_ROUTE_ORDER)
    )


def package_events(*, package: Package) -> QuerySet[PackageEvent]:
    return package.events.select_related("actor").order_by("received_at", "id")


# ------------------------------------------------------------------------------
# Handoffs
# ------------------------------------------------------------------------------
def handoff_qs_for(*, viewer: Viewer) -> QuerySet[Handoff]:
    return _scoped(
        Handoff.objects.select_related("partner", "dsp", "driver__user"),
        viewer,
        partner="partner_id",
        dsp="dsp_id",
    )


def handoff_items(*, handoff: Handoff) -> QuerySet[HandoffItem]:
    return handoff.items.select_related("package").order_by("scanned_at", "id")


# ------------------------------------------------------------------------------
# Incidents: ops, and the partner whose package it is
# ------------------------------------------------------------------------------
def incident_qs_for(*, viewer: Viewer) -> QuerySet[Incident]:
    return _scoped(
        Incident.objects.select_related("package__partner", "resolved_by"),
        viewer,
        partner="package__partner_id",
        dsp=None,
    )


# ------------------------------------------------------------------------------
# CSV uploads: ops only (the views check the role)
# ------------------------------------------------------------------------------
def manifest_upload_get_for_ops(*, upload_id: int) -> ManifestUpload:
    return get_object_or_404(
        ManifestUpload.objects.select_related("dsp", "partner", "manifest", "uploaded_by"),
        pk=upload_id,
    )
