"""Real nodes on loopback for flow logs and federation tests: own data folder, own processes.

Each node is a gunicorn process serving the Beckn endpoints on 127.0.0.1 and a
``comptoir protocol work`` process (the protocol follower), both started with
fast settings; ``stop`` ends exactly the processes this module started.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from comptoir.core.errors import ComptoirError
from comptoir.protocol.wire import logcheck

STARTUP_SECONDS = 120.0  # generous: a loaded machine starts Django slowly


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Node:
    name: str
    home: Path
    port: int = field(default_factory=free_port)
    extra_env: dict[str, str] = field(default_factory=dict)
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def subscriber_id(self) -> str:
        return f"{self.name}.localhost"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/beckn"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
        secret = self.home / "secret_key"
        if not secret.exists():
            secret.write_text(secrets.token_urlsafe(40))
        env.update(
            COMPTOIR_HOME=str(self.home),
            SECRET_KEY=secret.read_text(),
            ALLOWED_HOSTS="127.0.0.1,localhost",
            COMPTOIR_NODE_NAME=f"Comptoir {self.name}",
            COMPTOIR_PROTOCOL_ID=self.subscriber_id,
            COMPTOIR_PROTOCOL_URL=self.url,
            COMPTOIR_PROTOCOL_POLL="0.02",
            COMPTOIR_PROTOCOL_TIMEOUT="3",
            COMPTOIR_DELIVERY_BOOKING="comptoir.orders.fixed_slots.FixedSlots",
            COMPTOIR_BANK_IBAN="FR7630006000011234567890189",  # a valid example account: test nodes only
            COMPTOIR_BANK_BIC="AGRIFRPP",
            LOG_LEVEL="WARNING",
        )
        env.update(self.extra_env)
        return env

    def overrides(self) -> dict[str, str]:
        """What this node's environment sets beyond the caller's (for a process started elsewhere)."""
        return {k: v for k, v in self.env().items() if os.environ.get(k) != v}

    def command(self, *args: str, timeout: float = 120) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "comptoir.cli", *args],
            env=self.env(),
            capture_output=True,
            timeout=timeout,
        )
        if done.returncode != 0:
            raise ComptoirError(
                f"{self.name}: comptoir {' '.join(args)} failed: {done.stderr.decode()[-800:]}"
            )
        return done.stdout.decode()

    def init(self, *, database_from: Node | None = None) -> dict[str, Any]:
        """Migrate (or copy a migrated database: each Django start costs seconds on a busy machine), keys."""
        self.home.mkdir(parents=True, exist_ok=True)
        if database_from is None:
            self.command("migrate", "--noinput", "-v", "0", timeout=600)  # a loaded machine migrates slowly
        else:
            shutil.copy(database_from.home / "comptoir.sqlite3", self.home / "comptoir.sqlite3")
        return dict(json.loads(self.command("protocol", "node-init")))

    def start(self) -> None:
        log = (self.home / "server.log").open("ab")
        self.processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "comptoir.wsgi", "-b", f"127.0.0.1:{self.port}", "-w", "1",
                 "--threads", "8", "--timeout", "30"],
                env=self.env(), stdout=log, stderr=log,
            )
        )  # fmt: skip
        self.processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "comptoir.cli", "protocol", "work"],
                env=self.env(),
                stdout=log,
                stderr=log,
            )
        )
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
            except OSError:
                time.sleep(0.1)
                continue
            self._warm_up()
            return
        self.stop()
        raise ComptoirError(
            f"{self.name} did not start within {STARTUP_SECONDS} s; see {self.home / 'server.log'}"
        )

    def _warm_up(self) -> None:
        """One request loads the application, so the first real message is not slowed by imports."""
        with contextlib.suppress(urllib.error.HTTPError):  # 405 for a GET: the application is loaded
            urllib.request.urlopen(self.url + "/search", timeout=STARTUP_SECONDS).close()

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        self.processes.clear()


def introduce(nodes: list[tuple[Node, dict[str, Any], str]], *, seed: Node | None = None) -> None:
    """Without a registry: every node trusts every other node's key, with the role each plays."""
    for node, _, _ in nodes:
        peers = [dict(keys, type=role) for other, keys, role in nodes if other is not node]
        node.command("protocol", "node-peers", json.dumps(peers), *(["--seed"] if node is seed else []))


def flow_log(numbers: list[int], out: Path, *, keep: bool = False) -> dict[str, Any]:
    """Two nodes (buyer app, seller app) on loopback play retail flows; one folder of files per flow.

    With one flow its files go to ``out``; with several, to ``out/flow-N``.
    """
    base = Path(tempfile.mkdtemp(prefix="comptoir-flow-"))
    buyer, seller = Node("buyer", base / "buyer"), Node("seller", base / "seller")
    folders = {n: out if len(numbers) == 1 else out / f"flow-{n}" for n in numbers}
    try:
        buyer_keys = buyer.init()
        introduce(
            [(buyer, buyer_keys, "BAP"), (seller, seller.init(database_from=buyer), "BPP")], seed=seller
        )
        buyer.start()
        seller.start()
        report = buyer.command(
            "protocol", "flow-play", *map(str, numbers), "--seller-id", seller.subscriber_id, "--seller-url", seller.url,
            "--out", str(out.resolve()), "--seller-env", json.dumps(seller.overrides()),
            timeout=600,
        )  # fmt: skip
        summary = dict(json.loads(report.strip().splitlines()[-1]))
    finally:
        buyer.stop()
        seller.stop()
        if not keep:
            shutil.rmtree(base, ignore_errors=True)
    summary["problems"] = {n: logcheck.problems(folder) for n, folder in folders.items()}
    return summary
