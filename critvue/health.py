"""`GET /health`: the state of the database, the cache and each named storage; `/health/avatar`."""

from django.core.checks import run_checks
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.response import Response

from critvue import probes
from mediakit.checks import CONFIGURATION


def storage_aliases() -> tuple[str, ...]:
    """The STORAGES entries the apps keep their files in (Critvue: "avatars" and "persona_media")."""
    from avatars import conf as avatars_conf
    from persona_media import conf as media_conf

    return tuple(dict.fromkeys((avatars_conf.storage_alias(), media_conf.storage_alias())))


HEALTH = inline_serializer(
    "Health",
    {
        "status": serializers.CharField(),
        "database": serializers.CharField(),
        "cache": serializers.CharField(),
        "storage": serializers.DictField(child=serializers.CharField()),
    },
)


@extend_schema(responses={(200, "application/json"): HEALTH, (503, "application/json"): HEALTH})
@api_view(["GET"])
@authentication_classes([])
@permission_classes([])
def health(request):
    """Database, cache and storages, each probed with a deadline: 200 when all answer, 503 when one does not."""
    aliases = storage_aliases()
    states = probes.run(
        {
            "database": probes.in_own_connection(probes.database),
            "cache": probes.cache_roundtrip,
            **{alias: probes.storage(alias) for alias in aliases},
        }
    )
    body = {
        "database": states["database"],
        "cache": states["cache"],
        "storage": {alias: states[alias] for alias in aliases},
    }
    healthy = set(states.values()) == {"ok"}
    return Response({"status": "ok" if healthy else "error", **body}, status=200 if healthy else 503)


AVATAR_HEALTH = inline_serializer(
    "AvatarHealth",
    {
        "status": serializers.ChoiceField(choices=["healthy", "unhealthy"]),
        "config_valid": serializers.BooleanField(),
        "errors": serializers.ListField(child=serializers.CharField()),
        "storage": inline_serializer(
            "AvatarStorageStats",
            {
                "total_files": serializers.IntegerField(allow_null=True),
                "total_size_mb": serializers.FloatField(allow_null=True),
            },
        ),
    },
)


@extend_schema(responses={200: AVATAR_HEALTH, 503: AVATAR_HEALTH})
@api_view(["GET"])
@authentication_classes([])
@permission_classes([])
def avatar_health(request):
    """Configuration errors of the project and the avatars app, the services avatars need (each probed
    with a deadline, a failing one named in `errors`), and what the stored variants add up to."""
    from avatars import conf as avatars_conf
    from avatars.models import AvatarVariant

    errors = [
        m.msg
        for m in run_checks(tags=[CONFIGURATION])
        if m.is_serious() and not m.is_silenced() and (m.id or "").split(".")[0] in ("critvue", "avatars")
    ]
    config_valid = not errors
    totals: dict[str, int | None] = {"files": None, "bytes": None}

    def database() -> None:
        totals.update(AvatarVariant.objects.totals())

    states = probes.run(
        {
            "database": probes.in_own_connection(database),
            "cache": probes.cache_roundtrip,
            "avatars storage": probes.storage(avatars_conf.storage_alias()),
        }
    )
    errors += [f"The {name} is unavailable ({state})." for name, state in states.items() if state != "ok"]
    size = None if totals["bytes"] is None else round(totals["bytes"] / 1024 / 1024, 3)
    body = {
        "status": "unhealthy" if errors else "healthy",
        "config_valid": config_valid,
        "errors": errors,
        "storage": {"total_files": totals["files"], "total_size_mb": size},
    }
    return Response(body, status=503 if errors else 200)
