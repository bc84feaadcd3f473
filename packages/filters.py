"""Query filters of the list endpoints (django-filter)."""

from typing import Any

import django_filters
from django import forms
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

from packages.models import (
    AttemptReason,
    HandoffDirection,
    HandoffStatus,
    IncidentStatus,
    PackageStatus,
)

# Ids are positive 64-bit integers. A bigger number would reach the database: SQLite cannot
# bind it (OverflowError, a 500), and Django's own out-of-range handling skips foreign keys.
ID_MIN, ID_MAX = 1, 2**63 - 1


class IdField(forms.IntegerField):
    """An id in digits, within ID_MIN..ID_MAX. forms.IntegerField also reads `7.0` as 7; an
    API client that sends that has a bug, and the schema says integer."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=ID_MIN, max_value=ID_MAX, **kwargs)

    def to_python(self, value: str | None) -> int | None:
        if value and not value.strip().removeprefix("-").isdigit():
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class IdFilter(django_filters.NumberFilter):
    """An object id (NumberFilter alone takes decimals such as `0.5`)."""

    field_class = IdField


class ManifestFilter(django_filters.FilterSet):
    partner = IdFilter(field_name="partner_id", label="Partner id")
    service_date = django_filters.DateFilter(label="Service date (YYYY-MM-DD)")
    external_id = django_filters.CharFilter(label="The DSP's manifest id")


class PackageFilter(django_filters.FilterSet):
    partner = IdFilter(field_name="partner_id", label="Partner id")
    service_date = django_filters.DateFilter(label="Service date (YYYY-MM-DD)")
    status = django_filters.ChoiceFilter(choices=PackageStatus.choices, label="Package status")
    manifest = IdFilter(field_name="manifest_id", label="Manifest id")


class HandoffFilter(django_filters.FilterSet):
    partner = IdFilter(field_name="partner_id", label="Partner id")
    service_date = django_filters.DateFilter(label="Service date (YYYY-MM-DD)")
    direction = django_filters.ChoiceFilter(choices=HandoffDirection.choices, label="Direction")
    status = django_filters.ChoiceFilter(choices=HandoffStatus.choices, label="Handoff status")


class IncidentFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=IncidentStatus.choices, label="Incident status")
    reason = django_filters.ChoiceFilter(choices=AttemptReason.choices, label="Attempt reason")
    partner = IdFilter(field_name="package__partner_id", label="Partner id")


def filter_queryset(filterset_class, request: Request, queryset):  # type: ignore[no-untyped-def]
    """Apply the filters or answer 400 naming each bad parameter. A parameter sent empty
    (`?service_date=`) is refused rather than ignored: django-filter would drop it and answer
    with everything, which a client that lost its value would take for the filtered list."""
    blank = [
        name
        for name in filterset_class.base_filters
        if name in request.query_params and not request.query_params[name].strip()
    ]
    if blank:
        raise ValidationError(
            {name: [_("Give a value or leave the parameter out.")] for name in blank}
        )
    filterset = filterset_class(request.query_params, queryset=queryset, request=request)
    if not filterset.is_valid():
        raise ValidationError(filterset.errors)
    return filterset.qs
