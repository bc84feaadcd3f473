"""Every row lock the package services take, in one place (like Saleor's lock_objects.py).

Lock order, to keep concurrent transactions from deadlocking: partners first (a sync batch
takes every partner it touches, handoff_confirm its handoff's partner; partners.lock_objects.
partners_lock), then a handoff, then its packages in ascending pk. Call inside
`transaction.atomic()`.
"""

from django.db.models import QuerySet

from packages.models import Handoff, Incident, Package


def handoff_qs_select_for_update() -> QuerySet[Handoff]:
    return Handoff.objects.select_for_update(of=("self",)).order_by("pk")


def package_qs_select_for_update() -> QuerySet[Package]:
    return Package.objects.select_for_update(of=("self",)).order_by("pk")


def incident_qs_select_for_update() -> QuerySet[Incident]:
    return Incident.objects.select_for_update(of=("self",)).order_by("pk")


def package_lock(*, package_id: int) -> Package:
    return package_qs_select_for_update().select_related("partner").get(pk=package_id)


def incident_lock(*, incident_id: int) -> Incident:
    return incident_qs_select_for_update().select_related("package").get(pk=incident_id)
