"""Packages in the viewer's scope, their custody timeline, and posting scans and updates."""

from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from packages import selectors, services
from packages.apis.common import (
    ERROR_RESPONSES,
    EventOutputSerializer,
    PackageOutputSerializer,
    PackagesApi,
    event_response,
)
from packages.filters import PackageFilter, filter_queryset
from packages.models import AttemptReason, PackageEventType
from packages.schema import filter_parameters

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
    PackageEventType.QUEUED_FOR_RETURN: services.package_queue_for_return,
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
        device_time = serializers.DateTimeField(
            help_text=(
                "When the device recorded it: kept beside the server's receipt time, which is "
                "the time that counts (delivery and attempt times, undo window)."
            )
        )
        handoff = serializers.IntegerField(
            required=False, help_text="Required for received, damaged, missing and returned."
        )
        # The reason's presence and the delivery's proof are checked by the services, so the
        # page and the API refuse with the same words.
        reason = serializers.ChoiceField(choices=AttemptReason.choices, required=False)
        note = serializers.CharField(max_length=300, required=False, allow_blank=True)
        recipient_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
        safe_place_note = serializers.CharField(max_length=300, required=False, allow_blank=True)
        photo = serializers.FileField(
            required=False,
            help_text=(
                "JPEG, PNG, WebP or HEIC, at most 10 MB and 50 megapixels; stored re-encoded, "
                "without its metadata or file name."
            ),
        )
        latitude = serializers.FloatField(required=False, min_value=-90, max_value=90)
        longitude = serializers.FloatField(required=False, min_value=-180, max_value=180)

        class Meta:
            ref_name = "PackageEventCreate"

        def validate(self, data: dict[str, Any]) -> dict[str, Any]:
            event_type = data["event_type"]
            if event_type in HANDOFF_EVENT_SERVICES and "handoff" not in data:
                raise serializers.ValidationError(
                    {"handoff": [_("Required for %(event_type)s.") % {"event_type": event_type}]}
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
        return {"reason": data.get("reason", ""), "note": data.get("note", ""), **_place(data)}
    return {}
