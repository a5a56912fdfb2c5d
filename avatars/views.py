"""The avatar endpoints, the file view of local storage and the avatar health report (HTTP only)."""
import re

from django.core.checks import run_checks
from django.core.files.storage import FileSystemStorage, storages
from django.http import FileResponse, Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.response import Response
from rest_framework.views import APIView

from avatars import conf, metrics, services
from avatars.imaging import ImageRejected
from avatars.models import Avatar, AvatarVariant
from avatars.serializers import (
    DELETED, AvatarDeletedSerializer, AvatarSerializer, AvatarUploadSerializer,
    AvatarUrlSerializer,
)
from avatars.throttling import RateLimited, UserRateLimit
from mediakit.checks import CONFIGURATION
from mediakit.schema import ErrorSerializer
from mediakit.uploads import UploadError, limit_upload_size, single_upload

REJECTIONS = {
    "empty_file": "The file is empty.",
    "unsupported_type": "Only JPEG, PNG, WebP and GIF images are accepted.",
    "mime_mismatch": "The file's content does not match the image format it claims.",
    "corrupt_file": "The image is corrupt, truncated or cannot be read safely.",
    "image_too_small": f"The image must be at least {conf.MIN_SIDE}x{conf.MIN_SIDE} pixels.",
    "image_too_large": f"The image must be at most {conf.MAX_SIDE}x{conf.MAX_SIDE} pixels.",
}
FILE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; img-src 'self'",
    # Names change with every upload, so a file never changes under its URL.
    "Cache-Control": "public, max-age=31536000, immutable",
}
# `{size}/{file}.{ext}` as services.variant_name writes it: no dots to climb with, no NUL, no backslash.
VARIANT_NAME = re.compile(r"[\w-]+/[\w-]+\.[a-z]+", re.ASCII)
ERRORS = OpenApiResponse(ErrorSerializer, description="{detail, code}")


class NoAvatar(exceptions.NotFound):
    default_detail = "You have no avatar."
    default_code = "no_avatar"


class InvalidSize(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = f"size must be one of: {', '.join(conf.VARIANT_SIZES)}."
    default_code = "invalid_size"


class AvatarView(APIView):
    throttle_classes = [UserRateLimit]
    rate_limits = {"POST": conf.UPLOAD_RATE, "DELETE": conf.DELETE_RATE}

    @extend_schema(
        parameters=[OpenApiParameter("size", enum=list(conf.VARIANT_SIZES), default=conf.DEFAULT_SIZE)],
        responses={200: AvatarUrlSerializer, 400: ERRORS, 401: ERRORS, 404: ERRORS},
    )
    def get(self, request):
        size = request.query_params.get("size", conf.DEFAULT_SIZE)
        if size not in conf.VARIANT_SIZES:
            raise InvalidSize()
        variant = AvatarVariant.objects.filter(avatar__user=request.user, size=size).first()
        if variant is None:
            raise NoAvatar()
        return Response({"avatar_url": variant.url, "size": size})

    @extend_schema(
        request={"multipart/form-data": AvatarUploadSerializer},
        responses={200: AvatarSerializer, 400: ERRORS, 401: ERRORS, 429: ERRORS},
    )
    def post(self, request):
        with metrics.observe_upload():
            limit_upload_size(request, conf.value("MAX_AVATAR_SIZE"), status.HTTP_400_BAD_REQUEST)
            upload = single_upload(request)
            try:
                avatar = services.avatar_replace(user=request.user, upload=upload)
            except ImageRejected as exc:
                raise UploadError(REJECTIONS.get(exc.code, exc.detail), exc.code) from exc
        return Response(AvatarSerializer(avatar).data)

    @extend_schema(responses={200: AvatarDeletedSerializer, 401: ERRORS, 404: ERRORS, 429: ERRORS})
    def delete(self, request):
        try:
            files_deleted = services.avatar_delete(user=request.user)
        except Avatar.DoesNotExist:
            raise NoAvatar() from None
        return Response({"message": DELETED, "files_deleted": files_deleted})

    def throttled(self, request, wait):
        if request.method == "POST":
            metrics.uploads.labels("rate_limited").inc()
        raise RateLimited(wait)


@csrf_exempt  # nothing is written here: every method but GET and HEAD is refused
def avatar_file(request, name: str):
    """A current variant file of local storage, streamed; anything else under the prefix is 404."""
    if request.method not in ("GET", "HEAD"):
        return JsonResponse({"detail": f'Method "{request.method}" not allowed.', "code": "method_not_allowed"},
                            status=405, headers={"Allow": "GET, HEAD"})
    storage = storages[conf.STORAGE_ALIAS]
    if not isinstance(storage, FileSystemStorage) or not VARIANT_NAME.fullmatch(name):
        raise Http404
    variant = AvatarVariant.objects.filter(name=name).only("content_type").first()
    if variant is None:
        raise Http404
    try:
        fh = storage.open(name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(fh, content_type=variant.content_type, headers=FILE_HEADERS)


HEALTH = inline_serializer("AvatarHealth", {
    "status": serializers.ChoiceField(choices=["healthy", "unhealthy"]),
    "config_valid": serializers.BooleanField(),
    "errors": serializers.ListField(child=serializers.CharField()),
    "storage": inline_serializer("AvatarStorageStats", {
        "total_files": serializers.IntegerField(), "total_size_mb": serializers.FloatField()}),
})


@extend_schema(responses={200: HEALTH, 503: HEALTH})
@api_view(["GET"])
@authentication_classes([])
@permission_classes([])
def avatar_health(request):
    """Configuration errors of the project and this app, and what the stored variants add up to."""
    errors = [m.msg for m in run_checks(tags=[CONFIGURATION])
              if m.is_serious() and not m.is_silenced() and m.id.split(".")[0] in ("critvue", "avatars")]
    totals = AvatarVariant.objects.totals()
    body = {
        "status": "unhealthy" if errors else "healthy",
        "config_valid": not errors,
        "errors": errors,
        "storage": {"total_files": totals["files"], "total_size_mb": round(totals["bytes"] / 1024 / 1024, 3)},
    }
    return Response(body, status=status.HTTP_503_SERVICE_UNAVAILABLE if errors else status.HTTP_200_OK)

