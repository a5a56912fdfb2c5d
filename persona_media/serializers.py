"""JSON shapes of personas, media files, uploads and statistics (API.md)."""

from rest_framework import serializers

from mediakit.fields import ModelSerializer, TextField
from mediakit.uploads import SingleUploadField
from persona_media.conf import DESCRIPTION_MAX_LENGTH
from persona_media.models import MediaFile, Persona
from persona_media.signing import signed_url


class PersonaSerializer(ModelSerializer):
    class Meta:
        model = Persona
        fields = ["id", "name", "description", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


class DescriptionField(TextField):
    """Up to 1000 characters; an explicit null clears it like an empty string."""

    def __init__(self, **kwargs):
        super().__init__(max_length=DESCRIPTION_MAX_LENGTH, allow_blank=True, allow_null=True, required=False, **kwargs)

    def validate_empty_values(self, data):
        if data is None:
            return True, ""
        return super().validate_empty_values(data)


class MediaFileSerializer(serializers.ModelSerializer):
    file_size = serializers.IntegerField(source="size_bytes", read_only=True, help_text="Bytes.")
    persona_id = serializers.IntegerField(read_only=True)
    user_id = serializers.IntegerField(read_only=True)
    description = DescriptionField()
    width = serializers.IntegerField(read_only=True, allow_null=True, help_text="Displayed (after rotation).")
    height = serializers.IntegerField(read_only=True, allow_null=True, help_text="Displayed (after rotation).")
    video_codec = serializers.CharField(read_only=True, allow_null=True, help_text="h264, hevc, vp9 or av1.")
    audio_codec = serializers.CharField(read_only=True, allow_null=True, help_text="e.g. aac; null without audio.")
    blurhash = serializers.CharField(read_only=True, allow_null=True, help_text="4x3 components, of the preview.")
    download_url = serializers.SerializerMethodField(
        help_text="Signed: works without credentials for MEDIA_URL_TTL seconds; null until the file is ready, and "
        "once it is rejected."
    )
    preview_url = serializers.SerializerMethodField(
        help_text="Signed, like download_url; null while there is no preview (and once rejected)."
    )
    processing_status = serializers.CharField(
        read_only=True, help_text="ready, or queued → processing → ready / failed."
    )
    processing_error = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="null, or why processing failed: processing_failed, processing_timeout, corrupt_file, ...",
    )
    original_mime_type = serializers.SerializerMethodField(
        help_text="What was uploaded (video/quicktime, image/heic, ...); mime_type is what download serves."
    )

    class Meta:
        model = MediaFile
        fields = [
            "id",
            "filename",
            "original_filename",
            "file_size",
            "mime_type",
            "media_type",
            "persona_id",
            "user_id",
            "description",
            "width",
            "height",
            "duration",
            "fps",
            "video_codec",
            "audio_codec",
            "bitrate",
            "sha256",
            "blurhash",
            "download_url",
            "preview_url",
            "moderation_status",
            "moderation_reason",
            "processing_status",
            "processing_error",
            "original_mime_type",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [name for name in fields if name != "description"]

    def to_representation(self, media: MediaFile) -> dict:
        data = super().to_representation(media)
        for name in ("video_codec", "audio_codec", "blurhash", "processing_error"):
            data[name] = data[name] or None  # "not known" is null, as API.md shows it
        return data

    def get_download_url(self, media: MediaFile) -> str | None:
        # A link that could only answer 409 (not ready) or 410 (rejected) is no link.
        if not media.is_ready or media.is_rejected:
            return None
        return signed_url(self.context.get("request"), media.pk, "download")

    def get_preview_url(self, media: MediaFile) -> str | None:
        if not media.preview_name or media.is_rejected:
            return None
        return signed_url(self.context.get("request"), media.pk, "preview")

    def get_original_mime_type(self, media: MediaFile) -> str:
        return media.original_mime_type or media.mime_type


class MediaUploadSerializer(serializers.Serializer):
    """The multipart form of an upload: one file in `file`, and an optional description."""

    file = SingleUploadField(
        help_text="JPEG, PNG, WebP, AVIF or HEIC/HEIF on /image; MP4, QuickTime (.mov) or WebM "
        "on /video; at most 10 MiB."
    )
    description = DescriptionField()


class MediaListQuerySerializer(serializers.Serializer):
    media_type = serializers.ChoiceField(
        choices=MediaFile.MediaType.choices, required=False, help_text="Only files of this type."
    )


class PersonaStatsSerializer(serializers.Serializer):
    images = serializers.IntegerField()
    videos = serializers.IntegerField()
    total_size = serializers.IntegerField()


class MediaStatsSerializer(serializers.Serializer):
    total_files = serializers.IntegerField()
    total_size_bytes = serializers.IntegerField()
    total_size_mb = serializers.FloatField()
    image_count = serializers.IntegerField()
    video_count = serializers.IntegerField()
    persona_stats = serializers.DictField(child=PersonaStatsSerializer(), help_text="Keyed by persona id.")
    file_size_limit_mb = serializers.FloatField()
    quota_bytes = serializers.IntegerField(help_text="Stored bytes of your media at most (PERSONA_MEDIA_QUOTA_BYTES).")
    quota_used_bytes = serializers.IntegerField(help_text="Stored bytes of your media now.")
