from mediakit.commands import CleanupCommand
from persona_media import conf, services


class Command(CleanupCommand):
    what, row_label, default_days = "persona media files", "media file", conf.ORPHAN_DAYS
    storage_alias = staticmethod(conf.storage_alias)
    cleanup = staticmethod(services.cleanup_orphaned_media)
