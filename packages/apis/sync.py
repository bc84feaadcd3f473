"""POST /api/v1/sync: a phone's outbox in one request (issue 19). The rules are the services';
this view reads the batch, hands it to packages.services.sync and writes one result per
event."""

import base64
import binascii
import re
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from packages.apis.common import ERROR_RESPONSES, PackagesApi
from packages.models import SyncEventType
from packages.services.photos import MAX_PHOTO_BYTES
from packages.services.sync import (
    HANDOFF_TYPES,
    LABELLED_TYPES,
    MAX_SYNC_EVENTS,
    Code,
    Outcome,
    SyncEvent,
    SyncResult,
    events_sync,
)

DATA_URL = re.compile(r"^data:(?P<type>image/[a-z0-9.+-]+);base64,(?P<data>.*)$", re.DOTALL)
# Base64 takes 4 characters for every 3 bytes.
MAX_PHOTO_DATA_URL_LENGTH = MAX_PHOTO_BYTES * 4 // 3 + 100


class PhotoDataUrlField(serializers.CharField):
    """A photo as `data:image/jpeg;base64,...`, read into an upload; the photo service then
    checks its content, size and pixels as it does for the page's file."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=MAX_PHOTO_DATA_URL_LENGTH, **kwargs)

    def to_internal_value(self, data: Any) -> SimpleUploadedFile:
        match = DATA_URL.match(super().to_internal_value(data))
        if match is None:
            raise ValidationError(_("Send the photo as a data URL: data:image/jpeg;base64,..."))
        try:
            content = base64.b64decode(match["data"], validate=True)
        except (binascii.Error, ValueError) as error:
            raise ValidationError(_("The photo's data is not valid base64.")) from error
        return SimpleUploadedFile("photo", content, match["type"])


class SyncEventInputSerializer(serializers.Serializer):
    client_id = serializers.CharField(
        max_length=100,
        help_text=(
            "A UUID made on the device once per action; the same id sent again is answered "
            "already_applied and changes nothing."
        ),
    )
    type = serializers.ChoiceField(choices=SyncEventType.choices)
    device_time = serializers.DateTimeField(
        help_text="When the device recorded it; kept beside the server's receipt time."
    )
    tracking_id = serializers.CharField(
        max_length=40,
        required=False,
        help_text="The package's label: for every type but handoff_confirm and day_close.",
    )
    handoff = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="For received, damaged, missing and handoff_confirm.",
    )
    # Values are checked by the services, so a bad one refuses that event only ("invalid",
    # naming the field) and the rest of the outbox still goes through.
    reason = serializers.CharField(max_length=50, required=False, allow_blank=True)
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    recipient_name = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    safe_place_note = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    photo = PhotoDataUrlField(
        required=False,
        help_text="delivered: the proof photo, resized on the device, as a data URL.",
    )
    latitude = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90)
    longitude = serializers.FloatField(
        required=False, allow_null=True, min_value=-180, max_value=180
    )

    class Meta:
        ref_name = "SyncEvent"

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        required = {"tracking_id": LABELLED_TYPES, "handoff": HANDOFF_TYPES}
        for name, types in required.items():
            if data["type"] in types and not data.get(name):
                raise ValidationError(
                    {name: [_("Required for %(type)s.") % {"type": data["type"]}]}
                )
        return data

    def to_event(self, data: dict[str, Any]) -> SyncEvent:
        return SyncEvent(
            client_id=data["client_id"],
            type=data["type"],
            device_time=data["device_time"],
            tracking_id=data.get("tracking_id", ""),
            handoff_id=data.get("handoff"),
            reason=data.get("reason", ""),
            note=data.get("note", ""),
            recipient_name=data.get("recipient_name", ""),
            safe_place_note=data.get("safe_place_note", ""),
            photo=data.get("photo"),
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
        )


class SyncResultOutputSerializer(serializers.Serializer):
    client_id = serializers.CharField()
    outcome = serializers.ChoiceField(
        choices=[Outcome.APPLIED, Outcome.ALREADY_APPLIED, Outcome.REFUSED]
    )
    code = serializers.ChoiceField(
        choices=[
            "",
            Code.DELIVERED_BY_TEAMMATE,
            Code.HANDOFF_CLOSED,
            Code.DAY_CLOSED,
            Code.PACKAGE_MOVED,
            Code.NOT_ALLOWED,
            Code.INVALID,
            Code.CONFLICT,
        ],
        help_text="Empty unless refused: a stable machine code.",
    )
    message = serializers.CharField(help_text="Empty unless refused; in the user's language.")
    what_to_do = serializers.CharField(help_text="Empty unless refused; in the user's language.")
    late = serializers.BooleanField(
        help_text="It reached the server after its day or handoff closed; kept for ops."
    )
    field = serializers.CharField(help_text="For an invalid event: the field refused.")

    class Meta:
        ref_name = "SyncResult"


class SyncApi(PackagesApi):
    """A phone's outbox: up to 300 events applied in the order given, each through the same
    service as the pages, each on its own (a refusal undoes nothing else). 200 with one result
    per event, even when some are refused; 400 naming the field (`events[3].client_id`) when
    the batch itself is malformed, and then nothing is applied."""

    class InputSerializer(serializers.Serializer):
        events = SyncEventInputSerializer(many=True, min_length=1, max_length=MAX_SYNC_EVENTS)

        class Meta:
            ref_name = "SyncRequest"

    class OutputSerializer(serializers.Serializer):
        server_time = serializers.DateTimeField()
        results = SyncResultOutputSerializer(many=True)

        class Meta:
            ref_name = "SyncResponse"

    @extend_schema(
        operation_id="sync",
        request=InputSerializer,
        responses={200: OutputSerializer, **ERROR_RESPONSES},
    )
    def post(self, request: Request) -> Response:
        viewer = self.person_require()
        serializer = self.InputSerializer(data=request.data)
        if not serializer.is_valid():
            raise ValidationError(errors_by_path(serializer.errors))
        event_input = SyncEventInputSerializer()
        events = [event_input.to_event(data) for data in serializer.validated_data["events"]]
        results = events_sync(viewer=viewer, events=events)
        return Response(self.OutputSerializer(_answer(results)).data)


def _answer(results: list[SyncResult]) -> dict[str, Any]:
    return {"server_time": timezone.now(), "results": results}


def errors_by_path(errors: Any, path: str = "") -> dict[str, list[str]]:
    """DRF's nested errors as one flat object keyed by the field's path: `events[3].client_id`
    (a list's own errors stay under its name)."""
    if isinstance(errors, dict):
        flat: dict[str, list[str]] = {}
        for name, nested in errors.items():
            key = path if name == "non_field_errors" and path else _joined(path, name)
            flat.update(errors_by_path(nested, key))
        return flat
    if errors and all(isinstance(item, str) for item in errors):
        return {path: [str(item) for item in errors]}
    flat = {}
    for index, nested in enumerate(errors):
        if nested:
            flat.update(errors_by_path(nested, f"{path}[{index}]"))
    return flat


def _joined(path: str, name: str | int) -> str:
    # DRF keys a list's bad items by their position.
    if isinstance(name, int) or name.isdigit():
        return f"{path}[{name}]"
    return f"{path}.{name}" if path else name
