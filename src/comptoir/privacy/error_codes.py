"""The privacy app's error codes, listed for the OpenAPI document."""

from __future__ import annotations

from comptoir.core.errors import ErrorCode


class PrivacyErrorCode(ErrorCode):
    WRONG_PASSWORD = "wrong_password"
    NOT_CONFIRMED = "erasure_not_confirmed"
    ORDERS_IN_PROGRESS = "orders_in_progress"
    LAST_SHOP_OWNER = "last_shop_owner"
    SHIFTS_TO_COME = "shifts_to_come"
    BAD_BUNDLE = "bad_bundle"
