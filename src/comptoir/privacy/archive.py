"""A person's archive: everything the node holds about them, as JSON and CSV files in one ZIP.

Read-only. Each part is a list of plain dicts, written twice when it is tabular (JSON for programs,
CSV for spreadsheets); `README.txt` says what each file holds and what the node does not keep.
Secrets never leave: no password hash, no token value or digest, no other person's data (an
order's shop is named, its staff are not).
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from comptoir.catalog.exports import neutralise
from comptoir.catalog.models import ShopStaff
from comptoir.delivery.models import Shift
from comptoir.governance.models import Comment, Participation, Proposal
from comptoir.members.models import ApiToken, Membership, MembershipApplication, Person
from comptoir.orders.models import Cart, Order
from comptoir.privacy.progress import StageProgress

ARCHIVE_VERSION = 1

PROFILE_FIELDS = [
    "id", "email", "full_name", "phone", "language", "date_joined", "last_login", "is_active",
    "saved_address", "saved_postal_code", "saved_city", "saved_lat", "saved_lon",
]  # fmt: skip
ORDER_FIELDS = [
    "created", "email", "language", "payment_method", "payment_status", "goods_cents", "tax_cents",
    "fees_cents", "total_cents", "recipient_name", "phone", "address", "postal_code", "city", "lat", "lon",
    "instructions", "slot_starts", "slot_ends", "delivery_status", "delivery_proof", "delivery_failure",
]  # fmt: skip

README = """Your data on {node}, exported {when}.

profile.json           your account: email, name, phone, language, saved address
addresses.csv/.json    every address you gave: the saved one and each order's delivery address
orders.json            your orders with their shop orders, lines, fees and history
order_lines.csv        one row per product ordered
memberships.csv/.json  your memberships (colleges, shares) and your applications
shop_roles.csv/.json   the shops you act for
votes.json             the proposals you voted on (never how: a ballot is kept apart from the voter,
                       its receipt was shown to you once and the node cannot link it back to you),
                       the proposals and comments you wrote
api_tokens.csv/.json   your API tokens: label and dates (never their value)
cart.json              what is in your cart
shifts.csv/.json       your delivery shifts, if you are a courier

Messages: the node does not keep copies of the emails it sent you; they are in your mailbox.
Format version {version}. JSON dates are ISO 8601, amounts are in cents.
"""


def _row(obj: Any, fields: list[str]) -> dict[str, Any]:
    return {field: getattr(obj, field) for field in fields}


def person_data(person: Person) -> dict[str, list[dict[str, Any]] | dict[str, Any]]:
    """The archive's content, part by part (each part becomes a file)."""
    orders = (
        Order.objects.filter(customer=person)
        .prefetch_related("shop_orders__shop", "shop_orders__lines", "fee_lines", "events")
        .order_by("created", "id")
    )
    order_rows, line_rows, addresses = [], [], []
    if person.saved_address:
        addresses.append({"source": "saved", "order": "", "name": person.full_name, "phone": person.phone,
                          "address": person.saved_address, "postal_code": person.saved_postal_code,
                          "city": person.saved_city, "lat": person.saved_lat, "lon": person.saved_lon})  # fmt: skip
    for order in orders:
        shop_orders = []
        for so in order.shop_orders.all():
            lines = [
                {"sku": li.sku, "name": li.name, "unit_price_cents": li.unit_price_cents, "tax_rate": li.tax_rate,
                 "quantity": li.quantity, "total_cents": li.total_cents, "tax_cents": li.tax_cents}
                for li in so.lines.all()
            ]  # fmt: skip
            shop_orders.append({"shop": so.shop.name, "shop_ref": so.shop.ref, "status": so.status,
                                "fulfilment": so.fulfilment, "goods_cents": so.goods_cents,
                                "tax_cents": so.tax_cents, "note": so.note, "lines": lines})  # fmt: skip
            line_rows += [{"order": order.number, "created": order.created, "shop": so.shop.name,
                           "status": so.status, **line} for line in lines]  # fmt: skip
        order_rows.append({
            "number": order.number, **_row(order, ORDER_FIELDS), "shop_orders": shop_orders,
            "fees": [{"kind": f.kind, "label": f.label, "amount_cents": f.amount_cents, "source": f.source}
                     for f in order.fee_lines.all()],
            "history": [{"at": e.created, "action": e.action, "from": e.from_status, "to": e.to_status,
                         "by": e.actor_kind, "note": e.note} for e in order.events.all()],
        })  # fmt: skip
        if order.address:
            addresses.append({"source": "order", "order": order.number, "name": order.recipient_name,
                              "phone": order.phone, "address": order.address, "postal_code": order.postal_code,
                              "city": order.city, "lat": order.lat, "lon": order.lon})  # fmt: skip
    cart = Cart.objects.filter(owner=person).prefetch_related("items__offer__shop").first()
    return {
        "profile": _row(person, PROFILE_FIELDS),
        "addresses": addresses,
        "orders": order_rows,
        "order_lines": line_rows,
        "memberships": [
            {"college": m.college.code, "since": m.since, "ended": m.ended, "shares": m.shares,
             "share_value_cents": m.share_value_cents}
            for m in Membership.objects.filter(person=person).select_related("college").order_by("id")
        ] + [
            {"college": a.college.code, "application": a.status, "motivation": a.motivation,
             "applied": a.created, "reviewed": a.reviewed_at, "review_note": a.review_note}
            for a in MembershipApplication.objects.filter(person=person).select_related("college").order_by("id")
        ],
        "shop_roles": [
            {"shop": s.shop.name, "shop_ref": s.shop.ref, "role": s.role}
            for s in ShopStaff.objects.filter(person=person).select_related("shop").order_by("id")
        ],
        "votes": {
            "voted_on": [
                {"proposal": p.proposal_id, "title": p.proposal.title, "college": p.college}
                for p in Participation.objects.filter(person=person).select_related("proposal").order_by("id")
            ],
            "proposals_written": [
                {"proposal": p.pk, "title": p.title, "body": p.body, "status": p.status, "created": p.created}
                for p in Proposal.objects.filter(author=person).order_by("id")
            ],
            "comments_written": [
                {"proposal": c.proposal_id, "body": c.body, "created": c.created}
                for c in Comment.objects.filter(author=person).order_by("id")
            ],
        },
        "api_tokens": [
            {"label": t.label, "created": t.created, "last_used": t.last_used, "expires": t.expires}
            for t in ApiToken.objects.filter(person=person).order_by("id")
        ],
        "cart": [
            {"shop": i.offer.shop.name, "sku": i.offer.sku, "name": i.offer.name_fr, "quantity": i.quantity,
             "price_cents_seen": i.price_cents_seen, "added": i.added}
            for i in (cart.items.all() if cart else [])
        ],
        "shifts": [
            {"starts": s.starts, "ends": s.ends, "vehicle": s.vehicle.name}
            for s in Shift.objects.filter(courier=person).select_related("vehicle").order_by("starts")
        ],
    }  # fmt: skip


def to_json(value: Any) -> str:
    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2, sort_keys=False)


def to_csv(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return ""
    columns: list[str] = []
    for row in rows:
        columns += [key for key in row if key not in columns and not isinstance(row[key], list | dict)]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: _csv_cell(row.get(key)) for key in columns})
    return out.getvalue()


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return neutralise(str(value))  # a name could carry a spreadsheet formula


CSV_PARTS = ("addresses", "order_lines", "memberships", "shop_roles", "api_tokens", "shifts")


def person_archive(person: Person, node_name: str, progress: StageProgress | None = None) -> bytes:
    """The ZIP a person downloads from their account page or the API (or the worker prepares).
    `progress`, if given, is told each step: reading the data, then each part written."""
    tell = progress or (lambda stage, done, total: None)
    data = person_data(person)  # the slow step: the queries
    steps = 1 + len(data)
    tell("archive", 1, steps)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", README.format(node=node_name, when=timezone.now().isoformat(),
                                                     version=ARCHIVE_VERSION))  # fmt: skip
        for done, (part, value) in enumerate(data.items(), start=2):
            if part != "order_lines":
                archive.writestr(f"{part}.json", to_json(value))
            if part in CSV_PARTS:
                archive.writestr(f"{part}.csv", to_csv(value))  # type: ignore[arg-type]
            tell("archive", done, steps)
    return buffer.getvalue()
