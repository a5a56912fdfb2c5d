from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models


class MemberManager(BaseUserManager):
    def create_user(self, handle: str, password: str | None = None, **fields) -> "Member":
        member = self.model(handle=handle, **fields)
        member.set_password(password)
        member.save(using=self._db)
        return member

    def create_superuser(self, handle: str, password: str | None = None, **fields) -> "Member":
        return self.create_user(handle, password, is_staff=True, is_superuser=True, **fields)


class Member(AbstractBaseUser, PermissionsMixin):
    """Known by a handle; no email field at all."""

    handle = models.CharField(max_length=40, unique=True)
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)

    objects = MemberManager()

    USERNAME_FIELD = "handle"
    EMAIL_FIELD = "handle"  # nothing better to mail
    REQUIRED_FIELDS: list[str] = []

    def __str__(self) -> str:
        return self.handle
