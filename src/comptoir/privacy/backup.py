"""Node backups: one tar.gz holding the database, the uploads and the node's keys; never the search index.

`write_backup` copies the database while the node runs: SQLite through its online backup API (a
consistent snapshot page by page, WAL included), PostgreSQL through `pg_dump --format=custom` (one
snapshot transaction). It adds `media/` (uploaded images), `protocol/keys.json` (the node's signing
identity) and `secret_key` when they exist, and a manifest: format version, database vendor, the
migrations applied and the row count of every table.

`restore_backup` refuses what it cannot restore faithfully (another format, another database vendor,
migrations this code does not know, a node that already holds people, shops or orders, a member that
would land outside the data folder) before touching anything; then it loads the database (SQLite
backup API into the node's file; `pg_restore --single-transaction`), migrates it forward, checks every
table's row count against the manifest, puts the files back and rebuilds the search index from the
restored database (an index is a cache: copying one could only copy a stale one).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from comptoir.core.errors import InvalidInput

FORMAT = "comptoir-backup"
VERSION = 1
FILES = ("media", "protocol/keys.json", "secret_key")  # under COMPTOIR_HOME, when present
Progress = Callable[[str, int, int], None]  # (stage, done, total)


def _quiet(stage: str, done: int, total: int) -> None:
    return None


@dataclass(frozen=True)
class BackupReport:
    path: Path
    vendor: str
    tables: int
    rows: int
    files: int
    bytes: int


def model_tables() -> list[str]:
    existing = set(connection.introspection.table_names())
    tables = {m._meta.db_table for m in apps.get_models(include_auto_created=True) if m._meta.managed}
    return sorted(tables & existing)


def table_counts(cursor: Any = None) -> dict[str, int]:
    """Rows per model table, for the manifest and for checking a restore."""
    counts = {}
    with connection.cursor() if cursor is None else _same(cursor) as current:
        for table in model_tables():
            current.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = int(current.fetchone()[0])
    return counts


class _same:
    def __init__(self, value: Any) -> None:
        self.value = value

    def __enter__(self) -> Any:
        return self.value

    def __exit__(self, *exc: object) -> None:
        return None


def applied_migrations() -> list[list[str]]:
    return sorted([app, name] for app, name in MigrationRecorder(connection).applied_migrations())


def _home_files(home: Path) -> list[tuple[Path, str]]:
    found = []
    for name in FILES:
        path = home / name
        if path.is_file():
            found.append((path, name))
        elif path.is_dir():
            found += [(f, str(f.relative_to(home))) for f in sorted(path.rglob("*")) if f.is_file()]
    return found


def _dump_database(folder: Path, progress: Progress) -> tuple[str, dict[str, int]]:
    """The database's file in `folder` and the row counts *of that copy* (the node keeps running)."""
    database = settings.DATABASES["default"]
    if connection.vendor == "sqlite":
        target = folder / "database.sqlite3"
        with closing(_sqlite(database["NAME"])) as source, closing(sqlite3.connect(target)) as copy:
            source.backup(
                copy, pages=512, progress=lambda _s, left, total: progress("database", total - left, total)
            )
            counts = {
                t: int(copy.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]) for t in model_tables()
            }
        return target.name, counts
    if connection.vendor == "postgresql":
        target = folder / "database.pgdump"
        progress("database", 0, 1)
        # pg_dump reads the snapshot the counts were taken in: the manifest describes exactly the dump.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = table_counts(cursor)
            subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
                            "--file", str(target), "--dbname", database["NAME"]],
                           env=_pg_env(database), check=True, capture_output=True)  # fmt: skip
        progress("database", 1, 1)
        return target.name, counts
    raise InvalidInput(
        _("backups support SQLite and PostgreSQL, not %(vendor)s") % {"vendor": connection.vendor}
    )


def _sqlite(name: Any) -> sqlite3.Connection:
    """The node's SQLite database (a `file:` URI for the test suite's shared in-memory one)."""
    return sqlite3.connect(str(name), uri=str(name).startswith("file:"))


def _pg_env(database: Any) -> dict[str, str]:
    env = {**os.environ, "PGHOST": str(database.get("HOST") or ""), "PGPORT": str(database.get("PORT") or ""),
           "PGUSER": str(database.get("USER") or "")}  # fmt: skip
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = str(database["PASSWORD"])
    return env


def write_backup(path: Path, progress: Progress = _quiet) -> BackupReport:
    home = Path(settings.COMPTOIR_HOME)
    files = _home_files(home)
    with tempfile.TemporaryDirectory(prefix="comptoir-backup-") as scratch:
        dump, counts = _dump_database(Path(scratch), progress)
        manifest = {
            "format": FORMAT, "version": VERSION, "created": timezone.now().isoformat(), "vendor": connection.vendor,
            "node": settings.COMPTOIR_NODE_NAME, "migrations": applied_migrations(), "tables": counts,
            "database": dump,
        }  # fmt: skip
        partial = path.with_name(path.name + ".partial")
        with tarfile.open(partial, "w:gz") as tar:
            data = json.dumps(manifest, indent=2).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size, info.mtime, info.mode = len(data), int(timezone.now().timestamp()), 0o600
            tar.addfile(info, io.BytesIO(data))
            tar.add(Path(scratch) / dump, arcname=f"database/{dump}")
            for done, (file, name) in enumerate(files, 1):
                tar.add(file, arcname=f"home/{name}", recursive=False)
                progress("files", done, len(files))
        partial.chmod(0o600)
        partial.replace(path)  # a backup is complete or absent, never half-written under its name
    return BackupReport(
        path, connection.vendor, len(counts), sum(counts.values()), len(files), path.stat().st_size
    )


@dataclass(frozen=True)
class RestoreReport:
    vendor: str
    tables: int
    rows: int
    files: int
    migrated: int  # migrations applied after the restore (a backup from an older version)
    offers_indexed: int


def _read_manifest(tar: tarfile.TarFile) -> dict[str, Any]:
    try:
        member = tar.getmember("manifest.json")
        manifest = json.load(tar.extractfile(member))  # type: ignore[arg-type]
    except (KeyError, ValueError, TypeError) as error:
        raise InvalidInput(_("not a Comptoir backup: manifest.json is missing or unreadable")) from error
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise InvalidInput(
            _("unsupported backup format %(format)s version %(version)s (this node reads %(ours)s version %(our)s)")
            % {"format": repr(manifest.get("format")), "version": repr(manifest.get("version")), "ours": FORMAT,
               "our": VERSION}
        )  # fmt: skip
    return dict(manifest)


def _check_members(tar: tarfile.TarFile, manifest: dict[str, Any]) -> None:
    allowed_prefixes = tuple(f"home/{name}" for name in FILES)
    for member in tar.getmembers():
        name = member.name
        if name in {"manifest.json", f"database/{manifest.get('database')}"}:
            continue
        if not (member.isfile() or member.isdir()) or ".." in Path(name).parts or name.startswith("/"):
            raise InvalidInput(
                _("refused: backup member %(name)s is not a plain file inside the data folder")
                % {"name": repr(name)}
            )
        if not name.startswith(allowed_prefixes) and name != "home":
            raise InvalidInput(
                _("refused: backup member %(name)s is not something a backup holds") % {"name": repr(name)}
            )


HELD = {  # what makes a node not empty, counted in the reader's language
    "Person": lambda n: ngettext("%(n)d account", "%(n)d accounts", n),
    "Shop": lambda n: ngettext("%(n)d shop", "%(n)d shops", n),
    "Order": lambda n: ngettext("%(n)d order", "%(n)d orders", n),
}


def _check_target(manifest: dict[str, Any], replace: bool) -> None:
    if manifest.get("vendor") != connection.vendor:
        raise InvalidInput(
            _("this backup is of a %(theirs)s database; this node runs on %(ours)s")
            % {"theirs": manifest.get("vendor"), "ours": connection.vendor}
        )
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    unknown = [f"{app}.{name}" for app, name in manifest.get("migrations", []) if (app, name) not in known]
    if unknown:
        raise InvalidInput(
            _(
                "this backup comes from a newer Comptoir (migrations unknown here: %(migrations)s); upgrade this node first"
            )
            % {"migrations": ", ".join(unknown[:5])}
        )
    if not replace and "members_person" in connection.introspection.table_names():
        from comptoir.catalog.models import Shop
        from comptoir.members.models import Person
        from comptoir.orders.models import Order

        held = {m.__name__: m._base_manager.count() for m in (Person, Shop, Order)}
        if any(held.values()):
            raise InvalidInput(
                _(
                    "this node is not empty (%(held)s): restore into an empty node, or pass --replace to overwrite it"
                )
                % {"held": ", ".join(HELD[kind](n) % {"n": n} for kind, n in held.items())}
            )


def restore_backup(path: Path, *, replace: bool = False, progress: Progress = _quiet) -> RestoreReport:
    if not path.is_file():
        raise InvalidInput(_("no backup file at %(path)s") % {"path": path})
    try:
        tar = tarfile.open(path, "r:gz")  # noqa: SIM115 (closed by the `with` below, once it is known to open)
    except (tarfile.TarError, OSError, EOFError) as error:
        raise InvalidInput(
            _("not a Comptoir backup (not a readable tar.gz): %(error)s") % {"error": error}
        ) from error
    with tar, tempfile.TemporaryDirectory(prefix="comptoir-restore-") as scratch:
        manifest = _read_manifest(tar)
        _check_members(tar, manifest)
        _check_target(manifest, replace)
        dump_name = f"database/{manifest['database']}"
        try:
            tar.extract(dump_name, scratch, filter="data")
        except KeyError as error:
            raise InvalidInput(_("the backup has no %(name)s") % {"name": dump_name}) from error
        _load_database(Path(scratch) / dump_name, progress)
        restored = table_counts()
        wrong = {
            t: [n, restored.get(t)] for t, n in manifest.get("tables", {}).items() if restored.get(t) != n
        }
        if wrong:
            raise InvalidInput(_("the restored database does not match the backup's manifest (rows per table: "
                                 "expected, found): %(wrong)s; restore again from an intact copy") % {"wrong": wrong})  # fmt: skip
        before = len(MigrationRecorder(connection).applied_migrations())
        call_command("migrate", interactive=False, verbosity=0)
        migrated = len(MigrationRecorder(connection).applied_migrations()) - before
        files = _restore_files(tar, progress)
    from comptoir.search.services import do_rebuild_index

    progress("search index", 0, 1)
    index = do_rebuild_index()
    progress("search index", 1, 1)
    return RestoreReport(
        connection.vendor, len(restored), sum(restored.values()), files, migrated, index.offers
    )


def _load_database(dump: Path, progress: Progress) -> None:
    database = settings.DATABASES["default"]
    connections.close_all()
    if connection.vendor == "sqlite":
        with closing(sqlite3.connect(dump)) as source, closing(_sqlite(database["NAME"])) as target:
            source.backup(
                target, pages=512, progress=lambda _s, left, total: progress("database", total - left, total)
            )
        return
    progress("database", 0, 1)
    done = subprocess.run(
        ["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
         "--exit-on-error", "--dbname", database["NAME"], str(dump)],
        env=_pg_env(database), capture_output=True, text=True,
    )  # fmt: skip
    if done.returncode:
        raise InvalidInput(
            _("pg_restore refused the dump, nothing restored: %(error)s")
            % {"error": done.stderr.strip()[-500:]}
        )
    progress("database", 1, 1)


def _restore_files(tar: tarfile.TarFile, progress: Progress) -> int:
    home = Path(settings.COMPTOIR_HOME)
    members = [m for m in tar.getmembers() if m.name.startswith("home/") and m.isfile()]
    media = home / "media"
    if media.exists():
        shutil.rmtree(media)
    with tempfile.TemporaryDirectory(prefix="comptoir-files-", dir=home) as scratch:
        for done, member in enumerate(members, 1):
            tar.extract(member, scratch, filter="data")
            source = Path(scratch) / member.name
            target = home / member.name.removeprefix("home/")
            target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            source.replace(target)
            target.chmod(0o600)
            progress("files", done, len(members))
    return len(members)
