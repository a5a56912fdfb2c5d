"""Refuse to serve with an invalid configuration, rather than fail on the first request."""

from django.core import checks
from django.core.management.base import SystemCheckError


def check_or_refuse() -> None:
    """Run the system checks and raise SystemCheckError listing every error."""
    errors = [m for m in checks.run_checks() if m.is_serious() and not m.is_silenced()]
    if errors:
        lines = "\n".join(f"{m.id}: {m.msg}" + (f" HINT: {m.hint}" if m.hint else "") for m in errors)
        raise SystemCheckError(f"Critvue refuses to start with an invalid configuration:\n{lines}")
