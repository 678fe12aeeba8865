"""A shop's migration bundle: everything a shop takes to another Comptoir node, in one ZIP.

`manifest.json` (format, version, origin node, the SHA-256 of every other file), `shop.json` (profile and
opening hours), `suppliers.json` (the suppliers its offers name), `offers.json` (each offer in the catalog
import's columns, which the receiving node validates exactly as a CSV import, plus its image and dates),
`catalog.csv` (the same catalog for a spreadsheet), `orders.json` (its part of every order: number, dates,
statuses, lines, history, the customer's email for the invoices), `statements.json`/`.csv` (its lines in the
books), and `images/`.

`do_import_bundle` refuses a bundle before writing anything: a zip over the catalog import's caps
(`import_files.py`: total unzipped size, member count; a member whose declared size is a bomb's), another
format or version, a missing file, a file whose checksum differs, a reference already taken; then it writes
in one transaction, validating each offer as the catalog import does and each order's figures, so one bad row
refuses the whole bundle and leaves the node as it was (images written before a refusal are removed).

Not carried: the customers' accounts (an imported order has no customer link, only its email), delivery
addresses (the delivery cooperative's, purged on their own schedule), the old node's fee lines (the old
node's books), API tokens and staff accounts (the owner is a person of the receiving node).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import zipfile
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime, parse_time
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from comptoir.catalog.exports import export_csv, offer_as_raw
from comptoir.catalog.import_files import MAX_ROWS, XLSX_MAX_MEMBERS, XLSX_MAX_UNCOMPRESSED
from comptoir.catalog.models import Offer, Shop, Supplier
from comptoir.catalog.services import SHOP_FIELDS, do_create_offer, do_create_shop, do_set_opening_hours
from comptoir.core import formats
from comptoir.core.errors import ComptoirError, InvalidInput
from comptoir.ledger.models import Line
from comptoir.members.models import Person
from comptoir.orders.models import Fulfilment, Order, OrderEvent, OrderLine, ShopOrder
from comptoir.privacy.error_codes import PrivacyErrorCode
from comptoir.privacy.models import BundleImport
from comptoir.privacy.progress import StageProgress

FORMAT = "comptoir-shop-bundle"
VERSION = 1
REQUIRED = ("manifest.json", "shop.json", "suppliers.json", "offers.json", "orders.json", "statements.json")
MAX_JSON_BYTES = 64 * 1024 * 1024
MAX_RATIO = 200  # unzipped / zipped for one member: far beyond JSON (about 10) or images (about 1)
SUPPLIER_FIELDS = ("ref", "name", "kind", "description_fr", "description_en", "address", "postal_code", "city",
                   "region", "country", "lat", "lon", "website", "email", "listed")  # fmt: skip
ORDER_FIELDS = ("email", "language", "payment_method", "payment_status", "delivery_status")
SHOP_ORDER_FIELDS = ("status", "fulfilment", "goods_cents", "tax_cents", "handed_to", "note")
LINE_FIELDS = (
    "sku",
    "name",
    "unit_price_cents",
    "quantity",
    "total_cents",
    "tax_cents",
    "reserved",
    "origin_km",
)
EVENT_FIELDS = ("action", "from_status", "to_status", "actor_kind", "actor_name", "note")
NUMBER = re.compile(r"^[A-Z0-9-]{1,20}$")


def refuse(message: str, **details: Any) -> InvalidInput:
    """A refusal in the reader's language (French by default), with the file and row it found at fault."""
    return InvalidInput(message, code=PrivacyErrorCode.BAD_BUNDLE, **details)


def _row(file: str, n: int) -> str:
    """ "orders.json row 3" / « orders.json ligne 3 »: where in the bundle a refusal points."""
    return _("%(file)s row %(n)s") % {"file": file, "n": n}


def _grouped(n: int) -> str:
    """A large count as the reader's language groups it: "268,435,456" / « 268 435 456 »."""
    return formats.number(n, 0, get_language())


# --- export ---------------------------------------------------------------------------------------------


def _json(value: Any) -> bytes:
    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1, sort_keys=True).encode()


def shop_data(shop: Shop) -> dict[str, Any]:
    fields = {name: getattr(shop, name) for name in sorted(SHOP_FIELDS)}
    hours = [
        [h.weekday, h.opens.isoformat(), h.closes.isoformat()]
        for h in shop.hours.order_by("weekday", "opens")
    ]
    return {"ref": shop.ref, "status": shop.status, "created": shop.created, **fields, "opening_hours": hours}


def offers_data(
    shop: Shop, progress: StageProgress | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, bytes]]:
    offers, images, supplier_ids = [], {}, set()
    total = Offer.objects.filter(shop=shop).count() if progress else 0
    rows = Offer.objects.filter(shop=shop).select_related("category", "supplier").order_by("sku")
    for done, offer in enumerate(rows, start=1):
        if progress and done % 500 == 0:
            progress("offers", done, total)
        image = ""
        if offer.image:
            image = f"images/{PurePosixPath(str(offer.image.name)).name}"
            with offer.image.open("rb") as handle:
                images[image] = handle.read()
        if offer.supplier_id:
            supplier_ids.add(offer.supplier_id)
        offers.append({"columns": offer_as_raw(offer), "image": image, "created": offer.created,
                       "updated": offer.updated})  # fmt: skip
    suppliers = [{name: getattr(s, name) for name in SUPPLIER_FIELDS}
                 for s in Supplier.objects.filter(pk__in=supplier_ids).order_by("ref")]  # fmt: skip
    return offers, suppliers, images


def orders_data(shop: Shop) -> list[dict[str, Any]]:
    rows = []
    shop_orders = (
        ShopOrder.objects.filter(shop=shop).select_related("order").prefetch_related("lines", "events")
        .order_by("order__created", "order_id")
    )  # fmt: skip
    for so in shop_orders:
        order = so.order
        rows.append({
            "number": order.number, "created": order.created, **{f: getattr(order, f) for f in ORDER_FIELDS},
            **{f: getattr(so, f) for f in SHOP_ORDER_FIELDS}, "expires_at": so.expires_at,
            "shop_order_created": so.created, "updated": so.updated,
            "lines": [{**{f: getattr(li, f) for f in LINE_FIELDS}, "tax_rate": str(li.tax_rate)} for li in so.lines.all()],
            "events": [{**{f: getattr(e, f) for f in EVENT_FIELDS}, "created": e.created} for e in so.events.all()],
        })  # fmt: skip
    return rows


def statements_data(shop: Shop) -> list[dict[str, Any]]:
    kept = [
        row
        for imported in BundleImport.objects.filter(shop=shop).order_by("id")
        for row in imported.statements
    ]
    lines = list(
        Line.objects.filter(account__shop_ref=shop.ref).select_related("entry", "account")
        .order_by("entry__occurred_at", "id")
    )  # fmt: skip
    numbers = {o.pk: o.number for o in Order.objects.filter(pk__in={li.entry.order_id for li in lines})}
    own = [
        {"account": li.account.code, "occurred_at": li.entry.occurred_at, "kind": li.entry.kind, "memo": li.entry.memo,
         "order": numbers.get(li.entry.order_id or 0, ""), "currency": li.currency,
         "debit": li.debit, "credit": li.credit, "node": settings.COMPTOIR_NODE_NAME}
        for li in lines
    ]  # fmt: skip
    return json.loads(_json(kept + own))  # the same types whether read back from a bundle or not


def _csv(rows: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return out.getvalue().encode()


def shop_bundle(shop: Shop, progress: StageProgress | None = None) -> bytes:
    """The migration bundle's ZIP; `progress`, if given, is told each stage (offers, orders, statements, zip)."""
    tell = progress or (lambda stage, done, total: None)
    offers, suppliers, images = offers_data(shop, progress)
    tell("offers", len(offers), len(offers))
    tell("orders", 0, 1)
    orders = _json(orders_data(shop))
    tell("orders", 1, 1)
    tell("statements", 0, 1)
    statements = statements_data(shop)
    tell("statements", 1, 1)
    files = {
        "shop.json": _json(shop_data(shop)), "suppliers.json": _json(suppliers), "offers.json": _json(offers),
        "catalog.csv": "".join(export_csv(shop, settings.LANGUAGE_CODE)).encode(),
        "orders.json": orders, "statements.json": _json(statements),
        "statements.csv": _csv(statements), **images,
    }  # fmt: skip
    manifest = {
        "format": FORMAT, "version": VERSION, "node": settings.COMPTOIR_NODE_NAME, "created": timezone.now(),
        "shop": shop.ref, "counts": {"offers": len(offers), "orders": len(json.loads(files["orders.json"])),
                                     "statements": len(statements), "images": len(images)},
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())},
    }  # fmt: skip
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", _json(manifest))
        for done, (name, data) in enumerate(files.items(), start=1):
            archive.writestr(name, data)
            tell("zip", done, len(files))
    return buffer.getvalue()


# --- import ---------------------------------------------------------------------------------------------


def read_bundle(stream: IO[bytes]) -> tuple[dict[str, Any], dict[str, bytes]]:
    """The manifest and every file, checked against the caps and the checksums; nothing is written."""
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise refuse(
            _("not a migration bundle: the file is not a ZIP archive (%(error)s)") % {"error": error}
        ) from error
    with archive:
        members = archive.infolist()
        if len(members) > max(XLSX_MAX_MEMBERS, MAX_ROWS):
            raise refuse(
                _("refused: %(n)s files in the bundle, at most %(max)s")
                % {"n": len(members), "max": max(XLSX_MAX_MEMBERS, MAX_ROWS)}
            )
        declared = sum(m.file_size for m in members)
        if declared > XLSX_MAX_UNCOMPRESSED:
            raise refuse(
                _("refused: the bundle unzips to %(n)s bytes, at most %(max)s")
                % {"n": _grouped(declared), "max": _grouped(XLSX_MAX_UNCOMPRESSED)}
            )
        for member in members:
            if member.file_size > MAX_RATIO * max(member.compress_size, 1) and member.file_size > 1_000_000:
                raise refuse(_("refused: %(name)s would unzip %(ratio)s times its size (a zip bomb?)")
                             % {"name": member.filename, "ratio": member.file_size // max(member.compress_size, 1)})  # fmt: skip
            path = PurePosixPath(member.filename)
            if path.is_absolute() or ".." in path.parts:
                raise refuse(
                    _("refused: %(name)s is not a plain path inside the bundle") % {"name": member.filename}
                )
        names = {m.filename for m in members}
        missing = [name for name in REQUIRED if name not in names]
        if missing:
            raise refuse(
                _("refused: the bundle lacks %(names)s") % {"names": ", ".join(missing)}, missing=missing
            )
        manifest = _load_json(archive, "manifest.json")
        if (
            not isinstance(manifest, dict)
            or manifest.get("format") != FORMAT
            or manifest.get("version") != VERSION
        ):
            got = (
                (manifest.get("format"), manifest.get("version"))
                if isinstance(manifest, dict)
                else ("?", "?")
            )
            raise refuse(_("refused: bundle format %(format)s version %(version)s; this node reads %(ours)s version %(our)s")
                         % {"format": repr(got[0]), "version": repr(got[1]), "ours": FORMAT, "our": VERSION})  # fmt: skip
        files: dict[str, bytes] = {}
        listed: dict[str, Any] = manifest["files"] if isinstance(manifest.get("files"), dict) else {}
        for name, digest in sorted(listed.items()):
            if name not in names:
                raise refuse(
                    _("refused: the manifest lists %(name)s, the bundle does not hold it") % {"name": name},
                    missing=[name],
                )
            data = archive.open(name).read(XLSX_MAX_UNCOMPRESSED + 1)
            if hashlib.sha256(data).hexdigest() != digest:
                raise refuse(
                    _("refused: %(name)s is not the file the manifest describes (checksum differs)")
                    % {"name": name}
                )
            files[name] = data
        unlisted = sorted(names - set(listed) - {"manifest.json"})
        if unlisted:
            raise refuse(
                _("refused: files the manifest does not list: %(names)s") % {"names": ", ".join(unlisted[:5])}
            )
    return manifest, files


def _load_json(archive: zipfile.ZipFile, name: str) -> Any:
    data = archive.open(name).read(MAX_JSON_BYTES + 1)
    if len(data) > MAX_JSON_BYTES:
        raise refuse(
            _("refused: %(name)s is larger than %(max)s bytes")
            % {"name": name, "max": _grouped(MAX_JSON_BYTES)}
        )
    try:
        return json.loads(data)
    except ValueError as error:
        raise refuse(
            _("refused: %(name)s is not valid JSON (%(error)s)") % {"name": name, "error": error}
        ) from error


def _parse(name: str, data: bytes) -> Any:
    try:
        return json.loads(data)
    except ValueError as error:
        raise refuse(
            _("refused: %(name)s is not valid JSON (%(error)s)") % {"name": name, "error": error}
        ) from error


def _when(value: Any, where: str) -> datetime:
    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is None:
        raise refuse(
            _("refused: %(where)s: %(value)s is not a date and time") % {"where": where, "value": repr(value)}
        )
    return parsed


def _count(value: Any, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 10**12:
        raise refuse(
            _("refused: %(where)s: %(value)s is not a whole number of at least 0")
            % {"where": where, "value": repr(value)}
        )
    return value


def _choice(value: Any, choices: Any, where: str) -> str:
    if value not in {str(c) for c in choices.values}:
        raise refuse(
            _("refused: %(where)s: %(value)s is not one of %(choices)s")
            % {"where": where, "value": repr(value), "choices": ", ".join(str(c) for c in choices.values)}
        )
    return str(value)


def _text(value: Any, where: str, limit: int) -> str:
    if not isinstance(value, str) or len(value) > limit:
        raise refuse(
            _("refused: %(where)s: expected text of at most %(n)s characters") % {"where": where, "n": limit}
        )
    return value


@transaction.atomic
def do_import_bundle(stream: IO[bytes], *, owner: Person, ref: str = "") -> BundleImport:
    """Create the shop of a bundle on this node, with its catalog, suppliers, orders and statements."""
    manifest, files = read_bundle(stream)
    shop_in = _parse("shop.json", files["shop.json"])
    saved_images: list[str] = []
    try:
        shop = _import_shop(shop_in, owner, ref)
        _import_suppliers(_parse("suppliers.json", files["suppliers.json"]))
        _import_offers(shop, _parse("offers.json", files["offers.json"]), files, saved_images)
        orders = _import_orders(shop, _parse("orders.json", files["orders.json"]))
        statements = _parse("statements.json", files["statements.json"])
        if not isinstance(statements, list):
            raise refuse(_("refused: statements.json must be a list"))
        return BundleImport.objects.create(
            shop=shop, origin_node=_text(manifest.get("node", ""), "manifest node", 200), origin_ref=shop_in["ref"],
            imported_at=timezone.now(), manifest=manifest, statements=statements, orders=orders,
        )  # fmt: skip
    except BaseException:
        for name in saved_images:
            default_storage.delete(name)
        raise


def _import_shop(data: Any, owner: Person, ref: str) -> Shop:
    if not isinstance(data, dict):
        raise refuse(_("refused: shop.json must be an object"))
    fields = {k: data[k] for k in SHOP_FIELDS if k in data}
    status = _choice(data.get("status"), Shop.Status, "shop.json status")
    try:
        shop = do_create_shop(owner=owner, ref=ref or _text(data.get("ref"), "shop.json ref", 64), status=status,
                              **fields)  # fmt: skip
        hours = []
        for n, row in enumerate(data.get("opening_hours") or [], 1):
            opens, closes = parse_time(str(row[1])), parse_time(str(row[2]))
            if opens is None or closes is None or not isinstance(row[0], int) or not 0 <= row[0] <= 6:
                raise refuse(
                    _("refused: shop.json opening hours row %(n)s is not [weekday 0-6, HH:MM, HH:MM]")
                    % {"n": n}
                )
            hours.append((row[0], opens, closes))
        do_set_opening_hours(shop, hours)
    except ComptoirError as error:
        raise refuse(_("refused: shop.json: %(error)s") % {"error": error.message}) from error
    except (TypeError, IndexError, ValueError) as error:
        raise refuse(_("refused: shop.json: %(error)s") % {"error": error}) from error
    Shop.objects.filter(pk=shop.pk).update(created=_when(data.get("created"), "shop.json created"))
    return shop


def _import_suppliers(rows: Any) -> None:
    if not isinstance(rows, list):
        raise refuse(_("refused: suppliers.json must be a list"))
    for n, row in enumerate(rows, 1):
        if not isinstance(row, dict) or not isinstance(row.get("ref"), str):
            raise refuse(_("refused: %(where)s has no reference") % {"where": _row("suppliers.json", n)})
        if Supplier.objects.filter(ref=row["ref"]).exists():
            continue  # the same supplier, already known here: the offers link to it
        from comptoir.catalog.suppliers import do_create_supplier

        fields = {
            k: row[k] for k in SUPPLIER_FIELDS if k not in {"ref", "listed"} and row.get(k) not in (None, "")
        }
        try:
            supplier = do_create_supplier(shop=None, ref=row["ref"], distinct_from_close=True, **fields)
        except ComptoirError as error:
            raise refuse(
                _("refused: %(where)s (%(ref)s): %(error)s")
                % {"where": _row("suppliers.json", n), "ref": row["ref"], "error": error.message},
                row=n,
            ) from error
        if supplier.ref != row["ref"]:
            raise refuse(
                _("refused: %(where)s: reference %(ref)s is not a valid reference")
                % {"where": _row("suppliers.json", n), "ref": repr(row["ref"])}
            )
        Supplier.objects.filter(pk=supplier.pk).update(listed=bool(row.get("listed")))


def _import_offers(shop: Shop, rows: Any, files: dict[str, bytes], saved: list[str]) -> None:
    if not isinstance(rows, list) or len(rows) > MAX_ROWS:
        raise refuse(
            _("refused: offers.json must be a list of at most %(max)s offers") % {"max": _grouped(MAX_ROWS)}
        )
    for n, row in enumerate(rows, 1):
        if not isinstance(row, dict) or not isinstance(row.get("columns"), dict):
            raise refuse(_("refused: %(where)s has no columns") % {"where": _row("offers.json", n)})
        try:
            offer = do_create_offer(shop, {k: "" if v is None else str(v) for k, v in row["columns"].items()})
        except ComptoirError as error:
            field = error.details.get("field", "")
            raise refuse(_("refused: %(where)s (%(sku)s): %(error)s")
                         % {"where": _row("offers.json", n), "sku": row["columns"].get("sku", ""),
                            "error": f"{field + ': ' if field else ''}{error.message}"}, row=n, field=field) from error  # fmt: skip
        image = row.get("image") or ""
        changes: dict[str, Any] = {"created": _when(row.get("created"), f"{_row('offers.json', n)} created"),
                                   "updated": _when(row.get("updated"), f"{_row('offers.json', n)} updated")}  # fmt: skip
        if image:
            if image not in files or not image.startswith("images/"):
                raise refuse(
                    _("refused: %(where)s: its image %(image)s is not in the bundle")
                    % {"where": _row("offers.json", n), "image": image},
                    missing=[image],
                )
            name = default_storage.save(f"offers/{PurePosixPath(image).name}", ContentFile(files[image]))
            saved.append(name)
            changes["image"] = name
        Offer.objects.filter(pk=offer.pk).update(**changes)


def _import_orders(shop: Shop, rows: Any) -> int:
    if not isinstance(rows, list) or len(rows) > MAX_ROWS:
        raise refuse(
            _("refused: orders.json must be a list of at most %(max)s orders") % {"max": _grouped(MAX_ROWS)}
        )
    taken = set(Order.objects.exclude(imported_number="").values_list("imported_number", flat=True))
    for n, row in enumerate(rows, 1):
        where = _row("orders.json", n)
        if not isinstance(row, dict):
            raise refuse(_("refused: %(where)s is not an object") % {"where": where})
        number = _text(row.get("number"), f"{where} number", 20)
        if not NUMBER.match(number) or number in taken:
            raise refuse(
                _("refused: %(where)s: order number %(number)s is malformed or already used on this node")
                % {"where": where, "number": repr(number)}
            )
        taken.add(number)
        lines = row.get("lines")
        if not isinstance(lines, list) or not lines:
            raise refuse(_("refused: %(where)s has no lines") % {"where": where})
        goods = _count(row.get("goods_cents"), f"{where} goods_cents")
        checked = []
        for k, line in enumerate(lines, 1):
            at = _("%(where)s line %(n)s") % {"where": where, "n": k}
            if not isinstance(line, dict):
                raise refuse(_("refused: %(where)s is not an object") % {"where": at})
            qty, unit = (
                _count(line.get("quantity"), f"{at} quantity"),
                _count(line.get("unit_price_cents"), f"{at} unit_price_cents"),
            )
            total = _count(line.get("total_cents"), f"{at} total_cents")
            if qty * unit != total:
                raise refuse(
                    _("refused: %(where)s: %(qty)s × %(unit)s is not %(total)s")
                    % {"where": at, "qty": qty, "unit": unit, "total": total}
                )
            try:
                rate = Decimal(str(line.get("tax_rate")))
            except InvalidOperation as error:
                raise refuse(
                    _("refused: %(where)s: tax_rate %(rate)s is not a number")
                    % {"where": at, "rate": repr(line.get("tax_rate"))}
                ) from error
            if not Decimal(0) <= rate <= Decimal(100):
                raise refuse(
                    _("refused: %(where)s: tax_rate %(rate)s is outside 0–100") % {"where": at, "rate": rate}
                )
            origin_km = line.get("origin_km")
            if origin_km is not None and (
                isinstance(origin_km, bool)
                or not isinstance(origin_km, int | float)
                or not -1 <= origin_km <= 40_075
            ):
                raise refuse(
                    _("refused: %(where)s: origin_km %(km)s is not a distance in km (or -1, or null)")
                    % {"where": at, "km": repr(origin_km)}
                )
            checked.append(OrderLine(
                sku=_text(line.get("sku"), f"{at} sku", 64), name=_text(line.get("name"), f"{at} name", 200),
                unit_price_cents=unit, quantity=qty, total_cents=total, tax_rate=rate,
                tax_cents=_count(line.get("tax_cents"), f"{at} tax_cents"), reserved=bool(line.get("reserved")),
                origin_km=origin_km,
            ))  # fmt: skip
        if sum(line.total_cents for line in checked) != goods:
            raise refuse(
                _("refused: %(where)s: its lines add up to %(sum)s, not %(goods)s")
                % {"where": where, "sum": sum(li.total_cents for li in checked), "goods": goods}
            )
        order = Order.objects.create(
            token=f"imported-{shop.pk}-{number}", imported_number=number,
            email=_text(row.get("email"), f"{where} email", 254), language=_text(row.get("language"), f"{where} language", 5),
            payment_method=_text(row.get("payment_method"), f"{where} payment_method", 32),
            payment_status=_text(row.get("payment_status"), f"{where} payment_status", 16),
            delivery_status=_choice(row.get("delivery_status"), Order.DeliveryStatus, f"{where} delivery_status"),
            goods_cents=goods, tax_cents=_count(row.get("tax_cents"), f"{where} tax_cents"), fees_cents=0,
            total_cents=goods,
        )  # fmt: skip
        shop_order = ShopOrder.objects.create(
            order=order, shop=shop, status=_choice(row.get("status"), ShopOrder.Status, f"{where} status"),
            fulfilment=_choice(row.get("fulfilment"), Fulfilment, f"{where} fulfilment"), goods_cents=goods,
            tax_cents=order.tax_cents, expires_at=_when(row.get("expires_at"), f"{where} expires_at"),
            handed_to=_text(row.get("handed_to"), f"{where} handed_to", 10), note=_text(row.get("note"), f"{where} note", 10_000),
        )  # fmt: skip
        for line in checked:
            line.shop_order = shop_order
        OrderLine.objects.bulk_create(checked)
        for k, event in enumerate(row.get("events") or [], 1):
            at = _("%(where)s event %(n)s") % {"where": where, "n": k}
            if not isinstance(event, dict):
                raise refuse(_("refused: %(where)s is not an object") % {"where": at})
            created = OrderEvent.objects.create(
                order=order, shop_order=shop_order, action=_text(event.get("action"), f"{at} action", 32),
                from_status=_text(event.get("from_status"), f"{at} from_status", 20),
                to_status=_text(event.get("to_status"), f"{at} to_status", 20),
                actor_kind=_choice(event.get("actor_kind"), OrderEvent.ActorKind, f"{at} actor_kind"),
                actor_name=_text(event.get("actor_name"), f"{at} actor_name", 150), note=_text(event.get("note"), f"{at} note", 10_000),
            )  # fmt: skip
            OrderEvent.objects.filter(pk=created.pk).update(
                created=_when(event.get("created"), f"{at} created")
            )
        Order.objects.filter(pk=order.pk).update(created=_when(row.get("created"), f"{where} created"))
        ShopOrder.objects.filter(pk=shop_order.pk).update(
            created=_when(row.get("shop_order_created"), f"{where} shop_order_created"),
            updated=_when(row.get("updated"), f"{where} updated"),
        )  # fmt: skip
    return len(rows)


def write_bundle(shop: Shop, path: Path, progress: StageProgress | None = None) -> int:
    data = shop_bundle(shop, progress)
    path.write_bytes(data)
    return len(data)
