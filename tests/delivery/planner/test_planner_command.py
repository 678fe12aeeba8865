"""`comptoir planner solve`: the plan as JSON, and a clear error for a file that is not an instance."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from comptoir.delivery.planner.check import check_location_routes
from comptoir.delivery.planner.instances import load_instance

SOLOMON = Path(__file__).resolve().parents[3].parent / "shared" / "bench" / "routing" / "solomon_100"


def test_solve_prints_a_checked_plan() -> None:
    instance = SOLOMON / "C101.txt"
    if not instance.exists():
        pytest.skip("shared benchmark instances not present")
    out = io.StringIO()
    call_command(
        "planner", "solve", str(instance), "--format", "solomon", "--time-limit", "2", "--json", stdout=out
    )
    result = json.loads(out.getvalue())
    assert set(result) == {"vehicles", "distance", "routes", "unserved", "seconds"}
    assert result["unserved"] == 0
    assert result["vehicles"] == len(result["routes"]) == 10  # C101's best-known fleet, found by VROOM alone
    assert sorted(node for route in result["routes"] for node in route) == list(range(1, 101))
    assert check_location_routes(load_instance(instance, "solomon"), result["routes"]).ok


def test_a_file_that_is_not_an_instance_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "notes.txt"
    bad.write_text("shopping list\nbread\n")
    with pytest.raises(CommandError, match="not a solomon instance"):
        call_command("planner", "solve", str(bad), "--format", "solomon", "--json")
