"""One dict of settings per app (`AVATARS = {...}`), read at call time and checked by a system check.

Each app's `conf.py` declares its defaults once; code reads `conf.settings.MAX_UPLOAD_BYTES`, which is
the host's value when its dict names it and the default otherwise. A key the app does not know is a
configuration error (a typo must not silently fall back to a default).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings as django_settings
from django.core.checks import Error


class AppSettings:
    """The settings of one app: `getattr(settings, name)` merged over `defaults`, key by key."""

    def __init__(self, name: str, defaults: Mapping[str, Any], *, check_id: str) -> None:
        self.name = name
        self.defaults = dict(defaults)
        self.check_id = check_id

    def given(self) -> Mapping[str, Any]:
        """What the host set (an empty dict when it set nothing)."""
        value = getattr(django_settings, self.name, None)
        return value if isinstance(value, Mapping) else {}

    def __getattr__(self, key: str) -> Any:
        if key.startswith("_") or key not in self.__dict__.get("defaults", {}):
            raise AttributeError(key)
        return self.given().get(key, self.defaults[key])

    def as_dict(self) -> dict[str, Any]:
        return {**self.defaults, **self.given()}

    def check(self) -> list[Error]:
        """Errors for a setting that is not a dict or names keys the app does not know."""
        value = getattr(django_settings, self.name, None)
        if value is not None and not isinstance(value, Mapping):
            return [
                Error(
                    f"{self.name} must be a dict, not {type(value).__name__}.",
                    hint=f"Set {self.name} = {{...}} with any of: {', '.join(self.defaults)}.",
                    id=self.check_id,
                )
            ]
        unknown = sorted(set(self.given()) - set(self.defaults))
        if not unknown:
            return []
        return [
            Error(
                f"{self.name} has unknown keys: {', '.join(unknown)}.",
                hint=f"Known keys: {', '.join(self.defaults)}.",
                id=self.check_id,
            )
        ]
