"""Reading /metrics as a client (a monitoring system) would."""

import re

from rest_framework.test import APIClient


def scrape() -> str:
    response = APIClient().get("/metrics")
    assert response.status_code == 200
    return response.content.decode()


def sample(name: str, text: str | None = None, **labels: str) -> float | None:
    """The value of one sample (`name` with exactly these labels), or None when it is not exported."""
    text = scrape() if text is None else text
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    for line in text.splitlines():
        match = re.fullmatch(rf"{re.escape(name)}(?:\{{(.*)\}})? (\S+)", line)
        if match and ",".join(sorted((match.group(1) or "").split(","))).strip(",") == wanted:
            return float(match.group(2))
    return None


def value(name: str, **labels: str) -> float:
    """The sample's value, 0 when it is not exported yet (a counter never incremented)."""
    return sample(name, **labels) or 0.0
