"""The host's user model, whatever it is: how to name a user and search for one."""

from django.contrib.auth import get_user_model


def identity(user) -> str:
    """What people recognise a user by: the email when the model has one, else the username."""
    if user is None:
        return ""
    email_field = user.get_email_field_name() if hasattr(user, "get_email_field_name") else "email"
    return str(getattr(user, email_field, "") or user.get_username())


def search_fields(prefix: str = "") -> tuple[str, ...]:
    """Admin search_fields for a user reached through `prefix` (e.g. "user__"): username, and email if any."""
    model = get_user_model()
    names = [model.USERNAME_FIELD]
    email = model.get_email_field_name()
    if email != model.USERNAME_FIELD and any(f.name == email for f in model._meta.get_fields()):
        names.append(email)
    return tuple(f"{prefix}{name}" for name in names)
