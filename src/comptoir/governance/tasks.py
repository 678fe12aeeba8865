"""Background work of governance: open, close and apply proposals on time; send reminders."""

from __future__ import annotations

import threading

from django.utils import timezone
from django_tasks import task

from comptoir.core.followers import start_follower

TICK_INTERVAL_S = 60.0


@task()
def tick_task() -> dict[str, int]:
    from comptoir.governance.services import tick

    return tick(timezone.now())


def tick_once() -> bool:
    from comptoir.governance.services import tick

    tick(timezone.now())
    return False


def start_ticking(interval: float = TICK_INTERVAL_S) -> threading.Event:
    return start_follower("governance", tick_once, interval)
