"""Translation helper for developers.

    python scripts/i18n.py update            makemessages for French (msgids are English)
    python scripts/i18n.py missing           list French entries still untranslated
    python scripts/i18n.py fill FILE.json    merge {"msgid": "msgstr" | ["singular", "plural"]}
    python scripts/i18n.py compile           compilemessages (needs GNU gettext's msgfmt)

The .po file is the source of truth; JSON fills are a convenience for batches.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "src/comptoir/locale/fr/LC_MESSAGES/django.po"


def comptoir(*args: str) -> None:
    subprocess.run([str(ROOT / ".venv/bin/comptoir"), *args], cwd=ROOT / "src/comptoir", check=True)


def main() -> None:
    action = sys.argv[1] if len(sys.argv) > 1 else "missing"
    if action == "update":
        comptoir("makemessages", "-l", "fr", "--no-obsolete", "--ignore", "demo/*")
    elif action == "compile":
        comptoir("compilemessages", "-l", "fr")
    elif action == "fill":
        po = polib.pofile(str(PO))
        table = json.loads(Path(sys.argv[2]).read_text())
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
    po = polib.pofile(str(PO))
    missing = [e.msgid for e in po if not e.translated() and not e.obsolete]
    for msgid in missing:
        print(msgid)
    print(f"{len(missing)} untranslated of {len(po)}", file=sys.stderr)


if __name__ == "__main__":
    main()
