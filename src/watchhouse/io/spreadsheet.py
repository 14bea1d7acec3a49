"""CSV that is safe to open in a spreadsheet: every CSV watchhouse writes goes through here.

A cell that begins with `=`, `+`, `-` or `@` (or a tab or carriage return, which some
spreadsheets skip before reading one of those) is taken as a formula by Excel, LibreOffice and
Google Sheets, so `=HYPERLINK(...)` typed into a justification could run when an auditor
opens the export. Such text is written with a leading apostrophe, which the spreadsheet shows
as plain text (OWASP's advice on CSV injection). Numbers, including negative ones, are left
as they are, so figures stay figures.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


def safe_cell(value: object) -> object:
    """The value as a spreadsheet will not run it: text that would start a formula gets a
    leading apostrophe; numbers and other text are unchanged."""
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return value
    if _NUMBER.fullmatch(value):
        return value
    return "'" + value


class SafeCsvWriter:
    """A csv.writer whose every cell passes through `safe_cell`."""

    def __init__(self, out: _Writable, **options: Any) -> None:
        """Write to `out` with csv.writer's options (lineterminator, dialect...)."""
        self._writer = csv.writer(out, **options)

    def writerow(self, row: Iterable[object]) -> None:
        """Write one row, neutralising formula-like text."""
        self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        """Write several rows, neutralising formula-like text."""
        for row in rows:
            self.writerow(row)


def spreadsheet_safe(value: object) -> str:
    """The value as text for a CSV cell (None as empty), made safe by `safe_cell`."""
    return "" if value is None else str(safe_cell(str(value)))


def safe_row(values: Iterable[object]) -> list[object]:
    """Every cell of a row made safe (None written as empty)."""
    return ["" if v is None else safe_cell(v) for v in values]


def csv_text(header: Sequence[str], rows: Iterable[Iterable[object]]) -> str:
    """A whole CSV document (header first) with every cell made safe."""
    out = io.StringIO()
    writer = SafeCsvWriter(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()
