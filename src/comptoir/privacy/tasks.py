"""Background work of privacy: exports asked for on a page, and the retention purge, once a day.

`run_export` prepares an export a person asked for (`exports.do_run_export`).
`comptoir worker` runs `start_purging` beside the task queue: every hour it removes the expired
exports' files, looks at the last `PurgeRun` and purges when none ran in the last day, so a restarted
worker neither skips a day nor purges twice in one. `comptoir purge` runs a pass by hand (cron, or a test).
"""

from __future__ import annotations

import threading
from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from comptoir.core.followers import start_follower

CHECK_INTERVAL_S = 3600.0
EVERY = timedelta(days=1)


def purge_if_due() -> bool:
    from comptoir.privacy.exports import do_expire_exports
    from comptoir.privacy.models import PurgeRun
    from comptoir.privacy.services import do_purge_deliveries

    now = timezone.now()
    do_expire_exports(now)
    last = PurgeRun.objects.order_by("-ran_at").first()
    if last is None or now - last.ran_at >= EVERY:
        do_purge_deliveries(now=now)
    return False


@task()
def run_export(job_id: int) -> str:
    from comptoir.privacy.exports import do_run_export

    job = do_run_export(job_id)
    return f"{job.status}: {job.size} bytes"


@task()
def purge_task() -> None:
    purge_if_due()


def start_purging(interval: float = CHECK_INTERVAL_S) -> threading.Event:
    return start_follower("privacy-purge", purge_if_due, interval)
