"""The avatar endpoints and the file view of local storage (HTTP only)."""

import re

from django.core import signing
from django.core.files.storage import FileSystemStorage
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, permissions, status
from rest_framework.response import Response

from avatars import conf, metrics, pending, services
from avatars.models import Avatar, AvatarVariant
from avatars.serializers import (
    DELETED,
    AvatarDeletedSerializer,
    AvatarSerializer,
    AvatarUploadSerializer,
    AvatarUrlSerializer,
)
from mediakit.api import AppAPIView, RateLimited, UploadsAllowed, UserRateLimit
from mediakit.downloads import stored_file_response
from mediakit.schema import ErrorSerializer
from mediakit.uploads import limit_upload_size

FILE_HEADERS = {"Content-Security-Policy": "default-src 'none'; img-src 'self'"}
# Names change with every upload, so a file never changes under its URL.
IMMUTABLE = "public, max-age=31536000, immutable"
# `{label}/{file}.{ext}` as services.variant_name writes it (below LOCATION): no dots to climb with, no NUL,
# no backslash.
VARIANT_NAME = re.compile(r"[\w-]+/[\w-]+\.[a-z]+", re.ASCII)
ERRORS = OpenApiResponse(ErrorSerializer, description="{detail, code}")


class NoAvatar(exceptions.NotFound):
    default_detail = "You have no avatar."
    default_code = "no_avatar"


class AvatarRejected(exceptions.NotFound):
    default_code = "avatar_rejected"


class InvalidSize(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = f"size must be one of: {', '.join(conf.VARIANT_SIZES)}."
    default_code = "invalid_size"


class AvatarView(AppAPIView, generics.GenericAPIView):
    serializer_class = AvatarUploadSerializer
    permission_classes = [permissions.IsAuthenticated, UploadsAllowed]
    throttle_classes = [UserRateLimit]
    rate_limit_group = "avatars"

    @property
    def rate_limits(self) -> dict[str, str | None]:
        return {"POST": conf.settings.UPLOAD_RATE, "DELETE": conf.settings.DELETE_RATE}

    @extend_schema(
        parameters=[OpenApiParameter("size", enum=list(conf.VARIANT_SIZES), default=conf.DEFAULT_SIZE)],
        responses={200: AvatarUrlSerializer, 400: ERRORS, 401: ERRORS, 404: ERRORS},
    )
    def get(self, request):
        size = request.query_params.get("size", conf.DEFAULT_SIZE)
        if size not in conf.VARIANT_SIZES:
            raise InvalidSize()
        avatars = {a.is_current: a for a in Avatar.objects.filter(user=request.user).prefetch_related("variants")}
        avatar, waiting = avatars.get(True), pending.pending_of(avatars.get(False), request)
        if waiting is None and avatar is not None and avatar.is_rejected:
            raise AvatarRejected(avatar.moderation_reason)
        if waiting is None and (avatar is None or size not in avatar.urls):
            raise NoAvatar()
        # Whatever waits (or was just rejected) is the owner's to see, with or without a current avatar.
        return Response(
            {
                "avatar_url": avatar.urls.get(size) if avatar else None,
                "size": size,
                "blurhash": avatar.blurhash if avatar else None,
                "moderation_status": avatar.moderation_status if avatar else None,
                "moderation_reason": avatar.moderation_reason if avatar else None,
                "pending": waiting,
            }
        )

    @extend_schema(
        request={"multipart/form-data": AvatarUploadSerializer},
        responses={200: AvatarSerializer, 202: AvatarSerializer, 400: ERRORS, 401: ERRORS, 403: ERRORS, 429: ERRORS},
    )
    def post(self, request):
        with metrics.observe_upload():
            limit_upload_size(request, conf.max_upload_bytes(), status.HTTP_400_BAD_REQUEST)
            form = self.get_serializer(data=request.data)
            form.is_valid(raise_exception=True)
            avatar = services.avatar_replace(user=request.user, upload=form.validated_data["file"])
        # Pre-moderated: accepted, but not public until a moderator approves it.
        waiting = status.HTTP_200_OK if avatar.is_current else status.HTTP_202_ACCEPTED
        return Response(AvatarSerializer(avatar, context={"request": request}).data, status=waiting)

    @extend_schema(request=None, responses={200: AvatarDeletedSerializer, 401: ERRORS, 404: ERRORS, 429: ERRORS})
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
def pending_preview(request, pk: int):
    """A waiting avatar's medium variant, for whoever holds its signed URL (its owner's app): Cache-Control private."""
    if request.method not in ("GET", "HEAD"):
        return JsonResponse(
            {"detail": f'Method "{request.method}" not allowed.', "code": "method_not_allowed"},
            status=405,
            headers={"Allow": "GET, HEAD"},
        )
    try:
        signed = pending.signed_pk(request.GET.get("sig", ""))
    except signing.SignatureExpired:
        return JsonResponse(
            {"detail": "This link has expired; ask the API for a fresh one.", "code": "url_expired"}, status=403
        )
    except signing.BadSignature:
        signed = None
    if signed != int(pk):
        return JsonResponse(
            {"detail": "This link's signature is not valid for this avatar.", "code": "bad_signature"}, status=403
        )
    variant = AvatarVariant.objects.filter(avatar_id=pk, avatar__is_current=False, label=conf.DEFAULT_SIZE).first()
    if variant is None:
        raise Http404
    return variant_response(request, variant, cache_control=f"private, max-age={conf.PENDING_URL_TTL}")


def variant_response(request, variant: AvatarVariant, *, cache_control: str, headers: dict[str, str] = FILE_HEADERS):
    """One stored variant file, inline (ranges, ETag); 404 when storage no longer has it."""
    try:
        return stored_file_response(
            request,
            conf.storage(),
            variant.stored_name,
            size=variant.size_bytes,
            content_type=variant.content_type,
            etag=variant.stored_name,
            filename=variant.stored_name.rsplit("/", 1)[-1],
            inline=True,
            cache_control=cache_control,
            extra_headers=headers,
        )
    except FileNotFoundError:
        raise Http404("The stored file is missing.") from None


@csrf_exempt  # nothing is written here: every method but GET and HEAD is refused
def avatar_file(request, name: str):
    """A current variant file of local storage; anything else under the prefix is 404."""
    if request.method not in ("GET", "HEAD"):
        return JsonResponse(
            {"detail": f'Method "{request.method}" not allowed.', "code": "method_not_allowed"},
            status=405,
            headers={"Allow": "GET, HEAD"},
        )
    storage = conf.storage()
    if not isinstance(storage, FileSystemStorage) or not VARIANT_NAME.fullmatch(name):
        raise Http404
    name = conf.location() + name
    # Only the current avatar's files: a waiting (pre-moderated) one's are not public.
    variant = (
        AvatarVariant.objects.filter(stored_name=name, avatar__is_current=True)
        .only("stored_name", "content_type", "size_bytes")
        .first()
    )
    if variant is None:
        raise Http404
    return variant_response(request, variant, cache_control=IMMUTABLE)
