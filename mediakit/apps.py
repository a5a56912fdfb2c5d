from django.apps import AppConfig


class MediakitConfig(AppConfig):
    name = "mediakit"
    verbose_name = "Stored files"
