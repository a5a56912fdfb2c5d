"""The accounts part of a user's export: profile.json."""

from accounts.serializers import ProfileSerializer
from mediakit.export import Member


def profile_part(user, request):
    yield Member.json("profile.json", ProfileSerializer(user, context={"request": request}).data)
