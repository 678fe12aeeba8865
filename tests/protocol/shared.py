"""Access to ../shared/protocol/beckn (specs, examples, vectors), read at test time, never copied."""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any

import pytest


def _find() -> Path:
    # ../shared next to the checkout; a worktree sits one level deeper than the main checkout
    root = Path(__file__).resolve().parents[2]
    for base in (root.parent, root.parent.parent):
        if (base / "shared" / "protocol" / "beckn").exists():
            return base / "shared" / "protocol" / "beckn"
    return root.parent / "shared" / "protocol" / "beckn"


BECKN = _find()

needs_shared = pytest.mark.skipif(not BECKN.exists(), reason="../shared/protocol/beckn is absent")


def example_files() -> list[Path]:
    return sorted((BECKN / "examples").glob("*/*.json")) if BECKN.exists() else []


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


@functools.cache
def vectors() -> str:
    return (BECKN / "test-vectors.md").read_text()


def vector_section(name: str) -> str:
    text = vectors()
    start = text.index(f"## {name}")
    end = text.find("\n## ", start + 1)
    return text[start : end if end > 0 else len(text)]


def field(section: str, label: str) -> str:
    """The backquoted value after ``label`` in a vector section (first one)."""
    match = re.search(re.escape(label) + r"[^`\n]*`([^`]+)`", section)
    assert match, f"{label} not found in vector"
    return match.group(1)


@functools.cache
def _openapi(name: str) -> dict[str, Any]:
    import yaml

    return yaml.safe_load((BECKN / name / "openapi.yaml").read_text())


def openapi_errors(message: dict[str, Any], *, logistics: bool = False) -> list[str]:
    """Errors of ``message`` against ONDC's OpenAPI request schema for its action."""
    import jsonschema

    doc = _openapi("ondc-logistics-1.2.0" if logistics else "ondc-ret10-1.2.0")
    action = message["context"]["action"]
    schema = doc["paths"]["/" + action]["post"]["requestBody"]["content"]["application/json"]["schema"]
    validator = jsonschema.Draft7Validator(dict(schema, components=doc["components"]))
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(message)]


# Where ONDC's draft OpenAPI and its log validator disagree, we follow the validator and the live
# network (docs/decisions/0013-protocol-wire-core.md); these are the only errors tolerated.
KNOWN_DIVERGENCES = (
    "'percent' is not one of ['Amount', 'Percent']",
    "message/order/cancellation/reason: 'state' is a required property",
)


def ondc_errors(message: dict[str, Any], *, logistics: bool = False) -> list[str]:
    return [
        e for e in openapi_errors(message, logistics=logistics) if not any(k in e for k in KNOWN_DIVERGENCES)
    ]
