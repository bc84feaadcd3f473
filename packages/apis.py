"""REST API v1 for DSP systems, drivers' and partners' devices, and ops.

One APIView per operation, except where the issue fixes one URL for a list and a create
(`/manifests`, `/handoffs`): DRF routes by URL, so those two share a class, each method with
its own serializers. Every view reads through the scoped selectors and writes through the
same services the pages use.
"""

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.functional import cached_property
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.exceptions import PermissionDenied
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from hubdelivery.lib.dates import local_date
from packages import selectors, services
from packages.authentication import DspTokenAuthentication
from packages.filters import (
    HandoffFilter,
    IncidentFilter,
    ManifestFilter,
    PackageFilter,
    filter_queryset,
)
from packages.models import (
    AttemptReason,
    Dsp,
    DspApiToken,
    HandoffDirection,
    IncidentResolution,
    PackageEvent,
    PackageEventType,
    PackageSize,
)
from packages.schema import filter_parameters
from packages.selectors import Viewer
from packages.services.manifests import MAX_MANIFEST_ROWS, ManifestRejected
from partners.models import Partner

# ------------------------------------------------------------------------------
# Shared plumbing
# ------------------------------------------------------------------------------
ERROR_RESPONSES = {
    400: OpenApiResponse(description="Bad input; the body names each bad field."),
    403: OpenApiResponse(description="Your role or token may not do this."),
    404: OpenApiResponse(description="Not found, or not yours."),
    409: OpenApiResponse(description="A domain rule forbids the change; `detail` says which."),
}


class PackagesApi(APIView):
    """Base: DSP tokens (Bearer), user tokens and sessions; pagination for lists; the
    viewer's scope; a service's 'not your package' refusal as 403."""

    authentication_classes = [DspTokenAuthentication, TokenAuthentication, SessionAuthentication]
    pagination_class = PageNumberPagination

    @cached_property
    def viewer(self) -> Viewer:
        if isinstance(self.request.auth, DspApiToken):
            return selectors.viewer_for(token=self.request.auth)
        return selectors.viewer_for(user=self.request.user)

    def scope_require(self) -> Viewer:
        """Anyone who belongs to ops, a partner or a DSP; others (applicants) get 403."""
        viewer = self.viewer
        if not (viewer.is_ops or viewer.partner_id or viewer.dsp_id):
            raise PermissionDenied("Your role has no packages or handoffs.")
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
    partner = serializers.IntegerField(source="partner_id")
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


# ------------------------------------------------------------------------------
# Manifests
# ------------------------------------------------------------------------------
class ManifestOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    external_id = serializers.CharField()
    dsp = serializers.IntegerField(source="dsp_id")
    dsp_name = serializers.CharField(source="dsp.name")
    partner = serializers.IntegerField(source="partner_id")
    partner_name = serializers.CharField(source="partner.trade_name")
    service_date = serializers.DateField()
    source = serializers.CharField()
    package_count = serializers.IntegerField()
    created = serializers.DateTimeField()

    class Meta:
        ref_name = "Manifest"


class ManifestRowSerializer(serializers.Serializer):
    """The shape of one package in a manifest (documentation; rows are validated in bulk)."""

    tracking_id = serializers.CharField(max_length=40)
    recipient_name = serializers.CharField(max_length=150)
    address_line = serializers.CharField(max_length=200)
    city = serializers.CharField(max_length=100, required=False, help_text="Default: the ZIP's.")
    zip_code = serializers.CharField(min_length=5, max_length=5, help_text="A string: '02116'.")
    latitude = serializers.FloatField(required=False, help_text="Default: the ZIP's centroid.")
    longitude = serializers.FloatField(required=False)
    size = serializers.ChoiceField(choices=PackageSize.choices, required=False)

    class Meta:
        ref_name = "ManifestRow"


@extend_schema_field(ManifestRowSerializer)
class ManifestRowField(serializers.JSONField):
    """A row passed through as given; manifest_rows_validate checks all rows at once."""


class RowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="1-based position in `packages`; 0: the manifest.")
    field = serializers.CharField()
    message = serializers.CharField()

    class Meta:
        ref_name = "ManifestRowError"


class ManifestRejectedSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = RowErrorSerializer(many=True)

    class Meta:
        ref_name = "ManifestRejected"


class ManifestListCreateApi(PackagesApi):
    """GET: the manifests a DSP system (its own) or ops may see. POST: ingest a manifest."""

    class InputSerializer(serializers.Serializer):
        external_id = serializers.CharField(max_length=100)
        partner = serializers.PrimaryKeyRelatedField(
            queryset=Partner.objects.all(),
            error_messages={"does_not_exist": "No partner with id {pk_value}."},
        )
        service_date = serializers.DateField()
        dsp = serializers.PrimaryKeyRelatedField(
            queryset=Dsp.objects.all(),
            required=False,
            help_text="Ops only; a DSP token always sends for its own DSP.",
        )
        packages = serializers.ListField(
            child=ManifestRowField(), allow_empty=False, max_length=MAX_MANIFEST_ROWS
        )

        class Meta:
            ref_name = "ManifestCreateInput"

    def _manifest_reader_require(self) -> Viewer:
        viewer = self.viewer
        if not (viewer.is_ops or viewer.is_dsp_system):
            raise PermissionDenied("Manifests are for DSP systems and ops.")
        return viewer

    @extend_schema(
        operation_id="manifests_list",
        parameters=filter_parameters(ManifestFilter),
        responses={200: ManifestOutputSerializer(many=True), **ERROR_RESPONSES},
    )
    def get(self, request: Request) -> Response:
        viewer = self._manifest_reader_require()
        queryset = filter_queryset(
            ManifestFilter, request, selectors.manifest_qs_for(viewer=viewer)
        )
        return self.paginated(queryset, ManifestOutputSerializer)

    @extend_schema(
        operation_id="manifests_create",
        request=InputSerializer,
        responses={
            201: ManifestOutputSerializer,
            200: OpenApiResponse(ManifestOutputSerializer, "Already received: the first result."),
            400: ManifestRejectedSerializer,
            **{code: ERROR_RESPONSES[code] for code in (403, 409)},
        },
    )
    def post(self, request: Request) -> Response:
        viewer = self._manifest_reader_require()
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if viewer.is_dsp_system:
            dsp, token, user = viewer.token.dsp, viewer.token, None
        elif "dsp" in data:
            dsp, token, user = data["dsp"], None, request.user
        else:
            raise serializers.ValidationError({"dsp": ["Ops must say which DSP sends it."]})
        try:
            manifest, created = services.manifest_ingest(
                dsp=dsp,
                partner=data["partner"],
                service_date=data["service_date"],
                external_id=data["external_id"],
                rows=data["packages"],
                source="api",
                created_by=user,
                created_by_token=token,
            )
        except ManifestRejected as rejected:
            body = {"detail": str(rejected), "errors": rejected.as_dicts()}
            return Response(body, status=status.HTTP_400_BAD_REQUEST)
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(ManifestOutputSerializer(manifest).data, status=code)


class ManifestDetailApi(PackagesApi):
    @extend_schema(
        operation_id="manifests_retrieve",
        responses={200: ManifestOutputSerializer, **ERROR_RESPONSES},
    )
    def get(self, request: Request, pk: int) -> Response:
        manifest = get_object_or_404(selectors.manifest_qs_for(viewer=self.viewer), pk=pk)
        return Response(ManifestOutputSerializer(manifest).data)


# ------------------------------------------------------------------------------
# Packages and their events
# ------------------------------------------------------------------------------
TRACKING_ID_PARAMETER = OpenApiParameter(
    "tracking_id", OpenApiTypes.STR, OpenApiParameter.PATH, description="The package's label."
)


class PackageListApi(PackagesApi):
    """Packages in the viewer's scope; `?partner=&service_date=` gives a partner's day."""

    @extend_schema(
        operation_id="packages_list",
        parameters=filter_parameters(PackageFilter),
        responses={200: PackageOutputSerializer(many=True), **ERROR_RESPONSES},
    )
    def get(self, request: Request) -> Response:
        viewer = self.scope_require()
        queryset = filter_queryset(PackageFilter, request, selectors.package_qs_for(viewer=viewer))
        return self.paginated(queryset, PackageOutputSerializer)


class PackageDetailApi(PackagesApi):
    @extend_schema(
        operation_id="packages_retrieve",
        parameters=[TRACKING_ID_PARAMETER],
        responses={200: PackageOutputSerializer, **ERROR_RESPONSES},
    )
    def get(self, request: Request, tracking_id: str) -> Response:
        viewer = self.scope_require()
        package = get_object_or_404(
            selectors.package_qs_for(viewer=viewer), tracking_id=tracking_id
        )
        return Response(PackageOutputSerializer(package, context={"viewer": viewer}).data)


class PackageEventListApi(PackagesApi):
    """The package's custody timeline: device time beside server receipt time."""

    @extend_schema(
        operation_id="packages_events_list",
        parameters=[TRACKING_ID_PARAMETER],
        responses={200: EventOutputSerializer(many=True), **ERROR_RESPONSES},
    )
    def get(self, request: Request, tracking_id: str) -> Response:
        viewer = self.scope_require()
        package = get_object_or_404(
            selectors.package_qs_for(viewer=viewer), tracking_id=tracking_id
        )
        return self.paginated(selectors.package_events(package=package), EventOutputSerializer)


HANDOFF_EVENT_SERVICES = {
    PackageEventType.RECEIVED: services.package_receive,
    PackageEventType.DAMAGED: services.package_mark_damaged,
    PackageEventType.MISSING: services.package_mark_missing,
    PackageEventType.RETURNED: services.package_return_to_dsp,
}
PACKAGE_EVENT_SERVICES = {
    PackageEventType.DELIVERY_STARTED: services.delivery_start,
    PackageEventType.DELIVERED: services.package_deliver,
    PackageEventType.ATTEMPTED: services.package_attempt,
    PackageEventType.DELIVERY_UNDONE: services.package_delivery_undo,
}


class PackageEventCreateApi(PackagesApi):
    """Record a scan or a status change. Send a fresh `idempotency_key` per action and the
    same key on every retry: a retry answers 200 with the first result and changes nothing."""

    class InputSerializer(serializers.Serializer):
        tracking_id = serializers.CharField(max_length=40)
        event_type = serializers.ChoiceField(
            choices=[(t.value, t.label) for t in (*HANDOFF_EVENT_SERVICES, *PACKAGE_EVENT_SERVICES)]
        )
        idempotency_key = serializers.CharField(max_length=100)
        device_time = serializers.DateTimeField(help_text="When the device recorded it.")
        handoff = serializers.IntegerField(
            required=False, help_text="Required for received, damaged, missing and returned."
        )
        reason = serializers.ChoiceField(choices=AttemptReason.choices, required=False)
        note = serializers.CharField(max_length=300, required=False, allow_blank=True)
        recipient_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
        safe_place_note = serializers.CharField(max_length=300, required=False, allow_blank=True)
        photo = serializers.ImageField(required=False)
        latitude = serializers.FloatField(required=False, min_value=-90, max_value=90)
        longitude = serializers.FloatField(required=False, min_value=-180, max_value=180)

        class Meta:
            ref_name = "PackageEventCreateInput"

        def validate(self, data: dict[str, Any]) -> dict[str, Any]:
            event_type = data["event_type"]
            if event_type in HANDOFF_EVENT_SERVICES and "handoff" not in data:
                raise serializers.ValidationError({"handoff": [f"Required for {event_type}."]})
            if event_type == PackageEventType.ATTEMPTED and "reason" not in data:
                raise serializers.ValidationError({"reason": ["Say why it was not delivered."]})
            proof = data.get("photo") or data.get("recipient_name") or data.get("safe_place_note")
            if event_type == PackageEventType.DELIVERED and not proof:
                raise serializers.ValidationError(
                    {"recipient_name": ["Give a photo, recipient_name or safe_place_note."]}
                )
            return data

    @extend_schema(
        operation_id="package_events_create",
        request={
            "application/json": InputSerializer,
            "multipart/form-data": InputSerializer,
        },
        responses={
            201: EventOutputSerializer,
            200: OpenApiResponse(EventOutputSerializer, "A retry: the first result."),
            **ERROR_RESPONSES,
        },
    )
    def post(self, request: Request) -> Response:
        viewer = self.person_require()
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        event_type = data["event_type"]
        common = {
            "actor": request.user,
            "idempotency_key": data["idempotency_key"],
            "device_time": data["device_time"],
        }
        if event_type in HANDOFF_EVENT_SERVICES:
            handoff = get_object_or_404(selectors.handoff_qs_for(viewer=viewer), pk=data["handoff"])
            extra = _handoff_event_kwargs(event_type, data)
            event = HANDOFF_EVENT_SERVICES[event_type](
                handoff=handoff, tracking_id=data["tracking_id"], **common, **extra
            )
        else:
            package = get_object_or_404(
                selectors.package_qs_for(viewer=viewer), tracking_id=data["tracking_id"]
            )
            extra = _package_event_kwargs(event_type, data)
            event = PACKAGE_EVENT_SERVICES[event_type](package=package, **common, **extra)
        return event_response(event)


def _place(data: dict[str, Any]) -> dict[str, Any]:
    return {"latitude": data.get("latitude"), "longitude": data.get("longitude")}


def _handoff_event_kwargs(event_type: str, data: dict[str, Any]) -> dict[str, Any]:
    if event_type == PackageEventType.RECEIVED:
        return _place(data)
    if event_type == PackageEventType.DAMAGED:
        return {"note": data.get("note", "")}
    return {}


def _package_event_kwargs(event_type: str, data: dict[str, Any]) -> dict[str, Any]:
    if event_type == PackageEventType.DELIVERED:
        return {
            "recipient_name": data.get("recipient_name", ""),
            "safe_place_note": data.get("safe_place_note", ""),
            "photo": data.get("photo"),
            **_place(data),
        }
    if event_type == PackageEventType.ATTEMPTED:
        return {"reason": data["reason"], "note": data.get("note", ""), **_place(data)}
    return {}


# ------------------------------------------------------------------------------
# Handoffs
# ------------------------------------------------------------------------------
class HandoffOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    direction = serializers.CharField()
    status = serializers.CharField()
    service_date = serializers.DateField()
    partner = serializers.IntegerField(source="partner_id")
    partner_name = serializers.CharField(source="partner.trade_name")
    dsp = serializers.IntegerField(source="dsp_id")
    dsp_name = serializers.CharField(source="dsp.name")
    driver = serializers.CharField(source="driver.user", allow_null=True, default=None)
    opened_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)
    driver_confirmed_at = serializers.DateTimeField(allow_null=True)
    partner_confirmed_at = serializers.DateTimeField(allow_null=True)
    expected = serializers.IntegerField()
    received = serializers.IntegerField()
    missing = serializers.IntegerField()
    damaged = serializers.IntegerField()
    unexpected = serializers.IntegerField()

    class Meta:
        ref_name = "Handoff"


class HandoffListOpenApi(PackagesApi):
    """GET: handoffs in the viewer's scope. POST: open a handoff (or get the open one)."""

    class InputSerializer(serializers.Serializer):
        partner = serializers.PrimaryKeyRelatedField(
            queryset=Partner.objects.all(),
            required=False,
            help_text="Drivers name the partner; a partner's members may leave it out.",
            error_messages={"does_not_exist": "No partner with id {pk_value}."},
        )
        dsp = serializers.PrimaryKeyRelatedField(
            queryset=Dsp.objects.all(),
            required=False,
            help_text="Partners name the DSP; a driver's own DSP is the default.",
        )
        direction = serializers.ChoiceField(choices=HandoffDirection.choices)
        service_date = serializers.DateField(
            required=False, help_text="Default: today in the partner's time zone."
        )
        idempotency_key = serializers.CharField(max_length=100)
        device_time = serializers.DateTimeField(required=False)

        class Meta:
            ref_name = "HandoffOpenInput"

    @extend_schema(
        operation_id="handoffs_list",
        parameters=filter_parameters(HandoffFilter),
        responses={200: HandoffOutputSerializer(many=True), **ERROR_RESPONSES},
    )
    def get(self, request: Request) -> Response:
        viewer = self.scope_require()
        queryset = filter_queryset(HandoffFilter, request, selectors.handoff_qs_for(viewer=viewer))
        return self.paginated(queryset, HandoffOutputSerializer)

    @extend_schema(
        operation_id="handoffs_open",
        request=InputSerializer,
        responses={201: EventOutputSerializer, 200: EventOutputSerializer, **ERROR_RESPONSES},
    )
    def post(self, request: Request) -> Response:
        viewer = self.person_require()
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        partner = data.get("partner") or _own_partner(viewer)
        dsp = data.get("dsp") or (viewer.is_driver and Dsp.objects.get(pk=viewer.dsp_id))
        if not dsp:
            raise serializers.ValidationError({"dsp": ["Say which DSP hands the packages over."]})
        event = services.handoff_open(
            actor=request.user,
            partner=partner,
            dsp=dsp,
            direction=data["direction"],
            service_date=data.get("service_date") or local_date(tz_name=partner.time_zone),
            idempotency_key=data["idempotency_key"],
            device_time=data.get("device_time"),
        )
        return event_response(event)


def _own_partner(viewer: Viewer) -> Partner:
    if viewer.partner_id is None:
        raise serializers.ValidationError({"partner": ["Say which partner receives them."]})
    return Partner.objects.get(pk=viewer.partner_id)


class HandoffDetailApi(PackagesApi):
    class OutputSerializer(HandoffOutputSerializer):
        class ItemSerializer(serializers.Serializer):
            tracking_id = serializers.CharField()
            outcome = serializers.CharField()
            scanned_at = serializers.DateTimeField()
            package_status = serializers.CharField(source="package.status", default=None)

            class Meta:
                ref_name = "HandoffItem"

        items = ItemSerializer(many=True, source="item_list")

        class Meta:
            ref_name = "HandoffDetail"

    @extend_schema(
        operation_id="handoffs_retrieve",
        responses={200: OutputSerializer, **ERROR_RESPONSES},
    )
    def get(self, request: Request, pk: int) -> Response:
        viewer = self.scope_require()
        handoff = get_object_or_404(selectors.handoff_qs_for(viewer=viewer), pk=pk)
        handoff.item_list = list(selectors.handoff_items(handoff=handoff))
        return Response(self.OutputSerializer(handoff).data)


class HandoffConfirmApi(PackagesApi):
    """Confirm for your side (driver or partner); the handoff closes when both have."""

    class InputSerializer(serializers.Serializer):
        idempotency_key = serializers.CharField(max_length=100)
        device_time = serializers.DateTimeField(required=False)

        class Meta:
            ref_name = "HandoffConfirmInput"

    @extend_schema(
        operation_id="handoffs_confirm",
        request=InputSerializer,
        responses={201: EventOutputSerializer, 200: EventOutputSerializer, **ERROR_RESPONSES},
    )
    def post(self, request: Request, pk: int) -> Response:
        viewer = self.person_require()
        handoff = get_object_or_404(selectors.handoff_qs_for(viewer=viewer), pk=pk)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        event = services.handoff_confirm(
            actor=request.user, handoff=handoff, **serializer.validated_data
        )
        return event_response(event)


# ------------------------------------------------------------------------------
# Incidents
# ------------------------------------------------------------------------------
class IncidentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    tracking_id = serializers.CharField(source="package.tracking_id")
    partner = serializers.IntegerField(source="package.partner_id")
    reason = serializers.CharField()
    status = serializers.CharField()
    opened_at = serializers.DateTimeField()
    resolution = serializers.CharField()
    resolution_note = serializers.CharField()
    resolved_at = serializers.DateTimeField(allow_null=True)

    class Meta:
        ref_name = "Incident"


class IncidentListApi(PackagesApi):
    """Ops: every incident; a partner: its own packages' incidents."""

    @extend_schema(
        operation_id="incidents_list",
        parameters=filter_parameters(IncidentFilter),
        responses={200: IncidentOutputSerializer(many=True), **ERROR_RESPONSES},
    )
    def get(self, request: Request) -> Response:
        viewer = self.scope_require()
        if not (viewer.is_ops or viewer.partner_id):
            raise PermissionDenied("Incidents are for ops and the partner concerned.")
        queryset = filter_queryset(
            IncidentFilter, request, selectors.incident_qs_for(viewer=viewer)
        )
        return self.paginated(queryset, IncidentOutputSerializer)


class IncidentResolveApi(PackagesApi):
    class InputSerializer(serializers.Serializer):
        resolution = serializers.ChoiceField(choices=IncidentResolution.choices)
        note = serializers.CharField(max_length=1000, required=False, allow_blank=True)
        idempotency_key = serializers.CharField(max_length=100)

        class Meta:
            ref_name = "IncidentResolveInput"

    @extend_schema(
        operation_id="incidents_resolve",
        request=InputSerializer,
        responses={201: EventOutputSerializer, 200: EventOutputSerializer, **ERROR_RESPONSES},
    )
    def post(self, request: Request, pk: int) -> Response:
        viewer = self.person_require()
        if not viewer.is_ops:
            raise PermissionDenied("Only ops resolve incidents.")
        incident = get_object_or_404(selectors.incident_qs_for(viewer=viewer), pk=pk)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        event = services.incident_resolve(
            actor=request.user, incident=incident, **serializer.validated_data
        )
        return event_response(event)
