"""Benchmark: importing a data.police.uk street-level crime file into a fresh SQLite store.

Generates a realistic street-crime CSV of N rows (default 500,000) in a temporary directory,
imports it with the real importer (`watchhouse.services.imports.import_police_uk`: parse,
validate, key, insert, batch record, access log, report) into a fresh, migrated SQLite
database, several times, and reports the median rows per second. Beside it, in the same
process, a BASELINE: `csv.DictReader` and one SQLAlchemy Core INSERT per row, over a smaller
slice, in one transaction.

    uv run python bench/import_police_uk.py [--rows 500000] [--runs 3] [--baseline-rows 20000]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import os
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
from sqlalchemy import create_engine, insert

from watchhouse.config import Settings
from watchhouse.db import bulk
from watchhouse.db.migrate import upgrade
from watchhouse.db.repositories import users as user_repo
from watchhouse.db.tables import PoliceUkCrimeRow
from watchhouse.domain.roles import Actor, Role
from watchhouse.io import police_uk
from watchhouse.io.police_uk import STREET_CRIME
from watchhouse.services import imports
from watchhouse.services.context import build_context

TARGET_ROWS_PER_SECOND = 100_000
# Crime types with roughly their national shares; anti-social behaviour rows have no Crime ID
# and no outcome.
CRIME_TYPES = {
    "Anti-social behaviour": 0.26,
    "Violence and sexual offences": 0.30,
    "Public order": 0.08,
    "Criminal damage and arson": 0.07,
    "Shoplifting": 0.05,
    "Vehicle crime": 0.05,
    "Other theft": 0.05,
    "Burglary": 0.04,
    "Drugs": 0.02,
    "Other crime": 0.02,
    "Theft from the person": 0.015,
    "Bicycle theft": 0.01,
    "Robbery": 0.01,
    "Possession of weapons": 0.015,
}
OUTCOMES = [
    "Investigation complete; no suspect identified",
    "Unable to prosecute suspect",
    "Under investigation",
    "Status update unavailable",
    "Awaiting court outcome",
    "Local resolution",
    "Offender given a caution",
    "Further investigation is not in the public interest",
    "Court result unavailable",
    "Action to be taken by another organisation",
]
STREETS = [
    "Park Street",
    "High Street",
    "Station Road",
    "Church Lane",
    "Victoria Road",
    "Mill Lane",
    "Queen Street",
    "Supermarket",
    "Shopping Area",
    "Parking Area",
    "Petrol Station",
    "Nightclub",
    "Sports/Recreation Area",
    "Conference/Exhibition Centre",
    "Further/Higher Educational Building",
]
PLACES = ["Bristol", "Bath and North East Somerset", "North Somerset", "South Gloucestershire"]
FORCE = "Avon and Somerset Constabulary"


def generate(path: Path, rows: int, seed: int = 2024) -> None:
    """Write a street-level crime CSV of `rows` rows, vectorised with numpy and pyarrow."""
    rng = np.random.default_rng(seed)
    names = list(CRIME_TYPES)
    shares = np.array(list(CRIME_TYPES.values()))
    crime_type = np.array(names, dtype=object)[
        rng.choice(len(names), rows, p=shares / shares.sum())
    ]
    asb = crime_type == "Anti-social behaviour"
    crime_id = np.array(
        [hashlib.sha256(str(i).encode()).hexdigest() for i in range(rows)], dtype=object
    )
    crime_id[asb] = ""
    # data.police.uk publishes a file per force per month: a year is those files in order.
    month = np.array([f"2024-{m:02d}" for m in range(1, 13)], dtype=object)[
        np.sort(rng.integers(0, 12, rows))
    ]
    # data.police.uk snaps every crime to one of a fixed set of anonymised map points, each
    # with its street description and LSOA; rows at the same point and month often repeat.
    points = 25_000
    point = rng.integers(0, points, rows)
    point_lon = np.round(rng.normal(-2.59, 0.12, points), 6).astype(str).astype(object)
    point_lat = np.round(rng.normal(51.45, 0.08, points), 6).astype(str).astype(object)
    point_street = np.array([f"On or near {s}" for s in STREETS], dtype=object)[
        rng.integers(0, len(STREETS), points)
    ]
    point_lsoa = rng.integers(14000, 15500, points)
    lon, lat, location = point_lon[point], point_lat[point], point_street[point]
    lsoa = point_lsoa[point]
    no_place = rng.random(rows) < 0.015
    lon[no_place] = ""
    lat[no_place] = ""
    location[no_place] = "No location"
    lsoa_code = np.array([f"E0{c:07d}" for c in lsoa], dtype=object)
    lsoa_code[no_place] = ""
    place = np.array(PLACES, dtype=object)[lsoa % len(PLACES)]
    lsoa_name = np.array(
        [f"{p} {c % 60:03d}{chr(65 + c % 5)}" for p, c in zip(place, lsoa, strict=True)],
        dtype=object,
    )
    lsoa_name[no_place] = ""
    outcome = np.array(OUTCOMES, dtype=object)[rng.integers(0, len(OUTCOMES), rows)]
    outcome[asb] = ""
    force = np.full(rows, FORCE, dtype=object)
    columns = [
        crime_id,
        month,
        force,
        force,
        lon,
        lat,
        location,
        lsoa_code,
        lsoa_name,
        crime_type,
        outcome,
        np.full(rows, "", dtype=object),
    ]
    table = pa.table(
        {h: pa.array(c, pa.string()) for h, c in zip(STREET_CRIME.headers, columns, strict=True)}
    )
    pa_csv.write_csv(table, path, write_options=pa_csv.WriteOptions(quoting_style="needed"))


def fresh_store(directory: Path) -> tuple[object, Actor]:
    """A migrated SQLite store in `directory` with one administrator."""
    directory.mkdir(parents=True)
    ctx = build_context(Settings(environment="test", data_dir=directory))
    with ctx.db.transaction() as session:
        user = user_repo.add_user(
            session=session,
            username="bench",
            display_name="Benchmark",
            role=Role.ADMINISTRATOR,
            password_hash="not-a-real-hash",
            now=datetime.now(UTC),
        )
    return ctx, Actor(user.id, user.username, user.display_name, user.role)


def run_importer(work: Path, source: Path, run: int) -> tuple[float, imports.ImportResult]:
    """Import the file into a fresh store; return the seconds taken and the result."""
    ctx, actor = fresh_store(work / f"store-{run}")
    started = time.perf_counter()
    result = imports.import_police_uk(
        ctx,  # type: ignore[arg-type]
        actor=actor,
        path=source,
        report=work / f"rejected-{run}.csv",
    )
    elapsed = time.perf_counter() - started
    ctx.db.dispose()  # type: ignore[attr-defined]
    return elapsed, result


def run_baseline(work: Path, source: Path, rows: int) -> float:
    """csv.DictReader + one SQLAlchemy Core INSERT per row, in one transaction: seconds."""
    url = f"sqlite:///{work / 'baseline.sqlite3'}"
    upgrade(url)
    engine = create_engine(url)
    columns = {c.header: c.column for c in STREET_CRIME.columns}
    started = time.perf_counter()
    with source.open(newline="", encoding="utf-8") as handle, engine.begin() as connection:
        for number, record in enumerate(csv.DictReader(handle)):
            if number >= rows:
                break
            values = {columns[k]: (v or None) for k, v in record.items()}
            for name in ("longitude", "latitude"):
                values[name] = float(values[name]) if values[name] else None
            values["row_key"] = hashlib.blake2b(
                ("\x1f".join(record.values()) + f"\x1e{number}").encode(), digest_size=16
            ).digest()
            connection.execute(insert(PoliceUkCrimeRow.__table__).values(**values))
    elapsed = time.perf_counter() - started
    engine.dispose()
    return elapsed


def run_executemany(work: Path, source: Path) -> tuple[int, float]:
    """Writing through the driver: the importer's own prepared rows (parsed, checked, keyed and
    made into tuples untimed) inserted with sqlite3 executemany into the same schema, commit
    included. The fastest any importer binding Python values row by row can write."""
    url = f"sqlite:///{work / 'executemany.sqlite3'}"
    upgrade(url)
    parsed = police_uk.parse_file(source, limits=bulk.text_limits(STREET_CRIME.table))
    rows = [row for chunk in parsed.chunks(50_000) for row in chunk]
    columns = STREET_CRIME.store_columns
    sql = (
        f"INSERT INTO {STREET_CRIME.table} ({', '.join(columns)}) "
        f"VALUES ({', '.join('?' * len(columns))}) ON CONFLICT (row_key) DO NOTHING"
    )
    connection = sqlite3.connect(work / "executemany.sqlite3")
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute("PRAGMA cache_size=-262144")
    started = time.perf_counter()
    connection.execute("BEGIN")
    for start in range(0, len(rows), 50_000):
        connection.executemany(sql, rows[start : start + 50_000])
    connection.commit()
    elapsed = time.perf_counter() - started
    connection.close()
    return len(rows), elapsed


def main() -> int:
    """Generate, import, compare, print."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=500_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--baseline-rows", type=int, default=20_000)
    args = parser.parse_args()
    command = (
        f"uv run python bench/import_police_uk.py --rows {args.rows} --runs {args.runs} "
        f"--baseline-rows {args.baseline_rows}"
    )
    print(f"$ {command}")
    print(
        f"python {platform.python_version()}, {platform.machine()}, "
        f"{os.cpu_count()} cores, {datetime.now(UTC):%Y-%m-%d}"
    )
    with tempfile.TemporaryDirectory(prefix="watchhouse-bench-") as tmp:
        work = Path(tmp)
        source = work / "2024-avon-and-somerset-street.csv"
        started = time.perf_counter()
        generate(source, args.rows)
        print(
            f"generated {args.rows:,} rows ({source.stat().st_size / 1e6:.1f} MB) "
            f"in {time.perf_counter() - started:.1f} s"
        )
        rates = []
        for run in range(1, args.runs + 1):
            seconds, result = run_importer(work, source, run)
            if result.rows_added != args.rows:
                print(f"run {run}: expected {args.rows} rows added, got {result.rows_added}")
                return 1
            rates.append(args.rows / seconds)
            print(f"importer run {run}: {seconds:.2f} s, {args.rows / seconds:,.0f} rows/s")
        median = statistics.median(rates)
        baseline_rows = min(args.baseline_rows, args.rows)
        baseline_seconds = run_baseline(work, source, baseline_rows)
        baseline_rate = baseline_rows / baseline_seconds
        driver_rows, driver_seconds = run_executemany(work, source)
        driver_rate = driver_rows / driver_seconds
        print()
        print(f"{'':34}{'rows':>10}{'rows/s':>12}")
        print(f"{'sqlite3 executemany, rows prepared':34}{driver_rows:>10,}{driver_rate:>12,.0f}")
        label = f"importer (median of {args.runs} runs)"
        print(f"{label:34}{args.rows:>10,}{median:>12,.0f}")
        print(f"{'baseline (DictReader + Core/row)':34}{baseline_rows:>10,}{baseline_rate:>12,.0f}")
        print(f"ratio importer / baseline: {median / baseline_rate:.1f}x")
        print(f"importer / executemany of prepared rows: {median / driver_rate:.0%}")
        verdict = "meets" if median >= TARGET_ROWS_PER_SECOND else "MISSES"
        print(f"target {TARGET_ROWS_PER_SECOND:,} rows/s: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
