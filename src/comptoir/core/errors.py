"""Errors that carry a message a person can act on.

Services raise these; views and the API turn them into a page message or a
JSON error with the same text. They never hide the cause.
"""

from __future__ import annotations

from typing import Any


class ComptoirError(Exception):
    """A refusal the user should see, with its reason."""

    code = "error"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, Any] = details


class NotAllowed(ComptoirError):
    code = "not_allowed"


class NotFound(ComptoirError):
    code = "not_found"


class InvalidInput(ComptoirError):
    code = "invalid"
