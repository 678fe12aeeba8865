"""Followers: small loops `comptoir worker` runs in threads beside the task queue.

A follower polls for work (the catalog's outbox, slots past their deadline) and must keep
going whatever one pass raises: the failure is logged and the pass retried after `interval`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from django.db import close_old_connections

logger = logging.getLogger(__name__)


def follow(stop: threading.Event, step: Callable[[], bool], interval: float, name: str) -> None:
    """Run `step` until `stop` is set; wait `interval` unless it says more work is pending."""
    while not stop.is_set():
        close_old_connections()
        try:
            more = step()
        except Exception:  # a follower outlives one bad pass: its source keeps the work for the next
            logger.exception("%s failed; retrying in %s s", name, interval)
            more = False
        if not more:
            stop.wait(interval)


def start_follower(name: str, step: Callable[[], bool], interval: float) -> threading.Event:
    """Run `follow` in a daemon thread; set the returned event to stop it."""
    stop = threading.Event()
    threading.Thread(target=follow, args=(stop, step, interval, name), name=name, daemon=True).start()
    return stop
