"""Shapes of the avatar endpoints' requests and responses."""
from rest_framework import serializers

from avatars import conf

UPLOADED = "Avatar uploaded and processed successfully"
DELETED = "Avatar deleted successfully"


class AvatarUploadSerializer(serializers.Serializer):
    """The multipart request: one image in `file`."""

    file = serializers.FileField(help_text="JPEG, PNG, WebP or GIF, judged by its bytes.")


class VariantUrlsSerializer(serializers.Serializer):
    thumbnail = serializers.CharField()
    small = serializers.CharField()
    medium = serializers.CharField()
    large = serializers.CharField()
    full = serializers.CharField()


class AvatarMetadataSerializer(serializers.Serializer):
    original_size = serializers.IntegerField(help_text="Bytes of the upload.")
    original_dimensions = serializers.CharField(help_text="Width x height as stored, e.g. 2000x1500.")
    format = serializers.ChoiceField(source="original_format", choices=["JPEG", "PNG", "GIF", "WEBP"])


class AvatarSerializer(serializers.Serializer):
    """An Avatar, as the upload answers it."""

    avatar_url = serializers.SerializerMethodField()
    message = serializers.SerializerMethodField()
    variants = VariantUrlsSerializer(source="urls")
    metadata = AvatarMetadataSerializer(source="*")

    def get_avatar_url(self, avatar) -> str:
        return avatar.urls[conf.DEFAULT_SIZE]

    def get_message(self, avatar) -> str:
        return UPLOADED


class AvatarUrlSerializer(serializers.Serializer):
    avatar_url = serializers.CharField()
    size = serializers.ChoiceField(choices=list(conf.VARIANT_SIZES))


class AvatarDeletedSerializer(serializers.Serializer):
    message = serializers.CharField(default=DELETED)
    files_deleted = serializers.IntegerField()
