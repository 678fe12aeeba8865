"""`comptoir search QUERY`: the search from the command line, or many queries with `--batch FILE`.

comptoir search "pain complet" --near 47.056,6.004 --radius-km 3 --in-stock --json
comptoir search --batch queries.txt      one JSON line per query, with the milliseconds it took
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from comptoir.core.errors import InvalidInput
from comptoir.search.params import SORTS, parse_params
from comptoir.search.selectors import page_as_dict, search_offers


class Command(BaseCommand):
    help = "Search every shop of the node, as residents do."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("query", nargs="?", default="")
        parser.add_argument("--near", default="", help="LAT,LON (default: the node's centre)")
        parser.add_argument("--radius-km", default="")
        parser.add_argument("--in-stock", action="store_true")
        parser.add_argument(
            "--local", action="store_true", help="only offers whose origin is within the node's local radius"
        )
        parser.add_argument("--open-now", action="store_true")
        parser.add_argument("--min-price", default="")
        parser.add_argument("--max-price", default="", help="euros, e.g. 2,40")
        parser.add_argument("--category", default="")
        parser.add_argument("--shop", default="", help="shop references, comma-separated")
        parser.add_argument("--sort", choices=SORTS, default="relevance")
        parser.add_argument("--limit", type=int, default=10)
        parser.add_argument("--group", action="store_true", help="one line per product")
        parser.add_argument("--facets", action="store_true")
        parser.add_argument("--lang", choices=["fr", "en"], default="fr")
        parser.add_argument("--json", action="store_true", help="print the API's JSON")
        parser.add_argument("--batch", type=Path, help="one query per line; prints one JSON line per query")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch"]:
            self._batch(options)
            return
        page, ms = self._run(options["query"], options)
        if options["json"]:
            self.stdout.write(json.dumps(page, ensure_ascii=False))
            return
        self.stdout.write(f"{page['total']} offers ({page['matched']}), {ms:.1f} ms")
        for rank, hit in enumerate(page["results"], start=1):
            distance = "" if hit["distance_km"] is None else f"{hit['distance_km']:.1f} km"
            self.stdout.write(
                f"{rank:>3}. {hit['name']}  {hit['price']} €  {hit['shop_name']}  {distance}  "
                f"score {hit['score']:.4f}\n     {hit['origin']['label']}\n     {hit['why']['text']}"
            )

    def _run(self, text: str, options: dict[str, Any]) -> tuple[dict[str, Any], float]:
        data = {
            "q": text, "near": options["near"], "radius_km": options["radius_km"],
            "in_stock": options["in_stock"], "local": options["local"], "open_now": options["open_now"], "min_price": options["min_price"],
            "max_price": options["max_price"], "category": options["category"], "shop": options["shop"],
            "sort": options["sort"], "per_page": options["limit"], "group": options["group"],
            "facets": options["facets"],
        }  # fmt: skip
        started = time.perf_counter()
        try:
            page = search_offers(parse_params(data), options["lang"])
        except InvalidInput as error:
            raise CommandError(error.message) from error
        as_dict = page_as_dict(page, options["lang"])
        return as_dict, (time.perf_counter() - started) * 1000

    def _batch(self, options: dict[str, Any]) -> None:
        if not options["batch"].exists():
            raise CommandError(f"no such file: {options['batch']}")
        with options["batch"].open(encoding="utf-8") as lines:
            for line in lines:
                text = line.strip()
                if not text:
                    continue
                page, ms = self._run(text, options)
                page["ms"] = round(ms, 3)
                self.stdout.write(json.dumps(page, ensure_ascii=False))
