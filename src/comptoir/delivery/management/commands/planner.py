"""`comptoir planner solve FILE --format lilim|solomon [--time-limit S] [--seed N] --json`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from comptoir.delivery.planner.solve_file import solve_instance_file


class Command(BaseCommand):
    help = "Run the route planner on a benchmark instance (Li & Lim or Solomon format)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        solve = sub.add_parser("solve", help="Solve one instance file and print the plan.")
        solve.add_argument("file", type=Path)
        solve.add_argument("--format", choices=["lilim", "solomon"], required=True)
        solve.add_argument("--time-limit", type=float, default=10.0)
        solve.add_argument("--seed", type=int, default=0)
        solve.add_argument("--json", action="store_true", help="One JSON object on standard output.")

    def handle(
        self, *args: Any, file: Path, format: str, time_limit: float, seed: int, **options: Any
    ) -> None:
        if not file.exists():
            raise CommandError(f"no such file: {file}")
        try:
            result = solve_instance_file(file, format, time_limit, seed=seed)
        except ValueError as error:
            raise CommandError(f"cannot read {file} as {format}: {error}") from error
        if options["json"]:
            self.stdout.write(json.dumps(result))
            return
        self.stdout.write(
            f"{result['vehicles']} vehicles, distance {result['distance']}, {result['seconds']} s"
        )
        for number, route in enumerate(result["routes"], start=1):
            self.stdout.write(f"  {number}: {' '.join(map(str, route))}")
