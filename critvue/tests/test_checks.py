"""Each configuration check fires on its bad configuration, and the app refuses to start."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import checks

from critvue.settings import DEVELOPMENT_SECRET_KEY

ROOT = Path(__file__).resolve().parents[2]


def ids(settings) -> set[str]:
    return {m.id for m in checks.run_checks() if m.is_serious()}


def test_valid_configuration_has_no_errors(settings):
    settings.SECRET_KEY = "a" * 20 + "long-random-test-secret-value-0123456789"
    assert not {i for i in ids(settings) if i.startswith("critvue.")}


@pytest.mark.parametrize(
    "changes, expected",
    [
        ({"DEBUG": False, "SECRET_KEY": DEVELOPMENT_SECRET_KEY}, "critvue.E001"),
        ({"AVATAR_STORAGE_TYPE": "ftp"}, "critvue.E002"),
        ({"MEDIA_STORAGE_TYPE": ""}, "critvue.E002"),
        ({"AVATAR_STORAGE_PATH": "relative/avatars"}, "critvue.E003"),
        ({"PERSONA_MEDIA_STORAGE_PATH": "/dev/null/persona_media"}, "critvue.E004"),
        ({"AVATAR_STORAGE_TYPE": "cloud", "AWS_STORAGE_BUCKET_NAME": ""}, "critvue.E005"),
        ({"AVATARS": {"MAX_UPLOAD_BYTES": 0}}, "avatars.E003"),
        ({"PERSONA_MEDIA": {"MAX_UPLOAD_BYTES": -1}}, "persona_media.E003"),
        ({"MEDIAKIT": {"JPEG_QUALITY": 0}}, "mediakit.E002"),
        ({"MEDIAKIT": {"WEBP_QUALITY": 101}}, "mediakit.E002"),
        ({"MEDIAKIT": {"PNG_COMPRESSION": 10}}, "mediakit.E002"),
        ({"MODERATION": {"MODE": "later"}}, "moderation.E001"),
        ({"TRUSTED_PROXIES": ["127.0.0.1", "nginx.internal"]}, "critvue.E006"),
        ({"TRUSTED_PROXIES": ["10.0.0.0/33"]}, "critvue.E006"),
    ],
)
def test_check_fires(settings, changes, expected):
    settings.SECRET_KEY = "a-long-random-test-secret-value-0123456789-abcdefghij"
    for name, value in changes.items():
        setattr(settings, name, {**getattr(settings, name), **value} if isinstance(value, dict) else value)
    assert expected in ids(settings)


def test_storage_path_that_is_a_file_is_not_writable(settings, tmp_path):
    target = tmp_path / "file"
    target.write_bytes(b"")
    settings.AVATAR_STORAGE_PATH = str(target)
    assert "critvue.E004" in ids(settings)


def run_python(code: str, **env) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY")}
    environment.update(DJANGO_SETTINGS_MODULE="critvue.settings", CRITVUE_ENV_FILE="", **env)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("module", ["critvue.wsgi", "critvue.asgi"])
def test_application_refuses_to_start_on_invalid_configuration(module, tmp_path):
    result = run_python(
        f"import {module}",
        DEBUG="false",
        AVATAR_STORAGE_TYPE="floppy",
        AVATAR_STORAGE_PATH=str(tmp_path),
        PERSONA_MEDIA_STORAGE_PATH=str(tmp_path),
    )
    assert result.returncode != 0
    assert "critvue.E001" in result.stderr and "critvue.E002" in result.stderr
    assert "refuses to start" in result.stderr


def test_application_starts_on_valid_configuration(tmp_path):
    result = run_python(
        "import critvue.wsgi; print('started')",
        DEBUG="false",
        SECRET_KEY="x" * 60,
        AVATAR_STORAGE_PATH=str(tmp_path / "a"),
        PERSONA_MEDIA_STORAGE_PATH=str(tmp_path / "m"),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("started")


def test_check_deploy_command_reports_errors(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={
            **{k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY")},
            "CRITVUE_ENV_FILE": "",
            "MAX_AVATAR_SIZE": "-5",
        },
    )
    assert result.returncode != 0
    assert "critvue.E001" in result.stderr and "avatars.E003" in result.stderr


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("MAX_AVATAR_SIZE", "0", "avatars.E003"),
        ("PERSONA_MEDIA_MAX_SIZE", "-1", "persona_media.E003"),
        ("JPEG_QUALITY", "0", "mediakit.E002"),
        ("MODERATION_MODE", "later", "moderation.E001"),
    ],
)
def test_environment_variables_reach_the_apps_settings(variable, value, expected, tmp_path):
    """The variables the README documents keep their meaning: each fills its app's key, and is checked."""
    result = run_python(
        "import django; django.setup(); from django.core import checks; "
        "print(*sorted({m.id for m in checks.run_checks() if m.is_serious()}))",
        DEBUG="true",
        AVATAR_STORAGE_PATH=str(tmp_path / "a"),
        PERSONA_MEDIA_STORAGE_PATH=str(tmp_path / "m"),
        **{variable: value},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [expected]
