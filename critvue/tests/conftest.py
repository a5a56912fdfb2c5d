"""The live production topology (critvue/tests/topology.py), started once for the modules that use it."""

import os
from urllib.parse import urlsplit

import boto3
import pytest

from critvue.tests.topology import production_env, running


@pytest.fixture(scope="session")
def topology_database(django_db_setup, django_db_blocker) -> str:
    """The URL of the test database pytest-django made: the app instances share it with the tests."""
    from django.db import connection

    if connection.vendor != "postgresql" or not os.environ.get("REDIS_URL"):
        pytest.skip("the production topology runs over PostgreSQL and Redis: DATABASE_URL and REDIS_URL (make test)")
    return urlsplit(os.environ["DATABASE_URL"])._replace(path="/" + connection.settings_dict["NAME"]).geturl()


@pytest.fixture(scope="session")
def local_site(tmp_path_factory, topology_database):
    """Local storage in one shared folder: nginx serves avatars and takes media downloads over."""
    folder = tmp_path_factory.mktemp("topology-local")
    yield from running(folder, production_env(folder, topology_database))


@pytest.fixture(scope="session")
def s3_site(tmp_path_factory, topology_database, s3_endpoint):
    """Both storages on the S3 server: downloads are presigned redirects."""
    folder = tmp_path_factory.mktemp("topology-s3")
    bucket = "critvue-topology"
    boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    ).create_bucket(Bucket=bucket)
    env = production_env(
        folder,
        topology_database,
        AVATAR_STORAGE_TYPE="cloud",
        MEDIA_STORAGE_TYPE="cloud",
        AWS_STORAGE_BUCKET_NAME=bucket,
        AWS_S3_ENDPOINT_URL=s3_endpoint,
        AWS_S3_REGION_NAME="us-east-1",
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        PERSONA_MEDIA_ACCEL_REDIRECT="",
        PERSONA_MEDIA_PRESIGNED_REDIRECT="true",
    )
    yield from running(folder, env, workers=1)
