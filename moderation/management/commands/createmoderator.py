"""`manage.py createmoderator NAME`: an account that moderates, whatever the host's user model is."""

import getpass
import os
from typing import Any

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group
from django.core import exceptions
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from moderation.conf import GROUP_NAME

PASSWORD_VARIABLE = "DJANGO_MODERATOR_PASSWORD"


class Command(BaseCommand):
    help = (
        f"Make an account a moderator: staff (it may log in to the admin) and in the {GROUP_NAME} group, "
        "with exactly the rights moderation needs. An account that does not exist yet is created, with the "
        f"password in {PASSWORD_VARIABLE} or, interactively, the one typed twice. Running it again changes "
        "nothing."
    )

    def add_arguments(self, parser) -> None:
        user_model = get_user_model()
        parser.add_argument("username", help=f"The account's {user_model.USERNAME_FIELD}.")
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help=f"Never ask for a password: a new account takes {PASSWORD_VARIABLE}.",
        )
        for field in user_model.REQUIRED_FIELDS:
            parser.add_argument(f"--{field}", help=f"The new account's {field} (required to create one).")

    def handle(self, *args, username: str, interactive: bool, verbosity: int, **options) -> None:
        group = Group.objects.filter(name=GROUP_NAME).first()
        if group is None:
            raise CommandError(f"There is no {GROUP_NAME} group yet: run `manage.py migrate` first.")
        user = find(username)
        created = user is None
        if created:
            user = self.create(username, interactive=interactive, fields=options)
        with transaction.atomic():
            if not user.is_staff:
                user.is_staff = True
                user.save(update_fields=["is_staff"])
            user.groups.add(group)
        if verbosity >= 1:
            self.stdout.write(
                f"{getattr(user, user.USERNAME_FIELD)} is a moderator (staff, in {GROUP_NAME})"
                + ("; the account was created." if created else ".")
            )

    def create(self, username: str, *, interactive: bool, fields: dict):
        user_model = get_user_model()
        required = {name: fields.get(name) for name in user_model.REQUIRED_FIELDS}
        missing = [name for name, value in required.items() if not value]
        if missing:
            raise CommandError(f"No account is named {username!r}; to create it, give --{' --'.join(missing)}.")
        password = os.environ.get(PASSWORD_VARIABLE) or (ask_password() if interactive else None)
        if not password:
            raise CommandError(
                f"No account is named {username!r}; to create it, set {PASSWORD_VARIABLE} "
                "or run the command interactively."
            )
        candidate = user_model(**{user_model.USERNAME_FIELD: username, **required})
        try:
            password_validation.validate_password(password, candidate)
        except exceptions.ValidationError as error:
            raise CommandError("The password is refused: " + " ".join(error.messages)) from None
        manager: Any = user_model._default_manager  # a user model's manager has create_user
        return manager.create_user(**{user_model.USERNAME_FIELD: username, **required}, password=password)


def find(username: str):
    """The account of this name, exactly, else the only one whose name differs in case (emails)."""
    user_model = get_user_model()
    field = user_model.USERNAME_FIELD
    manager = user_model._default_manager
    exact = manager.filter(**{field: username}).first()
    if exact is not None:
        return exact
    alike = list(manager.filter(**{f"{field}__iexact": username})[:2])
    return alike[0] if len(alike) == 1 else None


def ask_password() -> str:
    first = getpass.getpass("Password of the new moderator: ")
    if first != getpass.getpass("Password (again): "):
        raise CommandError("The two passwords differ.")
    return first
