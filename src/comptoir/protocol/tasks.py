"""Background work of the protocol: process accepted messages, send callbacks (bounded retries)."""

from __future__ import annotations

from django.db import transaction
from django_tasks import task

from comptoir.protocol.models import InboxMessage


def enqueue_processing(inbox: InboxMessage) -> None:
    # after commit: the worker must find the row the ACK promised
    transaction.on_commit(lambda: process_inbox_task.enqueue(inbox.pk))


@task()
def process_inbox_task(inbox_id: int) -> None:
    from comptoir.protocol.services import do_process_inbox

    do_process_inbox(inbox_id)
