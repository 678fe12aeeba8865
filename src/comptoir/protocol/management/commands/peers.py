"""`comptoir peers search QUERY [--json]`: other nodes' offers, merged, each with its node of origin."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from comptoir.core.errors import ComptoirError
from comptoir.protocol.buyer import as_json, do_ask_delivery_quote, do_pull_catalog, do_search_peers
from comptoir.protocol.delivery_buyer import Place, delivery_states, do_book_delivery, do_follow_delivery


class Command(BaseCommand):
    help = "Search the other nodes of the network."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        search = sub.add_parser("search", help="Search every seller of the network; print merged results.")
        search.add_argument("query")
        search.add_argument("--json", action="store_true")
        search.add_argument(
            "--wait", type=float, default=2.0, help="Seconds to wait for answers (default 2)."
        )
        bench = sub.add_parser("bench", help="(bench/federation.py) Time merged searches; print JSON.")
        bench.add_argument("--queries", required=True, help="Comma-separated queries.")
        bench.add_argument("--wait", type=float, default=5.0)
        quote = sub.add_parser(
            "delivery-quote", help="Ask a logistics provider (ONDC nic2004:60232) to quote a delivery."
        )
        quote.add_argument("lsp_id")
        quote.add_argument("--pickup", required=True, help='"lat,lon" of the pickup')
        quote.add_argument("--drop", required=True, help='"lat,lon" of the drop')
        quote.add_argument("--pickup-area", default="", help="Postal code of the pickup.")
        quote.add_argument("--drop-area", default="", help="Postal code of the drop.")
        quote.add_argument("--weight", type=float, default=1.0, help="Parcel weight in kg (default 1).")
        quote.add_argument("--wait", type=float, default=5.0)
        book = sub.add_parser(
            "delivery-book",
            help="Book a delivery with a logistics provider (search, init, confirm); print JSON.",
        )
        book.add_argument("lsp_id")
        book.add_argument("--order-id", required=True, help="Our reference for this delivery.")
        book.add_argument("--pickup", required=True, help='"lat,lon" of the pickup')
        book.add_argument("--pickup-name", required=True)
        book.add_argument("--pickup-phone", required=True)
        book.add_argument("--pickup-address", default="{}", help="JSON: building, locality, city, area_code.")
        book.add_argument("--pickup-code", required=True, help="The code the seller gives the courier.")
        book.add_argument("--drop", required=True, help='"lat,lon" of the drop')
        book.add_argument("--drop-name", required=True)
        book.add_argument("--drop-phone", required=True)
        book.add_argument("--drop-address", default="{}", help="JSON: building, locality, city, area_code.")
        book.add_argument("--weight", type=float, default=1.0, help="Parcel weight in kg (default 1).")
        book.add_argument("--item", default="", help="The offer to book (default: the first one).")
        book.add_argument("--wait", type=float, default=10.0)
        follow = sub.add_parser(
            "delivery-follow", help="status, track or cancel a booked delivery; print JSON."
        )
        follow.add_argument("lsp_id")
        follow.add_argument("transaction_id")
        follow.add_argument("order_id")
        follow.add_argument("follow_action", choices=["status", "track", "cancel"])
        follow.add_argument("--reason", default="", help="ONDC cancellation reason code (cancel).")
        follow.add_argument("--wait", type=float, default=10.0)
        states = sub.add_parser(
            "delivery-states", help="Each state a provider reported for a delivery; JSON."
        )
        states.add_argument("transaction_id")
        pull = sub.add_parser(
            "pull", help="(bench/federation.py) Time a full catalog refresh from one seller."
        )
        pull.add_argument("seller_id")
        pull.add_argument("--expect", type=int, required=True, help="Offers the seller has.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            self._handle(options)
        except ComptoirError as error:
            raise CommandError(error.message) from None

    def _handle(self, options: dict[str, Any]) -> None:
        if options["action"] == "bench":
            timings, answered = [], []
            for query in options["queries"].split(","):
                merged = do_search_peers(query, wait=options["wait"])
                timings.append(merged.seconds)
                answered.append(len(merged.answered))
            self.stdout.write(json.dumps({"seconds": timings, "answered": answered}))
            return
        if options["action"] == "delivery-quote":
            quotes, error = do_ask_delivery_quote(
                options["lsp_id"], pickup=options["pickup"], drop=options["drop"], weight_kg=options["weight"],
                wait=options["wait"], pickup_area=options["pickup_area"], drop_area=options["drop_area"],
            )  # fmt: skip
            self.stdout.write(
                json.dumps({"offers": [asdict(q) for q in quotes], "error": error}, ensure_ascii=False)
            )
            return
        if options["action"] in ("delivery-book", "delivery-follow", "delivery-states"):
            self.stdout.write(json.dumps(_delivery(options), ensure_ascii=False))
            return
        if options["action"] == "pull":
            seconds, offers, parts = do_pull_catalog(options["seller_id"], expect=options["expect"])
            self.stdout.write(json.dumps({"seconds": seconds, "offers": offers, "parts": parts}))
            return
        found = do_search_peers(options["query"], wait=options["wait"])
        if options["json"]:
            self.stdout.write(json.dumps(as_json(found), ensure_ascii=False, indent=1))
            return
        for result in found.results:
            self.stdout.write(
                f"{result.name} — {result.price} {result.currency} — {result.shop} @ {result.node}"
            )
        if found.missing:
            self.stdout.write(f"no answer in time from: {', '.join(found.missing)}")


def _delivery(options: dict[str, Any]) -> Any:
    if options["action"] == "delivery-states":
        return delivery_states(options["transaction_id"])
    if options["action"] == "delivery-follow":
        return do_follow_delivery(
            options["lsp_id"], options["transaction_id"], options["order_id"], options["follow_action"],
            reason=options["reason"], wait=options["wait"],
        )  # fmt: skip
    try:
        pickup_address, drop_address = (
            json.loads(options["pickup_address"]),
            json.loads(options["drop_address"]),
        )
    except ValueError as error:
        raise ComptoirError(f"an address is not JSON: {error}") from None
    return do_book_delivery(
        options["lsp_id"], order_id=options["order_id"], weight_kg=options["weight"], item_id=options["item"],
        wait=options["wait"],
        pickup=Place(options["pickup"], options["pickup_name"], options["pickup_phone"], pickup_address,
                     code=options["pickup_code"]),
        drop=Place(options["drop"], options["drop_name"], options["drop_phone"], drop_address),
    )  # fmt: skip
