"""Shared API plumbing: authentication, scope, pagination, the shared output shapes."""

from typing import Any

from django.db.models import QuerySet
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from packages import selectors, services
from packages.authentication import DspTokenAuthentication, PersonTokenAuthentication
from packages.models import DspApiToken, PackageEvent
from packages.selectors import Viewer

# ------------------------------------------------------------------------------
# Shared plumbing
# ------------------------------------------------------------------------------
ERROR_RESPONSES = {
    400: OpenApiResponse(description="Bad input; the body names each bad field."),
    401: OpenApiResponse(description="No credentials, or a wrong or revoked token."),
    403: OpenApiResponse(description="Your role or token may not do this."),
    404: OpenApiResponse(description="Not found, or not yours."),
    409: OpenApiResponse(description="A domain rule forbids the change; `detail` says which."),
}


class PagePagination(PageNumberPagination):
    """DRF's page numbers, except that `?page=` sent empty is refused rather than read as 1."""

    def get_page_number(self, request, paginator):  # type: ignore[no-untyped-def]
        if request.query_params.get(self.page_query_param) == "":
            raise ValidationError({"page": [_("Give a page number, or leave `page` out.")]})
        return super().get_page_number(request, paginator)


class PackagesApi(APIView):
    """Base: DSP tokens (Bearer), user tokens (never an ops account's) and sessions;
    pagination for lists; the viewer's scope; a service's 'not your package' refusal as 403."""

    authentication_classes = [
        DspTokenAuthentication,
        PersonTokenAuthentication,
        SessionAuthentication,
    ]
    pagination_class = PagePagination

    @cached_property
    def viewer(self) -> Viewer:
        if isinstance(self.request.auth, DspApiToken):
            return selectors.viewer_for(token=self.request.auth)
        return selectors.viewer_for(user=self.request.user)

    def scope_require(self) -> Viewer:
        """Anyone who belongs to ops, a partner or a DSP; others (applicants) get 403."""
        viewer = self.viewer
        if not (viewer.is_ops or viewer.partner_id or viewer.dsp_id):
            raise PermissionDenied(_("Your role has no packages or handoffs."))
        return viewer

    def person_require(self) -> Viewer:
        """Changes to packages are made by people (drivers, partners, ops), not DSP systems."""
        viewer = self.scope_require()
        if viewer.is_dsp_system:
            raise PermissionDenied("DSP system tokens send manifests; people record scans.")
        return viewer

    def paginated(self, queryset: QuerySet, serializer_class: type, **context: Any) -> Response:
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(queryset, self.request, view=self)
        data = serializer_class(page, many=True, context={"viewer": self.viewer, **context}).data
        return paginator.get_paginated_response(data)

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, services.ActorNotAllowed):
            exc = PermissionDenied(str(exc))
        return super().handle_exception(exc)


class PackageOutputSerializer(serializers.Serializer):
    """A package. Recipient name, street address and exact coordinates appear only for ops
    and the partner the package is assigned to."""

    PERSONAL_FIELDS = ("recipient_name", "address_line", "latitude", "longitude")

    tracking_id = serializers.CharField()
    status = serializers.CharField()
    service_date = serializers.DateField()
    dsp = serializers.IntegerField(source="dsp_id")
    partner = serializers.IntegerField(source="partner_id", allow_null=True)
    manifest = serializers.IntegerField(source="manifest_id")
    size = serializers.CharField()
    city = serializers.CharField()
    zip_code = serializers.CharField()
    route_sequence = serializers.IntegerField(allow_null=True)
    status_changed_at = serializers.DateTimeField(allow_null=True)
    recipient_name = serializers.CharField(required=False)
    address_line = serializers.CharField(required=False)
    latitude = serializers.FloatField(required=False)
    longitude = serializers.FloatField(required=False)

    class Meta:
        ref_name = "Package"

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not self.context["viewer"].sees_recipient(instance):
            for field in self.PERSONAL_FIELDS:
                data.pop(field, None)
        return data


class EventOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    event_type = serializers.CharField()
    tracking_id = serializers.CharField()
    handoff = serializers.IntegerField(source="handoff_id", allow_null=True)
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    device_time = serializers.DateTimeField(allow_null=True)
    received_at = serializers.DateTimeField()
    idempotency_key = serializers.CharField()
    replayed = serializers.BooleanField(
        help_text="True when this answers a retried request with the first result."
    )

    class Meta:
        ref_name = "PackageEvent"


def event_response(event: PackageEvent) -> Response:
    """201 for a new event, 200 when a retry is answered with the first result."""
    code = status.HTTP_200_OK if event.replayed else status.HTTP_201_CREATED
    return Response(EventOutputSerializer(event).data, status=code)
