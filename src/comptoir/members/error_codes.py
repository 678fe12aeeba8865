"""The members app's error codes, listed for the OpenAPI document."""

from __future__ import annotations

from comptoir.core.errors import ErrorCode


class MemberErrorCode(ErrorCode):
    TOO_MANY_TOKENS = "too_many_tokens"
    LOCKED_OUT = "locked_out"
