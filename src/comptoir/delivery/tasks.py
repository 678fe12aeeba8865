"""Background work of delivery: planning a slot (it takes seconds, never in a request)."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from comptoir.delivery import planning


@task()
def plan_slot_task(slot_id: int, run_id: int | None = None) -> str:
    run = planning.plan_slot(slot_id, run_id=run_id)
    return f"{run.status}: {run.message}"


@task()
def close_due_slots_task() -> list[int]:
    from comptoir.delivery.services import do_close_due_slots

    return do_close_due_slots(timezone.now())
