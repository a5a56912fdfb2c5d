"""A password validator for AUTH_PASSWORD_VALIDATORS: at most PASSWORD_MAX_LENGTH characters."""

from django.core.exceptions import ValidationError

from accounts import conf


class MaximumLengthValidator:
    """Refuse passwords longer than `max_length` characters (every form and command that sets one)."""

    def __init__(self, max_length: int = conf.PASSWORD_MAX_LENGTH):
        self.max_length = max_length

    def validate(self, password: str, user=None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                f"This password is too long: at most {self.max_length} characters.",
                code="password_too_long",
                params={"max_length": self.max_length},
            )

    def get_help_text(self) -> str:
        return f"Your password can contain at most {self.max_length} characters."
