"""Shapes of the avatar endpoints' requests and responses."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from avatars import conf, pending
from mediakit.uploads import SingleUploadField

UPLOADED = "Avatar uploaded and processed successfully"
AWAITS_REVIEW = (
    "Avatar uploaded; it awaits a moderator's review and becomes your avatar once approved "
    "(its URLs answer from then on)."
)
DELETED = "Avatar deleted successfully"


class AvatarUploadSerializer(serializers.Serializer):
    """The multipart request: exactly one non-empty file, in `file`."""

    file = SingleUploadField(help_text="JPEG, PNG, WebP or GIF, judged by its bytes.")


# One URL per variant label, in VARIANT_SIZES order.
VariantUrlsSerializer = type(
    "VariantUrlsSerializer", (serializers.Serializer,), {label: serializers.CharField() for label in conf.VARIANT_SIZES}
)


class AvatarMetadataSerializer(serializers.Serializer):
    original_size = serializers.IntegerField(source="original_bytes", help_text="Bytes of the upload.")
    original_dimensions = serializers.CharField(help_text="Width x height as stored, e.g. 2000x1500.")
    format = serializers.ChoiceField(source="original_format", choices=["JPEG", "PNG", "GIF", "WEBP", "AVIF", "HEIF"])


class PendingSerializer(serializers.Serializer):
    """A waiting avatar (pre-moderation), or the rejection of the last one that waited."""

    moderation_status = serializers.ChoiceField(choices=["pending", "rejected"])
    preview_url = serializers.URLField(
        required=False,
        help_text="While pending: a signed URL of its medium variant, working without credentials for an hour.",
    )
    blurhash = serializers.CharField(required=False)
    moderation_reason = serializers.CharField(required=False, help_text="When rejected: why.")
    created_at = serializers.DateTimeField()


class AvatarSerializer(serializers.Serializer):
    """An Avatar, as the upload answers it (202 in pre-moderation: `pending` describes it, the URLs answer once
    it is approved)."""

    avatar_url = serializers.CharField(source="url")
    message = serializers.SerializerMethodField()
    blurhash = serializers.CharField(help_text="BlurHash (4x3 components) of the medium variant.")
    variants = VariantUrlsSerializer(source="urls")
    metadata = AvatarMetadataSerializer(source="*")
    moderation_status = serializers.CharField()
    moderation_reason = serializers.CharField()
    pending = serializers.SerializerMethodField()

    def get_message(self, avatar) -> str:
        return UPLOADED if avatar.is_current else AWAITS_REVIEW

    @extend_schema_field(PendingSerializer(allow_null=True))
    def get_pending(self, avatar):
        return pending.pending_of(avatar, self.context.get("request"))


class AvatarUrlSerializer(serializers.Serializer):
    """GET: the current avatar (null fields when there is none but one waits) and what waits beside it."""

    avatar_url = serializers.CharField(allow_null=True)
    size = serializers.ChoiceField(choices=list(conf.VARIANT_SIZES))
    blurhash = serializers.CharField(allow_null=True, help_text="BlurHash (4x3 components) of the medium variant.")
    moderation_status = serializers.CharField(allow_null=True)
    moderation_reason = serializers.CharField(allow_null=True)
    pending = PendingSerializer(allow_null=True)


class AvatarDeletedSerializer(serializers.Serializer):
    message = serializers.CharField(default=DELETED)
    files_deleted = serializers.IntegerField()
