"""The OpenAPI shape of every error body, shared by both apps' views."""

from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    """Every error: a sentence for people and a stable snake_case code for programs."""

    detail = serializers.CharField()
    code = serializers.CharField()
