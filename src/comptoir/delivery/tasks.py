"""Background work of delivery: planning a slot (it takes seconds, never in a request)."""

from __future__ import annotations

import logging
import threading

from django.db import DatabaseError, close_old_connections
from django.utils import timezone
from django_tasks import task

from comptoir.delivery import planning

logger = logging.getLogger(__name__)


@task()
def plan_slot_task(slot_id: int, run_id: int | None = None) -> str:
    run = planning.plan_slot(slot_id, run_id=run_id)
    return f"{run.status}: {run.message}"


@task()
def close_due_slots_task() -> list[int]:
    from comptoir.delivery.services import do_close_due_slots

    return do_close_due_slots(timezone.now())


SLOT_CLOSING_INTERVAL_S = 30.0


def follow_slot_deadlines(stop: threading.Event, interval: float = SLOT_CLOSING_INTERVAL_S) -> None:
    """Close each slot when its booking deadline passes, and queue its planning (worker thread)."""
    from comptoir.delivery.services import do_close_due_slots

    while not stop.is_set():
        try:
            do_close_due_slots(timezone.now())
        except DatabaseError:
            logger.exception("closing due slots failed; retrying in %s s", interval)
        finally:
            close_old_connections()
        stop.wait(interval)


def start_closing_due_slots(interval: float = SLOT_CLOSING_INTERVAL_S) -> threading.Event:
    stop = threading.Event()
    threading.Thread(
        target=follow_slot_deadlines, args=(stop, interval), name="slot-closer", daemon=True
    ).start()
    return stop
