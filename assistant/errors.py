"""The one exception type that reaches the user: it carries a Dutch sentence for her."""


class UserError(Exception):
    """A fault the user can act on. ``str(err)`` is one clear Dutch sentence.

    ``detail`` is an optional English explanation for the developers' log.
    """

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.detail = detail
