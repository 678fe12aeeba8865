"""The orders app's error codes: what an API client may meet with carts, checkout and orders."""

from __future__ import annotations

from comptoir.core.errors import ErrorCode


class OrderErrorCode(ErrorCode):
    # cart and checkout
    EMPTY_CART = "empty_cart"
    INVALID_QUANTITY = "invalid_quantity"
    NOT_SOLD = "not_sold"
    NOT_IN_CART = "not_in_cart"
    OUT_OF_STOCK = "out_of_stock"
    PRICES_CHANGED = "prices_changed"
    INVALID_EMAIL = "invalid_email"
    INVALID_LANGUAGE = "invalid_language"
    UNKNOWN_PAYMENT_METHOD = "unknown_payment_method"
    FULFILMENT_REQUIRED = "fulfilment_required"
    DELIVERY_DETAILS_REQUIRED = "delivery_details_required"
    SLOT_UNAVAILABLE = "slot_unavailable"
    ADDRESS_NOT_FOUND = "address_not_found"
    INVALID_POSTAL_CODE = "invalid_postal_code"
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
    CHECKOUT_THROTTLED = "checkout_throttled"
    TOO_MANY_OPEN_ORDERS = "too_many_open_orders"
    EMAIL_NOT_CONFIRMED = "email_not_confirmed"
    CONFIRMATION_INVALID = "confirmation_invalid"
    # orders and their lifecycle
    ORDER_NOT_FOUND = "order_not_found"
    SHOP_ORDER_NOT_FOUND = "shop_order_not_found"
    SIGN_IN_REQUIRED = "sign_in_required"
    TRANSITION_NOT_ALLOWED = "transition_not_allowed"
    UNKNOWN_ACTION = "unknown_action"
    INVALID_CHANGE = "invalid_change"
    SUBSTITUTE_UNAVAILABLE = "substitute_unavailable"
    WRONG_RECIPIENT = "wrong_recipient"
    NOTHING_HANDED_OVER = "nothing_handed_over"
    # money in and out, entered by staff
    BAD_AMOUNT = "bad_amount"
