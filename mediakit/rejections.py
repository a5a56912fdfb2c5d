"""The verdict of a pure check on an upload (no Django here: processing modules raise it)."""


class Rejected(Exception):
    """An upload refused for a reason the client can act on: a stable snake_case `code`, a `detail`."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail
