import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError

pytestmark = pytest.mark.django_db


def test_email_is_unique_case_insensitively():
    User = get_user_model()
    User.objects.create_user("Mixed@Example.COM", "Correct-Horse-42")
    with pytest.raises(IntegrityError):
        User.objects.create_user("mixed@example.com", "Correct-Horse-42")


def test_superuser_and_natural_key():
    User = get_user_model()
    admin = User.objects.create_superuser("boss@example.com", "Correct-Horse-42")
    assert admin.is_staff and admin.is_superuser and admin.role == "admin"
    assert User.objects.get_by_natural_key("BOSS@example.com") == admin


def test_profile_indexes_exist():
    User = get_user_model()
    indexed = {f.name for f in User._meta.fields if f.db_index or f.unique}
    assert {"email", "avatar_url", "avg_rating", "total_reviews_given"} <= indexed
