"""OpenAPI (drf-spectacular) descriptions the generator cannot infer by itself, shared by the
API modules. This module sits below packages.apis: a description of one API's own serializer
lives beside that serializer (ManifestCreateErrorScheme in packages/apis/manifests.py)."""

import django_filters
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from packages.filters import ID_MAX, ID_MIN, IdFilter


class DspTokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "packages.authentication.DspTokenAuthentication"
    name = "dspToken"

    def get_security_definition(self, auto_schema):  # type: ignore[no-untyped-def]
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A DSP system's API token, issued by ops admins.",
        }


# DRF's own 400 body: each bad field with its messages (a list field's by position), or
# `{"detail": "..."}` when the body is not JSON at all.
DRF_BAD_REQUEST = {
    "type": "object",
    "additionalProperties": {
        "anyOf": [
            {"type": "array", "items": {"type": "string"}},
            {"type": "object"},
            {"type": "string"},
        ]
    },
}


FILTER_TYPES = {
    IdFilter: {"type": "integer", "minimum": ID_MIN, "maximum": ID_MAX},
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


def document_unsupported_media_type(result, generator, request, public):  # type: ignore[no-untyped-def]
    """drf-spectacular post-processing hook: every operation that takes a body answers 415
    (DRF's `{"detail": ...}`) to a body in a media type it does not parse."""
    for methods in result.get("paths", {}).values():
        for operation in methods.values():
            if "requestBody" in operation:
                operation["responses"].setdefault(
                    "415",
                    {"description": "The body's media type is not one this operation reads."},
                )
    return result
