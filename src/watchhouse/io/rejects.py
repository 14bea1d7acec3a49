"""The rejected-rows report every importer writes: one line per refused value."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from watchhouse.io.spreadsheet import SafeCsvWriter

REPORT_COLUMNS = ("row", "column", "value", "reason")


@dataclass(frozen=True)
class Rejection:
    """One refused value: the row's number in the file (header = 1), its column and why."""

    row: int
    column: str
    value: str
    reason: str


def default_report_path(source: Path) -> Path:
    """`<name>.rejected.csv` next to the input file (`crimes.csv` -> `crimes.rejected.csv`)."""
    return source.with_name(f"{source.stem}.rejected.csv")


def rejected_row_count(rejections: Iterable[Rejection]) -> int:
    """How many distinct rows the rejections refer to."""
    return len({r.row for r in rejections})


def write_report(path: Path, rejections: Iterable[Rejection]) -> Path:
    """Write the report as CSV (header row, then rows in file order) and return its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    ordered = sorted(rejections, key=lambda r: r.row)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = SafeCsvWriter(out)
        writer.writerow(REPORT_COLUMNS)
        for r in ordered:
            writer.writerow((r.row, r.column, r.value, r.reason))
    return path
