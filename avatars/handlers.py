"""Stored files follow their variant rows: removed once the deleting transaction commits."""

from avatars import conf
from mediakit.files import file_cleanup_handler

# However a variant row goes (API, admin, shell, a user's cascade), its file goes after commit.
remove_variant_file = file_cleanup_handler(conf.storage_alias, lambda variant: [variant.stored_name])
