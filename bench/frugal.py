"""Server frugality, measured (issue 19 item 5): memory, CPU per page and per order, disk per offer.

    .venv/bin/python bench/frugal.py                      # the demo town (40 shops, 3,000 offers)
    .venv/bin/python bench/frugal.py --offers 100000 --shops 300 --views 300 --orders 20

Runs a real node in a temporary data folder (SQLite): `comptoir demo --load-only` (migrations,
demo town, search index), then gunicorn (2 sync workers, as `comptoir demo` serves) and
`comptoir worker` as separate processes, and drives them over HTTP from this process:

- resident memory (VmRSS from /proc) of the gunicorn master and workers and of the worker,
  after start and after the load;
- CPU milliseconds per page view: the web processes' user + system time (/proc/PID/stat)
  over `--views` GETs of a mix of pages (home, directory, shop pages, offers, search);
- CPU milliseconds per order end to end: a guest adds two offers of one shop to the cart,
  opens the cart and the checkout, places a click-and-collect order and opens its page;
  the web processes' and the worker's CPU, divided by `--orders`;
- database and search index size, and per 100,000 offers.

Figures only, printed; no assertion. The 1M-offer figure is an extrapolation from the
measured size unless run with --offers 1000000 (slow: see docs/frugal.md).
"""

from __future__ import annotations

import argparse
import http.cookiejar
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
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TICKS = os.sysconf("SC_CLK_TCK")


def _env(home: Path) -> dict[str, str]:
    return {
        **os.environ,
        "COMPTOIR_HOME": str(home),
        "PYTHONPATH": str(ROOT / "src"),
        "SECRET_KEY": "bench-" * 8,
    }


def _cpu_ms(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / TICKS  # utime + stime


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _size_mb(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 1e6
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink()) / 1e6


class Browser:
    """A cookie-keeping HTTP client that sends Django's CSRF token with each POST."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.read().decode()

    def post(self, path: str, data: dict[str, str]) -> str:
        token = next((c.value for c in self.jar if c.name == "csrftoken"), "")
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}).encode()
        request = urllib.request.Request(self.base + path, data=body, headers={"Referer": self.base + path})
        with self.opener.open(request, timeout=30) as response:
            return response.read().decode()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--shops", type=int, default=40)
    parser.add_argument("--offers", type=int, default=3000)
    parser.add_argument("--views", type=int, default=300)
    parser.add_argument("--orders", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the data folder")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="comptoir-frugal-"))
    env = _env(home)
    python = sys.executable
    started = time.perf_counter()
    subprocess.run(
        [python, "-m", "comptoir.cli", "demo", "--load-only", "--shops", str(args.shops), "--offers", str(args.offers)],
        env=env, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    print(
        f"demo town: {args.shops} shops, {args.offers} offers, loaded and indexed in {time.perf_counter() - started:.1f} s"
    )
    port = _free_port()
    web = subprocess.Popen(
        [python, "-m", "gunicorn", "comptoir.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "--log-level", "warning"], env=env,
    )  # fmt: skip
    worker = subprocess.Popen(
        [python, "-m", "comptoir.cli", "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/", timeout=2).read()
                break
            except OSError:
                time.sleep(0.2)
        time.sleep(2)
        _run(args, home, base, web.pid, worker.pid)
    finally:
        for process in (web, worker):
            process.send_signal(signal.SIGTERM)
        for process in (web, worker):
            process.wait(timeout=20)
        if not args.keep:
            shutil.rmtree(home, ignore_errors=True)


def _memory(label: str, web_pid: int, worker_pid: int) -> float:
    web_workers = _children(web_pid)
    master, workers, bg = _rss_mb(web_pid), [_rss_mb(p) for p in web_workers], _rss_mb(worker_pid)
    total = master + sum(workers) + bg
    print(
        f"RSS {label}: gunicorn master {master:.0f} MB, workers {' + '.join(f'{w:.0f}' for w in workers)} MB,"
        f" comptoir worker {bg:.0f} MB; total {total:.0f} MB"
    )
    return total


def _web_cpu(web_pid: int) -> float:
    return _cpu_ms(web_pid) + sum(_cpu_ms(p) for p in _children(web_pid))


def _run(args: argparse.Namespace, home: Path, base: str, web_pid: int, worker_pid: int) -> None:
    rng = random.Random(7)
    _memory("after start", web_pid, worker_pid)
    browser = Browser(base)
    directory = browser.get("/commerces/")
    shops = sorted(set(re.findall(r'href="(/commerces/[a-z0-9-]+/)"', directory)))
    offers = sorted(set(re.findall(r'href="(/produits/\d+/)"', browser.get(shops[0]))))
    words = ["pain", "miel", "tomate", "vis", "savon", "fromage", "livre", "farine"]
    pages = ["/", "/commerces/", *shops[:10], *offers[:10]]
    for path in pages:  # warm-up: every worker has imported and cached what it needs
        browser.get(path)
    before = _web_cpu(web_pid)
    t0 = time.perf_counter()
    for i in range(args.views):
        kind = i % 4
        if kind == 3:
            browser.get(f"/recherche/?q={rng.choice(words)}")
        else:
            browser.get(rng.choice(pages))
    elapsed = time.perf_counter() - t0
    cpu = _web_cpu(web_pid) - before
    print(
        f"page views: {args.views} (1/4 searches) in {elapsed:.1f} s; web CPU {cpu / args.views:.1f} ms per view"
        f" (wall {1000 * elapsed / args.views:.1f} ms incl. client)"
    )

    shop_page = browser.get(shops[0])
    stocked = re.findall(r'name="offer_id" value="(\d+)"', shop_page)
    ref = shops[0].split("/")[2]
    before_web, before_bg = _web_cpu(web_pid), _cpu_ms(worker_pid)
    t0 = time.perf_counter()
    for n in range(args.orders):
        guest = Browser(base)
        guest.get(shops[0])
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
    web_cpu, bg_cpu = _web_cpu(web_pid) - before_web, _cpu_ms(worker_pid) - before_bg
    with sqlite3.connect(home / "comptoir.sqlite3") as db_:
        placed = db_.execute("SELECT COUNT(*) FROM orders_order WHERE email LIKE 'frugal%'").fetchone()[0]
    print(
        f"orders end to end: {placed} placed of {args.orders} (add 2 offers, cart, checkout, place, order page)"
        f" in {elapsed:.1f} s;"
        f" CPU per order: web {web_cpu / args.orders:.0f} ms + worker {bg_cpu / args.orders:.0f} ms"
    )
    total = _memory("after the load", web_pid, worker_pid)
    db = _size_mb(home / "comptoir.sqlite3")
    index = _size_mb(home / "search")
    scale = 100_000 / args.offers
    print(f"database {db:.1f} MB, search index {index:.1f} MB for {args.offers} offers;"
          f" per 100,000 offers: database {db * scale:.0f} MB, index {index * scale:.0f} MB (linear)")  # fmt: skip
    print(f"total RSS of the node's processes: {total:.0f} MB")


if __name__ == "__main__":
    main()
