"""Storage classes the settings name, and hiding objects until they may be public."""

import copy

from django.core.files.storage import FileSystemStorage


class PrivateFileSystemStorage(FileSystemStorage):
    """A local folder that is never served by URL: files leave only through views that check access."""

    def url(self, name):
        raise NotImplementedError("private storage has no public URL")


def hidden(storage):
    """The same storage, writing objects nobody can read by URL yet (S3 with ACLs: `private`).

    A local folder is served only through views that check their rows, so it is returned as it is;
    so is an S3 storage without a default ACL (a bucket policy decides what is public there).
    """
    from mediakit.downloads import is_s3

    if not is_s3(storage) or not storage.default_acl:
        return storage
    private = copy.copy(storage)
    private.default_acl = "private"
    return private


def publish(storage, names) -> None:
    """Give these objects the storage's default ACL (undoing hidden()); nothing to do elsewhere."""
    from storages.utils import clean_name

    from mediakit.downloads import is_s3

    if not is_s3(storage) or not storage.default_acl:
        return
    for name in names:
        storage.bucket.Object(storage._normalize_name(clean_name(name))).Acl().put(ACL=storage.default_acl)
