"""Shapes of the avatar endpoints' requests and responses."""
from rest_framework import serializers

from avatars import conf
from mediakit.uploads import SingleUploadField

UPLOADED = "Avatar uploaded and processed successfully"
DELETED = "Avatar deleted successfully"


class AvatarUploadSerializer(serializers.Serializer):
    """The multipart request: exactly one non-empty file, in `file`."""

    file = SingleUploadField(help_text="JPEG, PNG, WebP or GIF, judged by its bytes.")


# One URL per variant label, in VARIANT_SIZES order.
VariantUrlsSerializer = type("VariantUrlsSerializer", (serializers.Serializer,),
                             {label: serializers.CharField() for label in conf.VARIANT_SIZES})


class AvatarMetadataSerializer(serializers.Serializer):
    original_size = serializers.IntegerField(source="original_bytes", help_text="Bytes of the upload.")
    original_dimensions = serializers.CharField(help_text="Width x height as stored, e.g. 2000x1500.")
    format = serializers.ChoiceField(source="original_format", choices=["JPEG", "PNG", "GIF", "WEBP", "AVIF", "HEIF"])


class AvatarSerializer(serializers.Serializer):
    """An Avatar, as the upload answers it."""

    avatar_url = serializers.CharField(source="url")
    message = serializers.SerializerMethodField()
    blurhash = serializers.CharField(help_text="BlurHash (4x3 components) of the medium variant.")
    variants = VariantUrlsSerializer(source="urls")
    metadata = AvatarMetadataSerializer(source="*")
    moderation_status = serializers.CharField()
    moderation_reason = serializers.CharField()

    def get_message(self, avatar) -> str:
        return UPLOADED


class AvatarUrlSerializer(serializers.Serializer):
    avatar_url = serializers.CharField()
    size = serializers.ChoiceField(choices=list(conf.VARIANT_SIZES))
    blurhash = serializers.CharField(help_text="BlurHash (4x3 components) of the medium variant.")
    moderation_status = serializers.CharField()
    moderation_reason = serializers.CharField()


class AvatarDeletedSerializer(serializers.Serializer):
    message = serializers.CharField(default=DELETED)
    files_deleted = serializers.IntegerField()
