"""Manifests: DSP systems send them (JSON, up to 5,000 packages); ops read them."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from packages import selectors, services
from packages.apis.common import ERROR_RESPONSES, PackagesApi
from packages.filters import ManifestFilter, filter_queryset
from packages.models import Dsp, PackageSize
from packages.schema import DRF_BAD_REQUEST, filter_parameters
from packages.selectors import Viewer
from packages.services.manifests import MAX_MANIFEST_ROWS, ManifestRejected
from partners.models import Partner


# ------------------------------------------------------------------------------
# Manifests
# ------------------------------------------------------------------------------
class ManifestOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    external_id = serializers.CharField()
    dsp = serializers.IntegerField(source="dsp_id")
    dsp_name = serializers.CharField(source="dsp.name")
    partner = serializers.IntegerField(
        source="partner_id", allow_null=True, help_text="Null: a DSP-level manifest."
    )
    partner_name = serializers.CharField(source="partner.trade_name", allow_null=True)
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


class ManifestCreateErrorSerializer(serializers.Serializer):
    """Documentation only: the two shapes of a 400 (ManifestCreateErrorScheme describes them)."""


class ManifestCreateErrorScheme(OpenApiSerializerExtension):
    """A refused manifest: DRF's field errors when the request itself is malformed, or
    `ManifestRejected` listing every bad row when the rows are."""

    target_class = ManifestCreateErrorSerializer

    def get_name(self) -> str:
        return "ManifestCreateError"

    def map_serializer(self, auto_schema, direction):  # type: ignore[no-untyped-def]
        rejected = auto_schema.resolve_serializer(ManifestRejectedSerializer, direction)
        return {"anyOf": [rejected.ref, DRF_BAD_REQUEST]}


class ManifestListCreateApi(PackagesApi):
    """GET: the manifests a DSP system (its own) or ops may see. POST: ingest a manifest."""

    class InputSerializer(serializers.Serializer):
        external_id = serializers.CharField(max_length=100)
        partner = serializers.PrimaryKeyRelatedField(
            queryset=Partner.objects.all(),
            required=False,
            allow_null=True,
            error_messages={"does_not_exist": gettext_lazy("No partner with id {pk_value}.")},
            help_text=(
                "Leave out (or null) for a DSP-level manifest of an area: routing assigns each "
                "package to a partner; the service date is then checked in the time zone of the "
                "first package's ZIP. When named, every package must lie in the partner's "
                "coverage (its ZIPs, or its radius plus a small margin): a row outside it is "
                "an error naming the row and its distance in miles."
            ),
        )
        service_date = serializers.DateField()
        dsp = serializers.PrimaryKeyRelatedField(
            queryset=Dsp.objects.all(),
            required=False,
            help_text="Ops only; a DSP token always sends for its own DSP.",
        )
        packages = serializers.ListField(
            child=ManifestRowField(allow_null=True),
            allow_empty=False,
            max_length=MAX_MANIFEST_ROWS,
        )

        class Meta:
            ref_name = "ManifestCreate"

    def _manifest_reader_require(self) -> Viewer:
        viewer = self.viewer
        if not (viewer.is_ops or viewer.is_dsp_system):
            raise PermissionDenied(_("Manifests are for DSP systems and ops."))
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
            400: OpenApiResponse(
                ManifestCreateErrorSerializer, "Bad fields, or every bad row; nothing is saved."
            ),
            **{code: ERROR_RESPONSES[code] for code in (401, 403, 409)},
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
            raise serializers.ValidationError({"dsp": [_("Ops must say which DSP sends it.")]})
        try:
            manifest, created = services.manifest_ingest(
                dsp=dsp,
                partner=data.get("partner"),
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
