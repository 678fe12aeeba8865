"""Issue 18 item 7: `comptoir backup` then `comptoir restore` into an empty node gives back every row, field by
field, and every upload; the search index is rebuilt, not copied. On SQLite and (when DATABASE_URL says so)
PostgreSQL: node A is the test database, node B a fresh data folder (and database) restored by a real
`comptoir restore` process."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection

from comptoir.catalog.models import Offer
from comptoir.catalog.services import ensure_taxonomy
from comptoir.core.errors import InvalidInput
from comptoir.members.services import ensure_colleges
from comptoir.privacy.backup import _sqlite, model_tables, restore_backup, write_backup
from comptoir.privacy.progress import StageBar

# The rebuild of B's index consumes the catalog's outbox, as any index rebuild does.
DERIVED = {"catalog_offerchange"}
IMAGE = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


def rows(cursor: Any, table: str, quote: str = '"') -> list[tuple[Any, ...]]:
    cursor.execute(f"SELECT * FROM {quote}{table}{quote} ORDER BY 1")
    return [tuple(row) for row in cursor.fetchall()]


def _pg_params() -> dict[str, Any]:
    base = settings.DATABASES["default"]
    return {
        "host": base["HOST"],
        "port": base["PORT"],
        "user": base["USER"],
        "password": base["PASSWORD"] or None,
    }


def connect_a() -> Any:
    if connection.vendor == "postgresql":
        import psycopg

        return psycopg.connect(dbname=connection.settings_dict["NAME"], **_pg_params())
    return _sqlite(connection.settings_dict["NAME"])


def node_b(tmp_path: Path) -> tuple[dict[str, str], Any]:
    """The environment of an empty node and a way to read its database."""
    home = tmp_path / "node-b"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "COMPTOIR_HOME"}}
    env.update(COMPTOIR_HOME=str(home), SECRET_KEY="t")
    if connection.vendor == "postgresql":
        import psycopg

        base = settings.DATABASES["default"]
        params = _pg_params()
        name = f"{connection.settings_dict['NAME']}_node_b"
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = f"postgres://{base['USER']}@{base['HOST']}:{base['PORT']}/{name}"
        return env, lambda: psycopg.connect(dbname=name, **params)
    return env, lambda: sqlite3.connect(home / "comptoir.sqlite3")


def comptoir(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "comptoir.cli", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)


@pytest.mark.django_db(transaction=True)
def test_a_backup_restored_into_an_empty_node_gives_back_every_row_and_file(
    request: Any, tmp_path: Path, settings: Any
) -> None:
    ensure_colleges()  # a transactional test before this one may have flushed what migrations seed
    ensure_taxonomy()
    settings.COMPTOIR_HOME = tmp_path / "node-a"  # node A's own data folder: its uploads only
    settings.MEDIA_ROOT = settings.COMPTOIR_HOME / "media"
    world = request.getfixturevalue("world")
    bread: Offer = world["bread"]
    bread.image.save("pain.png", ContentFile(IMAGE))
    progress = io.StringIO()
    bar = StageBar(progress)
    report = write_backup(tmp_path / "node.tar.gz", progress=bar)
    bar.close()
    assert "] 100.0% database" in progress.getvalue() and "100.0% files (1/1" in progress.getvalue()
    assert oct((tmp_path / "node.tar.gz").stat().st_mode & 0o777) == "0o600"
    with tarfile.open(tmp_path / "node.tar.gz") as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))  # type: ignore[arg-type]
    assert not any(name.startswith(("search", "home/search")) for name in names)
    assert f"home/media/{bread.image.name}" in names
    assert manifest["tables"]["orders_order"] == 3 and manifest["tables"]["delivery_stop"] == 2
    assert report.rows == sum(manifest["tables"].values())

    env, connect_b = node_b(tmp_path)
    done = comptoir(env, "restore", str(tmp_path / "node.tar.gz"))
    assert done.returncode == 0, done.stderr
    # French by default (the node's language), as every message of the backup and restore commands
    assert (
        "0 migrations appliquées depuis la sauvegarde\u00a0; index de recherche reconstruit (1 offres)"
        in done.stdout
    )
    refused = comptoir(env, "restore", str(tmp_path / "missing.tar.gz"))
    assert refused.returncode == 1
    assert f"aucun fichier de sauvegarde à {tmp_path / 'missing.tar.gz'}" in refused.stderr
    assert "100.0% database" in done.stderr  # the progress bar

    tables = [t for t in model_tables() if t not in DERIVED]
    with closing(connect_a()) as a_connection:  # both sides read raw, without Django's type converters
        a = {t: rows(a_connection.cursor(), t) for t in tables}
    with closing(connect_b()) as b_connection:
        b = {t: rows(b_connection.cursor(), t) for t in tables}
    assert sum(len(r) for r in a.values()) > 100
    for table in tables:
        assert b[table] == a[table], table
    restored_image = Path(env["COMPTOIR_HOME"]) / "media" / bread.image.name
    assert restored_image.read_bytes() == IMAGE

    found = comptoir(env, "search", "pain", "--json")
    assert found.returncode == 0, found.stderr
    assert [hit["sku"] for hit in json.loads(found.stdout)["results"]] == ["B1"]

    again = comptoir(env, "restore", str(tmp_path / "node.tar.gz"), "--no-progress")
    assert again.returncode == 1
    assert "ce nœud n’est pas vide (3 comptes, 1 commerce, 3 commandes)\u00a0: restaurez" in again.stderr


def _tar(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def _manifest(**changes: Any) -> bytes:
    manifest = {"format": "comptoir-backup", "version": 1, "vendor": connection.vendor, "migrations": [],
                "tables": {}, "database": "database.sqlite3", **changes}  # fmt: skip
    return json.dumps(manifest).encode()


@pytest.mark.parametrize(
    ("members", "message"),
    [
        ({"hello.txt": b"hi"}, "not a Comptoir backup: manifest.json is missing or unreadable"),
        ({"manifest.json": b'{"format": "other", "version": 1}'},
         "unsupported backup format 'other' version 1 (this node reads comptoir-backup version 1)"),
        ({"manifest.json": b'{"format": "comptoir-backup", "version": 2}'},
         "unsupported backup format 'comptoir-backup' version 2"),
        ({"manifest.json": None, "home/../../etc/passwd": b"x"},
         "refused: backup member 'home/../../etc/passwd' is not a plain file inside the data folder"),
        ({"manifest.json": None, "elsewhere/file": b"x"},
         "refused: backup member 'elsewhere/file' is not something a backup holds"),
    ],
)  # fmt: skip
def test_a_bad_backup_is_refused_before_anything_changes(
    world: dict[str, Any], tmp_path: Path, members: dict[str, bytes | None], message: str
) -> None:
    path = _tar(
        tmp_path / "bad.tar.gz", {k: (v if v is not None else _manifest()) for k, v in members.items()}
    )
    before = Offer.objects.count(), Offer.objects.get().name_fr
    with pytest.raises(InvalidInput) as refused:
        restore_backup(path)
    assert refused.value.message.startswith(message)
    assert (Offer.objects.count(), Offer.objects.get().name_fr) == before


def test_backup_of_another_vendor_newer_code_or_into_a_full_node_is_refused(
    world: dict[str, Any], tmp_path: Path
) -> None:
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    cases = [
        (_manifest(vendor=other), f"this backup is of a {other} database; this node runs on {connection.vendor}"),
        (_manifest(migrations=[["orders", "9999_from_the_future"]]),
         "this backup comes from a newer Comptoir (migrations unknown here: orders.9999_from_the_future)"),
        (_manifest(), "this node is not empty (3 accounts, 1 shop, 3 orders)"),
    ]  # fmt: skip
    for manifest, message in cases:
        with pytest.raises(InvalidInput) as refused:
            restore_backup(_tar(tmp_path / "b.tar.gz", {"manifest.json": manifest}))
        assert refused.value.message.startswith(message)
    with pytest.raises(InvalidInput, match=r"not a Comptoir backup \(not a readable tar\.gz\)"):
        restore_backup(_garbage(tmp_path))


def _garbage(tmp_path: Path) -> Path:
    path = tmp_path / "garbage.tar.gz"
    path.write_bytes(b"not a tar at all" * 10)
    return path
