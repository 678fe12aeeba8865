"""A node in its own folder and database, with real processes the crash tests kill.

gunicorn and `comptoir worker` run in their own process groups, so a test can SIGKILL exactly
what it started (a master and its workers at once, as a power cut would). On PostgreSQL
(DATABASE_URL set) each node gets a database of its own, copied from a migrated template;
on SQLite, a copy of a migrated file. `step` runs a function of `tests/crash/steps.py` inside the
node's Django and returns what it printed as JSON.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 120.0  # a loaded machine starts Django slowly


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _admin_url(database_url: str) -> str:
    parts = urlsplit(database_url)
    return urlunsplit(parts._replace(path="/postgres"))


def _pg_execute(database_url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(_admin_url(database_url), autocommit=True) as connection:
        connection.execute(sql)  # type: ignore[arg-type]


def database_named(database_url: str, name: str) -> str:
    return urlunsplit(urlsplit(database_url)._replace(path="/" + name))


@dataclass
class Node:
    home: Path
    database_url: str = ""  # empty: SQLite in home
    extra_env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)}
        env.update(
            COMPTOIR_HOME=str(self.home), SECRET_KEY="crash-tests-not-secret", ALLOWED_HOSTS="127.0.0.1,localhost",
            DJANGO_SETTINGS_MODULE="comptoir.settings", PYTHONPATH=str(ROOT), LOG_LEVEL="WARNING",
            COMPTOIR_DELIVERY_BOOKING="comptoir.orders.fixed_slots.FixedSlots",
            COMPTOIR_CHECKOUT_ATTEMPTS_PER_HOUR="100000", COMPTOIR_WORKER_BEAT_SECONDS="0.3",
        )  # fmt: skip
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        env.update(self.extra_env)
        return env

    def sql(self, query: str, *params: Any) -> list[tuple[Any, ...]]:
        """Read the node's database from the test (fast polling, no Django start)."""
        if self.database_url:
            import psycopg

            with psycopg.connect(self.database_url, autocommit=True) as connection:
                if not params:  # without parameters psycopg reads "%" literally (LIKE '%...')
                    return list(connection.execute(query).fetchall())  # type: ignore[arg-type]
                return list(connection.execute(query.replace("?", "%s"), params).fetchall())  # type: ignore[arg-type]
        import sqlite3

        connection = sqlite3.connect(self.home / "comptoir.sqlite3", timeout=20)
        try:
            return list(connection.execute(query, params).fetchall())
        finally:
            connection.close()

    def wait_for(self, query: str, wanted: Any, seconds: float = 120, *params: Any) -> Any:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            rows = self.sql(query, *params)
            if (rows[0][0] if rows else None) in wanted:
                return rows[0][0]
            time.sleep(0.02)
        raise AssertionError(f"waited {seconds} s for {query} in {wanted}: {self.sql(query, *params)}")

    def step(self, name: str, *args: str, timeout: float = 180) -> Any:
        done = subprocess.run(
            [sys.executable, "-m", "tests.crash.steps", name, *args],
            env=self.env(), cwd=ROOT, capture_output=True, text=True, timeout=timeout,
        )  # fmt: skip
        if done.returncode != 0:
            raise AssertionError(f"step {name} failed: {done.stderr[-2000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])

    def _spawn(self, name: str, command: list[str]) -> subprocess.Popen[bytes]:
        with self.log_path(name).open("ab") as log:  # beside the home: a test may remount the home read-only
            process = subprocess.Popen(
                command, env=self.env(), cwd=ROOT, stdout=log, stderr=log, start_new_session=True
            )  # its own process group: killed whole, and only it
        self.processes[name] = process
        return process

    def start_web(self, *, workers: int = 2, threads: int = 4) -> None:
        self._spawn("web", [sys.executable, "-m", "gunicorn", "comptoir.wsgi", "-b", f"127.0.0.1:{self.port}",
                            "-w", str(workers), "-k", "gthread", "--threads", str(threads), "--timeout", "60"])  # fmt: skip
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.base + "/api/v1/openapi.json", timeout=30).close()
                return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        raise AssertionError(f"gunicorn did not answer within {STARTUP_SECONDS} s: {self.log('web')[-2000:]}")

    def start_worker(self) -> None:
        self._spawn("worker", [sys.executable, "-m", "comptoir.cli", "worker", "--interval", "0.1"])

    def kill(self, name: str) -> None:
        """SIGKILL the whole process group: no signal handler, no cleanup, no finally."""
        process = self.processes.pop(name)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)

    def stop(self) -> None:
        for name in list(self.processes):
            process = self.processes.pop(name)
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=15)

    def log_path(self, name: str) -> Path:
        return self.home.parent / f"{self.home.name}-{name}.log"

    def log(self, name: str) -> str:
        path = self.log_path(name)
        return path.read_text(errors="replace") if path.exists() else ""


class Template:
    """One migrated database per test session; each node starts from a copy of it."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.server_url = os.environ.get("DATABASE_URL", "")
        self.name = f"crash_tmpl_{secrets.token_hex(4)}"
        self.made: list[str] = []
        home = base / "template"
        home.mkdir(parents=True)
        url = ""
        if self.server_url:
            _pg_execute(self.server_url, f'CREATE DATABASE "{self.name}"')
            self.made.append(self.name)
            url = database_named(self.server_url, self.name)
        self.node = Node(home, url)
        subprocess.run(
            [sys.executable, "-m", "comptoir.cli", "migrate", "--noinput", "-v", "0"],
            env=self.node.env(), cwd=ROOT, check=True, capture_output=True, timeout=600,
        )  # fmt: skip

    def new_node(self, name: str, home: Path | None = None, **extra_env: str) -> Node:
        home = home or self.base / name
        home.mkdir(parents=True, exist_ok=True)
        if self.server_url:
            database = f"crash_{name}_{secrets.token_hex(3)}"
            _pg_execute(self.server_url, f'CREATE DATABASE "{database}" TEMPLATE "{self.name}"')
            self.made.append(database)
            return Node(home, database_named(self.server_url, database), extra_env)
        shutil.copy(self.node.home / "comptoir.sqlite3", home / "comptoir.sqlite3")
        return Node(home, "", extra_env)

    def drop(self) -> None:
        for database in reversed(self.made):
            _pg_execute(self.server_url, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
