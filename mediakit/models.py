"""Files that storage refused to delete, kept until a retry removes them."""

from django.db import models


class PendingDeletion(models.Model):
    """A stored file whose rows are gone but whose bytes storage would not delete yet.

    Nothing serves a file without its row, so a file named here is never served; the
    `retry_deletions` command tries again until storage lets it go.
    """

    storage_alias = models.CharField(max_length=64, help_text="The entry of settings.STORAGES.")
    name = models.CharField(max_length=1024, help_text="The file's name in that storage.")
    attempts = models.PositiveIntegerField(default=1)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_attempt_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["storage_alias", "name"], name="mediakit_one_pending_deletion_per_file")
        ]

    def __str__(self) -> str:
        return f"{self.storage_alias}:{self.name}"
