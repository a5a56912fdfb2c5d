import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# The review queues were proxy models of this app until moderation stopped importing what it moderates;
# the queues are now the apps' own admins. Their content types (and permissions) are left over.
OLD_QUEUES = ("avatarreview", "mediareview")


def forget_old_queues(apps, schema_editor) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="moderation", model__in=OLD_QUEUES).delete()


class Migration(migrations.Migration):
    """Suspensions of uploads move here from a column of the host's user model (any user model now)."""

    dependencies = [
        ('moderation', '0002_moderators_group'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='UploadSuspension',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reason', models.CharField(blank=True, max_length=500)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                (
                    'moderator',
                    models.ForeignKey(
                        blank=True,
                        help_text='Who suspended the uploads.',
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name='+',
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    'user',
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name='upload_suspension',
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                'verbose_name': 'upload suspension',
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.RunPython(forget_old_queues, migrations.RunPython.noop),
    ]
