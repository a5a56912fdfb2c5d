from django.db import migrations, models


class Migration(migrations.Migration):
    """`*_bytes` for sizes in bytes, as in the avatars app (the API's field stays `file_size`)."""

    dependencies = [("persona_media", "0001_initial")]

    operations = [
        migrations.RenameField(model_name="mediafile", old_name="file_size", new_name="size_bytes"),
        migrations.AlterField(
            model_name="mediafile",
            name="size_bytes",
            field=models.PositiveBigIntegerField(help_text="Bytes of the stored file."),
        ),
        # The database's index follows its renamed column by itself; only Django's record of it changes.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(model_name="mediafile", name="persona_media_stats_idx"),
                migrations.AddIndex(
                    model_name="mediafile",
                    index=models.Index(
                        fields=["user", "persona", "media_type", "size_bytes"], name="persona_media_stats_idx"
                    ),
                ),
            ]
        ),
    ]
