from django.apps import AppConfig


class PersonaMediaConfig(AppConfig):
    name = "persona_media"
