"""Every French catalog follows French typography, and every compiled .mo says what its .po says
(a stale .mo shows yesterday's text on every page)."""

from __future__ import annotations

from pathlib import Path

import polib
import pytest

from comptoir.core.formats import french_spacing

PACKAGE = Path(__file__).resolve().parents[2] / "src/comptoir"
CATALOGS = sorted(PACKAGE.glob("**/locale/fr/LC_MESSAGES/django.po"))


def _strings(entry: polib.POEntry) -> list[str]:
    return [entry.msgstr, *entry.msgstr_plural.values()] if entry.msgstr_plural else [entry.msgstr]


def test_every_app_with_strings_has_a_french_catalog():
    apps = {path.relative_to(PACKAGE).parts[0] for path in CATALOGS}
    assert {"locale", "delivery", "governance", "ledger", "orders", "privacy", "protocol", "search"} <= apps


@pytest.mark.parametrize("po_path", CATALOGS, ids=lambda p: p.relative_to(PACKAGE).parts[0])
def test_no_plain_space_before_double_punctuation(po_path: Path):
    faults = [
        text
        for entry in polib.pofile(str(po_path))
        for text in _strings(entry)
        if french_spacing(text) != text
    ]
    assert faults == []


@pytest.mark.parametrize("po_path", CATALOGS, ids=lambda p: p.relative_to(PACKAGE).parts[0])
def test_the_compiled_catalog_matches_its_source(po_path: Path):
    source = {
        (e.msgctxt, e.msgid): _strings(e)
        for e in polib.pofile(str(po_path))
        if e.translated() and not e.obsolete
    }
    compiled = {
        (e.msgctxt, e.msgid): _strings(e) for e in polib.mofile(str(po_path.with_suffix(".mo"))) if e.msgid
    }
    assert compiled == source
