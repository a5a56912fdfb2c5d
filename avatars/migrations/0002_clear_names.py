from django.db import migrations, models


class Migration(migrations.Migration):
    """Names that say what they hold: a variant's label and storage name, sizes in bytes."""

    dependencies = [("avatars", "0001_initial")]

    operations = [
        migrations.RemoveConstraint(model_name="avatarvariant", name="avatars_one_variant_per_size"),
        migrations.RenameField(model_name="avatar", old_name="original_size", new_name="original_bytes"),
        migrations.RenameField(model_name="avatarvariant", old_name="size", new_name="label"),
        migrations.RenameField(model_name="avatarvariant", old_name="name", new_name="stored_name"),
        migrations.RenameField(model_name="avatarvariant", old_name="file_size", new_name="size_bytes"),
        migrations.AlterField(
            model_name="avatarvariant",
            name="stored_name",
            field=models.CharField(help_text="Name of the file in the avatars storage.", max_length=255, unique=True),
        ),
        migrations.AlterField(
            model_name="avatarvariant",
            name="size_bytes",
            field=models.PositiveIntegerField(help_text="Bytes of the stored file."),
        ),
        migrations.AddConstraint(
            model_name="avatarvariant",
            constraint=models.UniqueConstraint(fields=("avatar", "label"), name="avatars_one_variant_per_size"),
        ),
    ]
