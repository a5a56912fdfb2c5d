"""POST /api/v1/reports (HTTP only)."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, permissions, status
from rest_framework.response import Response

from mediakit.api import AppAPIView, UserRateLimit
from mediakit.schema import ErrorSerializer
from moderation import conf, reports
from moderation.serializers import ReportSerializer

ERRORS = OpenApiResponse(ErrorSerializer, description="{detail, code}")


class ReportView(AppAPIView, generics.GenericAPIView):
    """Report another user's avatar to the moderators."""

    serializer_class = ReportSerializer
    permission_classes = [permissions.IsAuthenticated]
    throttle_classes = [UserRateLimit]
    rate_limit_group = "moderation.reports"

    @property
    def rate_limits(self) -> dict[str, str | None]:
        return {"POST": conf.settings.REPORT_RATE}

    @extend_schema(responses={201: ReportSerializer, 400: ERRORS, 401: ERRORS, 404: ERRORS, 409: ERRORS, 429: ERRORS})
    def post(self, request):
        form = self.get_serializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        report = reports.file_report(
            reporter=request.user, kind=data["kind"], user_id=data["target_user_id"], reason=data["reason"]
        )
        return Response(self.get_serializer(report).data, status=status.HTTP_201_CREATED)
