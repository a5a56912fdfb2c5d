from django.db import migrations


class Migration(migrations.Migration):
    """The profile's avatar_url is derived from the current avatar (avatars app): no column to keep in step."""

    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RemoveField(model_name="user", name="avatar_url")]
