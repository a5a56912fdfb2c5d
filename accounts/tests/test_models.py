import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection

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


def test_the_database_indexes_what_profiles_are_searched_and_sorted_by():
    """Read back from the database itself (not the model): the migrations created these indexes."""
    table = get_user_model()._meta.db_table
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    indexed = {tuple(c["columns"]) for c in constraints.values() if c["index"] or c["unique"]}
    assert {("email",), ("avg_rating",), ("total_reviews_given",)} <= indexed
