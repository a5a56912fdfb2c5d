"""HTTP for personas and their media: parse, authorise, call a service, pick a status code."""

import logging
from typing import TYPE_CHECKING, Any

from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, generics, permissions, status, viewsets
from rest_framework.exceptions import NotAuthenticated, NotFound
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from mediakit.api import AppAPIView, UploadsAllowed, api_error
from mediakit.downloads import AnyAcceptNegotiation
from mediakit.schema import ErrorSerializer
from mediakit.uploads import limit_upload_size
from persona_media import conf, metrics, serializers, services
from persona_media.downloads import download_response, preview_response
from persona_media.models import MediaFile, Persona, Processing
from persona_media.signing import signed_for

log = logging.getLogger(__name__)
ERRORS = {code: ErrorSerializer for code in (400, 401, 404)}


class StoredFileMissing(NotFound):
    default_detail = "The stored file of this media file is missing."
    default_code = "file_missing"


class NoPreview(NotFound):
    default_detail = "This media file has no preview yet."
    default_code = "preview_missing"


ModerationRejected = api_error(
    "ModerationRejected", status.HTTP_410_GONE, "moderation_rejected", "A moderator removed this file."
)
NotReady = api_error(
    "NotReady", status.HTTP_409_CONFLICT, "not_ready", "This file is still being converted; try again in a moment."
)
# A small clip converts in seconds; a client polling sooner only adds load.
NOT_READY_RETRY_AFTER = 5


class ProcessingFailed(exceptions.APIException):
    """410 with the failure's own code: the file was not converted and will not be served."""

    status_code = status.HTTP_410_GONE

    def __init__(self, media: MediaFile):
        super().__init__(
            "This file could not be converted, so there is nothing to download"
            + (f": {media.processing_detail}." if media.processing_detail else "."),
            media.processing_error or "processing_failed",
        )


def ensure_ready(media: MediaFile) -> None:
    """409 not_ready (with Retry-After) while it is converted; 410 once its conversion failed."""
    if media.processing_status == Processing.FAILED:
        raise ProcessingFailed(media)
    if not media.is_ready:
        raise NotReady()


def ensure_not_rejected(media: MediaFile) -> None:
    """410 moderation_rejected for a rejected file: its row is still listed, its bytes are gone."""
    if media.is_rejected:
        detail = f"A moderator removed this file: {media.moderation_reason}" if media.moderation_reason else None
        raise ModerationRejected(detail)


if TYPE_CHECKING:  # mixed into DRF's generic views only
    _GenericView = generics.GenericAPIView
else:
    _GenericView = object


class OwnedQuerysetMixin(_GenericView):
    """Only the caller's rows exist: anyone else's are simply not found (404)."""

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular reading the view
            return super().get_queryset().none()
        return super().get_queryset().owned_by(self.request.user)  # type: ignore[attr-defined]  # our QuerySets


class PersonaViewSet(AppAPIView, OwnedQuerysetMixin, viewsets.ModelViewSet):
    queryset = Persona.objects.all()
    serializer_class = serializers.PersonaSerializer
    lookup_value_regex = r"\d+"

    def perform_create(self, serializer) -> None:
        serializer.save(user=self.request.user)

    def perform_destroy(self, instance: Persona) -> None:
        if not services.persona_delete(persona=instance):
            raise NotFound()  # a concurrent request deleted it first


class MediaUploadView(AppAPIView, APIView):
    """POST one file (multipart `file`, optional `description`) to a persona of the caller."""

    media_type = ""  # "image" or "video", set by the subclasses
    parser_classes = [MultiPartParser, FormParser]
    permission_classes = [permissions.IsAuthenticated, UploadsAllowed]

    def post(self, request, persona_id: int) -> Response:
        # The persona is found before a byte of the body is read.
        persona = get_object_or_404(Persona.objects.owned_by(request.user), pk=persona_id)
        with metrics.track_upload(self.media_type):
            limit_upload_size(request, conf.max_size())
            form = serializers.MediaUploadSerializer(data=request.data, context={"request": request})
            form.is_valid(raise_exception=True)
            media = services.media_create(
                user=request.user,
                persona=persona,
                upload=form.validated_data["file"],
                media_type=self.media_type,
                description=form.validated_data.get("description", ""),
            )
        if not media.is_ready:
            media.refresh_from_db()  # a task backend that runs jobs at once may have converted it already
        body = serializers.MediaFileSerializer(media, context={"request": request}).data
        location = request.build_absolute_uri(reverse("persona_media:file-detail", kwargs={"pk": media.pk}))
        code = status.HTTP_201_CREATED if media.is_ready else status.HTTP_202_ACCEPTED
        return Response(body, status=code, headers={"Location": location})


UPLOAD_SCHEMA: dict[str, Any] = {
    "request": {"multipart/form-data": serializers.MediaUploadSerializer},
    "responses": {
        201: serializers.MediaFileSerializer,
        202: OpenApiResponse(
            serializers.MediaFileSerializer,
            description="Stored; converted in the background (processing_status queued).",
        ),
        **ERRORS,
        403: ErrorSerializer,
        409: ErrorSerializer,
        413: ErrorSerializer,
    },
}


@extend_schema_view(
    post=extend_schema(summary="Upload an image: JPEG, PNG, WebP, AVIF, or HEIC/HEIF (stored as JPEG)", **UPLOAD_SCHEMA)
)
class ImageUploadView(MediaUploadView):
    media_type = MediaFile.MediaType.IMAGE


@extend_schema_view(
    post=extend_schema(
        summary="Upload a video: MP4, QuickTime or WebM (converted unless browsers play it already)", **UPLOAD_SCHEMA
    )
)
class VideoUploadView(MediaUploadView):
    media_type = MediaFile.MediaType.VIDEO


@extend_schema_view(get=extend_schema(parameters=[serializers.MediaListQuerySerializer]))
class PersonaMediaListView(AppAPIView, generics.ListAPIView):
    """The media of one of the caller's personas, newest first, optionally of one type."""

    serializer_class = serializers.MediaFileSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return MediaFile.objects.none()
        persona = get_object_or_404(Persona.objects.owned_by(self.request.user), pk=self.kwargs["persona_id"])
        query = serializers.MediaListQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        media = persona.media_files.order_by("-created_at", "-id")
        if "media_type" in query.validated_data:
            media = media.filter(media_type=query.validated_data["media_type"])
        return media


class MediaFileView(AppAPIView, OwnedQuerysetMixin, generics.RetrieveUpdateDestroyAPIView):
    """One of the caller's media files: read it, change its description, delete it."""

    queryset = MediaFile.objects.all()
    serializer_class = serializers.MediaFileSerializer

    def perform_destroy(self, instance: MediaFile) -> None:
        if not services.media_delete(media=instance):
            raise NotFound()  # a concurrent request deleted it first


def binary(description: str) -> OpenApiResponse:
    return OpenApiResponse(OpenApiTypes.BINARY, description=description)


class StoredFileView(AppAPIView, generics.GenericAPIView):
    """A media file's stored bytes: for its owner, or for anyone holding a valid signed URL of it."""

    kind = ""  # "download" or "preview", as signing names it
    queryset = MediaFile.objects.all()
    serializer_class = serializers.MediaFileSerializer
    permission_classes = [AllowAny]  # decided in get_object(): the signature, else the owner
    content_negotiation_class = AnyAcceptNegotiation

    def get_object(self) -> MediaFile:
        pk = int(self.kwargs["pk"])
        if signed_for(self.request, pk, self.kind):
            return get_object_or_404(MediaFile, pk=pk)
        if not self.request.user.is_authenticated:
            raise NotAuthenticated()
        return get_object_or_404(MediaFile.objects.owned_by(self.request.user), pk=pk)

    def get(self, request, pk: int):
        media = self.get_object()
        ensure_not_rejected(media)  # 410: its files were deleted by a moderator's decision
        try:
            return self.respond(request, media)
        except FileNotFoundError:
            log.error("stored media file is missing", extra={"media_file": media.pk, "kind": self.kind})
            raise StoredFileMissing() from None

    def respond(self, request, media: MediaFile):
        raise NotImplementedError


class MediaDownloadView(StoredFileView):
    kind = "download"

    @extend_schema(
        summary="Download the stored file: the exact bytes uploaded, or what they were converted to "
        "(409 not_ready until then; Range and If-None-Match honoured)",
        responses={
            (200, "image/jpeg"): binary("A JPEG upload."),
            (200, "image/png"): binary("A PNG upload."),
            (200, "video/mp4"): binary("An MP4 upload."),
            (206, "video/mp4"): binary("A byte range (any type)."),
            302: OpenApiResponse(description="Redirect to a presigned storage URL, where configured."),
            304: OpenApiResponse(description="The If-None-Match ETag is current."),
            **ERRORS,
            403: ErrorSerializer,
            409: ErrorSerializer,
            410: ErrorSerializer,
            416: ErrorSerializer,
        },
        parameters=[OpenApiParameter("sig", str, description="The signature of a download_url (no credentials).")],
    )
    def get(self, request, pk: int):
        return super().get(request, pk)

    def respond(self, request, media: MediaFile):
        try:
            ensure_ready(media)
        except NotReady as not_ready:
            not_ready.wait = NOT_READY_RETRY_AFTER  # type: ignore[attr-defined]  # DRF sends it as Retry-After
            raise
        return download_response(request, media)


class MediaPreviewView(StoredFileView):
    kind = "preview"

    @extend_schema(
        summary="The preview: at most 640x640, oriented, sRGB, no metadata",
        responses={
            (200, "image/jpeg"): binary("An opaque preview."),
            (200, "image/webp"): binary("A transparent preview."),
            304: OpenApiResponse(description="The If-None-Match ETag is current."),
            **ERRORS,
            403: ErrorSerializer,
            410: ErrorSerializer,
        },
        parameters=[OpenApiParameter("sig", str, description="The signature of a preview_url (no credentials).")],
    )
    def get(self, request, pk: int):
        return super().get(request, pk)

    def respond(self, request, media: MediaFile):
        if not media.preview_name:  # stored before previews; `manage.py generate_media_previews` makes it
            raise NoPreview()
        return preview_response(request, media)


class MediaStatsView(AppAPIView, APIView):
    @extend_schema(responses={200: serializers.MediaStatsSerializer, 401: ErrorSerializer})
    def get(self, request) -> Response:
        return Response(services.media_stats(user=request.user))
