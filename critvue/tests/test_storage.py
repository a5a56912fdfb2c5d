"""Both named storages round-trip real bytes on the local folder and on the S3 server."""

import hashlib

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages

PAYLOAD = bytes(range(256)) * 4096  # 1 MiB of every byte value


@pytest.mark.parametrize("alias", ["avatars", "persona_media"])
def test_storage_round_trip(storage_backend, alias, settings):
    storage = storages[alias]
    name = storage.save("round/trip.bin", ContentFile(PAYLOAD))
    assert name.startswith("round/")
    assert storage.exists(name) and storage.size(name) == len(PAYLOAD)
    with storage.open(name, "rb") as fh:
        assert hashlib.sha256(fh.read()).digest() == hashlib.sha256(PAYLOAD).digest()
    storage.delete(name)
    assert not storage.exists(name)


def test_local_storage_writes_into_its_folder(settings):
    storage = storages["avatars"]
    name = storage.save("medium/x.jpg", ContentFile(b"abc"))
    assert (settings.AVATAR_STORAGE_PATH + "/" + name).endswith("medium/x.jpg")
    with open(storage.path(name), "rb") as fh:  # the bytes really are on disk
        assert fh.read() == b"abc"
    assert storage.url(name) == "/files/avatars/medium/x.jpg"


def test_private_storage_has_no_url():
    with pytest.raises(NotImplementedError):
        storages["persona_media"].url("1/2/x.jpg")


@pytest.mark.s3
def test_s3_objects_land_under_their_prefix_with_acl(s3_storages, s3_endpoint):
    avatars, media = storages["avatars"], storages["persona_media"]
    a = avatars.save("small/a.jpg", ContentFile(b"a"))
    m = media.save("1/2/m.jpg", ContentFile(b"m"))
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    )
    keys = {o["Key"] for o in client.list_objects_v2(Bucket=s3_storages)["Contents"]}
    assert keys == {f"avatars/{a}", f"persona-media/{m}"}
    grants = client.get_object_acl(Bucket=s3_storages, Key=f"avatars/{a}")["Grants"]
    assert any(g["Grantee"].get("URI", "").endswith("AllUsers") for g in grants)
    private = client.get_object_acl(Bucket=s3_storages, Key=f"persona-media/{m}")["Grants"]
    assert not any(g["Grantee"].get("URI", "").endswith("AllUsers") for g in private)
    assert "X-Amz-Signature" not in avatars.url(a) and "Signature" in media.url(m)
    head = client.head_object(Bucket=s3_storages, Key=f"avatars/{a}")
    assert head["CacheControl"] == "public, max-age=31536000, immutable"
    assert "CacheControl" not in client.head_object(Bucket=s3_storages, Key=f"persona-media/{m}")


def test_folders_the_app_makes_keep_the_group_nginx_reads_them_by(settings):
    """deploy/README.md makes the storage folders setgid to nginx's group: every folder below them (a user's,
    a persona's) must inherit it, or nginx cannot send the files in it (X-Accel-Redirect answers 403)."""
    import grp
    import os
    import stat

    root = settings.PERSONA_MEDIA_STORAGE_PATH
    os.makedirs(root)
    group = next(g.gr_gid for g in grp.getgrall() if g.gr_gid != os.getegid())  # a group other than ours
    os.chown(root, -1, group)
    os.chmod(root, 0o2750)
    name = storages["persona_media"].save("7/3/picture.jpg", ContentFile(b"x"))
    for folder in ("7", "7/3"):
        info = os.stat(os.path.join(root, folder))
        assert info.st_mode & stat.S_ISGID and info.st_gid == group, folder
        assert stat.S_IMODE(info.st_mode) & 0o777 == 0o750, folder
    assert os.stat(storages["persona_media"].path(name)).st_gid == group
