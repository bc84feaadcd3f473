"""OpenAPI (drf-spectacular) descriptions the generator cannot infer by itself."""

import django_filters
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from packages.filters import IdFilter


class DspTokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "packages.authentication.DspTokenAuthentication"
    name = "dspToken"

    def get_security_definition(self, auto_schema):  # type: ignore[no-untyped-def]
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A DSP system's API token, issued by ops admins.",
        }


FILTER_TYPES = {
    IdFilter: OpenApiTypes.INT,
    django_filters.DateFilter: OpenApiTypes.DATE,
}
# A free-text filter: filter_queryset refuses it sent empty.
NON_EMPTY_STRING = {"type": "string", "minLength": 1}


def filter_parameters(filterset_class: type[django_filters.FilterSet]) -> list[OpenApiParameter]:
    """Query parameters of a FilterSet, for extend_schema on a plain APIView."""
    parameters = []
    for name, field in filterset_class.base_filters.items():
        choices = getattr(field, "extra", {}).get("choices")
        text_type = OpenApiTypes.STR if choices else NON_EMPTY_STRING
        parameters.append(
            OpenApiParameter(
                name,
                FILTER_TYPES.get(type(field), text_type),
                enum=[value for value, _ in choices] if choices else None,
                description=field.label or "",
            )
        )
    return parameters
