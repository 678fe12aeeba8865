"""`comptoir purge`: forget finished deliveries' personal data past the governed retention period."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from comptoir.privacy.services import do_purge_deliveries


class Command(BaseCommand):
    help = "Purge the names, addresses, phones and signatures of deliveries, and the bodies of protocol messages, past the retention period."

    def handle(self, *args: Any, **options: Any) -> None:
        result = do_purge_deliveries()
        self.stdout.write(
            f"retention {result.retention_days} days (finished before {result.cutoff:%Y-%m-%d %H:%M}): "
            f"{result.orders} orders, {result.bookings} bookings, {result.signatures} signatures, "
            f"{result.protocol_messages} protocol messages purged"
        )
