"""The system-check tag shared by the project's and the apps' configuration checks."""

# Checks that judge configuration only (no models, URLs or schema): cheap enough for a health probe.
CONFIGURATION = "configuration"
