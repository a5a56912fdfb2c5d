"""Storage classes the settings name."""
from django.core.files.storage import FileSystemStorage


class PrivateFileSystemStorage(FileSystemStorage):
    """A local folder that is never served by URL: files leave only through views that check access."""

    def url(self, name):
        raise NotImplementedError("private storage has no public URL")
