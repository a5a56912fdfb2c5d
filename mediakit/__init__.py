"""Upload mechanics shared by the avatars and persona_media apps (imports neither)."""
