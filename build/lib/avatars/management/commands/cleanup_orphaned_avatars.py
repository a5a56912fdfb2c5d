from avatars import conf, services
from mediakit.commands import CleanupCommand


class Command(CleanupCommand):
    what, row_label, default_days = "avatar files", "avatar variant", conf.ORPHAN_DAYS
    storage_alias = staticmethod(conf.storage_alias)
    cleanup = staticmethod(services.cleanup_orphaned_files)
