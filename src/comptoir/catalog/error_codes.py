"""The catalog's error codes: what an API client may meet when it reads or changes shops and offers."""

from __future__ import annotations

from comptoir.core.errors import ErrorCode


class CatalogErrorCode(ErrorCode):
    SHOP_NOT_FOUND = "shop_not_found"
    OFFER_NOT_FOUND = "offer_not_found"
    NOT_SHOP_STAFF = "not_shop_staff"
    INVALID_FIELD = "invalid_field"
    DUPLICATE_REF = "duplicate_ref"
    DUPLICATE_SKU = "duplicate_sku"
    INVALID_HOURS = "invalid_hours"
    OFFERS_NOT_IN_SHOP = "offers_not_in_shop"
    OUT_OF_STOCK = "out_of_stock"
    SUPPLIER_NOT_FOUND = "supplier_not_found"
    SUPPLIER_EXISTS = "supplier_exists"
    SUPPLIER_CLOSE_MATCH = "supplier_close_match"
    NOT_CHAIN_STAFF = "not_chain_staff"
    SHARED_CATALOG = "shared_catalog"
    BRANCH_PRICES_LOCKED = "branch_prices_locked"
    UNKNOWN_SKU = "unknown_sku"
