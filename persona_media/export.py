"""The persona_media part of a user's export: personas.json and every stored media file."""

from mediakit.export import Member
from persona_media import conf
from persona_media.models import MediaFile, Persona
from persona_media.serializers import MediaFileSerializer, PersonaSerializer


def archive_name(media: MediaFile) -> str:
    """`media/{persona_id}/{id}-{original_filename}` (the name is already a bare, sanitised file name)."""
    return f"media/{media.persona_id}/{media.pk}-{media.original_filename}"


def persona_media_part(user, request):
    """personas.json lists every media row, rejected ones too (with their reason); the archive holds
    the files still stored: a rejection deleted its file's bytes."""
    context = {"request": request}
    media = list(MediaFile.objects.owned_by(user).order_by("persona_id", "pk"))
    by_persona: dict[int, list] = {}
    for item in media:
        by_persona.setdefault(item.persona_id, []).append(MediaFileSerializer(item, context=context).data)
    personas = [
        {**PersonaSerializer(persona, context=context).data, "media_files": by_persona.get(persona.pk, [])}
        for persona in Persona.objects.owned_by(user).order_by("pk")
    ]
    yield Member.json("personas.json", personas)
    storage = conf.storage()
    for item in media:
        # What download serves, and only that: no upload still waiting for its conversion, no rejected file.
        if item.is_ready and not item.is_rejected:
            yield Member.stored(archive_name(item), storage, item.stored_name, item.size_bytes)
