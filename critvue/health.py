"""`GET /health`: the state of the database, the cache and each named storage; `/health/avatar`."""
import logging
import uuid

from django.core.cache import cache
from django.core.checks import run_checks
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import connection
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.response import Response

from mediakit.checks import CONFIGURATION

log = logging.getLogger(__name__)
STORAGE_ALIASES = ("avatars", "persona_media")
HEALTH_PREFIX = ".health"


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _cache() -> None:
    key = f"health:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    if cache.get(key) != "1":
        raise RuntimeError("the cache did not return what was written")
    cache.delete(key)


def _storage(alias: str):
    def check() -> None:
        # Write and remove a tiny file: proves the storage is reachable *and* writable.
        storage = storages[alias]
        storage.delete(storage.save(f"{HEALTH_PREFIX}/{uuid.uuid4().hex}", ContentFile(b"ok")))
    return check


def probe(name: str, check) -> str:
    """Run one check; "ok", or "error" with the failure logged."""
    try:
        check()
    except Exception:  # a health probe reports every failure, whatever its kind
        log.warning("health check failed", extra={"component": name}, exc_info=True)
        return "error"
    return "ok"


@extend_schema(responses={(200, "application/json"): inline_serializer("Health", {
    "status": serializers.CharField(), "database": serializers.CharField(), "cache": serializers.CharField(),
    "storage": serializers.DictField(child=serializers.CharField())})})
@api_view(["GET"])
@authentication_classes([])
@permission_classes([])
def health(request):
    """Database, cache and storages: 200 when all answer, 503 when one does not."""
    body = {
        "database": probe("database", _database),
        "cache": probe("cache", _cache),
        "storage": {alias: probe(alias, _storage(alias)) for alias in STORAGE_ALIASES},
    }
    healthy = body["database"] == body["cache"] == "ok" and set(body["storage"].values()) == {"ok"}
    return Response({"status": "ok" if healthy else "error", **body}, status=200 if healthy else 503)


AVATAR_HEALTH = inline_serializer("AvatarHealth", {
    "status": serializers.ChoiceField(choices=["healthy", "unhealthy"]),
    "config_valid": serializers.BooleanField(),
    "errors": serializers.ListField(child=serializers.CharField()),
    "storage": inline_serializer("AvatarStorageStats", {
        "total_files": serializers.IntegerField(), "total_size_mb": serializers.FloatField()}),
})


@extend_schema(responses={200: AVATAR_HEALTH, 503: AVATAR_HEALTH})
@api_view(["GET"])
@authentication_classes([])
@permission_classes([])
def avatar_health(request):
    """Configuration errors of the project and the avatars app, and what the stored variants add up to."""
    from avatars.models import AvatarVariant

    errors = [m.msg for m in run_checks(tags=[CONFIGURATION])
              if m.is_serious() and not m.is_silenced() and m.id.split(".")[0] in ("critvue", "avatars")]
    totals = AvatarVariant.objects.totals()
    body = {
        "status": "unhealthy" if errors else "healthy",
        "config_valid": not errors,
        "errors": errors,
        "storage": {"total_files": totals["files"], "total_size_mb": round(totals["bytes"] / 1024 / 1024, 3)},
    }
    return Response(body, status=503 if errors else 200)
