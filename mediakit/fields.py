"""Serializer fields that take only what the OpenAPI schema says they take."""

from django.db import models
from rest_framework import serializers


class TextField(serializers.CharField):
    """A string, and only a string. DRF's CharField also takes a number (as its text): a client that sends
    `{"description": 0}` would see "0" stored, though the schema says `type: string`."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


# DRF's ModelSerializer with text model fields read by TextField. (No docstring: drf-spectacular would
# show it as the description of every serializer below it.)
class ModelSerializer(serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: TextField,
        models.TextField: TextField,
    }
