from django.db import migrations

from moderation.groups import remove_moderators_group, sync_moderators_group


class Migration(migrations.Migration):
    """The Moderators group exists after `migrate`; moderation's post_migrate keeps its permissions in step."""

    dependencies = [
        ("moderation", "0001_audit_events_and_queues"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(sync_moderators_group, remove_moderators_group)]
