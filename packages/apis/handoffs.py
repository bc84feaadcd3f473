"""Handoffs (open, list, detail, confirm) and incidents (list, resolve)."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from packages import selectors, services
from packages.apis.common import ERROR_RESPONSES, EventOutputSerializer, PackagesApi, event_response
from packages.filters import HandoffFilter, IncidentFilter, filter_queryset
from packages.models import Dsp, HandoffDirection, IncidentResolution
from packages.schema import filter_parameters
from packages.selectors import Viewer
from partners.models import Partner


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
    """GET: handoffs in the viewer's scope. POST: open a handoff (or join the one open with the
    same DSP): a drop-off where the DSP has packages for the partner's local service date, a
    return where its packages are queued for return (409 with the reason otherwise)."""

    class InputSerializer(serializers.Serializer):
        partner = serializers.PrimaryKeyRelatedField(
            queryset=Partner.objects.all(),
            required=False,
            help_text="Drivers name the partner; a partner's members may leave it out.",
            error_messages={"does_not_exist": gettext_lazy("No partner with id {pk_value}.")},
        )
        dsp = serializers.PrimaryKeyRelatedField(
            queryset=Dsp.objects.all(),
            required=False,
            help_text="Partners name the DSP; a driver's own DSP is the default.",
        )
        direction = serializers.ChoiceField(choices=HandoffDirection.choices)
        service_date = serializers.DateField(
            required=False,
            help_text=(
                "Optional check: a handoff is always for the partner's local service date "
                "(today in its time zone); any other date is refused (409)."
            ),
        )
        idempotency_key = serializers.CharField(max_length=100)
        device_time = serializers.DateTimeField(required=False)

        class Meta:
            ref_name = "HandoffOpen"

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
        dsp = data.get("dsp")
        if dsp is None and viewer.is_driver:
            dsp = Dsp.objects.get(pk=viewer.dsp_id)
        if dsp is None:
            raise serializers.ValidationError(
                {"dsp": [_("Say which DSP hands the packages over.")]}
            )
        event = services.handoff_open(
            actor=request.user,
            partner=partner,
            dsp=dsp,
            direction=data["direction"],
            service_date=data.get("service_date"),
            idempotency_key=data["idempotency_key"],
            device_time=data.get("device_time"),
        )
        return event_response(event)


def _own_partner(viewer: Viewer) -> Partner:
    if viewer.partner_id is None:
        raise serializers.ValidationError({"partner": [_("Say which partner receives them.")]})
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
            ref_name = "HandoffConfirm"

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
            raise PermissionDenied(_("Incidents are for ops and the partner concerned."))
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
            ref_name = "IncidentResolve"

    @extend_schema(
        operation_id="incidents_resolve",
        request=InputSerializer,
        responses={201: EventOutputSerializer, 200: EventOutputSerializer, **ERROR_RESPONSES},
    )
    def post(self, request: Request, pk: int) -> Response:
        viewer = self.person_require()
        if not viewer.is_ops:
            raise PermissionDenied(_("Only ops resolve incidents."))
        incident = get_object_or_404(selectors.incident_qs_for(viewer=viewer), pk=pk)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        event = services.incident_resolve(
            actor=request.user, incident=incident, **serializer.validated_data
        )
        return event_response(event)
