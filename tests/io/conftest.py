"""Fixtures for the importer and exporter tests: sample data.police.uk rows, a CSV writer, the
rejected-rows report reader and the administrator imports are done as."""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from watchhouse.domain.roles import Actor, Role
from watchhouse.io.police_uk import OUTCOMES, STOP_AND_SEARCH, STREET_CRIME

FORCE = "Avon and Somerset Constabulary"


class Samples:
    """Published headers and rows in the published column order."""

    street_header = STREET_CRIME.headers
    outcome_header = OUTCOMES.headers
    stop_search_header = STOP_AND_SEARCH.headers
    force = FORCE

    @staticmethod
    def street(
        crime_id: str = "c0ffee01",
        month: str = "2024-01",
        longitude: str = "-2.597298",
        latitude: str = "51.453371",
        crime_type: str = "Burglary",
        outcome: str = "Under investigation",
        reported_by: str = FORCE,
    ) -> list[str]:
        """A street-level crime row."""
        return [
            crime_id,
            month,
            reported_by,
            FORCE,
            longitude,
            latitude,
            "On or near Park Street",
            "E01014540",
            "Bristol 032A",
            crime_type,
            outcome,
            "",
        ]

    @staticmethod
    def asb() -> list[str]:
        """An anti-social behaviour row: no Crime ID, no outcome."""
        return Samples.street(crime_id="", crime_type="Anti-social behaviour", outcome="")

    @staticmethod
    def outcome(crime_id: str = "c0ffee01", outcome: str = "Suspect charged") -> list[str]:
        """An outcome row."""
        return [
            crime_id,
            "2024-02",
            FORCE,
            FORCE,
            "-2.597298",
            "51.453371",
            "On or near Park Street",
            "E01014540",
            "Bristol 032A",
            outcome,
        ]

    @staticmethod
    def stop_search(
        date: str = "2024-01-05T13:20:00+00:00",
        part_of_operation: str = "False",
        linked: str = "",
        removal: str = "False",
    ) -> list[str]:
        """A stop and search row."""
        return [
            "Person search",
            date,
            part_of_operation,
            "",
            "51.453371",
            "-2.597298",
            "Male",
            "18-24",
            "White - English/Welsh/Scottish/Northern Irish/British",
            "White",
            "Misuse of Drugs Act 1971 (section 23)",
            "Controlled drugs",
            "A no further action disposal",
            linked,
            removal,
        ]


@pytest.fixture
def samples() -> type[Samples]:
    """Published headers and row builders."""
    return Samples


WriteCsv = Callable[..., Path]


@pytest.fixture
def write_csv(tmp_path: Path) -> WriteCsv:
    """Write `name` in tmp_path as data.police.uk does (commas, minimal quoting, LF)."""

    def write(name: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> Path:
        path = tmp_path / name
        with path.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(rows)
        return path

    return write


@pytest.fixture
def read_report() -> Callable[[Path], list[dict[str, str]]]:
    """Read a rejected-rows report as dictionaries."""

    def read(path: Path) -> list[dict[str, str]]:
        with path.open(newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))

    return read


@pytest.fixture
def admin(actors: dict[Role, Actor]) -> Actor:
    """The administrator imports are done as."""
    return actors[Role.ADMINISTRATOR]
