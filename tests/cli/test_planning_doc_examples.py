"""docs/planning.md's runnable examples, read from the document itself: the events calendar
and the forecast of the shipped hourly file, run as written."""

from __future__ import annotations

import csv
import re
import shlex
from datetime import date
from pathlib import Path

import pytest

from cli_support import cli_in
from watchhouse.forecasting.day_effects import PlannedEvent
from watchhouse.services.planning_file import read_calendar

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("no_outside_settings")]

ROOT = Path(__file__).resolve().parents[2]
PLANNING = ROOT / "docs" / "planning.md"


def _blocks(kind: str) -> list[str]:
    """The document's fenced blocks of one kind (csv, sh, text), in order."""
    return re.findall(rf"```{kind}\n(.*?)```", PLANNING.read_text(encoding="utf-8"), re.S)


def test_the_documented_events_calendar_reads_as_the_text_says(tmp_path: Path) -> None:
    calendar = tmp_path / "events.csv"
    calendar.write_text(_blocks("csv")[0], encoding="utf-8")
    assert read_calendar(calendar) == [
        PlannedEvent("city festival", date(2025, 8, 1), date(2025, 8, 3), 1.3, None),
        PlannedEvent(
            "Christmas Eve", date(2025, 12, 24), date(2025, 12, 24), channels=None, kind="sunday"
        ),
        PlannedEvent(
            "county show",
            date(2025, 6, 4),
            date(2025, 6, 4),
            channels=frozenset({"101", "walk_in"}),
            kind="holiday",
        ),
    ]


def test_the_documented_forecast_of_the_shipped_file_runs_as_written(tmp_path: Path) -> None:
    """The worked example's first command names a file that exists and writes its forecast."""
    (command,) = [b for b in _blocks("sh") if "docs/examples/" in b]
    words = shlex.split(command.replace("\\\n", " "))
    assert words[:3] == ["uv", "run", "watchhouse"], words
    args = words[3:]
    for i, word in enumerate(args):
        if word.startswith("docs/examples/"):
            assert (ROOT / word).is_file(), word
            args[i] = str(ROOT / word)
    out = args.index("--out") + 1
    args[out] = str(tmp_path / args[out])
    result = cli_in(tmp_path / "data")(*args)
    assert result.exit_code == 0, result.output
    assert "(chosen)" in result.stdout
    with open(args[out], encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["interval_start", "mean", "lower", "upper"]
    assert len(rows) == 14 * 24
    assert all(0 <= float(r["lower"]) <= float(r["mean"]) <= float(r["upper"]) for r in rows)
