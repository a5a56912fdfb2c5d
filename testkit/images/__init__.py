"""Deterministic test images, built in memory (fixed seeds only): `from testkit import images as I`."""

from testkit.images.base import *  # noqa: F401,F403
from testkit.images.colour import *  # noqa: F401,F403
from testkit.images.hostile import *  # noqa: F401,F403
