"""What an import found, row by row: shared by a shop's catalog, a chain's catalog and a branch's stock file."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from comptoir.catalog.validation import FieldError

MAX_ERRORS_LISTED = 1000  # the report lists the first errors and counts them all
PROGRESS_EVERY = 1000
Progress = Callable[[int], None]


@dataclass
class ImportOutcome:
    rows_total: int = 0
    rows_created: int = 0
    rows_updated: int = 0
    rows_rejected: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    errors_total: int = 0
    valid: list[dict[str, Any]] = field(default_factory=list)
    with_provenance: bool = False  # the file has at least one of the provenance columns


def note_row(
    outcome: ImportOutcome,
    number: int,
    fields: dict[str, Any],
    errors: list[FieldError],
    progress: Progress | None,
) -> None:
    """Count a checked row: keep its fields, or its errors (the first ones listed, all counted)."""
    outcome.rows_total += 1
    if errors:
        outcome.rows_rejected += 1
        outcome.errors_total += len(errors)
        room = MAX_ERRORS_LISTED - len(outcome.errors)
        outcome.errors.extend(
            {"row": number, "column": e.column, "message": e.message} for e in errors[: max(0, room)]
        )
    else:
        outcome.valid.append(fields)
    if progress and outcome.rows_total % PROGRESS_EVERY == 0:
        progress(outcome.rows_total)


def row_as_text(row: dict[str, Any]) -> dict[str, Any]:
    """XLSX cells arrive typed; the checks read text like a CSV cell."""
    return {k: (v if isinstance(v, str) else ("" if v is None else _cell_text(v))) for k, v in row.items()}


def _cell_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)
