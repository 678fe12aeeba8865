"""Backup, restore and shop-bundle figures on a demo node (SQLite, or PostgreSQL with --database-url).

Loads the demo into a fresh data folder (or uses --home), then times `comptoir backup`, `comptoir restore`
into an empty node (and its index rebuild), and `comptoir shop export-bundle` / `import-bundle` of the
largest shop into a third node. Prints seconds and sizes; asserts nothing about speed.

    python bench/backup_restore.py --shops 10 --offers 3000
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(env: dict[str, str], *args: str) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "comptoir.cli", *args], env=env, capture_output=True, text=True
    )
    if done.returncode:
        raise SystemExit(f"comptoir {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return time.perf_counter() - started, done.stdout.strip()


def node(home: Path, url: str, name: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "COMPTOIR_HOME"}}
    env.update(COMPTOIR_HOME=str(home), SECRET_KEY="bench")
    if url:
        env["DATABASE_URL"] = f"{url.rsplit('/', 1)[0]}/{name}"
        subprocess.run(["psql", url, "-qc", f'DROP DATABASE IF EXISTS "{name}"'], check=True)
        subprocess.run(["psql", url, "-qc", f'CREATE DATABASE "{name}"'], check=True)
    return env


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shops", type=int, default=10)
    parser.add_argument("--offers", type=int, default=3000)
    parser.add_argument(
        "--home", type=Path, help="an existing node's data folder (SQLite) instead of the demo"
    )
    parser.add_argument("--database-url", default="", help="postgres://user@host:port/db of a server to use")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="comptoir-bench-backup-"))
    a = node(args.home or scratch / "a", args.database_url, "bench_backup_a")
    seconds, _ = run(a, "migrate", "-v0")  # an existing node may be older than this code
    print(f"migrate: {seconds:.1f} s")
    if not args.home:
        seconds, _ = run(a, "demo", "--load-only", "--shops", str(args.shops), "--offers", str(args.offers))
        print(f"demo load ({args.shops} shops, {args.offers} offers): {seconds:.1f} s")
    seconds, _ = run(a, "check", "-v0")
    print(
        f"baseline, one `comptoir check` process (start-up cost inside every figure below): {seconds:.2f} s"
    )
    backup = scratch / "node.tar.gz"
    seconds, out = run(a, "backup", str(backup), "--no-progress")
    print(f"backup: {seconds:.2f} s, {backup.stat().st_size / 1e6:.2f} MB — {out}")
    b = node(scratch / "b", args.database_url, "bench_backup_b")
    seconds, out = run(b, "restore", str(backup), "--no-progress")
    print(f"restore into an empty node (index rebuilt): {seconds:.2f} s — {out}")
    script = (
        "from comptoir.catalog.models import Shop; from django.db.models import Count; "
        "print(Shop.objects.annotate(n=Count('offers')).order_by('-n', 'ref').values_list('ref', flat=True)[0])"
    )
    _s, shell_out = run(a, "shell", "-c", script)
    ref = shell_out.splitlines()[-1]  # after the shell's own banner
    bundle = scratch / "shop.zip"
    seconds, out = run(a, "shop", "export-bundle", ref, str(bundle), "--no-progress")
    print(f"export-bundle {ref}: {seconds:.2f} s, {bundle.stat().st_size / 1e6:.2f} MB")
    c = node(scratch / "c", args.database_url, "bench_backup_c")
    run(c, "migrate", "-v0")
    run(
        {**c, "DJANGO_SUPERUSER_PASSWORD": "bench-password-123"},
        "createsuperuser",
        "--noinput",
        "--email",
        "o@x.example",
    )
    seconds, out = run(c, "shop", "import-bundle", str(bundle), "--owner", "o@x.example", "--no-progress")
    print(f"import-bundle: {seconds:.2f} s — {out}")


if __name__ == "__main__":
    main()
