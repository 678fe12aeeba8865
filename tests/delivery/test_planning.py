"""Planning a slot: every booking in a round, capacities respected, stops in a feasible order."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from comptoir.catalog.models import Shop
from comptoir.delivery.models import Booking, Round, Shift, Slot, Stop, Vehicle
from comptoir.delivery.planner.vroom_solver import VroomSolver
from comptoir.delivery.planning import plan_slot
from comptoir.delivery.selectors import group_stops
from comptoir.delivery.services import do_move_booking
from tests.delivery.conftest import book, tomorrow_at

SOLVER = VroomSolver(exploration_level=2, threads=1)


def _fleet(bike: Vehicle, courier: Any, other_courier: Any) -> list[Shift]:
    small = Vehicle.objects.create(
        name="Biporteur 2", kind="cargo_bike", depot=bike.depot, capacity_g=10_000, capacity_ml=40_000
    )
    return [
        Shift.objects.create(
            courier=courier, vehicle=small, starts=tomorrow_at(16, 30), ends=tomorrow_at(19, 30)
        ),
        Shift.objects.create(
            courier=other_courier, vehicle=bike, starts=tomorrow_at(16, 30), ends=tomorrow_at(19, 30)
        ),
    ]


def test_every_booking_is_planned_within_capacities(
    slot: Slot, bike: Vehicle, courier: Any, other_courier: Any, shop: Shop, other_shop: Shop
) -> None:
    _fleet(bike, courier, other_courier)
    for order in range(8):
        book(
            slot,
            300 + order,
            [shop] if order % 2 else [shop, other_shop],
            weight_g=3000,
            volume_ml=9000,
            n=order,
        )
    run = plan_slot(slot.pk, solver=SOLVER, limit=2)
    assert run.status == "done", run.message
    assert run.method == "straight_line"
    stops = list(Stop.objects.filter(round__slot=slot).select_related("round__vehicle", "parcel"))
    pickups = [s for s in stops if s.kind == "pickup"]
    assert sorted(s.parcel_id for s in pickups) == sorted(slot.bookings.values_list("parcels", flat=True))
    assert {s.booking_id for s in stops if s.kind == "drop"} == set(
        slot.bookings.values_list("pk", flat=True)
    )
    assert set(Booking.objects.values_list("status", flat=True)) == {"planned"}
    for round_ in Round.objects.filter(slot=slot):
        load_g = load_ml = 0
        seen_pickups: set[int] = set()
        for stop in round_.stops.order_by("sequence").select_related("parcel", "booking"):
            if stop.kind == "pickup":
                load_g, load_ml = load_g + stop.parcel.weight_g, load_ml + stop.parcel.volume_ml
                seen_pickups.add(stop.booking_id)
            else:
                assert stop.booking_id in seen_pickups  # collected before it is dropped
                here = stop.booking.parcels.filter(stops__round=round_, stops__kind="pickup")
                load_g -= sum(p.weight_g for p in here)
                load_ml -= sum(p.volume_ml for p in here)
                assert slot.starts <= stop.eta <= slot.ends
            assert load_g <= round_.vehicle.capacity_g and load_ml <= round_.vehicle.capacity_ml
    slot.refresh_from_db()
    assert slot.status == "planned"


def test_no_shift_means_a_failed_run_with_a_reason(slot: Slot, bike: Vehicle, shop: Shop) -> None:
    book(slot, 1, [shop])
    run = plan_slot(slot.pk, solver=SOLVER, limit=1)
    assert (run.status, run.message) == ("failed", "No courier shift covers this slot.")
    assert not Round.objects.exists()


def test_dispatcher_moves_a_booking_to_another_round(
    slot: Slot, bike: Vehicle, courier: Any, other_courier: Any, dispatcher: Any, shop: Shop
) -> None:
    _fleet(bike, courier, other_courier)
    refs = [book(slot, 400 + n, [shop], weight_g=4000, volume_ml=15_000, n=n) for n in range(4)]
    plan_slot(slot.pk, solver=SOLVER, limit=2)
    rounds = list(Round.objects.filter(slot=slot))
    booking = Booking.objects.get(ref=refs[0])
    source = booking.stops.first().round
    target = next((r for r in rounds if r.pk != source.pk), None)
    if target is None:  # everything fitted one round: give the other courier an empty one to move into
        target = Round.objects.create(
            slot=slot, shift=Shift.objects.exclude(pk=source.shift_id).get(), courier=other_courier,
            vehicle=bike, departs=slot.starts, returns=slot.ends,
        )  # fmt: skip
    before = set(source.stops.values_list("booking", flat=True)) - {booking.pk}
    do_move_booking(dispatcher, booking.pk, target.pk, solver=SOLVER)
    assert set(booking.stops.values_list("round", flat=True)) == {target.pk}
    remaining = set(Stop.objects.filter(round=source.pk).values_list("booking", flat=True))
    assert remaining == before
    sequences = list(
        Stop.objects.filter(round=target).order_by("sequence").values_list("sequence", flat=True)
    )
    assert sequences == list(range(1, len(sequences) + 1))


def _fixed_order(*refs: tuple[str, int]) -> Any:
    """A solver that visits the tasks in the given order with the first vehicle, timed like any solver."""
    from comptoir.delivery.planner.model import Solution, TaskRef
    from comptoir.delivery.planner.schedule import TaskIndex, time_route

    class Fixed:
        def solve(self, problem: Any, time_limit: float) -> Solution:
            tasks = [TaskRef(kind, task) for kind, task in refs]  # type: ignore[arg-type]
            return Solution((time_route(problem, TaskIndex(problem), problem.vehicles[0], tasks),))

    return Fixed()


def test_two_orders_from_one_shop_make_one_pickup_stop_with_two_parcels(
    slot: Slot, shift: Shift, shop: Shop, other_shop: Shop
) -> None:
    book(slot, 31, [shop], n=1)
    book(slot, 32, [shop], n=2)
    run = plan_slot(slot.pk, solver=SOLVER, limit=1)  # the real solver: same place, no travel, in a row
    assert run.status == "done", run.message
    rows = list(Stop.objects.filter(round__slot=slot).order_by("sequence").select_related("booking"))
    assert [(s.sequence, s.kind) for s in rows][:2] == [(1, "pickup"), (2, "pickup")]
    assert {rows[0].booking.order_id, rows[1].booking.order_id} == {31, 32}
    # depot → shop: 117.3 s by straight line at 15 km/h, rounded up; both parcels share the arrival
    assert rows[0].eta == rows[1].eta == tomorrow_at(16, 30) + timedelta(seconds=118)
    groups = group_stops(rows)
    assert [[s.sequence for s in g] for g in groups] == [[1, 2], [3], [4]]


def test_pickups_at_one_shop_merge_only_when_they_follow_each_other(
    slot: Slot, shift: Shift, shop: Shop, other_shop: Shop
) -> None:
    book(slot, 41, [shop], n=1)  # shipment 0
    book(slot, 42, [other_shop], n=2)  # shipment 1
    book(slot, 43, [shop], n=3)  # shipment 2
    order = [("pickup", 0), ("pickup", 1), ("pickup", 2), ("delivery", 0), ("delivery", 1), ("delivery", 2)]
    plan_slot(slot.pk, solver=_fixed_order(*order), limit=1)
    rows = list(
        Stop.objects.filter(round__slot=slot).order_by("sequence").select_related("booking", "parcel")
    )
    assert [len(g) for g in group_stops(rows)] == [1, 1, 1, 1, 1, 1]  # shop, other shop, shop again
    Round.objects.all().delete()
    together = [
        ("pickup", 0),
        ("pickup", 2),
        ("pickup", 1),
        ("delivery", 0),
        ("delivery", 1),
        ("delivery", 2),
    ]
    plan_slot(slot.pk, solver=_fixed_order(*together), limit=1)
    rows = list(
        Stop.objects.filter(round__slot=slot).order_by("sequence").select_related("booking", "parcel")
    )
    assert [[s.booking.order_id for s in g] for g in group_stops(rows)] == [[41, 43], [42], [41], [42], [43]]
    assert [s.sequence for s in rows] == [1, 2, 3, 4, 5, 6]  # one row, one code, one record per parcel
