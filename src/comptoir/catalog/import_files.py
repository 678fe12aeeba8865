"""Reading a shop's catalog file (CSV or XLSX) with every size bounded.

A catalog file comes from outside: a few kilobytes can declare ten billion cells
(an XLSX whose dimension is A1:XFD1048576), unzip to gigabytes (a zip bomb), hold
one endless CSV header or field. So, before a row is read:
- the file is at most `settings.COMPTOIR_IMPORT_MAX_BYTES`;
- an XLSX is a zip whose members, as declared in its directory, unzip to at most
  `XLSX_MAX_UNCOMPRESSED` in all and `XLSX_MAX_SHARED_STRINGS` for the shared strings
  (openpyxl loads those whole); zipfile never inflates a member past its declared
  size, so the declared sizes bound the real work; its declared dimension is checked
  against `MAX_ROWS` and `MAX_COLUMNS`, then ignored (openpyxl would pad every row to it);
- a CSV header line is at most `MAX_HEADER` characters.
While streaming, real rows, columns and field lengths are counted and the read stops at
the first excess. Every refusal is an `InvalidInput` saying which limit and what to do.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from typing import IO, Any

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from comptoir.catalog.exports import unneutralise
from comptoir.catalog.validation import COLUMNS, REQUIRED
from comptoir.core.errors import InvalidInput

MAX_ROWS = 100_000
MAX_COLUMNS = 64
MAX_FIELD = 10_000  # characters: the longest column (a description) holds 5,000
MAX_HEADER = 4_096
XLSX_MAX_MEMBERS = 1_000
XLSX_MAX_UNCOMPRESSED = 256 * 1024 * 1024
XLSX_MAX_SHARED_STRINGS = 64 * 1024 * 1024
_DIMENSION = re.compile(
    rb"<(?:\w+:)?dimension[^>]*\bref=\"([A-Z]{1,3})(\d{1,7})(?::([A-Z]{1,3})(\d{1,7}))?\""
)


def import_limits() -> dict[str, int | str]:
    """The limits as the import page states them."""
    return {
        "megabytes": number_format(settings.COMPTOIR_IMPORT_MAX_BYTES / 1e6, 1), "rows": MAX_ROWS,
        "columns": MAX_COLUMNS, "field": MAX_FIELD,
    }  # fmt: skip


def file_kind(filename: str) -> str:
    name = filename.lower()
    if name.endswith(".xlsx"):
        return "xlsx"
    if name.endswith((".csv", ".txt")):
        return "csv"
    raise InvalidInput(_("Send a .csv or .xlsx file."), field="file")


def check_size(size: int) -> None:
    limit = settings.COMPTOIR_IMPORT_MAX_BYTES
    if size > limit:
        raise InvalidInput(
            _("The file is too large (%(size)s MB); the limit is %(limit)s MB: split it.")
            % {"size": number_format(size / 1e6, 1), "limit": number_format(limit / 1e6, 1)},
            field="file",
        )


def _stream_size(stream: IO[bytes]) -> int:
    position = stream.tell()
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    stream.seek(position)
    return size


def check_file(
    stream: IO[bytes], filename: str, *, scan: bool = True, required: Sequence[str] = REQUIRED
) -> int | None:
    """Refuse a file whose structure is out of bounds, before any row is checked or written.

    An XLSX is judged by its zip directory and declared dimension (reading its real rows
    takes openpyxl seconds: the worker does it). A CSV is also scanned whole with `scan`,
    since the C parser does it in a fraction of a second: rows, columns, field lengths.
    Returns the number of data rows to expect (for the progress bar), if known.
    The stream is left at its start.
    """
    kind = file_kind(filename)
    check_size(_stream_size(stream))
    stream.seek(0)
    try:
        if kind == "xlsx":
            return _check_xlsx(stream)
        return _check_csv(stream, scan, required)
    finally:
        stream.seek(0)


def _check_csv(stream: IO[bytes], scan: bool, required: Sequence[str]) -> int | None:
    if scan:
        return sum(1 for _row in _csv_rows(stream, required))
    _csv_header(stream)
    return None


def _csv_header(stream: IO[bytes]) -> str:
    raw = stream.readline(MAX_HEADER + 1)
    if len(raw) > MAX_HEADER:
        raise InvalidInput(
            _("The first line (the column names) is longer than %(n)d characters.") % {"n": MAX_HEADER}
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidInput(_("The file is not UTF-8 text.")) from error


def _check_xlsx(stream: IO[bytes]) -> int | None:
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise InvalidInput(_("The spreadsheet cannot be read: it is not an XLSX file.")) from error
    with archive:
        members = archive.infolist()
        if len(members) > XLSX_MAX_MEMBERS:
            raise InvalidInput(_("The spreadsheet holds too many parts (%(n)d).") % {"n": len(members)})
        total = sum(m.file_size for m in members)
        strings = sum(m.file_size for m in members if m.filename.lower().endswith("sharedstrings.xml"))
        if total > XLSX_MAX_UNCOMPRESSED or strings > XLSX_MAX_SHARED_STRINGS:
            raise InvalidInput(
                _("The spreadsheet unzips to %(size)s MB, more than the %(limit)s MB allowed: split it.")
                % {"size": round(total / 1e6), "limit": round(XLSX_MAX_UNCOMPRESSED / 1e6)}
            )
        sheets = [m for m in members if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", m.filename)]
        expected: int | None = None
        for sheet in sheets:
            with archive.open(sheet) as source:
                head = source.read(64 * 1024)
            match = _DIMENSION.search(head)
            if match and match[3]:
                rows = int(match[4]) - int(match[2]) + 1
                columns = _column_number(match[3].decode()) - _column_number(match[1].decode()) + 1
                _check_dimensions(rows - 1, columns)
                expected = rows - 1 if expected is None else expected
        return expected


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _check_dimensions(rows: int, columns: int) -> None:
    if rows > MAX_ROWS:
        raise InvalidInput(
            _("The file has more than %(n)d rows: split it into several files.") % {"n": MAX_ROWS}
        )
    if columns > MAX_COLUMNS:
        raise InvalidInput(
            _("The file has more than %(n)d columns; expected columns: %(all)s")
            % {"n": MAX_COLUMNS, "all": ", ".join(COLUMNS)}
        )


def read_rows(
    stream: IO[bytes], filename: str, *, required: Sequence[str] = REQUIRED
) -> Iterator[dict[str, Any]]:
    """Dict rows from a CSV (comma or semicolon, UTF-8) or XLSX file, header first; bounded.
    `required`: the columns the header must hold (a branch's stock file needs only sku and stock)."""
    check_file(stream, filename, scan=False, required=required)  # the rows below are bounded as they stream
    if file_kind(filename) == "xlsx":
        yield from _xlsx_rows(stream, required)
    else:
        yield from _csv_rows(stream, required)


def _csv_rows(stream: IO[bytes], required: Sequence[str] = REQUIRED) -> Iterator[dict[str, Any]]:
    first = _csv_header(stream)
    delimiter = ";" if first.count(";") > first.count(",") else ","
    header = [h.strip().lower() for h in next(csv.reader([first], delimiter=delimiter), [])]
    _check_header(header, required)
    text = io.TextIOWrapper(stream, encoding="utf-8", newline="")
    rows = 0
    try:
        for values in csv.reader(text, delimiter=delimiter):
            rows += 1
            _check_row(rows, len(values), max((len(v) for v in values), default=0))
            if any(v.strip() for v in values):
                yield {h: unneutralise(v) for h, v in zip(header, values, strict=False)}
    except UnicodeDecodeError as error:
        raise InvalidInput(_("The file is not UTF-8 text.")) from error
    except csv.Error as error:  # a field past the csv module's own limit, a NUL byte...
        raise InvalidInput(
            _(
                "Line %(row)d cannot be read as CSV (%(e)s): a field is longer than %(n)d characters or broken."
            )
            % {"row": rows + 2, "e": error, "n": MAX_FIELD}
        ) from error
    finally:
        text.detach()


def _check_row(rows: int, columns: int, longest: int) -> None:
    if rows > MAX_ROWS:
        _check_dimensions(rows, 0)
    if columns > MAX_COLUMNS:
        _check_dimensions(0, columns)
    if longest > MAX_FIELD:
        raise InvalidInput(
            _("Row %(row)d holds a value longer than %(n)d characters.") % {"row": rows + 1, "n": MAX_FIELD}
        )


def _xlsx_rows(stream: IO[bytes], required: Sequence[str] = REQUIRED) -> Iterator[dict[str, Any]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(stream, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a broken file
        raise InvalidInput(_("The spreadsheet cannot be read: %(e)s") % {"e": str(error)[:200]}) from error
    try:
        sheet = book.active
        # The declared dimension was checked; openpyxl would still pad each row to it, so drop it
        # and count the real rows and columns instead.
        sheet.reset_dimensions()
        rows = sheet.iter_rows(values_only=True)
        first = next(rows, ())
        _check_row(0, len(first), 0)
        header = [str(h or "").strip().lower()[:100] for h in first]
        _check_header(header, required)
        for number, values in enumerate(rows, start=1):
            _check_row(number, len(values), max((len(v) for v in values if isinstance(v, str)), default=0))
            if any(v not in (None, "") for v in values):
                yield {
                    h: ("" if v is None else unneutralise(v) if isinstance(v, str) else v)
                    for h, v in zip(header, values, strict=False)
                }
    finally:
        book.close()


def _check_header(header: list[str], required: Sequence[str] = REQUIRED) -> None:
    missing = [c for c in required if c not in header]
    if missing:
        expected = COLUMNS if tuple(required) == REQUIRED else list(required) + ["price"]
        raise InvalidInput(
            _("Missing columns: %(cols)s. Expected columns: %(all)s")
            % {"cols": ", ".join(missing), "all": ", ".join(expected)}
        )
