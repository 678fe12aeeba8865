"""Server frugality, measured (issue 19 item 5): memory, CPU per page and per order, disk per offer.

    .venv/bin/python bench/frugal.py                             # the demo town (40 shops, 3,000 offers)
    nice .venv/bin/python bench/frugal.py --network-offers 997000 --network-shops 3000   # 1M offers in all

Runs a real node in a temporary data folder (SQLite; set DATABASE_URL to an empty PostgreSQL
database on this machine to measure that instead: its server's processes are then sampled too,
their memory as RSS and as PSS, and their CPU is added to each page's and order's): `comptoir demo --load-only` (migrations, demo town, search
index), then gunicorn as the node serves in production (2 gthread workers x 4 threads) and
`comptoir worker` as separate processes, and drives them over HTTP from this process:

- with `--network-offers N`: a network CSV of N offers is generated (bench/catalog_gen.py) and
  loaded with `comptoir catalog import-network` *while the node runs*; the worker then indexes
  the new offers. Then `comptoir search-rebuild` rebuilds the whole index, the node still running;
- resident memory (VmRSS from /proc) of every process of the node, sampled every 0.2 s during
  each phase: after start, during the import (until the worker has indexed it), during the
  rebuild, during the page views, after the load. The table gives each process's peak and the
  peak of the total (the sum at one instant), and says whether it stays within 1 GB;
- CPU milliseconds per page view, per kind of page (home, directory, search, shop, offer): the web
  processes' user + system time (/proc/PID/stat) over `--views` GETs of each kind, and on
  PostgreSQL the server's (its live processes' and, through the postmaster's cutime, those that
  ended);
- CPU milliseconds per order end to end: a guest adds two offers of one shop to the cart, opens
  the cart and the checkout, places a click-and-collect order and opens its page; the web
  processes' and the worker's CPU, divided by `--orders`;
- database and search index size, and per 100,000 offers.

Figures only, printed; no assertion. Wall times are printed with the load average beside them
(the machine may be shared); memory and CPU time do not depend on the load.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
TICKS = os.sysconf("SC_CLK_TCK")
BUDGET_MB = 1024
WEB = ["--workers", "2", "--worker-class", "gthread", "--threads", "4"]  # as `comptoir demo` serves
WORDS = ["pain", "miel", "tomate", "vis", "savon", "fromage", "livre", "farine", "chocolat", "café"]


def _env(home: Path) -> dict[str, str]:
    return {
        **os.environ,
        "COMPTOIR_HOME": str(home),
        "PYTHONPATH": str(ROOT / "src"),
        "SECRET_KEY": "bench-" * 8,
        # Every guest order comes from 127.0.0.1: the per-address guards (3 open unpaid orders, 30
        # checkouts an hour) would refuse the 4th; this measures the node's cost, not its guards.
        "COMPTOIR_GUEST_OPEN_ORDERS_MAX": os.environ.get("COMPTOIR_GUEST_OPEN_ORDERS_MAX", "100000"),
        "COMPTOIR_CHECKOUT_ATTEMPTS_PER_HOUR": os.environ.get(
            "COMPTOIR_CHECKOUT_ATTEMPTS_PER_HOUR", "100000"
        ),
    }


def _cpu_ms(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) * 1000 / TICKS  # utime + stime


def _cpu_with_ended_children_ms(pid: int) -> float:
    """utime + stime + cutime + cstime: the process and its children that ended (PostgreSQL backends)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    return sum(int(f) for f in fields[11:15]) * 1000 / TICKS


def _pss_mb(pid: int) -> float:
    """Proportional set size: shared pages (PostgreSQL's shared buffers) split among their users."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass
    return 0.0


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0.0


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    try:
        return [int(p) for p in path.read_text().split()]
    except FileNotFoundError:
        return []


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _size_mb(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 1e6
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink()) / 1e6


def _load() -> str:
    return "load {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())


class Database:
    """Counts and samples read straight from the node's database (SQLite file or PostgreSQL)."""

    def __init__(self, home: Path) -> None:
        self.url = os.environ.get("DATABASE_URL", "")
        self.home = home

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        if self.url:
            import psycopg

            with psycopg.connect(self.url) as db:
                return db.execute(sql.replace("?", "%s")).fetchall()
        with sqlite3.connect(self.home / "comptoir.sqlite3") as db:
            return db.execute(sql).fetchall()

    def postmaster_pid(self) -> int | None:
        """The PostgreSQL server's main process, when the database is PostgreSQL on this machine."""
        if not self.url:
            return None
        data = self.rows("SELECT setting FROM pg_settings WHERE name = 'data_directory'")[0][0]
        try:
            return int((Path(data) / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def size_mb(self) -> float:
        if self.url:
            return float(self.rows("SELECT pg_database_size(current_database())")[0][0]) / 1e6
        return sum(_size_mb(p) for p in self.home.glob("comptoir.sqlite3*"))


class Browser:
    """A cookie-keeping HTTP client that sends Django's CSRF token with each POST."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=60) as response:
            return response.read().decode()

    def post(self, path: str, data: dict[str, str]) -> str:
        token = next((c.value for c in self.jar if c.name == "csrftoken"), "")
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}).encode()
        request = urllib.request.Request(self.base + path, data=body, headers={"Referer": self.base + path})
        with self.opener.open(request, timeout=60) as response:
            return response.read().decode()


@dataclass
class Node:
    web_pid: int
    worker_pid: int
    postmaster_pid: int | None = None

    def postgres(self) -> list[int]:
        if self.postmaster_pid is None:
            return []
        return [self.postmaster_pid, *_children(self.postmaster_pid)]

    def postgres_cpu(self) -> float:
        if self.postmaster_pid is None:
            return 0.0
        return _cpu_with_ended_children_ms(self.postmaster_pid) + sum(
            _cpu_ms(p) for p in _children(self.postmaster_pid)
        )

    def processes(self, command: int | None = None) -> dict[str, int]:
        found = {"gunicorn master": self.web_pid}
        for n, pid in enumerate(sorted(_children(self.web_pid)), start=1):
            found[f"web worker {n}"] = pid
        found["comptoir worker"] = self.worker_pid
        if command is not None:
            found["command"] = command
        return found

    def web_cpu(self) -> float:
        return _cpu_ms(self.web_pid) + sum(_cpu_ms(p) for p in _children(self.web_pid))


@dataclass
class Phase:
    """Peak RSS of each process and of their sum at one instant, over one phase."""

    label: str
    peaks: dict[str, float] = field(default_factory=dict)
    total: float = 0.0
    wall: str = ""
    postgres_processes: int = 0


def _print_phase(phase: Phase) -> None:
    """One phase's peaks as soon as it ends (a run cut short still leaves its figures)."""
    peaks = ", ".join(f"{name} {mb:.0f}" for name, mb in phase.peaks.items())
    pg = f"; up to {phase.postgres_processes} PostgreSQL processes" if phase.postgres_processes else ""
    print(f"peak RSS, {phase.label}: {peaks}; total {phase.total:.0f} MB{pg}; {phase.wall}", flush=True)


class Sampler:
    """Samples the node's processes every `interval` seconds in a thread until stopped."""

    def __init__(self, node: Node, label: str, interval: float = 0.2) -> None:
        self.node, self.phase, self.interval = node, Phase(label), interval
        self.command: int | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._started = time.perf_counter()

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()
        self.phase.wall = f"{time.perf_counter() - self._started:.1f} s ({_load()})"
        _print_phase(self.phase)

    def sample(self) -> None:
        now = {name: _rss_mb(pid) for name, pid in self.node.processes(self.command).items()}
        postgres = self.node.postgres()
        if postgres:
            # RSS counts PostgreSQL's shared buffers once per process that touched them; the total
            # takes its PSS (each shared page split among its users), the RSS sum is shown beside it.
            now["postgres PSS"] = sum(_pss_mb(p) for p in postgres)
            rss = sum(_rss_mb(p) for p in postgres)
            self.phase.peaks["postgres RSS (not in total)"] = max(
                self.phase.peaks.get("postgres RSS (not in total)", 0.0), rss
            )
            self.phase.postgres_processes = max(self.phase.postgres_processes, len(postgres))
        for name, mb in now.items():
            self.phase.peaks[name] = max(self.phase.peaks.get(name, 0.0), mb)
        self.phase.total = max(self.phase.total, sum(now.values()))

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--shops", type=int, default=40, help="shops of the demo town")
    parser.add_argument("--offers", type=int, default=3000, help="offers of the demo town")
    parser.add_argument("--network-offers", type=int, default=0, help="offers loaded by import-network")
    parser.add_argument("--network-shops", type=int, default=3000)
    parser.add_argument("--views", type=int, default=100, help="page views of each kind")
    parser.add_argument("--orders", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the data folder")
    parser.add_argument("--home", help="reuse this data folder (a kept run's): no demo load; kept")
    parser.add_argument("--rebuild-only", action="store_true", help="no import: rebuild the index of --home")
    args = parser.parse_args()
    home = Path(args.home) if args.home else Path(tempfile.mkdtemp(prefix="comptoir-frugal-"))
    env = _env(home)
    python = sys.executable
    if not args.home:
        started = time.perf_counter()
        subprocess.run(
            [python, "-m", "comptoir.cli", "demo", "--load-only", "--shops", str(args.shops), "--offers",
             str(args.offers)], env=env, check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        print(
            f"demo town: {args.shops} shops, {args.offers} offers, loaded and indexed in"
            f" {time.perf_counter() - started:.1f} s ({_load()})"
        )
    network_csv = home / "network.csv"
    if args.rebuild_only:
        pass
    elif args.network_offers and network_csv.exists():
        print(f"network CSV: reusing {network_csv} (import-network upserts: its offers are written again)")
    elif args.network_offers:
        from catalog_gen import generate_offers, write_network_csv

        started = time.perf_counter()
        write_network_csv(network_csv, generate_offers(args.network_offers, args.network_shops))
        print(
            f"network CSV: {args.network_offers:,} offers over {args.network_shops:,} shops generated in"
            f" {time.perf_counter() - started:.1f} s ({_load()})"
        )
    port = _free_port()
    web = subprocess.Popen(
        [python, "-m", "gunicorn", "comptoir.wsgi", "--bind", f"127.0.0.1:{port}", *WEB, "--log-level", "warning"],
        env=env,
    )  # fmt: skip
    worker = subprocess.Popen(
        [python, "-m", "comptoir.cli", "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(base + "/", timeout=2).read()
                break
            except OSError:
                time.sleep(0.2)
        time.sleep(2)
        _run(args, home, env, base, Node(web.pid, worker.pid, Database(home).postmaster_pid()), network_csv)
    finally:
        for process in (web, worker):
            process.send_signal(signal.SIGTERM)
        for process in (web, worker):
            process.wait(timeout=30)
        if args.keep or args.home:
            print(f"data folder kept: {home}")
        else:
            shutil.rmtree(home, ignore_errors=True)


def _command(env: dict[str, str], sampler: Sampler, *args: str) -> dict[str, Any]:
    """Run `comptoir ARGS --no-progress --json` as a child the sampler watches; its JSON line."""
    child = subprocess.Popen(
        [sys.executable, "-m", "comptoir.cli", *args, "--no-progress", "--json"],
        env=env, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    sampler.command = child.pid
    out, _ = child.communicate()
    sampler.sample()
    sampler.command = None
    if child.returncode != 0:
        sys.exit(f"comptoir {' '.join(args)} failed")
    return dict(json.loads(out.strip().splitlines()[-1]))


def _wait_indexed(db: Database, timeout: float = 3600) -> None:
    deadline = time.monotonic() + timeout
    while db.rows("SELECT COUNT(*) FROM catalog_offerchange")[0][0] and time.monotonic() < deadline:
        time.sleep(1.0)


def _run(args: argparse.Namespace, home: Path, env: dict[str, str], base: str, node: Node, csv: Path) -> None:
    db = Database(home)
    phases: list[Phase] = []
    with Sampler(node, "after start") as sampler:
        time.sleep(1.0)
    phases.append(sampler.phase)
    if args.network_offers and not args.rebuild_only:
        with Sampler(node, "import-network, then the worker indexes it") as sampler:
            figures = _command(env, sampler, "catalog", "import-network", str(csv))
            imported = time.perf_counter()
            _wait_indexed(db)
        phases.append(sampler.phase)
        print(f"import-network: {figures['rows']:,} rows, {figures['offers_written']:,} offers written,"
              f" {figures['rejected']} rejected; the worker indexed them"
              f" {time.perf_counter() - imported:.1f} s after; whole phase {sampler.phase.wall}")  # fmt: skip
        csv.unlink()
    if args.network_offers or args.rebuild_only:
        with Sampler(node, "search-rebuild") as sampler:
            figures = _command(env, sampler, "search-rebuild")
        phases.append(sampler.phase)
        print(f"search-rebuild: {figures['offers']:,} offers in {figures['seconds']} s ({_load()}),"
              f" index {figures['mb_on_disk']} MB, rebuild process peak {figures['peak_rss_mb']} MB")  # fmt: skip
    with Sampler(node, "page views and orders") as sampler:
        _views(args, db, base, node)
        _orders(args, db, base, node)
    phases.append(sampler.phase)
    with Sampler(node, "after the load (steady)") as sampler:
        time.sleep(1.0)
    phases.append(sampler.phase)
    _print_table(phases)
    offers = db.rows("SELECT COUNT(*) FROM catalog_offer")[0][0]
    size, index = db.size_mb(), _size_mb((home / "search" / "offers").resolve())  # the current generation
    scale = 100_000 / offers
    print(f"database {size:.1f} MB, search index {index:.1f} MB for {offers:,} offers;"
          f" per 100,000 offers: database {size * scale:.1f} MB, index {index * scale:.1f} MB")  # fmt: skip


def _views(args: argparse.Namespace, db: Database, base: str, node: Node) -> None:
    rng = random.Random(7)
    refs = [r for (r,) in db.rows("SELECT ref FROM catalog_shop WHERE status = 'active' ORDER BY id")]
    offer_ids = [i for (i,) in db.rows("SELECT id FROM catalog_offer WHERE active ORDER BY id")[::97]]
    kinds = {
        "home": lambda: "/",
        "directory": lambda: f"/commerces/?page={rng.randint(1, max(1, len(refs) // 30))}",
        "search": lambda: f"/recherche/?q={urllib.parse.quote(rng.choice(WORDS))}",
        "shop": lambda: f"/commerces/{rng.choice(refs)}/",
        "offer": lambda: f"/produits/{rng.choice(offer_ids)}/",
    }
    browser = Browser(base)
    for path in kinds.values():  # warm-up: each web worker has imported and opened what it needs
        for _ in range(8):
            browser.get(path())
    for kind, path in kinds.items():
        before, before_pg, t0 = node.web_cpu(), node.postgres_cpu(), time.perf_counter()
        for _ in range(args.views):
            browser.get(path())
        elapsed, cpu = time.perf_counter() - t0, node.web_cpu() - before
        pg = node.postgres_cpu() - before_pg
        pg_text = f" + PostgreSQL {pg / args.views:.1f} ms" if node.postmaster_pid else ""
        print(f"{kind:>9} page: {args.views} views, web CPU {cpu / args.views:.1f} ms{pg_text} per view;"
              f" wall {1000 * elapsed / args.views:.1f} ms per view incl. client ({_load()})")  # fmt: skip


def _orders(args: argparse.Namespace, db: Database, base: str, node: Node) -> None:
    rng = random.Random(11)
    ref = db.rows("SELECT ref FROM catalog_shop WHERE status = 'active' ORDER BY id")[0][0]
    shop = f"/commerces/{ref}/"
    stocked = re.findall(r'name="offer_id" value="(\d+)"', Browser(base).get(shop))
    before_web, before_bg, before_pg = node.web_cpu(), _cpu_ms(node.worker_pid), node.postgres_cpu()
    t0 = time.perf_counter()
    for n in range(args.orders):
        guest = Browser(base)
        guest.get(shop)
        for offer_id in rng.sample(stocked, k=2):
            guest.post("/panier/ajouter/", {"offer_id": offer_id, "quantity": "1"})
        guest.get("/panier/")
        checkout = guest.get("/commande/")
        expected = re.search(r'name="expected_goods_cents" value="(\d+)"', checkout)
        key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', checkout)
        guest.post("/commande/", {
            "email": f"frugal{n}@example.org", "language": "fr", f"fulfilment-{ref}": "collect",
            "payment_method": "on_handover", "expected_goods_cents": expected.group(1) if expected else "",
            "idempotency_key": key.group(1) if key else f"frugal-{n}",
        })  # fmt: skip
    time.sleep(1.0)  # the worker's follow-ups (mails, index) of the last orders
    elapsed = time.perf_counter() - t0
    web_cpu, bg_cpu = node.web_cpu() - before_web, _cpu_ms(node.worker_pid) - before_bg
    pg_cpu = node.postgres_cpu() - before_pg
    pg_text = f" + PostgreSQL {pg_cpu / args.orders:.0f} ms" if node.postmaster_pid else ""
    placed = db.rows("SELECT COUNT(*) FROM orders_order WHERE email LIKE 'frugal%'")[0][0]
    print(f" order: {placed} placed of {args.orders} (add 2 offers, cart, checkout, place, order page) in"
          f" {elapsed:.1f} s ({_load()}); CPU per order: web {web_cpu / args.orders:.0f} ms"
          f" + worker {bg_cpu / args.orders:.0f} ms{pg_text}")  # fmt: skip


def _print_table(phases: list[Phase]) -> None:
    names: list[str] = []
    for phase in phases:
        names += [n for n in phase.peaks if n not in names]
    short = {
        "gunicorn master": "master",
        "comptoir worker": "worker",
        "postgres RSS (not in total)": "postgres RSS",
    }
    header = [
        "phase (peak RSS, MB)",
        *(short.get(n, n.replace("web worker ", "web ")) for n in names),
        "total",
    ]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for phase in phases:
        cells = [f"{phase.peaks[n]:.0f}" if n in phase.peaks else "" for n in names]
        print(f"| {phase.label} | " + " | ".join(cells) + f" | **{phase.total:.0f}** |")
    peak = max(phases, key=lambda p: p.total)
    steady = phases[-1].total
    verdict = "within" if peak.total <= BUDGET_MB else "OVER"
    print(f"total RSS of the node: steady {steady:.0f} MB; peak {peak.total:.0f} MB during"
          f" {peak.label!r}: {verdict} the {BUDGET_MB} MB budget")  # fmt: skip


if __name__ == "__main__":
    main()
