"""Query filters of the list endpoints (django-filter)."""

import django_filters
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

from packages.models import (
    AttemptReason,
    HandoffDirection,
    HandoffStatus,
    IncidentStatus,
    PackageStatus,
)


class ManifestFilter(django_filters.FilterSet):
    partner = django_filters.NumberFilter(field_name="partner_id", label="Partner id")
    service_date = django_filters.DateFilter(label="Service date (YYYY-MM-DD)")
    external_id = django_filters.CharFilter(label="The DSP's manifest id")


class PackageFilter(django_filters.FilterSet):
    partner = django_filters.NumberFilter(field_name="partner_id", label="Partner id")
    service_date = django_filters.DateFilter(label="Service date (YYYY-MM-DD)")
    status = django_filters.ChoiceFilter(choices=PackageStatus.choices, label="Package status")
    manifest = django_filters.NumberFilter(field_name="manifest_id", label="Manifest id")


class HandoffFilter(django_filters.FilterSet):
    partner = django_filters.NumberFilter(field_name="partner_id", label="Partner id")
    service_date = django_filters.DateFilter(label="Service date (YYYY-MM-DD)")
    direction = django_filters.ChoiceFilter(choices=HandoffDirection.choices, label="Direction")
    status = django_filters.ChoiceFilter(choices=HandoffStatus.choices, label="Handoff status")


class IncidentFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=IncidentStatus.choices, label="Incident status")
    reason = django_filters.ChoiceFilter(choices=AttemptReason.choices, label="Attempt reason")
    partner = django_filters.NumberFilter(field_name="package__partner_id", label="Partner id")


def filter_queryset(filterset_class, request: Request, queryset):  # type: ignore[no-untyped-def]
    """Apply the filters or answer 400 naming each bad parameter."""
    filterset = filterset_class(request.query_params, queryset=queryset, request=request)
    if not filterset.is_valid():
        raise ValidationError(filterset.errors)
    return filterset.qs
