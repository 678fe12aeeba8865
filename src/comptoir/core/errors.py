"""Errors that carry a code a program can branch on and a message a person can act on.

Services raise these; views show the message, the API answers
`{"code": ..., "error": ..., "message": ..., "details": ...}` (see `api.py`). Each app
lists its codes in an enum of its own (`orders/error_codes.py`, `catalog/error_codes.py`),
a subclass of `ErrorCode`, so the codes a client may meet are written down in one place
per app and the OpenAPI document lists them all (every subclass registers itself).

To add a code: add a member to your app's enum and raise
`InvalidInput(_("What went wrong and what to do."), code=MyAppErrorCode.SOMETHING, field=...)`.
The message is translated where it is raised, in the language active for the request
(the person's). Details are for programs: field names, ids, numbers; never prose.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, ClassVar


class ErrorCode(StrEnum):
    """Base of every app's error-code enum; the subclasses are collected for the OpenAPI document."""

    registry: ClassVar[list[type[ErrorCode]]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        ErrorCode.registry.append(cls)


ErrorCode.registry = []


class CoreErrorCode(ErrorCode):
    """The general kinds: what an error is when no app gave it a more precise code."""

    ERROR = "error"
    INVALID = "invalid"
    NOT_ALLOWED = "not_allowed"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    THROTTLED = "throttled"
    UNAVAILABLE = "unavailable"  # 503: the disk is full or the database read-only (core/storage.py)


def all_codes() -> list[str]:
    """Every code an API client can receive, sorted, without repeats."""
    return sorted({str(member) for enum in ErrorCode.registry for member in enum})


class ComptoirError(Exception):
    """A refusal the user should see, with its reason; `kind` is the general class of error."""

    kind: str = CoreErrorCode.ERROR
    status = 400

    def __init__(self, message: str, *, code: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.code = str(code or self.kind)
        self.details: dict[str, Any] = details


class NotAllowed(ComptoirError):
    kind = CoreErrorCode.NOT_ALLOWED
    status = 403


class NotFound(ComptoirError):
    kind = CoreErrorCode.NOT_FOUND
    status = 404


class InvalidInput(ComptoirError):
    kind = CoreErrorCode.INVALID


class Conflict(ComptoirError):
    """The request is well formed but contradicts what the node already holds (e.g. a reused key)."""

    kind = CoreErrorCode.CONFLICT
    status = 422


class Throttled(ComptoirError):
    kind = CoreErrorCode.THROTTLED
    status = 429
