"""`comptoir demo`: a running node with the demo town, in one command.

Creates and migrates the SQLite database under COMPTOIR_HOME, loads the demo
town if the database is empty, starts the background worker, serves on
http://127.0.0.1:8000 and prints the demo logins.

`--region quebec` loads a Montréal neighbourhood instead of the French town. The region is the
node's (COMPTOIR_REGION): when the option names another one, the command starts again with it set,
so the settings, the worker and the web server all run with the same profile.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from comptoir.catalog.models import Shop
from comptoir.core.region import node_region
from comptoir.core.regions import REGIONS, RegionError
from comptoir.delivery.demo import generate_demo_delivery
from comptoir.demo import vocabulary_quebec
from comptoir.demo.chains import QUINCAILLERIE_COMTOISE, demo_chain_provenance, generate_demo_chain
from comptoir.demo.generator import (
    DEMO_DOMAIN,
    DEMO_PASSWORD,
    demo_is_loaded,
    demo_offer_lines,
    demo_residents,
    generate_demo,
)
from comptoir.demo.past import PAST_MONTHS, close_past_months, generate_governance_past, generate_orders_past
from comptoir.demo.quebec import generate_quebec_demo
from comptoir.demo.vocabulary import CENTRE, POSTAL_CODE, STREETS, TOWN
from comptoir.orders.demo import DemoTown, generate_demo_deliveries, generate_demo_orders


class Command(BaseCommand):
    help = "Run a node with the demo town (SQLite, no server to set up)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--region", choices=sorted(REGIONS), help="default: the node's (COMPTOIR_REGION)")
        parser.add_argument("--shops", type=int, default=None, help="default: 40 (France), 30 (Québec)")
        parser.add_argument("--offers", type=int, default=None, help="default: 3000 (France), 2000 (Québec)")
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--past-months", type=int, default=PAST_MONTHS, help="months of past orders")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--load-only", action="store_true", help="Load the demo data, then exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        region = options.get("region") or node_region().code
        if region != node_region().code:
            self._restart_in(region)
        settings.COMPTOIR_HOME.mkdir(parents=True, exist_ok=True)
        self.stdout.write(f"Data folder: {settings.COMPTOIR_HOME} (region: {node_region().name})")
        call_command("migrate", verbosity=0, interactive=False)
        if demo_is_loaded():
            self._check_same_region()
            self.stdout.write("Demo town already loaded.")
        else:
            started = time.perf_counter()
            quebec = region == "quebec"
            make = generate_quebec_demo if quebec else generate_demo
            summary = make(
                seed=options["seed"], shops=options["shops"] or (30 if quebec else 40),
                offers=options["offers"] or (2000 if quebec else 3000),
            )  # fmt: skip
            self.stdout.write(
                f"Demo town loaded in {time.perf_counter() - started:.1f} s: {summary.shops} shops, "
                f"{summary.offers} offers ({summary.suppliers} suppliers), {summary.residents} residents, "
                f"{summary.couriers} couriers."
            )
            if not quebec:  # the Québec demo has its own chain (Quincailleries Boréal), made with its town
                chain = generate_demo_chain(
                    QUINCAILLERIE_COMTOISE,
                    demo_offer_lines,
                    seed=options["seed"],
                    provenance=demo_chain_provenance(),
                )
                self.stdout.write(
                    f"A regional chain: {QUINCAILLERIE_COMTOISE.name}, {chain['branches']} branches sharing "
                    f"{chain['products']} products ({chain['offers']} branch offers, {chain['own_prices']} branch prices)."
                )
            self._load_extras(options["seed"], options["past_months"])
        call_command("search-rebuild", verbosity=0)
        self._print_logins()
        if options["load_only"]:
            return
        self._serve(options["host"], options["port"])

    def _restart_in(self, region: str) -> None:
        """Run this same command again with COMPTOIR_REGION set: settings (currency, time zone) are read
        once at start-up, and the worker and web server inherit the environment."""
        argv = [sys.executable, "-m", "comptoir.cli", *sys.argv[1:]]
        self.stdout.write(f"Starting again with COMPTOIR_REGION={region}")
        os.execve(sys.executable, argv, {**os.environ, "COMPTOIR_REGION": region})

    def _check_same_region(self) -> None:
        """A data folder holds one region's demo: refuse to serve the French town as Québec."""
        first = Shop.objects.exclude(postal_code="").order_by("pk").first()
        if first is None:
            return
        try:
            node_region().normalise_postal_code(first.postal_code)
        except RegionError as error:
            raise CommandError(
                f"This data folder ({settings.COMPTOIR_HOME}) holds another region's demo ({first.postal_code}); "
                "use another COMPTOIR_HOME for this region."
            ) from error

    def _town(self) -> DemoTown:
        if node_region().code == "quebec":
            q = vocabulary_quebec
            return DemoTown(streets=q.STREETS, postal_code="H2T 1S6", city=q.TOWN, centre=q.CENTRE)
        return DemoTown(streets=STREETS, postal_code=POSTAL_CODE, city=TOWN, centre=CENTRE)

    def _load_extras(self, seed: int, months: int = PAST_MONTHS) -> None:
        """The delivery set-up and a few orders, once the town exists."""
        town_ = self._town()
        address = "5000 rue Saint-Denis" if node_region().code == "quebec" else "2 rue de la Gare"
        delivery = generate_demo_delivery(seed, centre=town_.centre, depot_address=address)
        residents = demo_residents()
        today = timezone.localdate()
        past = {
            **generate_governance_past(seed, today),
            **generate_orders_past(seed, residents, town_, today, months=months),
        }
        past.update(close_past_months(today))
        self.stdout.write("The town's past: " + ", ".join(f"{count} {name}" for name, count in past.items()))
        orders = generate_demo_orders(seed, residents)
        deliveries = generate_demo_deliveries(seed, residents, town_)
        figures = ", ".join(f"{count} {name}" for name, count in delivery.items())
        self.stdout.write(
            f"Delivery set-up: {figures}; {orders} click-and-collect orders, {deliveries} orders to deliver."
        )

    def _print_logins(self) -> None:
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD})")
        for role, email in [
            ("staff / admin", f"coop@{DEMO_DOMAIN}"),
            (
                "shop owner",
                f"{Shop.objects.order_by('pk').values_list('ref', flat=True).first()}@{DEMO_DOMAIN}",
            ),
            ("resident", f"habitant1@{DEMO_DOMAIN}"),
            ("courier", f"coursier1@{DEMO_DOMAIN}"),
            *self._chain_logins(),
        ]:
            self.stdout.write(f"  {role:<14} {email}")

    def _chain_logins(self) -> list[tuple[str, str]]:
        if node_region().code == "quebec":
            return [("chain staff", f"{vocabulary_quebec.CHAIN[0]}@{DEMO_DOMAIN}")]
        return [
            ("chain staff", f"siege-{QUINCAILLERIE_COMTOISE.ref}@{DEMO_DOMAIN}"),
            ("branch staff", f"{QUINCAILLERIE_COMTOISE.ref}-2@{DEMO_DOMAIN}"),
        ]

    def _serve(self, host: str, port: int) -> None:
        python = sys.executable
        worker = subprocess.Popen([python, "-m", "comptoir.cli", "worker"])
        web = subprocess.Popen(
            [python, "-m", "gunicorn", "comptoir.wsgi", "--bind", f"{host}:{port}", "--workers", "2",
             "--threads", "4", "--access-logfile", "-", "--log-level", "warning"]
        )  # fmt: skip
        self.stdout.write(self.style.SUCCESS(f"\nComptoir runs on http://{host}:{port}/  (Ctrl-C to stop)"))

        def stop(*_args: object) -> None:
            for process in (web, worker):
                process.terminate()

        signal.signal(signal.SIGTERM, stop)
        try:
            web.wait()
        except KeyboardInterrupt:
            pass
        finally:
            stop()
            worker.wait(timeout=10)
