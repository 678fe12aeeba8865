"""Federation benchmark: signature checks per second per core, then real nodes on loopback.

    .venv/bin/python bench/federation.py                       # small: 5 sellers × 2,000 offers
    .venv/bin/python bench/federation.py --nodes 5 --offers 100000 --queries 40

1. Signatures (pure, one thread = one core): BLAKE2b-512 digest and ed25519 verification of
   signed requests; then the door's pure part (verify + parse + our schema) per second.
2. Nodes: one buyer app and N seller apps (own data folders and processes, 127.0.0.1),
   each seller with a generated catalog (bench/catalog_gen.py, imported by
   `comptoir catalog import-network`); merged search across all sellers (p50/p95 from
   sending the search to having every seller's answer), and one full catalog pull;
   then the memory of each node's processes (web server, its worker children and the
   protocol worker): resident now and peak, from /proc (Linux).
Figures only, no assertions; the machine's load average is printed beside them.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

QUERIES = ["pain", "lait", "pomme", "chocolat", "fromage", "café", "riz", "miel", "yaourt", "jus"]


def signatures(count: int) -> None:
    from comptoir.protocol.wire import messages, signing, validation
    from comptoir.protocol.wire.signing import KeyPair

    keys = KeyPair.generate()
    bodies, headers = [], []
    for i in range(count):
        context = messages.request_context(
            action="select", domain="ONDC:RET10", city="std:0381", bap_id="a.example", bap_uri="https://a.example/beckn",
            bpp_id="b.example", bpp_uri="https://b.example/beckn", moment=__import__("datetime").datetime.now(__import__("datetime").UTC),
            transaction_id=f"t-{i}", message_id=f"m-{i}",
        )  # fmt: skip
        order = {
            "provider": {"id": "shop-1"},
            "items": [{"id": str(n), "quantity": {"count": 1}} for n in range(8)],
        }
        body = messages.encode(messages.envelope(context, order=order))
        bodies.append(body)
        headers.append(signing.authorization_header(body, subscriber_id="a.example", unique_key_id="k", private=keys.private,
                                                    created=1_700_000_000, expires=1_700_000_300))  # fmt: skip
    started = time.process_time()
    for body, header in zip(bodies, headers, strict=True):
        signing.check_header(signing.parse_header(header), body, keys.public, now=1_700_000_100)
    verify = count / (time.process_time() - started)
    started = time.process_time()
    for body, header in zip(bodies, headers, strict=True):
        signing.check_header(signing.parse_header(header), body, keys.public, now=1_700_000_100)
        assert not validation.problems(messages.parse(body).dump())
    door = count / (time.process_time() - started)
    print(f"signatures: {count} select messages of {len(bodies[0])} bytes, one core (CPU time)")
    print(f"  verified (digest + ed25519):            {verify:,.0f} /s")
    print(f"  verified + parsed + schema-checked:     {door:,.0f} /s")


def nodes(count: int, offers: int, queries: int, keep: bool) -> None:
    from comptoir.protocol.nodes import Node, introduce

    base = Path(tempfile.mkdtemp(prefix="comptoir-federation-"))
    buyer = Node("buyer", base / "buyer")
    sellers = [Node(f"seller{i}", base / f"seller{i}") for i in range(count)]
    started = time.perf_counter()
    try:
        keys = [(buyer, buyer.init(), "BAP")]
        for i, seller in enumerate(sellers):
            keys.append((seller, seller.init(database_from=buyer), "BPP"))
            csv_path = seller.home / "catalog.csv"
            subprocess.run([sys.executable, str(ROOT / "bench" / "catalog_gen.py"), "--offers", str(offers), "--shops",
                            str(max(1, offers // 500)), "--seed", str(11 + i), "--csv", str(csv_path)], check=True,
                           capture_output=True)  # fmt: skip
            seller.command("catalog", "import-network", str(csv_path), timeout=3600)
        introduce(keys)
        for node in [buyer, *sellers]:
            node.start()
        print(
            f"nodes: 1 buyer + {count} sellers × {offers:,} offers ready in {time.perf_counter() - started:.0f} s"
        )
        asked = [QUERIES[i % len(QUERIES)] for i in range(queries)]
        report = json.loads(
            buyer.command(
                "peers", "bench", "--queries", ",".join(asked), "--wait", "10", timeout=3600
            ).strip()
        )
        seconds = sorted(report["seconds"])
        p95 = seconds[max(0, round(0.95 * len(seconds)) - 1)]
        print(f"  merged search over {count} sellers ({len(seconds)} queries, every seller answered in "
              f"{sum(1 for a in report['answered'] if a == count)}): p50 {statistics.median(seconds) * 1000:.0f} ms, "
              f"p95 {p95 * 1000:.0f} ms")  # fmt: skip
        pull = json.loads(
            buyer.command(
                "peers", "pull", sellers[0].subscriber_id, "--expect", str(offers), timeout=3600
            ).strip()
        )
        print(
            f"  full catalog pull: {pull['offers']:,} offers in {pull['parts']} on_search messages, {pull['seconds']:.1f} s"
        )
        memory(buyer, sellers)
    finally:
        for node in [buyer, *sellers]:
            node.stop()
        if not keep:
            import shutil

            shutil.rmtree(base, ignore_errors=True)


def _tree(pid: int) -> list[int]:
    """The process and its descendants (gunicorn's worker is a child of its master)."""
    found = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*"):
        children = (task / "children").read_text().split() if (task / "children").exists() else []
        for child in children:
            found += _tree(int(child))
    return found


def _kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def memory(buyer: object, sellers: list) -> None:
    """Resident set now and peak (VmRSS, VmHWM), summed over each node's process trees, in MiB."""

    def node_mib(node: object) -> tuple[float, float]:
        pids = [p for process in node.processes for p in _tree(process.pid)]  # type: ignore[attr-defined]
        try:
            return sum(_kib(p, "VmRSS") for p in pids) / 1024, sum(_kib(p, "VmHWM") for p in pids) / 1024
        except FileNotFoundError:
            return 0.0, 0.0

    now, peak = node_mib(buyer)
    print(f"  memory, buyer node: {now:.0f} MiB resident, {peak:.0f} MiB peak (web server + protocol worker)")
    figures = [node_mib(seller) for seller in sellers]
    print(f"  memory, seller nodes: {max(f[0] for f in figures):.0f} MiB resident at most, "
          f"{max(f[1] for f in figures):.0f} MiB peak at most, {sum(f[0] for f in figures):.0f} MiB for all {len(figures)}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--verify", type=int, default=3000, help="Signed messages to verify.")
    parser.add_argument("--nodes", type=int, default=5)
    parser.add_argument("--offers", type=int, default=2000, help="Offers per seller node.")
    parser.add_argument("--queries", type=int, default=20)
    parser.add_argument("--skip-nodes", action="store_true")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    signatures(args.verify)
    if not args.skip_nodes:
        nodes(args.nodes, args.offers, args.queries, args.keep)
    print(f"load average: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
