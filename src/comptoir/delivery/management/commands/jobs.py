"""`comptoir jobs settle SELLER_APP ORDER_ID --reference REF`: pay a seller app the cash our courier
collected at the door for one of its deliveries, less our fee (the books' settlement entry; the
seller app reads it in the order's ONDC settlement fields)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from comptoir.delivery.outside_jobs import JobRefused, do_settle_outside_job


class Command(BaseCommand):
    help = "Outside delivery jobs: settle the cash collected for a seller app."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["settle"])
        parser.add_argument("client_id", help="the seller app's network id")
        parser.add_argument("client_ref", help="its order id")
        parser.add_argument("--reference", required=True, help="the bank transfer's reference")

    def handle(
        self, *args: Any, action: str, client_id: str, client_ref: str, reference: str, **_: Any
    ) -> None:
        if not reference.strip():
            raise CommandError("--reference is the bank transfer's reference; it cannot be empty")
        try:
            job = do_settle_outside_job(client_id, client_ref, reference=reference.strip(), at=timezone.now())
        except JobRefused as refusal:
            raise CommandError(refusal.message) from refusal
        self.stdout.write(json.dumps({
            "seller_app": job.client_id, "order": job.client_ref, "collected_cents": job.collect_cents,
            "fee_cents": job.collect_cents - job.settled_cents, "paid_cents": job.settled_cents,
            "reference": job.settlement_ref, "currency": job.currency,
        }))  # fmt: skip
