"""The verdict of a pure check on an upload (no Django here: processing modules raise it).

The project's exception handler answers any Rejected as a JSON 400 `{detail, code}`.
"""


class Rejected(Exception):
    """An upload refused for a reason the client can act on: a stable snake_case `code`, a `detail`."""

    status_code = 400
    extra: dict[str, object] = {}  # more fields of the error body, e.g. a duplicate's existing_id

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail

    @property
    def sentence(self) -> str:
        """The detail as a sentence: capital first letter, full stop."""
        text = self.detail.strip()
        return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")
