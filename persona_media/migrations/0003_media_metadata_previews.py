"""What a media file knows about itself (metadata, preview, BlurHash), and the duplicate lookup's index.

Safe on large tables: the new columns are nullable or have a constant default, which PostgreSQL
adds without rewriting the table, and the index is built CONCURRENTLY there (no write lock), so this
migration runs outside a transaction. `manage.py generate_media_previews` fills in existing rows.
"""
from django.conf import settings
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class AddIndexConcurrentlyWherePossible(AddIndexConcurrently):
    """CREATE INDEX CONCURRENTLY on PostgreSQL; a plain CREATE INDEX elsewhere (SQLite)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        return migrations.AddIndex.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        return migrations.AddIndex.database_backwards(self, app_label, schema_editor, from_state, to_state)


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
            field=models.BooleanField(blank=True, help_text='Whether browsers can play the stored video (files stored before checks).', null=True),
        ),
        migrations.AddField(
            model_name='mediafile',
            name='preview_name',
            field=models.CharField(blank=True, default='', help_text="The preview's name in the storage, beside the file.", max_length=255),
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
