from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView


class MeApi(APIView):
    """Who the token or session belongs to, so a DSP system can check its credentials (a
    DSP system has no email and no roles; its name is the DSP and the token's label)."""

    class OutputSerializer(serializers.Serializer):
        email = serializers.EmailField(allow_blank=True)
        full_name = serializers.CharField()
        roles = serializers.ListField(child=serializers.CharField())

        class Meta:
            ref_name = "Me"

    @extend_schema(
        responses={
            200: OutputSerializer,
            401: OpenApiResponse(description="No credentials, or a wrong or revoked token."),
        }
    )
    def get(self, request: Request) -> Response:
        user = request.user
        data = {"email": user.email, "full_name": user.full_name, "roles": sorted(user.roles)}
        return Response(self.OutputSerializer(data).data)
