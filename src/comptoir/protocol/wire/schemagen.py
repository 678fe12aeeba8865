"""Our JSON schemas for incoming messages, one per action, written to ``wire/schemas/``.

They are ours (not derived from ONDC's files, whose licence forbids it): they
require what this node needs to act on a message and what ONDC's rules make
mandatory, and leave everything else open, since peers add fields. Regenerate
with ``python -m comptoir.protocol.wire.schemagen`` after a change; a test checks
the shipped files match this module.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SCHEMAS = Path(__file__).with_name("schemas")
DOMAINS = [
    "ONDC:RET10",
    "ONDC:RET11",
    "ONDC:RET12",
    "ONDC:RET13",
    "ONDC:RET14",
    "ONDC:RET16",
    "nic2004:60232",
]
TIMESTAMP = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$"
DURATION = r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$"
DECIMAL = r"^-?\d+(\.\d+)?$"
ACTIONS = ["search", "select", "init", "confirm", "status", "track", "cancel", "update"]


def _obj(required: list[str] | None = None, **properties: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema


def _array(items: dict[str, Any], min_items: int = 1) -> dict[str, Any]:
    return {"type": "array", "items": items, "minItems": min_items}


STRING = {"type": "string", "minLength": 1}
PRICE = _obj(["currency", "value"], currency=STRING, value={"type": "string", "pattern": DECIMAL})
ID_ONLY = _obj(["id"], id=STRING)
COUNT = _obj(["count"], count={"type": "integer", "minimum": 0})
ADDRESS = _obj(["area_code"], area_code=STRING, city={"type": "string"}, name={"type": "string"})
LOCATION = _obj(gps={"type": "string", "pattern": r"^-?\d+(\.\d+)?, ?-?\d+(\.\d+)?$"}, address=ADDRESS)
QUOTE = _obj(
    ["price", "breakup"],
    price=PRICE,
    ttl={"type": "string", "pattern": DURATION},
    breakup=_array(
        _obj(
            ["@ondc/org/title_type", "price"],
            **{"@ondc/org/item_id": STRING, "@ondc/org/title_type": STRING, "price": PRICE},
        )
    ),
)
BILLING = _obj(["name", "address", "phone"], name=STRING, phone=STRING, address=ADDRESS)
# logistics orders carry items without a quantity; retail quantities are checked in select
ORDER_ITEMS = _array(_obj(["id"], id=STRING, quantity=COUNT))
PROVIDER = _obj(["id"], id=STRING, locations=_array(ID_ONLY, 0))
PAYMENT = _obj(
    [],
    type={"enum": ["ON-ORDER", "PRE-FULFILLMENT", "ON-FULFILLMENT", "POST-FULFILLMENT"]},
    collected_by={"enum": ["BAP", "BPP"]},
    status={"enum": ["PAID", "NOT-PAID"]},
)
FULFILLMENT_STATE = _obj(["descriptor"], descriptor=_obj(["code"], code=STRING))


def context_schema(action: str) -> dict[str, Any]:
    required = ["domain", "action", "country", "city", "core_version", "bap_id", "bap_uri"]
    required += ["transaction_id", "message_id", "timestamp"]
    if action != "search" and action != "on_search":
        required += ["bpp_id", "bpp_uri"]
    if action == "on_search":
        required += ["bpp_id", "bpp_uri"]
    if not action.startswith("on_"):
        required.append("ttl")
    return _obj(
        required,
        domain={"enum": DOMAINS},
        action={"const": action},
        country={"type": "string", "pattern": "^[A-Z]{3}$"},
        city={"type": "string", "pattern": r"^(std:\d{2,5}|\*)$"},
        core_version={"const": "1.2.0"},
        bap_id=STRING,
        bap_uri={"type": "string", "pattern": "^https?://"},
        bpp_id=STRING,
        bpp_uri={"type": "string", "pattern": "^https?://"},
        transaction_id=STRING,
        message_id=STRING,
        timestamp={"type": "string", "pattern": TIMESTAMP},
        ttl={"type": "string", "pattern": DURATION},
    )


def _order(required: list[str], **extra: Any) -> dict[str, Any]:
    parts: dict[str, Any] = {
        "id": STRING,
        "state": {"enum": ["Created", "Accepted", "In-progress", "Completed", "Cancelled"]},
        "provider": PROVIDER,
        "items": ORDER_ITEMS,
        "billing": BILLING,
        "fulfillments": _array(_obj(["id"], id=STRING, type=STRING, state=FULFILLMENT_STATE)),
        "quote": QUOTE,
        "payment": PAYMENT,
        "created_at": {"type": "string", "pattern": TIMESTAMP},
        "updated_at": {"type": "string", "pattern": TIMESTAMP},
    }
    parts.update(extra)
    return _obj(required, **parts)


def message_schema(action: str) -> dict[str, Any]:
    select_items = _array(_obj(["id", "quantity"], id=STRING, quantity=COUNT))
    drop = _array(_obj(["end"], end=_obj(["location"], location=LOCATION)))
    return {
        "search": _obj(["intent"], intent={"type": "object"}),
        "on_search": _obj(
            ["catalog"], catalog=_obj(["bpp/providers"], **{"bpp/providers": _array(ID_ONLY, 0)})
        ),
        "select": _obj(["order"], order=_obj(["provider", "items"], provider=PROVIDER, items=select_items)),
        "on_select": _obj(
            ["order"], order=_order(["provider", "items", "fulfillments", "quote"], items={"type": "array"})
        ),
        "init": _obj(
            ["order"], order=_order(["provider", "items", "billing", "fulfillments"], fulfillments=drop)
        ),
        "on_init": _obj(["order"], order=_order(["provider", "items", "fulfillments", "quote", "payment"])),
        "confirm": _obj(
            ["order"],
            order=_order(["id", "state", "provider", "items", "billing", "fulfillments", "quote", "payment"]),
        ),
        "on_confirm": _obj(
            ["order"], order=_order(["id", "state", "provider", "items", "fulfillments", "quote", "payment"])
        ),
        "status": _obj(["order_id"], order_id=STRING),
        "on_status": _obj(["order"], order=_order(["id", "state", "fulfillments"])),
        "track": _obj(["order_id"], order_id=STRING),
        "on_track": _obj(["tracking"], tracking=_obj(["status"], status={"enum": ["active", "inactive"]})),
        "cancel": _obj(
            ["order_id", "cancellation_reason_id"], order_id=STRING, cancellation_reason_id=STRING
        ),
        "on_cancel": _obj(["order"], order=_order(["id", "state"], state={"const": "Cancelled"})),
        "update": _obj(["update_target", "order"], update_target=STRING, order=_order(["id"])),
        "on_update": _obj(["order"], order=_order(["id", "state"])),
    }[action]


ERROR = _obj(["code"], type=STRING, code=STRING, message={"type": "string"}, path={"type": "string"})


def schema_for(action: str) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": f"https://comptoir.coop/schemas/beckn-ondc-1.2.0/{action}.json",
        "title": f"Comptoir's checks on an incoming ONDC 1.2.0 {action}",
        "type": "object",
        "required": ["context", "message"],
        "properties": {"context": context_schema(action), "message": message_schema(action)},
    }
    if action.startswith("on_"):
        # a callback may refuse instead of answering (40002 out of stock, 60001 pickup not served…):
        # then its error is checked, and its message may lack the order or catalog it could not give
        del schema["properties"]["message"]
        schema["properties"]["error"] = ERROR
        schema["if"] = {"required": ["error"]}
        schema["then"] = {"properties": {"message": {"type": "object"}}}
        schema["else"] = {"properties": {"message": message_schema(action)}}
    return schema


def all_schemas() -> dict[str, dict[str, Any]]:
    return {action: schema_for(action) for base in ACTIONS for action in (base, "on_" + base)}


def write() -> None:
    SCHEMAS.mkdir(exist_ok=True)
    for action, schema in all_schemas().items():
        (SCHEMAS / f"{action}.json").write_text(json.dumps(schema, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    write()
