"""Planning a slot: database rows to the planner's dataclasses, solve, rows back.

Each booking becomes one shipment per parcel (pickup at the shop once ready, drop
at the resident within the slot's window); each courier shift overlapping the
slot becomes a vehicle with its capacities and costs. The solver is any
`RouteSolver` (the full planner by default); travel times come from
`travel_times_for(COMPTOIR_HOME)`: the road graph when imported, straight lines
otherwise, one matrix per routing profile of the fleet (a van drives at car times,
a cargo bike at bicycle times, in the same slot).

What the solver returns is then made to keep the node's promises before anything is
written: one resident's parcels of an order in one round unless that costs more than
the governed `delivery_same_round_max_extra_percent` (the run's message says why
not), a booking planned whole or not at all, and the plan re-checked by the
independent checker (`planner/check.py`): a plan that fails it is never stored.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from comptoir.core import formats
from comptoir.core.errors import InvalidInput
from comptoir.core.parameters import governed
from comptoir.delivery.models import Booking, Parcel, PlanRun, Round, Shift, Slot, Stop
from comptoir.delivery.planner.check import check_solution
from comptoir.delivery.planner.model import Solution
from comptoir.delivery.planner.ports import RouteSolver
from comptoir.delivery.planner.together import Split, keep_together, whole_groups
from comptoir.delivery.planner.travel import Matrix, Point, TravelTimesError, travel_times_for
from comptoir.delivery.selectors import booking_number, pickup_place
from comptoir.delivery.slot_problem import (
    DropSpec,
    FleetSpec,
    ParcelSpec,
    PlannedRound,
    SlotProblem,
    build_problem,
    drop_groups,
    locations,
    read_solution,
)

logger = logging.getLogger(__name__)


class PlanRejected(InvalidInput):
    """The independent checker refused a plan: nothing is written."""


def default_solver() -> RouteSolver:
    from comptoir.delivery.planner.improve import PlannerSolver

    return PlannerSolver()


def time_limit(stops: int) -> float:
    """The planner's budget: the operator's ceiling, less for small slots (it searches until the limit)."""
    ceiling = float(settings.COMPTOIR_PLANNING_SECONDS)
    return min(ceiling, 1.0 + 0.02 * stops)


def shifts_for(slot: Slot) -> list[Shift]:
    return list(
        Shift.objects.filter(
            starts__lt=slot.ends,
            ends__gt=slot.starts,
            vehicle__active=True,
            vehicle__depot=slot.zone.depot_id,
        ).select_related("vehicle", "courier")
    )


def _seconds(instant: datetime | None, epoch: datetime) -> float | None:
    return None if instant is None else (instant - epoch).total_seconds()


def _drop_specs(bookings: list[Booking], epoch: datetime, window: tuple[float, float]) -> list[DropSpec]:
    return [
        DropSpec(
            key=b.pk,
            point=Point(b.lat, b.lon),
            window=window,
            parcels=tuple(_parcel_spec(p, epoch) for p in b.parcels.all()),
        )
        for b in bookings
    ]


def _parcel_spec(parcel: Parcel, epoch: datetime) -> ParcelSpec:
    place = pickup_place(parcel)  # a shop, or an outside job's own place (a negative key)
    return ParcelSpec(
        parcel.pk, place.key, Point(place.lat, place.lon), parcel.weight_g, parcel.volume_ml,
        _seconds(parcel.ready_at, epoch),
    )  # fmt: skip


def _fleet_specs(shifts: list[Shift], epoch: datetime, not_before: datetime | None = None) -> list[FleetSpec]:
    hourly = float(governed("courier_cost_per_hour_cents").value)
    specs = []
    for shift in shifts:
        starts = max(shift.starts, not_before) if not_before else shift.starts
        v = shift.vehicle
        specs.append(
            FleetSpec(
                shift.pk, v.capacity_g, v.capacity_ml,
                ((starts - epoch).total_seconds(), (shift.ends - epoch).total_seconds()),
                cost_per_hour=hourly + v.cost_per_hour_cents, cost_per_km=float(v.cost_per_km_cents),
                profile=v.profile,
            )
        )  # fmt: skip
    return specs


@dataclass(frozen=True)
class SlotPlan:
    epoch: datetime
    rounds: list[PlannedRound]
    unplanned: list[int]  # booking ids
    methods: Mapping[int, str]  # shift id -> "road" or "straight_line"
    splits: list[Split]


def _matrices(points: list[Point], shifts: list[Shift]) -> dict[str, Matrix]:
    travel = travel_times_for(settings.COMPTOIR_HOME)
    return {
        profile: travel.matrix(points, profile) for profile in sorted({s.vehicle.profile for s in shifts})
    }


def _promised(problem: SlotProblem, solution: Solution, limit: float) -> tuple[Solution, list[Split]]:
    """The solver's plan made to keep the node's promises, and checked; see the module docstring.
    Making room in full rounds for split orders gets at most a third of the solver's time."""
    groups = drop_groups(problem)
    threshold = float(governed("delivery_same_round_max_extra_percent").value)
    deadline = time.monotonic() + max(limit / 3, 1.0)
    solution, splits = keep_together(problem.problem, solution, groups, threshold, deadline)
    solution = whole_groups(problem.problem, solution, groups)
    report = check_solution(problem.problem, solution)
    if not report.ok:
        logger.error("plan refused by the checker: %s", "; ".join(report.errors[:10]))
        raise PlanRejected(
            _("The planner's result failed the independent check (%(error)s); nothing was changed.")
            % {"error": report.errors[0]}
        )
    return solution, splits


def _solve(
    slot: Slot, bookings: list[Booking], shifts: list[Shift], solver: RouteSolver, limit: float
) -> SlotPlan:
    epoch = min([slot.starts, *(s.starts for s in shifts)])
    window = (_seconds(slot.starts, epoch) or 0.0, _seconds(slot.ends, epoch) or 0.0)
    drops = _drop_specs(bookings, epoch, window)
    fleet = _fleet_specs(shifts, epoch)
    depot = slot.zone.depot
    points, _shops, _drops = locations(Point(depot.lat, depot.lon), drops)
    matrices = _matrices(points, shifts)
    problem = build_problem(points[0], drops, fleet, matrices)
    solution, splits = _promised(problem, solver.solve(problem.problem, limit), limit)
    rounds, unplanned = read_solution(problem, solution)
    methods = {s.pk: matrices[s.vehicle.profile].method for s in shifts}
    return SlotPlan(epoch, rounds, unplanned, methods, splits)


def _write_rounds(slot: Slot, result: SlotPlan, shifts: list[Shift]) -> None:
    by_shift = {s.pk: s for s in shifts}
    epoch = result.epoch
    for plan in result.rounds:
        shift = by_shift[plan.fleet_key]
        round_ = Round.objects.create(
            slot=slot, shift=shift, courier=shift.courier, vehicle=shift.vehicle,
            method=result.methods[plan.fleet_key], departs=epoch + timedelta(seconds=plan.departs_s),
            returns=epoch + timedelta(seconds=plan.returns_s), distance_m=round(plan.distance_m),
        )  # fmt: skip
        _write_stops(round_, epoch, plan)


def plan_slot(
    slot_id: int, *, run_id: int | None = None, solver: RouteSolver | None = None, limit: float | None = None
) -> PlanRun:
    """Plan every booking of a slot into rounds, replacing a plan no courier has started.

    The run always ends done or failed, with a message for the dispatcher: an unexpected
    error is logged and shown too, never left "running".
    """
    slot = Slot.objects.select_related("zone__depot").get(pk=slot_id)
    run = PlanRun.objects.filter(pk=run_id).first() if run_id else None
    run = run or PlanRun(slot=slot)
    run.status = PlanRun.Status.RUNNING
    run.save()
    started = time.monotonic()
    try:
        _plan(slot, run, solver, limit)
    except (InvalidInput, TravelTimesError) as error:
        run.status, run.message = PlanRun.Status.FAILED, getattr(error, "message", str(error))
    except Exception as error:  # a crash must still end the run, with its reason, for the dispatcher
        logger.exception("planning slot %s failed", slot_id)
        run.status = PlanRun.Status.FAILED
        run.message = _("Planning failed unexpectedly (%(error)s); nothing was changed.") % {
            "error": f"{type(error).__name__}: {error}"
        }
    run.seconds = round(time.monotonic() - started, 3)
    run.finished = timezone.now()
    run.save()
    return run


def fail_run(run_id: int | None, slot_id: int) -> None:
    """End a run whose worker was killed every time it planned (core/worker.py gave up): failed, with why."""
    runs = PlanRun.objects.filter(pk=run_id) if run_id else PlanRun.objects.none()
    runs.exclude(status__in=[PlanRun.Status.DONE, PlanRun.Status.FAILED]).update(
        status=PlanRun.Status.FAILED,
        finished=timezone.now(),
        message=_("Planning stopped: the worker was interrupted each time it tried; nothing was changed."),
    )


def _plan(slot: Slot, run: PlanRun, solver: RouteSolver | None, limit: float | None) -> None:
    if slot.rounds.exclude(status=Round.Status.PLANNED).exists():
        raise InvalidInput(_("A round of this slot has started: move stops by hand instead."))
    bookings = list(
        slot.bookings.filter(status__in=[Booking.Status.BOOKED, Booking.Status.PLANNED])
        .select_related("outside_job")
        .prefetch_related("parcels__shop", "parcels__booking__outside_job")
        .order_by("pk")  # the same problem from the same bookings, whatever join the database chooses
    )  # fmt: skip
    if not bookings:  # nothing to plan: no solver, no shift needed
        with transaction.atomic():
            slot.rounds.all().delete()
        run.status, run.message = (
            PlanRun.Status.DONE,
            _("No orders to deliver in this slot: nothing to plan."),
        )
        return
    shifts = shifts_for(slot)
    if not shifts:
        raise InvalidInput(_("No courier shift covers this slot."))
    result = _solve(
        slot, bookings, shifts, solver or default_solver(), limit or time_limit(3 * len(bookings))
    )
    unplanned = set(result.unplanned)
    planned_ids = [b.pk for b in bookings if b.pk not in unplanned]
    with transaction.atomic():
        slot.rounds.all().delete()
        _write_rounds(slot, result, shifts)
        Booking.objects.filter(pk__in=planned_ids).update(status=Booking.Status.PLANNED)
        Booking.objects.filter(pk__in=unplanned).update(status=Booking.Status.BOOKED)
        if slot.status in (Slot.Status.OPEN, Slot.Status.CLOSED):
            Slot.objects.filter(pk=slot.pk).update(status=Slot.Status.PLANNED)
    used = {r.fleet_key for r in result.rounds}
    run.status = PlanRun.Status.DONE
    run.method = "road" if all(result.methods[k] == "road" for k in used) else "straight_line"
    rounds = ngettext("%(n)d round", "%(n)d rounds", len(result.rounds)) % {"n": len(result.rounds)}
    orders_text = ngettext("for %(n)d order.", "for %(n)d orders.", len(planned_ids)) % {
        "n": len(planned_ids)
    }
    parts = [f"{rounds} {orders_text}"]
    if unplanned:
        orders = ", ".join(f"#{_ref(b)}" for b in bookings if b.pk in unplanned)
        parts.append(_("Not planned (no vehicle could take them in time): %(orders)s.") % {"orders": orders})
    order_of = {b.pk: _ref(b) for b in bookings}
    parts += [_split_reason(split, order_of) for split in result.splits if split.group not in unplanned]
    run.message = " ".join(parts)


def _ref(booking: Booking) -> str:
    """Our order's id as the dispatcher's messages always gave it, or an outside job's number."""
    return str(booking.order_id) if booking.order_id is not None else booking_number(booking)


def _split_reason(split: Split, order_of: dict[int, str]) -> str:
    """Why a resident gets two doorbells for one order: the dispatcher may move it by hand."""
    lang = get_language()
    if split.extra_percent is None:
        return _("Order #%(order)s comes in %(n)d rounds: no single round can take all its parcels in time.") % {
            "order": order_of[split.group], "n": split.rounds
        }  # fmt: skip
    return _(
        "Order #%(order)s comes in %(n)d rounds: one round would be %(extra)s longer, over the %(max)s allowed."
    ) % {
        "order": order_of[split.group], "n": split.rounds, "extra": formats.percent(split.extra_percent, 1, lang),
        "max": formats.percent(governed("delivery_same_round_max_extra_percent").value, 1, lang),
    }  # fmt: skip


def resequence(round_: Round, bookings: list[Booking], solver: RouteSolver, now: datetime) -> None:
    """Re-plan one round's order of stops for `bookings`, from now; refuse if it cannot take them in time."""
    slot = round_.slot
    shift = round_.shift
    for stop in list(round_.stops.all()):
        stop.delete()
    if not bookings:
        round_.delete()
        return
    epoch = min(slot.starts, shift.starts)
    window = (_seconds(slot.starts, epoch) or 0.0, _seconds(slot.ends, epoch) or 0.0)
    drops = _drop_specs(bookings, epoch, window)
    fleet = _fleet_specs([shift], epoch, not_before=now if now > shift.starts else None)
    depot = slot.zone.depot
    points, _shops, _drops = locations(Point(depot.lat, depot.lon), drops)
    matrices = _matrices(points, [shift])
    problem = build_problem(points[0], drops, fleet, matrices)
    solution = whole_groups(
        problem.problem,
        solver.solve(problem.problem, min(time_limit(2 * len(drops)), 5.0)),
        drop_groups(problem),
    )
    planned, unplanned = read_solution(problem, solution)
    if unplanned or not planned or not check_solution(problem.problem, solution).ok:
        raise InvalidInput(_("This round cannot take these stops within the slot and its capacity."))
    plan = planned[0]
    round_.departs = epoch + timedelta(seconds=plan.departs_s)
    round_.returns = epoch + timedelta(seconds=plan.returns_s)
    round_.distance_m = round(plan.distance_m)
    round_.method = matrices[shift.vehicle.profile].method
    round_.save()
    _write_stops(round_, epoch, plan)


def _write_stops(round_: Round, epoch: datetime, plan: PlannedRound) -> None:
    parcels = {
        p.pk: p
        for p in Parcel.objects.filter(booking__slot=round_.slot).select_related(
            "shop", "booking__outside_job"
        )
    }
    bookings = {p.booking_id: p.booking for p in parcels.values()}
    stops: list[Stop] = []
    for step in plan.stops:
        eta = epoch + timedelta(seconds=step.arrival_s)
        if step.kind == "drop":  # one row for the door, whatever the number of parcels
            booking = bookings[step.drop_key]
            stops.append(Stop(
                round=round_, sequence=len(stops) + 1, kind=step.kind, booking=booking, lat=booking.lat,
                lon=booking.lon, eta=eta,
            ))  # fmt: skip
            continue
        for key in step.parcel_keys:  # one row per parcel collected: each keeps its own code and record
            parcel = parcels[key]
            place = pickup_place(parcel)
            stops.append(Stop(
                round=round_, sequence=len(stops) + 1, kind=step.kind, booking=parcel.booking, parcel=parcel,
                lat=place.lat, lon=place.lon, eta=eta,
            ))  # fmt: skip
    Stop.objects.bulk_create(stops)
