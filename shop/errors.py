"""Domain errors carry their HTTP status and an untranslated message.

Services raise them without knowing who called; the web and API layers translate the message into the
user's language and render it with the status the error names.
"""

from __future__ import annotations

from typing import Any


def N_(message: str) -> str:  # noqa: N802  (the gettext convention for deferred translation)
    """Mark a message for translation without translating it yet (translated where it is shown)."""
    return message


def NN_(singular: str, plural: str) -> tuple[str, str]:  # noqa: N802
    """Mark a message with a plural form for translation; shown with ``ngettext(*pair, count)``."""
    return singular, plural


class Phrase(str):
    """A message used as a parameter of another (a status name in "it is %(current)s"): translated with the
    message it fills, where plain parameters (numbers, names, titles) are shown as they are."""

    __slots__ = ()


class DomainError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None, **params: Any):
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params
        self.field = field
        if code is not None:
            self.code = code

    def translated(self, gettext) -> str:
        text = gettext(self.message)
        if not self.params:
            return text
        return text % {k: gettext(v) if isinstance(v, Phrase) else v for k, v in self.params.items()}


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class Conflict(DomainError):
    status_code = 409
    code = "conflict"


class InvalidState(DomainError):
    status_code = 409
    code = "invalid_state"


class Forbidden(DomainError):
    status_code = 403
    code = "forbidden"


class ValidationFailed(DomainError):
    """Input that is well-formed but breaks a business rule; may name several fields at once."""

    status_code = 422
    code = "validation_failed"

    def __init__(self, message: str, *, field: str | None = None, errors: list[DomainError] | None = None, **params):
        super().__init__(message, field=field, **params)
        self.errors = errors or []


class TooManyRequests(DomainError):
    """Someone tried too often (see ``shop.throttle``); ``retry_after`` says in how many seconds to try again."""

    status_code = 429
    code = "too_many_requests"

    def __init__(self, message: str, *, retry_after: int, **params: Any):
        super().__init__(message, **params)
        self.retry_after = max(1, int(retry_after))
