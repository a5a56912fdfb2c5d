"""The Critvue user: email login plus the profile fields of the avatar document."""

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)

    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=email, **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> "User":
        fields.update(is_staff=True, is_superuser=True, role=User.Role.ADMIN)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    class Role(models.TextChoices):
        CREATOR = "creator"
        REVIEWER = "reviewer"
        ADMIN = "admin"

    email = models.EmailField(max_length=255, unique=True)
    full_name = models.CharField(max_length=255, blank=True)
    bio = models.TextField(blank=True)
    title = models.CharField(max_length=255, blank=True)
    specialty_tags = models.JSONField(default=list, blank=True)
    badges = models.JSONField(default=list, blank=True)
    total_reviews_given = models.PositiveIntegerField(default=0, db_index=True)
    total_reviews_received = models.PositiveIntegerField(default=0)
    avg_rating = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True, db_index=True)
    avg_response_time_hours = models.PositiveIntegerField(null=True, blank=True)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.CREATOR)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    is_verified = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []  # a ClassVar of AbstractBaseUser

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.email

    @property
    def avatar_url(self) -> str | None:
        """The URL of the current avatar's medium variant (derived: nothing else writes it), or None."""
        avatars = getattr(self, "avatars", None)  # the avatars app's reverse key, when installed
        if avatars is None:
            return None
        # .all() uses a prefetch when there is one; a waiting (pre-moderated) avatar is never shown.
        current = next((a for a in avatars.all() if a.is_current), None)
        return current.url if current is not None else None

    def clean(self) -> None:
        super().clean()
        self.email = self.email.strip().lower()

    def save(self, *args, **kwargs) -> None:
        # Email is unique case-insensitively: it is stored lower-case, and looked up with iexact.
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)
