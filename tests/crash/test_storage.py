"""Issue 18 item 6: the disk full, the database read-only — a clear 503, nothing half-written, and the node
works again once space or write access returns.

SQLite: the node's folder is a small tmpfs mounted for the test (root only; skipped otherwise), filled up
with a file, then remounted read-only. PostgreSQL: the node's database is moved to a tablespace on a
small tmpfs that is then filled, and set read-only (`default_transaction_read_only`, as a standby
would be) with its sessions ended.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.crash.node import Node, _pg_execute

pytestmark = pytest.mark.slow

STOCK = 10
FR = (
    "Le Comptoir ne peut rien enregistrer pour le moment\u00a0: son disque est plein, ou sa base de données est "
    "en lecture seule ou injoignable. Rien n’a été enregistré\u00a0; réessayez dans quelques minutes."
)
EN = (
    "Comptoir cannot save anything right now: its disk is full or its database is read-only or out of reach. "
    "Nothing was recorded; try again in a few minutes."
)


def call(
    node: Node, path: str, *, body: Any = None, headers: dict[str, str] | None = None, language: str = ""
) -> tuple[int, str, dict[str, str]]:
    headers = dict(headers or {})
    if language:
        headers["Cookie"] = f"django_language={language}"
    data = json.dumps(body).encode() if body is not None else None
    if data:
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(node.base + path, data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, answer.read().decode(), dict(answer.headers)
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read().decode(), dict(refused.headers)


def checkout(
    node: Node, world: dict[str, Any], key: str, language: str = ""
) -> tuple[int, str, dict[str, str]]:
    body = {"email": "x@example.org", "fulfilment": {world["shop"]: "collect"}, "payment_method": "on_handover",
            "items": [{"offer_id": world["offers"][0], "quantity": 1}]}  # fmt: skip
    headers = {"Authorization": f"Bearer {world['tokens'][0]}", "Idempotency-Key": key}
    return call(node, "/api/v1/checkout", body=body, headers=headers, language=language)


def assert_unavailable(answer: tuple[int, str, dict[str, str]], message: str) -> None:
    status, text, headers = answer
    assert status == 503, text[-1500:]
    assert headers.get("Retry-After") == "60"
    assert json.loads(text) == {"code": "unavailable", "error": "unavailable", "message": message,
                                "details": {"retry_after": 60}}  # fmt: skip


@contextlib.contextmanager
def small_disk(where: Path, megabytes: int) -> Iterator[Path]:
    where.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={megabytes}m,mode=0700", "tmpfs", str(where)],
                             capture_output=True)  # fmt: skip
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (root needed): {mounted.stderr.decode().strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def fill(disk: Path) -> Path:
    """Write zeros until the filesystem refuses even 512 bytes."""
    filler = disk / "filler"
    descriptor = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (1 << 20, 1 << 14, 512):
            with contextlib.suppress(OSError):
                while True:
                    os.write(descriptor, b"\0" * size)
    finally:
        os.close(descriptor)
    return filler


@pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="the SQLite file on a small disk")
def test_full_then_read_only_disk_answers_503_and_recovers(make_node: Any, tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", 64) as disk:
        node: Node = make_node(home=disk)
        world = node.step("seed_shop", "1", str(STOCK))
        node.start_web(workers=1, threads=2)
        assert checkout(node, world, "before")[0] == 201

        filler = fill(disk)
        assert_unavailable(checkout(node, world, "full"), FR)
        assert_unavailable(checkout(node, world, "full-en", language="en"), EN)
        filler.unlink()  # space is back
        status, text, _headers = checkout(node, world, "full")
        assert status == 201, text  # the same request, refused then, goes through now

        node.stop()  # a filesystem is remounted read-only once its files are closed
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        try:
            node.start_web(workers=1, threads=2)
            assert_unavailable(checkout(node, world, "read-only"), FR)
            with httpx.Client(base_url=node.base, cookies={"django_language": "en"}, timeout=60) as browser:
                assert browser.get("/panier/").status_code == 200  # what only reads the database is served
                sign_in = browser.get("/connexion/")
                token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', sign_in.text)
                assert token, sign_in.text[-1500:]
                added = browser.post(
                    "/panier/ajouter/",
                    data={
                        "csrfmiddlewaretoken": token.group(1),
                        "offer_id": world["offers"][0],
                        "quantity": 1,
                    },
                )
            assert (added.status_code, added.headers.get("Retry-After")) == (503, "60"), added.text[-1500:]
            assert "<h1>Comptoir is unavailable for a moment</h1>" in added.text and EN in added.text
            node.stop()
        finally:
            subprocess.run(["mount", "-o", "remount,rw", str(disk)], check=True)
        node.start_web(workers=1, threads=2)
        assert checkout(node, world, "read-only")[0] == 201
        node.stop()
        state = node.step("invariants", str(STOCK), json.dumps(world["changes"]))
        integrity = node.sql("PRAGMA integrity_check")
    assert state["problems"] == []
    assert len(state["orders"]) == 3  # before, full (after space returned), read-only (after rw)
    assert state["stock"][str(world["offers"][0])] == STOCK - 3
    assert all(c["balanced"] for c in state["ledger"].values())
    assert integrity == [("ok",)]


@pytest.mark.skipif(not os.environ.get("DATABASE_URL"), reason="PostgreSQL's own read-only mode")
def test_postgres_read_only_answers_503_and_recovers(make_node: Any) -> None:
    """The node's database made read-only as a standby would be (SQLSTATE 25006), its sessions ended."""
    node: Node = make_node()
    server, name = os.environ["DATABASE_URL"], node.database_url.rsplit("/", 1)[1]
    world = node.step("seed_shop", "1", str(STOCK))
    node.start_web(workers=1, threads=2)
    assert checkout(node, world, "before")[0] == 201

    _pg_execute(server, f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
    _pg_execute(server, f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")
    assert_unavailable(checkout(node, world, "read-only"), FR)  # the ended session, or the refusal: a 503
    assert_unavailable(checkout(node, world, "read-only"), FR)
    assert_unavailable(checkout(node, world, "read-only-en", language="en"), EN)
    _pg_execute(server, f'ALTER DATABASE "{name}" RESET default_transaction_read_only')
    _pg_execute(server, f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")
    answers = [checkout(node, world, "read-only")[0] for _ in range(4)]
    node.stop()
    state = node.step("invariants", str(STOCK), json.dumps(world["changes"]))

    # each of gunicorn's 2 threads meets its ended session once (a 503), then reconnects
    assert answers.count(503) <= 2
    assert [a for a in answers if a != 503] == [201] + [200] * (len(answers) - answers.count(503) - 1)
    assert state["problems"] == []
    assert len(state["orders"]) == 2
    assert state["stock"][str(world["offers"][0])] == STOCK - 2
    assert all(c["balanced"] for c in state["ledger"].values())


@pytest.mark.skipif(not os.environ.get("DATABASE_URL"), reason="PostgreSQL's tablespace on a full disk")
def test_postgres_full_disk_answers_503_and_recovers(make_node: Any) -> None:
    """The node's database lives in a tablespace on a small tmpfs, filled up while it serves.

    PostgreSQL allocates a table's or an index's next page when a row no longer fits the pages it
    has (the rest is written at checkpoints into space already allocated), so the disk being full
    fails the first checkout that needs a new page: SQLSTATE 53100, "could not extend file". The
    test checks out until that happens: every order before it is whole, the refused one left
    nothing, and the same request goes through once space returns. The write-ahead log stays on
    the cluster's own disk (a full WAL disk stops PostgreSQL itself, which is not a page's matter).
    """
    import psycopg

    node: Node = make_node()
    server, name = os.environ["DATABASE_URL"], node.database_url.rsplit("/", 1)[1]
    stock = 400
    world = node.step("seed_shop", "1", str(stock))
    with psycopg.connect(node.database_url) as connection:
        size = connection.execute("SELECT pg_database_size(current_database())").fetchone()[0]  # type: ignore[index]
    space = f"full_{name}"[:60]
    mount_point = Path(tempfile.mkdtemp(prefix="comptoir-pgdisk-"))  # pytest's folders are closed to postgres
    mount_point.chmod(0o755)
    with small_disk(mount_point, size // (1 << 20) + 24) as disk:
        owner = subprocess.run(["id", "-u", "postgres"], capture_output=True, text=True)
        if owner.returncode != 0:
            pytest.skip("no postgres system user to own the tablespace's folder")
        folder = disk / "space"
        folder.mkdir()
        os.chown(folder, int(owner.stdout), -1)
        os.chmod(disk, 0o755)
        _pg_execute(server, f"CREATE TABLESPACE \"{space}\" LOCATION '{folder}'")
        try:
            _pg_execute(server, f'ALTER DATABASE "{name}" SET TABLESPACE "{space}"')
            node.start_web(workers=1, threads=2)
            assert checkout(node, world, "before")[0] == 201

            filler = fill(disk)
            taken, refused = 1, ""
            for attempt in range(stock - 1):
                answer = checkout(node, world, f"full-{attempt}")
                if answer[0] == 503:
                    assert_unavailable(answer, FR)
                    refused = f"full-{attempt}"
                    break
                assert answer[0] == 201, answer[1][-1500:]
                taken += 1
            assert refused, f"{taken} orders and the full disk never refused one"
            # Not asked again while full: PostgreSQL may find room on a retry (another relation's free
            # page, a block freed by the rollback), so a second refusal is not a promise. The English
            # text of the 503 is held by the two tests above.
            filler.unlink()  # space is back
            status, text, _headers = checkout(node, world, refused)
            assert status == 201, text  # the refused request goes through now, once
            node.stop()
            state = node.step("invariants", str(stock), json.dumps(world["changes"]))
        finally:
            node.stop()
            with contextlib.suppress(Exception):
                _pg_execute(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            _pg_execute(server, f'DROP TABLESPACE IF EXISTS "{space}"')
    mount_point.rmdir()
    assert state["problems"] == []
    assert len(state["orders"]) == taken + 1  # every order before the full disk, and the refused one once
    assert state["stock"][str(world["offers"][0])] == stock - taken - 1
    assert all(c["balanced"] for c in state["ledger"].values())
