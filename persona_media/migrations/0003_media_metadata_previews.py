"""What a media file knows about itself (metadata, preview, BlurHash), and the duplicate lookup's index.

Safe on large tables: the new columns are nullable or have a constant default, which PostgreSQL
adds without rewriting the table, and the index is built CONCURRENTLY there (no write lock), so this
migration runs outside a transaction. `manage.py generate_media_previews` fills in existing rows.
"""

from django.conf import settings
from django.db import migrations, models


class AddIndexConcurrentlyWherePossible(migrations.AddIndex):
    """CREATE INDEX CONCURRENTLY on PostgreSQL; a plain CREATE INDEX elsewhere (SQLite).

    Written against the schema editor rather than django.contrib.postgres's AddIndexConcurrently, whose
    import needs psycopg: a host on SQLite must be able to run this migration without it.
    """

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if schema_editor.connection.vendor == "postgresql" and self.allow_migrate_model(
            schema_editor.connection.alias, model
        ):
            schema_editor.add_index(model, self.index, concurrently=True)
            return
        super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = from_state.apps.get_model(app_label, self.model_name)
        if schema_editor.connection.vendor == "postgresql" and self.allow_migrate_model(
            schema_editor.connection.alias, model
        ):
            schema_editor.remove_index(model, self.index, concurrently=True)
            return
        super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('persona_media', '0002_size_bytes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='mediafile',
            name='audio_codec',
            field=models.CharField(blank=True, default='', max_length=16),
        ),
        migrations.AddField(
            model_name='mediafile',
            name='bitrate',
            field=models.PositiveBigIntegerField(blank=True, help_text='Bits per second.', null=True),
        ),
        migrations.AddField(
            model_name='mediafile',
            name='blurhash',
            field=models.CharField(blank=True, default='', max_length=64),
        ),
        migrations.AddField(
            model_name='mediafile',
            name='fps',
            field=models.FloatField(blank=True, help_text='Average frames per second.', null=True),
        ),
        migrations.AddField(
            model_name='mediafile',
            name='playable',
            field=models.BooleanField(
                blank=True,
                help_text='Whether browsers can play the stored video (files stored before checks).',
                null=True,
            ),
        ),
        migrations.AddField(
            model_name='mediafile',
            name='preview_name',
            field=models.CharField(
                blank=True, default='', help_text="The preview's name in the storage, beside the file.", max_length=255
            ),
        ),
        migrations.AddField(
            model_name='mediafile',
            name='preview_type',
            field=models.CharField(blank=True, default='', max_length=16),
        ),
        migrations.AddField(
            model_name='mediafile',
            name='video_codec',
            field=models.CharField(blank=True, default='', max_length=16),
        ),
        migrations.AlterField(
            model_name='mediafile',
            name='duration',
            field=models.FloatField(blank=True, help_text='Seconds, from the decoded streams.', null=True),
        ),
        migrations.AddField(
            model_name='mediafile',
            name='preview_bytes',
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        AddIndexConcurrentlyWherePossible(
            model_name='mediafile',
            index=models.Index(fields=['persona', 'sha256'], name='persona_media_duplicate_idx'),
        ),
    ]
