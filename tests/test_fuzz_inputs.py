"""Hostile input in files and on the wire (issue 18 item 5), fuzzed with Hypothesis.

The catalog importer takes any bytes named .csv or .xlsx: it either records a job or refuses
the file with `InvalidInput` (the documented refusal), and it never writes half a file: in
all-or-nothing mode a file with one bad row leaves the shop's offers exactly as they were; in
valid-rows mode the offers written are the job's count. The protocol's parser, signature header
reader and schema check take any bytes, text or JSON: they answer or refuse with their own
error (`WireError`, `SignatureError`), never crash. Every example has a deadline, so a
pathological input (a regular expression or a parser that blows up) fails the test.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
from datetime import timedelta
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.utils.exceptions import IllegalCharacterError

from comptoir.catalog.imports import do_import_catalog
from comptoir.catalog.models import ImportJob, Offer, Shop
from comptoir.catalog.services import do_create_offer, do_create_shop
from comptoir.core.errors import InvalidInput
from comptoir.members.models import Person
from comptoir.protocol.wire import messages, signing, validation

FUZZ = settings(
    max_examples=60, deadline=timedelta(seconds=10), suppress_health_check=list(HealthCheck), derandomize=True
)

# Cells a person, a spreadsheet or an attacker may write.
CELL = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        ["", "2,40", "1e999999", "NaN", "-1", '=HYPERLINK("x")', "0", "99999999999", "oui", "\x00"]
    ),
    st.integers(-(10**12), 10**12).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
)
COLUMNS = ["sku", "name_fr", "price", "stock", "tax_rate", "unit", "quantity", "gtin", "active", "category"]


@pytest.fixture
def shop(db: Any) -> Shop:
    owner = Person.objects.create_user("owner@example.org", None)
    shop = do_create_shop(
        owner=owner, ref="boulangerie", name="Boulangerie", kind="bakery", lat=47.0, lon=6.0,
        status=Shop.Status.ACTIVE,
    )  # fmt: skip
    do_create_offer(shop, {"sku": "KEEP", "name_fr": "Pain", "price": "2", "stock": "5"})
    return shop


def _snapshot(shop: Shop) -> list[tuple[Any, ...]]:
    return list(
        Offer.objects.filter(shop=shop).order_by("sku").values_list("sku", "name_fr", "price_cents", "stock")
    )


def _import(shop: Shop, data: bytes, filename: str, mode: str) -> ImportJob | None:
    try:
        return do_import_catalog(shop, io.BytesIO(data), filename, mode=mode)
    except InvalidInput:
        return None  # the documented refusal of a file out of bounds or unreadable


def _check_outcome(shop: Shop, before: list[tuple[Any, ...]], job: ImportJob | None, mode: str) -> None:
    after = _snapshot(shop)
    if job is None:
        assert after == before  # a refused file writes nothing
        return
    if mode == ImportJob.Mode.ALL_OR_NOTHING and job.errors_total:
        assert job.status == ImportJob.Status.REJECTED
        assert after == before  # one bad row: nothing written
    new = {row[0] for row in after} - {row[0] for row in before}
    assert len(new) == job.rows_created
    assert job.rows_created + job.rows_updated + job.rows_rejected <= job.rows_total


@FUZZ
@given(
    header=st.lists(st.sampled_from(COLUMNS) | st.text(max_size=12), min_size=0, max_size=8),
    rows=st.lists(st.lists(CELL, max_size=9), max_size=8),
    mode=st.sampled_from([ImportJob.Mode.ALL_OR_NOTHING, ImportJob.Mode.VALID_ROWS]),
    delimiter=st.sampled_from([",", ";", "\t"]),
)
def test_csv_importer_refuses_or_records_never_half(
    shop: Shop, header: list[str], rows: list[list[str]], mode: str, delimiter: str
) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    before = _snapshot(shop)
    data = buffer.getvalue().encode("utf-8", errors="surrogatepass")
    _check_outcome(shop, before, _import(shop, data, "catalogue.csv", mode), mode)


@FUZZ
@given(data=st.binary(max_size=2000), name=st.sampled_from(["c.csv", "c.xlsx"]))
def test_importer_takes_any_bytes(shop: Shop, data: bytes, name: str) -> None:
    before = _snapshot(shop)
    _check_outcome(shop, before, _import(shop, data, name, ImportJob.Mode.ALL_OR_NOTHING), "all")


@settings(
    max_examples=25, deadline=timedelta(seconds=10), suppress_health_check=list(HealthCheck), derandomize=True
)
@given(
    rows=st.lists(
        st.lists(CELL | st.integers() | st.floats(allow_nan=True) | st.booleans(), max_size=6), max_size=6
    ),
    mode=st.sampled_from([ImportJob.Mode.ALL_OR_NOTHING, ImportJob.Mode.VALID_ROWS]),
)
def test_xlsx_importer_refuses_or_records_never_half(shop: Shop, rows: list[list[Any]], mode: str) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["sku", "name_fr", "price", "stock", "tax_rate", "unit"])
    buffer = io.BytesIO()
    try:
        for row in rows:
            sheet.append(row)
        book.save(buffer)
    except IllegalCharacterError:  # openpyxl refuses control characters itself: not our input to test
        return
    before = _snapshot(shop)
    _check_outcome(shop, before, _import(shop, buffer.getvalue(), "catalogue.xlsx", mode), mode)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)
ACTIONS = ["search", "select", "init", "confirm", "status", "on_search", "on_confirm", "bogus"]


@settings(
    max_examples=200, deadline=timedelta(seconds=5), suppress_health_check=list(HealthCheck), derandomize=True
)
@given(
    body=st.one_of(
        st.binary(max_size=500),
        JSON.map(lambda v: json.dumps(v).encode()),
        st.builds(
            lambda action, context, message: json.dumps(
                {"context": {**context, "action": action}, "message": message}
            ).encode(),
            st.sampled_from(ACTIONS),
            st.dictionaries(st.text(max_size=12), JSON, max_size=6),
            JSON,
        ),
    )
)
def test_wire_parser_answers_or_refuses_any_body(body: bytes) -> None:
    try:
        envelope = messages.parse(body)
    except messages.WireError:
        pass
    else:
        assert envelope.context is not None
    try:
        value = json.loads(body)
    except ValueError:
        return
    found = validation.problems(value)  # any JSON: a list of problems, never an exception
    assert isinstance(found, list)


@settings(
    max_examples=200, deadline=timedelta(seconds=5), suppress_health_check=list(HealthCheck), derandomize=True
)
@given(
    header=st.one_of(
        st.text(max_size=300),
        st.text(max_size=200).map(lambda t: "Signature " + t),
        st.lists(
            st.tuples(
                st.sampled_from(["keyId", "created", "expires", "signature", "headers", "algorithm", "x"]),
                st.text(max_size=60),
            ),
            max_size=8,
        ).map(lambda ps: "Signature " + ",".join(f'{k}="{v}"' for k, v in ps)),
    )
)
def test_signature_header_reader_answers_or_refuses(header: str) -> None:
    try:
        parsed = signing.parse_header(header)
    except signing.SignatureError:
        return
    with contextlib.suppress(signing.SignatureError):
        signing.check_header(parsed, b"{}", signing.KeyPair.generate().public, now=0)
