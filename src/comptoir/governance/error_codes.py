"""The governance app's error codes (the values its services raise), listed for the OpenAPI document."""

from __future__ import annotations

from comptoir.core.errors import ErrorCode


class GovernanceErrorCode(ErrorCode):
    NOT_MEMBER = "not_member"
    NOT_VOTER = "not_voter"
    VOTE_REQUIRED = "vote_required"
    BAD_PARAMETER = "bad_parameter"
    WRONG_STATUS = "wrong_status"
    TOO_EARLY = "too_early"
    NOT_OPEN = "not_open"
    NOT_CLOSED = "not_closed"
    ALREADY_VOTED = "already_voted"
