"""Certification logs: two real nodes (separate folders, processes, signed HTTP) play retail flows 1–4.

The files must have ONDC's names, validate against ONDC's OpenAPI, and pass our
log rules; the rules themselves are checked on ONDC's own example, where they
find exactly what ONDC's validator reports (SOURCE.md: two settlement fields in confirm).
"""

from __future__ import annotations

import json
import shutil

import pytest

from comptoir.protocol.nodes import flow_log
from comptoir.protocol.wire import logcheck
from tests.protocol.shared import BECKN, needs_shared, ondc_errors

EXAMPLE = BECKN / "examples" / "ondc-ret10-1.2.0-flow-2"
ORDER = ["select", "on_select", "init", "on_init", "confirm", "on_confirm"]
SEARCH = ["search_full_catalog_refresh", "on_search_full_catalog_refresh"]
EXPECTED = {
    1: SEARCH + ["search_inc_refresh", "on_search_inc_refresh"],
    2: SEARCH
    + ORDER
    + [f"on_status_{s}" for s in ("pending", "packed", "picked", "out_for_delivery", "delivered")],
    3: SEARCH + ["select_out_of_stock", "on_select_out_of_stock"] + ORDER,
    4: SEARCH + ORDER + ["cancel", "on_cancel"],
}


@needs_shared
def test_rules_agree_with_ondcs_validator_on_its_example():
    assert logcheck.problems(EXAMPLE) == [
        "confirm: payment lacks @ondc/org/settlement_basis",
        "confirm: payment lacks @ondc/org/settlement_window",
    ]


@needs_shared
def test_rules_catch_broken_logs(tmp_path):
    folder = tmp_path / "flow"
    shutil.copytree(EXAMPLE, folder)
    on_select = json.loads((folder / "on_select.json").read_text())
    on_select["message"]["order"]["quote"]["price"]["value"] = "964.00"
    on_select["context"]["message_id"] = "another"
    (folder / "on_select.json").write_text(json.dumps(on_select))
    packed = json.loads((folder / "on_status_packed.json").read_text())
    packed["message"]["order"]["fulfillments"][0]["state"]["descriptor"]["code"] = "Order-delivered"
    (folder / "on_status_packed.json").write_text(json.dumps(packed))
    found = logcheck.problems(folder)
    assert "on_select: quote price 964.00 is not the breakup sum 963.00" in found
    assert "on_select: message_id does not answer select's" in found
    assert "on_init: quote differs from on_select's" in found
    assert any(p.startswith("fulfillment states out of order") for p in found)


@pytest.mark.slow
@needs_shared
def test_flow_log_plays_flows_1_to_4_between_two_real_nodes(tmp_path):
    report = flow_log([1, 2, 3, 4], tmp_path)
    assert report["problems"] == {1: [], 2: [], 3: [], 4: []}
    assert report["latency"]["count"] == 16
    for number, names in EXPECTED.items():
        folder = tmp_path / f"flow-{number}"
        assert sorted(p.stem for p in folder.glob("*.json")) == sorted(names)
        for name in names:
            message = json.loads((folder / f"{name}.json").read_text())
            assert ondc_errors(message) == [], (number, name)
    on_select_oos = json.loads((tmp_path / "flow-3" / "on_select_out_of_stock.json").read_text())
    assert on_select_oos["error"]["code"] == "40002"
    cancelled = json.loads((tmp_path / "flow-4" / "on_cancel.json").read_text())
    assert cancelled["message"]["order"]["cancellation"]["reason"]["id"] == "003"
    incremental = json.loads((tmp_path / "flow-1" / "on_search_inc_refresh.json").read_text())
    items = incremental["message"]["catalog"]["bpp/providers"][0]["items"]
    assert [(item["descriptor"]["name"], item["price"]["value"]) for item in items] == [
        ("Pain de campagne", "3.30")
    ]
