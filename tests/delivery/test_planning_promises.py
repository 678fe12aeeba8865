"""What planning promises before anything is stored: vans at car times, one round per
resident's order, whole bookings, checked plans, and a run that always ends with its reason."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import translation

from comptoir.catalog.models import Shop
from comptoir.delivery.models import Booking, Parcel, PlanRun, Round, Shift, Slot, Stop, Vehicle
from comptoir.delivery.planner.model import Problem, Solution, TaskRef
from comptoir.delivery.planner.schedule import TaskIndex, time_route
from comptoir.delivery.planner.together import Split
from comptoir.delivery.planner.travel import Point, StraightLineTravelTimes
from comptoir.delivery.planner.vroom_solver import VroomSolver
from comptoir.delivery.planning import _split_reason, plan_slot
from tests.delivery.conftest import book, tomorrow_at

SOLVER = VroomSolver(exploration_level=2, threads=1)


class Refusing:
    def solve(self, problem: Problem, time_limit: float) -> Solution:
        raise AssertionError("an empty slot needs no solver")


class Crashing:
    def solve(self, problem: Problem, time_limit: float) -> Solution:
        raise RuntimeError("No task defined")


class Sequences:
    """Visits the given tasks, per vehicle rank, timed like any solver; the rest left out."""

    def __init__(self, *routes: list[tuple[str, int]]) -> None:
        self.routes = routes

    def solve(self, problem: Problem, time_limit: float) -> Solution:
        index = TaskIndex(problem)
        routes = tuple(
            time_route(problem, index, problem.vehicles[rank], [TaskRef(k, t) for k, t in tasks])  # type: ignore[arg-type]
            for rank, tasks in enumerate(self.routes)
            if tasks
        )
        served = {t for tasks in self.routes for _, t in tasks}
        return Solution(routes, tuple(s.id for s in problem.shipments if s.id not in served))


def _bike(depot: Any, name: str, capacity_g: int = 80_000) -> Vehicle:
    return Vehicle.objects.create(
        name=name, kind="cargo_bike", depot=depot, capacity_g=capacity_g, capacity_ml=300_000
    )


def _shift(courier: Any, vehicle: Vehicle) -> Shift:
    return Shift.objects.create(
        courier=courier, vehicle=vehicle, starts=tomorrow_at(16, 30), ends=tomorrow_at(19, 30)
    )


def test_a_van_gets_car_times_beside_a_bike(
    slot: Slot, bike: Vehicle, courier: Any, other_courier: Any, shop: Shop
) -> None:
    van = Vehicle.objects.create(
        name="Fourgon", kind="van", depot=bike.depot, capacity_g=500_000, capacity_ml=2_000_000
    )
    small = _bike(bike.depot, "Petit biporteur", capacity_g=10_000)
    _shift(courier, small)
    _shift(other_courier, van)
    book(slot, 71, [shop], weight_g=50_000, volume_ml=100_000)  # too heavy for the bike
    run = plan_slot(slot.pk, solver=SOLVER, limit=1)
    assert run.status == "done", run.message
    round_ = Round.objects.get(slot=slot)
    assert round_.vehicle == van
    pickup = round_.stops.get(kind="pickup")
    depot = Point(bike.depot.lat, bike.depot.lon)
    car = StraightLineTravelTimes().matrix([depot, Point(shop.lat, shop.lon)], "car").durations[0][1]
    cycling = StraightLineTravelTimes().matrix([depot, Point(shop.lat, shop.lon)], "bicycle").durations[0][1]
    assert (pickup.eta - round_.departs).total_seconds() == math.ceil(car) != math.ceil(cycling)


def test_a_residents_order_split_by_the_solver_is_gathered_in_one_round(
    slot: Slot, bike: Vehicle, courier: Any, other_courier: Any, shop: Shop, other_shop: Shop
) -> None:
    _shift(courier, bike)
    _shift(other_courier, _bike(bike.depot, "Biporteur 2"))
    book(slot, 72, [shop, other_shop])  # shipments 0 (shop) and 1 (other shop), one door
    split = Sequences([("pickup", 0), ("delivery", 0)], [("pickup", 1), ("delivery", 1)])
    run = plan_slot(slot.pk, solver=split, limit=1)
    assert run.status == "done", run.message
    assert run.message == "1 round for 1 order."
    round_ = Round.objects.get(slot=slot)
    assert sorted(round_.stops.values_list("kind", flat=True)) == ["drop", "pickup", "pickup"]


def test_a_booking_partly_plannable_is_not_written_at_all(
    slot: Slot, shift: Shift, shop: Shop, other_shop: Shop
) -> None:
    book(slot, 73, [shop, other_shop], n=1)
    book(slot, 74, [shop], n=2)
    late = Booking.objects.get(order_id=73)
    # The other shop's parcel is ready only after the slot: no round can bring it.
    Parcel.objects.filter(booking=late, shop=other_shop).update(ready_at=slot.ends + timedelta(hours=1))
    run = plan_slot(slot.pk, solver=SOLVER, limit=1)
    assert run.status == "done", run.message
    assert run.message == "1 round for 1 order. Not planned (no vehicle could take them in time): #73."
    late.refresh_from_db()
    assert late.status == "booked"
    assert not Stop.objects.filter(booking=late).exists()  # no pickup that a delivery could close
    assert set(Stop.objects.values_list("booking__order_id", flat=True)) == {74}


def test_a_plan_failing_the_checker_is_never_stored(slot: Slot, shift: Shift, shop: Shop) -> None:
    book(slot, 75, [shop])
    backwards = Sequences([("delivery", 0), ("pickup", 0)])
    run = plan_slot(slot.pk, solver=backwards, limit=1)
    assert run.status == "failed"
    assert run.message == (
        "The planner's result failed the independent check (vehicle 0: delivery 0 before its pickup on this "
        "route); nothing was changed."
    )
    assert not Round.objects.exists()
    assert Booking.objects.get(order_id=75).status == "booked"


def test_an_empty_slot_is_done_without_solving(slot: Slot) -> None:
    run = plan_slot(slot.pk, solver=Refusing(), limit=1)
    assert (run.status, run.message) == ("done", "No orders to deliver in this slot: nothing to plan.")
    assert run.finished is not None


def test_closing_an_empty_slot_ends_its_run_at_once_and_queues_only_the_slots_with_orders(
    slot: Slot, zone: Any, shop: Shop, shift: Shift
) -> None:
    """Issue 20 item 14: an empty slot needs no planning — its run is done when it closes, whether or not
    a worker is there to run a queued one; a slot with orders is queued for the worker as before."""
    from comptoir.delivery.services import do_close_due_slots

    busy = Slot.objects.create(
        zone=zone, starts=tomorrow_at(19), ends=tomorrow_at(21), closes_at=tomorrow_at(14),
        capacity_orders=20, capacity_ml=600_000,
    )  # fmt: skip
    book(busy, 77, [shop])
    with mock.patch("comptoir.delivery.services._enqueue_plan") as enqueue:
        assert do_close_due_slots(tomorrow_at(15)) == [slot.pk, busy.pk]
    empty_run, busy_run = PlanRun.objects.get(slot=slot), PlanRun.objects.get(slot=busy)
    assert (empty_run.status, empty_run.message, empty_run.seconds) == (
        "done", "No orders to deliver in this slot: nothing to plan.", 0.0,
    )  # fmt: skip
    assert empty_run.finished == tomorrow_at(15)
    assert busy_run.status == "queued"
    enqueue.assert_called_once_with(busy.pk, busy_run.pk)
    assert set(Slot.objects.values_list("status", flat=True)) == {"closed"}


def test_a_crash_ends_the_run_failed_with_its_reason(slot: Slot, shift: Shift, shop: Shop) -> None:
    book(slot, 76, [shop])
    run = plan_slot(slot.pk, solver=Crashing(), limit=1)
    assert (run.status, run.message) == (
        "failed",
        "Planning failed unexpectedly (RuntimeError: No task defined); nothing was changed.",
    )
    assert PlanRun.objects.get(pk=run.pk).status == "failed"
    assert not Round.objects.exists()


def test_the_dispatcher_reads_why_an_order_comes_in_two_rounds(db: Any) -> None:
    assert _split_reason(Split(5, 2, None), {5: 33}) == (
        "Order #33 comes in 2 rounds: no single round can take all its parcels in time."
    )
    with translation.override("en"):  # English writes no space before the percent sign
        assert _split_reason(Split(5, 2, 14.2), {5: 33}) == (
            "Order #33 comes in 2 rounds: one round would be 14.2% longer, over the 10.0% allowed."
        )
    with translation.override("fr"):  # French a thin no-break space (core.formats.percent)
        assert _split_reason(Split(5, 2, 14.2), {5: 33}) == (
            "La commande n°33 est livrée en 2 tournées\u00a0: une seule tournée serait plus longue de "
            "14,2\u202f%, au-delà des 10,0\u202f% permis."
        )


@pytest.mark.parametrize(("status", "refreshes"), [("running", True), ("queued", True), ("done", False)])
def test_the_slot_page_refreshes_until_the_run_ends(
    client: Any, dispatcher: Any, slot: Slot, status: str, refreshes: bool
) -> None:
    PlanRun.objects.create(slot=slot, status=status)
    client.force_login(dispatcher)
    page = client.get(reverse("delivery:slot", args=[slot.pk])).content.decode()
    assert ('<meta http-equiv="refresh" content="3">' in page) is refreshes
