"""Two dispatchers move orders between the same two rounds in opposite directions, on PostgreSQL.

Each move locks its target round and the rounds holding the order. Taken one after the other
(target first, as before issue 14's last fix) the two moves wait on each other in a cycle and
PostgreSQL kills one with `deadlock detected`; `lock_objects.rounds_for_update` locks them in one
statement in id order, so one waits for the other and both succeed. A pause after each lock makes
the dangerous interleaving happen every time.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import connection, connections

from comptoir.catalog.models import Shop
from comptoir.core.errors import ComptoirError
from comptoir.delivery import lock_objects, services
from comptoir.delivery.models import Booking, Round, Shift, Slot, Vehicle
from comptoir.delivery.planner.model import Problem, Solution, TaskRef
from comptoir.delivery.planner.schedule import TaskIndex, time_route
from comptoir.delivery.planner.vroom_solver import VroomSolver
from comptoir.delivery.planning import plan_slot
from comptoir.members.services import ensure_colleges
from tests.delivery.conftest import book, tomorrow_at


@pytest.fixture(autouse=True)
def colleges(transactional_db: Any) -> None:
    """Another transactional test may have flushed the colleges the migrations created."""
    ensure_colleges()


class OneOrderPerVehicle:
    """Shipment k goes to vehicle k modulo the fleet, whatever a real solver would do."""

    def solve(self, problem: Problem, time_limit: float) -> Solution:
        index, fleet = TaskIndex(problem), problem.vehicles
        tasks: dict[int, list[TaskRef]] = {}
        for s in problem.shipments:
            tasks.setdefault(s.id % len(fleet), []).extend(
                [TaskRef("pickup", s.id), TaskRef("delivery", s.id)]
            )
        return Solution(
            tuple(time_route(problem, index, fleet[k], refs) for k, refs in sorted(tasks.items()))
        )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_opposite_moves_between_two_rounds_never_deadlock(
    slot: Slot, bike: Vehicle, courier: Any, other_courier: Any, dispatcher: Any, shop: Shop, monkeypatch: Any
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks are tested on PostgreSQL (scripts/test runs the suite there too)")
    for person in (courier, other_courier):
        Shift.objects.create(
            courier=person, vehicle=bike, starts=tomorrow_at(16, 30), ends=tomorrow_at(19, 30)
        )
    first = Booking.objects.get(ref=book(slot, 501, [shop], n=1))
    second = Booking.objects.get(ref=book(slot, 502, [shop], n=2))
    book(slot, 503, [shop], n=3)  # each round keeps an order: neither is deleted by the moves
    book(slot, 504, [shop], n=4)
    assert plan_slot(slot.pk, solver=OneOrderPerVehicle(), limit=1).status == "done"
    round_a = Round.objects.get(stops__booking=first, stops__kind="drop")
    round_b = Round.objects.get(stops__booking=second, stops__kind="drop")
    assert round_a.pk != round_b.pk
    real_lock = lock_objects.rounds_for_update

    def slow_lock(*args: Any, **kwargs: Any) -> Any:
        locked = real_lock(*args, **kwargs)
        time.sleep(0.3)  # hold the locks while the other move starts
        return locked

    monkeypatch.setattr(services, "rounds_for_update", slow_lock)
    barrier, outcomes = threading.Barrier(2), {}
    solver = VroomSolver(exploration_level=1, threads=1)

    def move(name: str, booking: Booking, target: Round) -> None:
        try:
            barrier.wait()
            services.do_move_booking(dispatcher, booking.pk, target.pk, solver=solver)
            outcomes[name] = "ok"
        except (ComptoirError, Exception) as error:  # a deadlock surfaces as OperationalError
            outcomes[name] = repr(error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=move, args=("a to b", first, round_b)),
        threading.Thread(target=move, args=("b to a", second, round_a)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert outcomes == {"a to b": "ok", "b to a": "ok"}
    assert set(first.stops.values_list("round", flat=True)) == {round_b.pk}
    assert set(second.stops.values_list("round", flat=True)) == {round_a.pk}


def test_a_move_to_an_unknown_round_is_refused_and_changes_nothing(
    slot: Slot, bike: Vehicle, courier: Any, dispatcher: Any, shop: Shop
) -> None:
    Shift.objects.create(courier=courier, vehicle=bike, starts=tomorrow_at(16, 30), ends=tomorrow_at(19, 30))
    booking = Booking.objects.get(ref=book(slot, 505, [shop], n=1))
    assert plan_slot(slot.pk, solver=OneOrderPerVehicle(), limit=1).status == "done"
    held = set(booking.stops.values_list("round", flat=True))
    with pytest.raises(ComptoirError) as refused:
        services.do_move_booking(dispatcher, booking.pk, 987_654)
    assert refused.value.message == "This round no longer exists: reload the page."
    assert set(booking.stops.values_list("round", flat=True)) == held
