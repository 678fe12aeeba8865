"""Tasks left running by a worker that stopped beating are queued again, then given up (core/worker.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone, translation
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from comptoir.core.models import WorkerBeat
from comptoir.core.queue import enqueue_with_transaction
from comptoir.core.worker import do_beat, do_recover_abandoned_tasks
from comptoir.delivery.models import PlanRun, Slot, Zone
from comptoir.orders.tasks import expire_shop_orders


@pytest.fixture(autouse=True)
def database_queue(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.COMPTOIR_WORKER_BEAT_SECONDS = 5


def claimed(
    task_path: str, worker_ids: list[str], started: Any, args: list[Any] | None = None
) -> DBTaskResult:
    return DBTaskResult.objects.create(
        status=TaskResultStatus.RUNNING, started_at=started, worker_ids=worker_ids, task_path=task_path,
        args_kwargs={"args": args or [], "kwargs": {}}, backend_name="default", run_after=timezone.now(),
    )  # fmt: skip


def test_a_dead_workers_task_is_queued_again_and_a_live_ones_is_left(db: Any) -> None:
    now = timezone.now()
    do_beat("alive:1:a", now=now - timedelta(seconds=3))
    do_beat("dead:2:b", now=now - timedelta(seconds=21))  # 4 beats of 5 s missed
    long_task = claimed("comptoir.orders.tasks.expire_shop_orders", ["alive:1:a"], now - timedelta(minutes=5))
    cut_off = claimed("comptoir.orders.tasks.expire_shop_orders", ["dead:2:b"], now - timedelta(minutes=5))
    unknown = claimed("comptoir.orders.tasks.expire_shop_orders", ["never-beat"], now - timedelta(seconds=5))

    recovery = do_recover_abandoned_tasks(now=now)

    assert recovery.requeued == [str(cut_off.pk)] and recovery.failed == []
    statuses = dict(DBTaskResult.objects.values_list("pk", "status"))
    assert statuses == {long_task.pk: "RUNNING", cut_off.pk: "READY", unknown.pk: "RUNNING"}
    assert DBTaskResult.objects.get(pk=cut_off.pk).started_at is None
    assert list(DBTaskResult.objects.ready().values_list("pk", flat=True)) == [cut_off.pk]
    # the task that never beat is taken for abandoned once it is older than the same window
    do_beat("alive:1:a", now=now + timedelta(seconds=28))
    assert do_recover_abandoned_tasks(now=now + timedelta(seconds=30)).requeued == [str(unknown.pk)]


def test_a_task_that_killed_its_worker_three_times_fails_and_its_planning_run_ends_failed(db: Any) -> None:
    now = timezone.now()
    slot = _slot()
    run = PlanRun.objects.create(slot=slot, status=PlanRun.Status.RUNNING)
    task = claimed(
        "comptoir.delivery.tasks.plan_slot_task", ["w:1:a", "w:2:b", "w:3:c"], now - timedelta(minutes=2),
        [slot.pk, run.pk],
    )  # fmt: skip

    with translation.override("en"):
        recovery = do_recover_abandoned_tasks(now=now)

    assert recovery.failed == [str(task.pk)] and recovery.requeued == []
    task.refresh_from_db()
    assert task.status == "FAILED"
    assert task.exception_class_path == "comptoir.core.worker.WorkerDied"
    assert task.traceback == "WorkerDied: the worker running this task stopped 3 times; not retried."
    run.refresh_from_db()
    assert run.status == "failed"
    assert (
        run.message == "Planning stopped: the worker was interrupted each time it tried; nothing was changed."
    )


def test_beats_update_one_row_per_worker(db: Any) -> None:
    first = timezone.now()
    do_beat("host:7:x", now=first)
    do_beat("host:7:x", now=first + timedelta(seconds=5))
    beat = WorkerBeat.objects.get()
    assert (beat.worker_id, beat.host, beat.started_at, beat.beat_at) == (
        "host:7:x", "host", first, first + timedelta(seconds=5),
    )  # fmt: skip


def test_work_is_queued_inside_the_transaction_with_the_database_queue(transactional_db: Any) -> None:
    with transaction.atomic():
        enqueue_with_transaction(expire_shop_orders)
        assert DBTaskResult.objects.count() == 1  # a row of this transaction, not an after-commit hook
        transaction.set_rollback(True)
    assert DBTaskResult.objects.count() == 0  # rolled back with it: no task without its cause


def _slot() -> Slot:
    from comptoir.delivery.models import Depot

    depot = Depot.objects.create(name="Hangar", address="1 rue du Port", lat=47.054, lon=6.0)
    zone = Zone.objects.create(
        name="Centre", depot=depot, ring=[[5.9, 47.0], [6.1, 47.0], [6.1, 47.1], [5.9, 47.0]]
    )
    now = timezone.now()
    return Slot.objects.create(
        zone=zone, starts=now + timedelta(days=1), ends=now + timedelta(days=1, hours=2),
        closes_at=now + timedelta(hours=12), capacity_orders=20, capacity_ml=600_000,
    )  # fmt: skip
