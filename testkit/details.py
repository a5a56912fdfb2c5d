"""Is an error's `detail` written for people? It names what is wrong with their file, never our internals:
Python class names, reprs (b'...', <...>, \\x escapes), code names (MAX_TEXT_CHUNK), "Error:" prefixes."""

import builtins
import re

# CamelCase words a sentence for people may hold: product names. Any other is a Python class.
PRODUCT_NAMES = frozenset({"FFmpeg", "WebP", "BlurHash", "QuickTime"})
_CAMEL_CASE = re.compile(r"\b[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+\b")
_EXCEPTIONS = frozenset(
    name for name, value in vars(builtins).items() if isinstance(value, type) and issubclass(value, BaseException)
)
_OUR_CLASSES = frozenset({"Rejected", "ImageRejected", "MediaRejected", "Mp4Error", "Traceback"})
_MARKS = ("Error:", "Error ", "<", ">", "object", "b'", 'b"', "\\x", "__", "MAX_", "Plugin", "0x")


def internals_in(detail: str) -> list[str]:
    """What in `detail` looks like an internal of the server rather than words for the file's owner."""
    found = [mark for mark in _MARKS if mark in detail]
    found += [word for word in re.findall(r"[A-Za-z_]\w*", detail) if word in _EXCEPTIONS | _OUR_CLASSES]
    found += [word for word in _CAMEL_CASE.findall(detail) if word not in PRODUCT_NAMES]
    return found


def assert_for_people(detail: str) -> None:
    """A sentence (capital first, full stop last) with nothing internal in it."""
    assert detail[:1].isupper() and detail.endswith("."), detail
    assert internals_in(detail) == [], detail
