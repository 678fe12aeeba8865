"""The benchmark parsers, on one real file of each set (CRLF line endings)."""

from __future__ import annotations

from pathlib import Path

import pytest

from comptoir.delivery.planner.check import check_location_routes
from comptoir.delivery.planner.instances import load_instance, parse_li_lim, parse_solomon
from comptoir.delivery.planner.solve_file import solve_instance_file

ROUTING = Path(__file__).resolve().parents[3] / ".." / "shared" / "bench" / "routing"
LC101 = ROUTING / "li_lim_100" / "lc101.txt"
C101 = ROUTING / "solomon_100" / "C101.txt"

needs_data = pytest.mark.skipif(
    not LC101.exists() or not C101.exists(), reason="shared benchmark data missing"
)


@needs_data
def test_li_lim_lc101() -> None:
    problem = load_instance(LC101, "lilim")
    assert len(problem.durations) == 107
    assert len(problem.shipments) == 53
    assert len(problem.vehicles) == 25
    assert {v.capacity for v in problem.vehicles} == {(200,)}
    assert problem.vehicles[0].shift == (0.0, 1236.0)
    first = problem.shipments[0]
    assert (first.pickup.location, first.delivery.location, first.amount) == (3, 75, (10,))
    assert first.pickup.time_windows == ((65.0, 146.0),)
    assert problem.distances[0][1] == pytest.approx((5**2 + 18**2) ** 0.5)


@needs_data
def test_solomon_c101() -> None:
    problem = load_instance(C101, "solomon")
    assert len(problem.jobs) == 100
    assert len(problem.vehicles) == 25
    assert {v.capacity for v in problem.vehicles} == {(200,)}
    assert problem.jobs[0].delivery == (10,)
    assert problem.jobs[0].stop.time_windows == ((912.0, 967.0),)


def test_parsers_accept_crlf_and_lf_alike() -> None:
    lilim = "2\t10\t1\r\n0\t0\t0\t0\t0\t100\t0\t0\t0\r\n1\t3\t4\t5\t0\t50\t1\t0\t2\r\n2\t6\t8\t-5\t0\t90\t1\t1\t0\r\n"
    assert parse_li_lim(lilim) == parse_li_lim(lilim.replace("\r\n", "\n"))
    assert parse_li_lim(lilim).distances[1][2] == 5.0
    solomon = "X\r\n\r\nVEHICLE\r\nNUMBER CAPACITY\r\n 3 50\r\n\r\nCUSTOMER\r\nCUST NO. X\r\n 0 0 0 0 0 100 0\r\n 1 3 4 7 0 60 2\r\n"
    problem = parse_solomon(solomon)
    assert [(j.id, j.delivery) for j in problem.jobs] == [(1, (7,))]
    assert len(problem.vehicles) == 3


@needs_data
def test_solve_file_gives_a_checked_plan() -> None:
    result = solve_instance_file(LC101, "lilim", time_limit=2.0)
    report = check_location_routes(load_instance(LC101, "lilim"), result["routes"])
    assert report.ok, report.errors
    assert result["vehicles"] == report.vehicles == 10
    assert result["distance"] == pytest.approx(report.distance, abs=0.01)
    assert result["distance"] == pytest.approx(828.94, abs=0.01)
