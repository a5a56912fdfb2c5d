"""Side effects of row changes: a deleted MediaFile takes its stored file with it, after commit."""

from mediakit.files import file_cleanup_handler
from persona_media.conf import storage_alias

# Fires for every deleted row: directly, through a persona's or a user's cascade, or from the admin.
remove_stored_file = file_cleanup_handler(storage_alias, lambda media: media.stored_names)
