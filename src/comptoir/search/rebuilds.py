"""Index rebuilds started from the web by a node admin, run by the worker (decision 0028).

`comptoir search-rebuild` stays the command-line way (with its bar); this is the same
`services.do_rebuild_index`, queued as a task so that no web process holds it, with its
progress written to an `IndexRebuild` row that `/recherche/index/<id>/` shows. One rebuild
at a time: a second request while one is queued or running is refused with a message.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.catalog.selectors import sellable_offers
from comptoir.core.errors import Conflict, NotAllowed, NotFound
from comptoir.search.models import IndexRebuild
from comptoir.search.services import do_rebuild_index

logger = logging.getLogger(__name__)

SAVE_EVERY_S = 0.5  # progress reaches the database at most twice a second
# A rebuild that gave no sign of life for this long was left by a worker that stopped (the task
# queue re-runs it, decision 0022, but may give up): it no longer blocks a new request.
STALE_AFTER = timedelta(minutes=15)


def check_node_admin(person: Any) -> Any:
    """Node admins only (`is_staff`: the people who run the node, not the cooperative's dispatchers)."""
    if person.is_authenticated and person.is_staff:
        return person
    raise NotAllowed(_("Reserved for the node's administrators."))


def access_rebuild_for_admin(person: Any, rebuild_id: int) -> IndexRebuild:
    check_node_admin(person)
    rebuild = IndexRebuild.objects.select_related("requested_by").filter(pk=rebuild_id).first()
    if rebuild is None:
        raise NotFound(_("No such rebuild."))
    return rebuild


def recent_rebuilds(limit: int = 10) -> list[IndexRebuild]:
    return list(IndexRebuild.objects.select_related("requested_by")[:limit])


def do_request_rebuild(*, actor: Any) -> IndexRebuild:
    """Queue a rebuild for the worker; refused while another one is queued or running."""
    from comptoir.search.tasks import run_rebuild

    check_node_admin(actor)
    now = timezone.now()
    _give_up_stale(now)
    try:
        with transaction.atomic():
            rebuild = IndexRebuild.objects.create(requested_by=actor, created=now, updated=now)
            # The database task backend stores the task in this transaction: never one without the other.
            run_rebuild.enqueue(rebuild.pk)
    except IntegrityError:  # the unique `current`: another rebuild is queued or running
        running = IndexRebuild.objects.filter(current=True).first()
        raise Conflict(
            _("A rebuild of the search index is already under way (started %(when)s): follow it on its page.")
            % {"when": timezone.localtime(running.created).strftime("%H:%M") if running else "?"},
            rebuild_id=running.pk if running else None,
        ) from None
    return rebuild


def _give_up_stale(now: Any) -> None:
    IndexRebuild.objects.filter(current=True, updated__lt=now - STALE_AFTER).update(
        status=IndexRebuild.Status.FAILED, current=None, finished=now,
        message=_("The worker stopped during this rebuild."),
    )  # fmt: skip


class _Reporter:
    """Writes the offers done so far to the row, throttled: a progress callback of `do_rebuild_index`."""

    def __init__(self, rebuild: IndexRebuild) -> None:
        self.rebuild, self.saved = rebuild, 0.0

    def __call__(self, done: int) -> None:
        now = time.monotonic()
        if now - self.saved < SAVE_EVERY_S:
            return
        self.saved = now
        IndexRebuild.objects.filter(pk=self.rebuild.pk).update(done=done, updated=timezone.now())


def do_run_rebuild(rebuild_id: int) -> IndexRebuild:
    """The worker's part: rebuild the index, reporting progress, then record the outcome.

    A task re-run after a worker crash finds the row `running` and rebuilds again (harmless);
    a finished one is left as it is."""
    rebuild = IndexRebuild.objects.get(pk=rebuild_id)
    if rebuild.is_finished:
        return rebuild
    total = sellable_offers().count()
    IndexRebuild.objects.filter(pk=rebuild.pk).update(
        status=IndexRebuild.Status.RUNNING, total=total, done=0, updated=timezone.now()
    )
    try:
        report = do_rebuild_index(progress=_Reporter(rebuild))
    except Exception as error:  # the page must say it failed, whatever broke
        logger.exception("index rebuild %s failed", rebuild.pk)
        IndexRebuild.objects.filter(pk=rebuild.pk).update(
            status=IndexRebuild.Status.FAILED, current=None, finished=timezone.now(), updated=timezone.now(),
            message=_("The rebuild failed: %(error)s") % {"error": type(error).__name__},
        )  # fmt: skip
    else:
        IndexRebuild.objects.filter(pk=rebuild.pk).update(
            status=IndexRebuild.Status.DONE, current=None, done=report.offers, total=report.offers,
            seconds=round(report.seconds, 1), bytes_on_disk=report.bytes_on_disk,
            finished=timezone.now(), updated=timezone.now(),
        )  # fmt: skip
    rebuild.refresh_from_db()
    return rebuild
