"""The rejected-rows report every importer writes: one line per refused value."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from watchhouse.io.spreadsheet import SafeCsvWriter

# NUL and the other control characters except tab, line feed and carriage return (ANSI
# escapes begin with ESC): PostgreSQL cannot store NUL, and none belongs in a record.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

REPORT_COLUMNS = ("row", "column", "value", "reason")


@dataclass(frozen=True)
class Rejection:
    """One refused value: the row's number in the file (header = 1), its column and why."""

    row: int
    column: str
    value: str
    reason: str


@dataclass(kw_only=True)
class FileChecks:
    """What checking a file found beside its good records: refusals, warnings and row counts."""

    rejections: list[Rejection] = field(default_factory=list)
    warnings: list[Rejection] = field(default_factory=list)
    rows_read: int = 0
    rows_filtered: int = 0

    @property
    def rows_rejected(self) -> int:
        """Rows refused, each counted once however many of its values were wrong."""
        return rejected_row_count(self.rejections)


def default_report_path(source: Path) -> Path:
    """`<name>.rejected.csv` next to the input file (`crimes.csv` -> `crimes.rejected.csv`)."""
    return source.with_name(f"{source.stem}.rejected.csv")


def rejected_row_count(rejections: Iterable[Rejection]) -> int:
    """How many distinct rows the rejections refer to."""
    return len({r.row for r in rejections})


def shown(value: str, most: int = 1000) -> str:
    """A value as a report or message shows it: control characters escaped (an ANSI escape in
    a file must not reach a terminal or a spreadsheet as-is), over-long values cut short."""
    escaped = CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", value)
    return escaped if len(escaped) <= most else f"{escaped[:most]}... ({len(value)} characters)"


def write_report(path: Path, rejections: Iterable[Rejection]) -> Path:
    """Write the report as CSV (header row, then rows in file order) and return its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    ordered = sorted(rejections, key=lambda r: r.row)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = SafeCsvWriter(out)
        writer.writerow(REPORT_COLUMNS)
        for r in ordered:
            writer.writerow((r.row, r.column, shown(r.value), r.reason))
    return path
