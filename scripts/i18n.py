"""Translation helper for developers. msgids are English; French is the default locale.

Each app with its own `locale/` folder (orders, search, delivery, ...) keeps its own catalog, so
apps are translated independently; the rest (core, members, catalog, web, demo) share
`src/comptoir/locale/`.

    python scripts/i18n.py [--app APP] update            makemessages for French
    python scripts/i18n.py [--app APP] missing           list French entries still untranslated
    python scripts/i18n.py [--app APP] fill FILE.json    merge {"msgid": "msgstr" | ["singular", "plural"]}
    python scripts/i18n.py compile                       compilemessages for every catalog (GNU gettext's msgfmt)
    python scripts/i18n.py typography                    no-break spaces before : ; ! ? » in every French catalog
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[1]
SHARED_CATALOG_APPS = {"core", "members", "catalog", "web", "templates", "locale"}
PACKAGE = ROOT / "src/comptoir"


def catalog_dir(app: str | None) -> Path:
    return PACKAGE / app if app else PACKAGE


def comptoir(cwd: Path, *args: str) -> None:
    # makemessages runs inside the package: keep the node's data folder out of it.
    env = {**os.environ, "COMPTOIR_HOME": tempfile.mkdtemp(prefix="comptoir-i18n-")}
    subprocess.run([str(ROOT / ".venv/bin/comptoir"), *args], cwd=cwd, check=True, env=env)


def french_spacing_in(po_path: Path) -> int:
    """Apply `formats.french_spacing` to every French string of a catalog, line by line so the
    file keeps gettext's wrapping (polib would rewrap it); the number of lines changed."""
    from comptoir.core.formats import NBSP, french_spacing

    lines = po_path.read_text(encoding="utf-8").split("\n")
    in_msgstr, changed = False, 0
    for i, line in enumerate(lines):
        if line.startswith("msgstr"):
            in_msgstr = True
        elif not line.startswith('"'):
            in_msgstr = False
        if not in_msgstr or '"' not in line:
            continue
        head, _quote, body = line.partition('"')
        text = french_spacing(body[:-1])
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if text.endswith(" ") and nxt[1:2] in {":", ";", "!", "?", "»"} and nxt.startswith('"'):
            text = text[:-1] + NBSP  # the space before the mark ends the previous line
        if f'{head}"{text}"' != line:
            lines[i], changed = f'{head}"{text}"', changed + 1
    if changed:
        po_path.write_text("\n".join(lines), encoding="utf-8")
    return changed


def main() -> None:
    args = sys.argv[1:]
    app = None
    if args[:1] == ["--app"]:
        app, args = args[1], args[2:]
    action = args[0] if args else "missing"
    where = catalog_dir(app)
    (where / "locale").mkdir(exist_ok=True)
    po_path = where / "locale/fr/LC_MESSAGES/django.po"
    if action == "update":
        ignores = ["demo/*"]
        if app is None:
            ignores += [
                f"{d.name}/*" for d in PACKAGE.iterdir() if d.is_dir() and d.name not in SHARED_CATALOG_APPS
            ]
        comptoir(where, "makemessages", "-l", "fr", "--no-obsolete", *[f"--ignore={i}" for i in ignores])
    elif action == "typography":
        for path in sorted(PACKAGE.glob("**/locale/fr/LC_MESSAGES/django.po")):
            print(f"{french_spacing_in(path)} entries respaced in {path.relative_to(ROOT)}", file=sys.stderr)
        return
    elif action == "compile":
        comptoir(PACKAGE, "compilemessages", "-l", "fr")
        return
    elif action == "fill":
        po = polib.pofile(str(po_path))
        table = json.loads(Path(args[1]).read_text())
        for entry in po:
            if entry.msgid in table:
                value = table[entry.msgid]
                if entry.msgid_plural:
                    entry.msgstr_plural = {0: value[0], 1: value[1]}
                else:
                    entry.msgstr = value
                if "fuzzy" in entry.flags:
                    entry.flags.remove("fuzzy")
        po.save()
    po = polib.pofile(str(po_path))
    missing = [e.msgid for e in po if not e.translated() and not e.obsolete]
    for msgid in missing:
        print(msgid)
    print(f"{len(missing)} untranslated of {len(po)} in {po_path.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
