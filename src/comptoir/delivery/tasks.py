"""Background work of delivery: planning a slot (it takes seconds, never in a request)."""

from __future__ import annotations

import threading

from django.utils import timezone
from django_tasks import task

from comptoir.core.followers import start_follower
from comptoir.delivery import planning


@task()
def plan_slot_task(slot_id: int, run_id: int | None = None) -> str:
    run = planning.plan_slot(slot_id, run_id=run_id)
    return f"{run.status}: {run.message}"


@task()
def close_due_slots_task() -> list[int]:
    from comptoir.delivery.services import do_close_due_slots

    return do_close_due_slots(timezone.now())


SLOT_CLOSING_INTERVAL_S = 30.0


def close_due_slots() -> bool:
    """One pass of the slot closer: close slots past their deadline and queue their planning; book the
    returns to origin that found no open slot when their drop failed."""
    from comptoir.delivery.outside_jobs import do_book_pending_returns
    from comptoir.delivery.services import do_close_due_slots

    do_close_due_slots(timezone.now())
    do_book_pending_returns(timezone.now())
    return False


def start_closing_due_slots(interval: float = SLOT_CLOSING_INTERVAL_S) -> threading.Event:
    return start_follower("slot-closer", close_due_slots, interval)


def plan_abandoned(slot_id: int, run_id: int | None = None) -> None:
    """The planning's workers were killed every time (core/worker.py): the run ends failed, never running."""
    planning.fail_run(run_id, slot_id)
