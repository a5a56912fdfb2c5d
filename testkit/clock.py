"""A frozen clock for django-ratelimit's fixed windows: a test must never straddle two windows."""

import types

import django_ratelimit.core

START = 1_800_000_000.0


def freeze_ratelimit_clock(settings, monkeypatch) -> types.SimpleNamespace:
    """Turn rate limiting on and stop its clock at START; move it by setting `.value`."""
    settings.RATELIMIT_ENABLE = True
    now = types.SimpleNamespace(value=START)
    monkeypatch.setattr(django_ratelimit.core, "time", types.SimpleNamespace(time=lambda: now.value))
    return now
