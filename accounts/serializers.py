from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from rest_framework import serializers
from rest_framework.validators import UniqueValidator

from accounts import conf
from accounts.models import User
from mediakit.fields import ModelSerializer, TextField

# A tag is a short label; twenty of them is already a crowded profile.
MAX_TAGS = 20
MAX_TAG_LENGTH = 50
# A profile bio is a paragraph or two, not a document.
MAX_BIO_LENGTH = 5000
EMAIL_TAKEN = "A user with this email already exists."


def password_field(**kwargs) -> serializers.CharField:
    """The one password rule of every view that takes a password (register, login, account deletion).

    At most PASSWORD_MAX_LENGTH characters, checked before any validator or hasher sees it; never
    blank, never trimmed; text only (a number is no password); no NUL and no lone surrogate (DRF's
    CharField refuses both): a password that could never be set is refused everywhere, not matched
    by one view and refused by another.
    """
    return TextField(
        max_length=conf.PASSWORD_MAX_LENGTH, trim_whitespace=False, style={"input_type": "password"}, **kwargs
    )


class RegisterSerializer(ModelSerializer):
    password = password_field(write_only=True)

    class Meta:
        model = User
        fields = ["id", "email", "password", "full_name"]
        read_only_fields = ["id"]
        extra_kwargs: dict[str, dict] = {"email": {"validators": []}}

    def validate_email(self, value: str) -> str:
        value = value.strip().lower()
        UniqueValidator(User.objects.all(), EMAIL_TAKEN, lookup="iexact")(value, self.fields["email"])
        return value

    def validate(self, attrs: dict) -> dict:
        candidate = User(email=attrs["email"], full_name=attrs.get("full_name", ""))
        try:
            password_validation.validate_password(attrs["password"], candidate)
        except DjangoValidationError as exc:
            errors = serializers.as_serializer_error(exc)["non_field_errors"]
            raise serializers.ValidationError({"password": errors}) from None
        return attrs

    def create(self, validated_data: dict) -> User:
        try:
            with transaction.atomic():
                return User.objects.create_user(**validated_data)
        except IntegrityError:
            # A concurrent registration took the email after validate_email looked: the same 400.
            if not User.objects.filter(email__iexact=validated_data["email"]).exists():
                raise
            raise serializers.ValidationError({"email": [EMAIL_TAKEN]}, code="unique") from None


class UserSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "full_name"]


class LoginSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = password_field()


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()
    user = UserSummarySerializer()


class RefreshSerializer(serializers.Serializer):
    refresh = TextField(required=False, allow_blank=True, help_text="Omit to use the refresh_token cookie.")


class AccessSerializer(serializers.Serializer):
    access = serializers.CharField()


class ProfileSerializer(ModelSerializer):
    avatar_url = serializers.CharField(
        read_only=True, allow_null=True, help_text="The current avatar's medium variant, or null."
    )
    specialty_tags = serializers.ListField(
        child=TextField(max_length=MAX_TAG_LENGTH), max_length=MAX_TAGS, required=False
    )

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "full_name",
            "avatar_url",
            "bio",
            "title",
            "specialty_tags",
            "badges",
            "role",
            "is_verified",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "email", "avatar_url", "badges", "role", "is_verified", "created_at", "updated_at"]
        extra_kwargs = {"bio": {"max_length": MAX_BIO_LENGTH}}


class AccountDeleteSerializer(serializers.Serializer):
    password = password_field(help_text="The account's current password.")
