"""MODERATION_MODE is checked at start-up."""
from moderation.checks import check_mode


def test_post_and_pre_are_accepted(settings):
    for mode in ("post", "pre"):
        settings.MODERATION_MODE = mode
        assert check_mode() == []


def test_anything_else_is_an_error(settings):
    settings.MODERATION_MODE = "later"
    [error] = check_mode()
    assert error.id == "moderation.E001" and "'later'" in error.msg
