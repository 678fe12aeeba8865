"""Planning a slot: every booking in a round, capacities respected, stops in a feasible order."""

from __future__ import annotations

from typing import Any

from comptoir.catalog.models import Shop
from comptoir.delivery.models import Booking, Round, Shift, Slot, Stop, Vehicle
from comptoir.delivery.planner.vroom_solver import VroomSolver
from comptoir.delivery.planning import plan_slot
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
