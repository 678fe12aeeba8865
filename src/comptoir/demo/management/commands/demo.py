"""`comptoir demo`: a running node with the demo town, in one command.

Creates and migrates the SQLite database under COMPTOIR_HOME, loads the demo
town if the database is empty, starts the background worker, serves on
http://127.0.0.1:8000 and prints the demo logins.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from comptoir.delivery.demo import generate_demo_delivery
from comptoir.demo.chains import QUINCAILLERIE_COMTOISE, demo_chain_provenance, generate_demo_chain
from comptoir.demo.generator import (
    DEMO_DOMAIN,
    DEMO_PASSWORD,
    demo_is_loaded,
    demo_offer_lines,
    demo_residents,
    generate_demo,
)
from comptoir.demo.past import close_past_months, generate_governance_past, generate_orders_past
from comptoir.demo.vocabulary import CENTRE, POSTAL_CODE, STREETS, TOWN
from comptoir.orders.demo import DemoTown, generate_demo_deliveries, generate_demo_orders


class Command(BaseCommand):
    help = "Run a node with the demo town (SQLite, no server to set up)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--shops", type=int, default=40)
        parser.add_argument("--offers", type=int, default=3000)
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--load-only", action="store_true", help="Load the demo data, then exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        settings.COMPTOIR_HOME.mkdir(parents=True, exist_ok=True)
        self.stdout.write(f"Data folder: {settings.COMPTOIR_HOME}")
        call_command("migrate", verbosity=0, interactive=False)
        if demo_is_loaded():
            self.stdout.write("Demo town already loaded.")
        else:
            started = time.perf_counter()
            summary = generate_demo(seed=options["seed"], shops=options["shops"], offers=options["offers"])
            self.stdout.write(
                f"Demo town loaded in {time.perf_counter() - started:.1f} s: {summary.shops} shops, "
                f"{summary.offers} offers ({summary.suppliers} suppliers), {summary.residents} residents, "
                f"{summary.couriers} couriers."
            )
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
            self._load_extras(options["seed"])
        call_command("search-rebuild", verbosity=0)
        self._print_logins()
        if options["load_only"]:
            return
        self._serve(options["host"], options["port"])

    def _load_extras(self, seed: int) -> None:
        """The delivery set-up and a few orders, once the town exists."""
        delivery = generate_demo_delivery(seed)
        residents = demo_residents()
        town_ = DemoTown(streets=STREETS, postal_code=POSTAL_CODE, city=TOWN, centre=CENTRE)
        today = timezone.localdate()
        past = {
            **generate_governance_past(seed, today),
            **generate_orders_past(seed, residents, town_, today),
        }
        past.update(close_past_months(today))
        self.stdout.write("The town's past: " + ", ".join(f"{count} {name}" for name, count in past.items()))
        orders = generate_demo_orders(seed, residents)
        town = DemoTown(streets=STREETS, postal_code=POSTAL_CODE, city=TOWN, centre=CENTRE)
        deliveries = generate_demo_deliveries(seed, residents, town)
        figures = ", ".join(f"{count} {name}" for name, count in delivery.items())
        self.stdout.write(
            f"Delivery set-up: {figures}; {orders} click-and-collect orders, {deliveries} orders to deliver."
        )

    def _print_logins(self) -> None:
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD})")
        for role, email in [
            ("staff / admin", f"coop@{DEMO_DOMAIN}"),
            ("shop owner", f"boulangerie-du-pont@{DEMO_DOMAIN}"),
            ("resident", f"habitant1@{DEMO_DOMAIN}"),
            ("courier", f"coursier1@{DEMO_DOMAIN}"),
            ("chain staff", f"siege-{QUINCAILLERIE_COMTOISE.ref}@{DEMO_DOMAIN}"),
            ("branch staff", f"{QUINCAILLERIE_COMTOISE.ref}-2@{DEMO_DOMAIN}"),
        ]:
            self.stdout.write(f"  {role:<14} {email}")

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
