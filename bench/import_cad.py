"""Benchmark: a year of a force's command-and-control export, imported into SQLite and
PostgreSQL, by this checkout's importer and, side by side, by git main's (the baseline;
`--baseline-ref REF` for another commit).

Generates weekly CSV files in the shape of a published CAD export (see
tests/io/test_command_and_control_end_to_end.py for where the shape comes from), ~750,000 rows
by default across 52 files, then imports the folder into a fresh, migrated store with
`watchhouse.services.imports.import_force_exports` (as the CLI does: each file in its own
transaction), in a
child process: once with this checkout's code, once with the baseline's code (git main or
`--baseline-ref`) extracted by
`git archive` into a temporary directory (not copied into the repository) and put first on
PYTHONPATH. Two file sets:

- `shared`: what main's importer can read (police rows only, empty cells for missing times,
  channels it knows); both importers, so the ratio is like for like;
- `real`: the export as published (NULL, fire and EMS rows, officer-initiated, radio and
  transfer rows, reopened calls closed before the arrival, the autumn clock change); this
  checkout only (main rejects or cannot filter these rows).

    uv run python bench/import_cad.py [--rows 750000] [--files 52] [--databases sqlite,postgresql]
        [--baseline-ref main]
    uv run python bench/import_cad.py --rows 50000 --files 4          # quick
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import json
import os
import pstats
import random
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

TARGET_ROWS_PER_SECOND = 50_000
PROFILE_VARIABLE = "WATCHHOUSE_BENCH_CAD_PROFILE"
CONNECTIONS_VARIABLE = "WATCHHOUSE_BENCH_CAD_CONNECTIONS"
POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"
LONDON = ZoneInfo("Europe/London")
WALL = "%Y-%m-%d %H:%M:%S"
HEADER = [
    "Master_Incident_Number",
    "Agency",
    "Problem",
    "Priority_Number",
    "Call_Reception",
    "Call_Taker",
    "Incident_Start_Time",
    "Incident_Queue_Time",
    "Incident_Dispatch_Time",
    "Incident_Phone_Stop",
    "Incident_Arrival_Time",
    "Incident_First_Close_Time",
    "Call_Reopened",
    "Final_Closed_Time",
    "Disposition",
    "Caller_Phone",
]
SHARED_MAPPING = """
source = "decc"
time_zone = "Europe/London"
[columns]
external_ref = "Master_Incident_Number"
channel = "Call_Reception"
presented_at = "Incident_Start_Time"
ended_at = "Incident_Phone_Stop"
summary = "Problem"
grade = "Priority_Number"
caller_telephone = "Caller_Phone"
incident_created_at = "Incident_Queue_Time"
incident_deployed_at = "Incident_Dispatch_Time"
incident_arrived_at = "Incident_Arrival_Time"
incident_closed_at = "Final_Closed_Time"
[defaults]
settlement = "urban"
[codes.channel]
"E-911" = "999"
"Phone" = "101"
[codes.grade]
"1" = 1
"2" = 2
"3" = 3
"4" = 4
"""
REAL_MAPPING = """
source = "decc"
time_zone = "Europe/London"
null_tokens = ["NULL"]
attributes = ["Disposition", "Call_Taker"]
[filter]
"Agency" = "POLICE"
[columns]
external_ref = "Master_Incident_Number"
channel = "Call_Reception"
origin = "Call_Reception"
presented_at = "Incident_Start_Time"
ended_at = "Incident_Phone_Stop"
summary = "Problem"
grade = "Priority_Number"
caller_telephone = "Caller_Phone"
incident_created_at = "Incident_Queue_Time"
incident_deployed_at = "Incident_Dispatch_Time"
incident_arrived_at = "Incident_Arrival_Time"
incident_closed_at = ["Incident_First_Close_Time", "Final_Closed_Time"]
[defaults]
settlement = "urban"
channel = "101"
[codes.channel]
"E-911" = "999"
"*" = "101"
[codes.origin]
"Officer Initiated" = "officer_initiated"
"Radio" = "radio"
"Transfer" = "transfer"
"*" = "public"
[codes.grade]
"1" = 1
"2" = 2
"3" = 3
"4" = 4
"*" = 3
"""


def generate(folder: Path, rows: int, files: int, *, real: bool, seed: int = 14) -> None:
    """Weekly files of `rows` records in all, from 6 January 2025 (52 weeks span the October
    clock change)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True)
    start = datetime(2025, 1, 6, tzinfo=UTC)
    per_file = -(-rows // files)
    receptions = ["E-911", "Phone", "Officer Initiated", "Radio", "Transfer", ""]
    weights = [40, 30, 18, 6, 3, 3] if real else [55, 45, 0, 0, 0, 0]
    number = 0
    for week in range(files):
        path = folder / f"cad-week-{week + 1:02d}.csv"
        first = start + timedelta(days=7 * (week % 52))
        with path.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(HEADER)
            offsets = sorted(rng.uniform(0, 7 * 86400) for _ in range(min(per_file, rows - number)))
            for offset in offsets:
                number += 1
                writer.writerow(
                    _row(rng, number, first + timedelta(seconds=offset), real, receptions, weights)
                )


def _row(
    rng: random.Random,
    number: int,
    begin: datetime,
    real: bool,
    receptions: list[str],
    weights: list[int],
) -> list[str]:
    empty = "NULL" if real else ""
    begin = begin.replace(microsecond=0)
    reception = rng.choices(receptions, weights)[0]
    queued = begin + timedelta(seconds=rng.randint(20, 180))
    dispatched = queued + timedelta(seconds=rng.randint(30, 1500))
    arrived = (
        None if rng.random() < 0.12 else dispatched + timedelta(seconds=rng.randint(120, 2400))
    )
    closed = (arrived or dispatched) + timedelta(seconds=rng.randint(600, 7200))
    reopened = real and arrived is not None and rng.random() < 0.04
    first_close = arrived - timedelta(minutes=6) if reopened and arrived else closed
    public = reception in ("E-911", "Phone", "")
    agency = rng.choices(["POLICE", "FIRE", "EMS"], [57, 25, 18])[0] if real else "POLICE"

    def wall(moment: datetime | None) -> str:
        return empty if moment is None else moment.astimezone(LONDON).strftime(WALL)

    return [
        f"25-{number:07d}",
        agency,
        rng.choice(["DISORDERLY CONDUCT", "TRAFFIC STOP", "ALARM", "THEFT", "WELFARE CHECK"]),
        str(rng.choices([1, 2, 3, 4], [26, 39, 25, 10])[0]),
        reception,
        rng.choice(["C2C", "A11", "B07", "D19"]),
        wall(begin),
        wall(queued),
        wall(dispatched),
        wall(begin + timedelta(seconds=rng.randint(40, 400)) if public else None),
        wall(arrived),
        wall(first_close),
        "Yes" if reopened else "No",
        wall(closed),
        rng.choice(["REPORT TAKEN", "ADVISED", "ARREST", "GONE ON ARRIVAL"]),
        _caller_phone(rng, empty) if public else empty,
    ]


def _caller_phone(rng: random.Random, empty: str) -> str:
    """The number a public caller rang from, spelt as control rooms record them: mostly UK
    mobiles and landlines (national digits with or without spaces, or E.164), a repeat caller
    now and then, a few foreign numbers, some withheld."""
    roll = rng.random()
    if roll < 0.15:
        return empty
    if roll < 0.22:
        return rng.choice(["07700 900001", "+447700900002", "01632 960003"])  # repeat callers
    if roll < 0.25:
        return rng.choice(["+1 202 555 0143", "+33 6 12 34 56 78", "+49 30 901820"])
    mobile = f"7{rng.randint(0, 999_999_999):09d}"
    landline = f"{rng.choice(['20', '113', '161', '1632'])}{rng.randint(0, 9_999_999):07d}"[:10]
    national = mobile if roll < 0.7 else landline
    spelling = rng.random()
    if spelling < 0.4:
        return "0" + national
    if spelling < 0.7:
        return f"0{national[:4]} {national[4:]}"
    return "+44" + national


def extract_ref(ref: str, into: Path) -> Path:
    """The src/ of git `ref` in a temporary directory (the baseline's code, never in the
    repository)."""
    archive = subprocess.run(
        ["git", "archive", "--format=tar", ref, "src"],
        check=True,
        capture_output=True,
        cwd=Path(__file__).resolve().parents[1],
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into / "src"


def fresh_database(kind: str, work: Path, label: str) -> tuple[str, str | None]:
    """A new empty database: its SQLAlchemy URL, and the PostgreSQL name to drop after."""
    if kind == "sqlite":
        return f"sqlite:///{work / f'{label}.db'}", None
    import psycopg

    name = f"bench_cad_{label}_{os.getpid()}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}", name


def drop_database(name: str | None) -> None:
    """Drop a benchmark PostgreSQL database."""
    if name is None:
        return
    import psycopg

    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")


def run_child(
    code: Path | None,
    url: str,
    folder: Path,
    mapping: Path,
    work: Path,
    files: int = 0,
    profile: Path | None = None,
    connections: int = 1,
) -> dict:
    """Import the folder (its first `files` files when not 0) in a child process with this
    checkout's code or main's (`code`); with `profile`, cProfile's statistics of the import
    (the main thread) are written there; with `connections` above 1, the files are shared
    out among that many threads, each importing its own files on its own connection."""
    env = dict(os.environ)
    if code is not None:
        env["PYTHONPATH"] = str(code)
    env[CONNECTIONS_VARIABLE] = str(connections)
    if profile is not None:
        env[PROFILE_VARIABLE] = str(profile)
    command = [
        sys.executable,
        __file__,
        "worker",
        url,
        str(folder),
        str(mapping),
        str(work),
        str(files),
    ]
    done = subprocess.run(command, check=True, capture_output=True, text=True, env=env)
    return json.loads(done.stdout.strip().splitlines()[-1])


def worker(url: str, folder: Path, mapping_path: Path, work: Path, limit: int = 0) -> None:
    """In the child: migrate, add an administrator, import every file (timed), print JSON."""
    import watchhouse
    from watchhouse.config import Settings
    from watchhouse.db.repositories import users as user_repo
    from watchhouse.domain.roles import Actor, Role
    from watchhouse.io.force_mapping import load_mapping
    from watchhouse.services import imports
    from watchhouse.services.context import build_context

    work.mkdir(parents=True, exist_ok=True)
    ctx = build_context(Settings(environment="test", data_dir=work, database_url=url))
    with ctx.db.transaction() as session:
        user = user_repo.add_user(
            session=session,
            username="bench",
            display_name="Benchmark",
            role=Role.ADMINISTRATOR,
            password_hash="not-a-real-hash",
            now=datetime.now(UTC),
        )
    actor = Actor(user.id, user.username, user.display_name, user.role)
    mapping = load_mapping(mapping_path)
    files = sorted(folder.glob("cad-week-*.csv"))
    if limit:
        files = files[:limit]
    totals = {"read": 0, "added": 0, "rejected": 0}
    server_before = server_cpu(ctx, url)
    profile_to = os.environ.get(PROFILE_VARIABLE)
    profiler = cProfile.Profile() if profile_to else None
    started = time.perf_counter()
    cpu_started = time.process_time()
    if profiler is not None:
        profiler.enable()
    connections = int(os.environ.get(CONNECTIONS_VARIABLE, "1"))

    # As the CLI does: every file, each in its own transaction, in order. With several
    # connections (an experiment, not what the CLI does): every n-th file to the same thread.
    def import_files(group: list[Path]) -> list[imports.ImportResult]:
        return imports.import_force_exports(
            ctx, actor=actor, paths=group, mapping=mapping, report_dir=work
        )

    if connections == 1:  # in this thread, which the profile watches
        done = [import_files(files)]
    else:
        with ThreadPoolExecutor(max_workers=connections) as pool:
            done = list(pool.map(import_files, [files[i::connections] for i in range(connections)]))
    for results in done:
        for result in results:
            totals["read"] += result.rows_read
            totals["added"] += result.rows_added
            totals["rejected"] += result.rows_rejected
    if profiler is not None:
        profiler.disable()
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    if profiler is not None and profile_to:
        profiler.dump_stats(profile_to)
    server_after = server_cpu(ctx, url)
    server = sum(server_after.values()) - sum(
        used for pid, used in server_before.items() if pid in server_after
    )
    ctx.db.dispose()
    code = str(Path(watchhouse.__file__).parent)
    print(json.dumps({"code": code, "seconds": seconds, "cpu": cpu, "server": server, **totals}))


def server_cpu(ctx: object, url: str) -> dict[int, float]:
    """PostgreSQL (on this machine): the CPU seconds so far of each server process connected to
    the benchmark's database, from /proc (the import's pooled connections stay open, so their
    work is all counted). SQLite: nothing (its work is in the importing process)."""
    if not url.startswith("postgresql"):
        return {}
    from sqlalchemy import text

    with ctx.db.transaction() as session:  # type: ignore[attr-defined]
        pids = session.execute(
            text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        ).scalars()
        pids = list(pids)
    tick = os.sysconf("SC_CLK_TCK")
    used: dict[int, float] = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used[pid] = (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return used


def main() -> int:
    """Generate, import with both importers on each database, print the table."""
    if len(sys.argv) > 1 and sys.argv[1] == "worker":
        worker(
            sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]), Path(sys.argv[5]), int(sys.argv[6])
        )
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=750_000)
    parser.add_argument("--files", type=int, default=52)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument(
        "--baseline-ref",
        default="main",
        help="the git commit or branch whose importer is the baseline, run in the same run "
        "on the same files (default main)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="profile this checkout's import of the shared set with cProfile (main thread; "
        "it slows the import, so its rates are not the measurement) and print the top entries",
    )
    parser.add_argument(
        "--baseline-files",
        type=int,
        default=0,
        help="main's importer reads only the first N files (it takes ~20 min for a year on "
        "PostgreSQL); its rate is still rows read / seconds, from an empty store",
    )
    parser.add_argument(
        "--connections",
        type=int,
        default=1,
        help="PostgreSQL: also import the shared set with this checkout's importer on N "
        "connections at once (every N-th file to each; an experiment, the CLI stores one file "
        "at a time)",
    )
    args = parser.parse_args()
    print(f"$ {' '.join([Path(sys.argv[0]).name, *sys.argv[1:]])}")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory(prefix="bench-cad-") as tmp:
        work = Path(tmp)
        main_src = extract_ref(args.baseline_ref, work / "baseline")
        commit = subprocess.run(
            ["git", "rev-parse", "--short", args.baseline_ref],
            check=True,
            capture_output=True,
            text=True,
            cwd=Path(__file__).resolve().parents[1],
        ).stdout.strip()
        print(f"baseline: {args.baseline_ref} ({commit}); current: this checkout")
        sets = {}
        for name, real, text in (("shared", False, SHARED_MAPPING), ("real", True, REAL_MAPPING)):
            folder = work / name
            generate(folder, args.rows, args.files, real=real)
            mapping = work / f"{name}.toml"
            mapping.write_text(text, encoding="utf-8")
            sets[name] = (folder, mapping)
        print(
            f"{'database':12}{'file set':9}{'importer':10}{'read':>10}{'added':>10}"
            f"{'rejected':>10}{'seconds':>9}{'rows/s':>10}{'CPU s':>8}{'rows/CPU s':>12}"
            f"{'server CPU s':>14}{'rows/all CPU s':>16}  load"
        )
        rates: dict[tuple[str, str, str], float] = {}
        per_cpu: dict[tuple[str, str, str], float] = {}
        for kind in args.databases.split(","):
            plan = [
                ("shared", "baseline", main_src),
                ("shared", "current", None),
                ("real", "current", None),
            ]
            if kind == "postgresql" and args.connections > 1:
                plan.insert(2, ("shared", f"current x{args.connections}", None))
            for set_name, label, code in plan:
                folder, mapping = sets[set_name]
                seconds_each = []
                cpu_each = []
                server_each = []
                for run in range(args.runs):
                    profile = None
                    if args.profile and (set_name, label, run) == ("shared", "current", 0):
                        profile = work / f"profile-{kind}.pstats"
                    url, dropped = fresh_database(
                        kind, work, f"{set_name}_{label.replace(' ', '_')}_{run}"
                    )
                    try:
                        found = run_child(
                            code,
                            url,
                            folder,
                            mapping,
                            work / f"out-{kind}-{run}",
                            args.baseline_files if label == "baseline" else 0,
                            profile,
                            int(label.rsplit("x", 1)[1]) if " x" in label else 1,
                        )
                    finally:
                        drop_database(dropped)
                    seconds_each.append(found["seconds"])
                    cpu_each.append(found["cpu"])
                    server_each.append(found.get("server", 0.0))
                seconds = statistics.median(seconds_each)
                cpu = statistics.median(cpu_each)
                server = statistics.median(server_each)
                rate = found["read"] / seconds
                rates[(kind, set_name, label)] = rate
                per_cpu[(kind, set_name, label)] = found["read"] / cpu
                print(
                    f"{kind:12}{set_name:9}{label:10}{found['read']:>10,}{found['added']:>10,}"
                    f"{found['rejected']:>10,}{seconds:>9.1f}{rate:>10,.0f}{cpu:>8.1f}"
                    f"{found['read'] / cpu:>12,.0f}{server:>14.1f}"
                    f"{found['read'] / (cpu + server):>16,.0f}  {os.getloadavg()[0]:.1f}"
                )
        for kind in args.databases.split(","):
            key, base = (kind, "shared", "current"), (kind, "shared", "baseline")
            print(
                f"{kind}: current / {args.baseline_ref} on the shared set: rows/s "
                f"{rates[key] / rates[base]:.2f}x, rows per CPU second "
                f"{per_cpu[key] / per_cpu[base]:.2f}x; target {TARGET_ROWS_PER_SECOND:,} rows/s"
            )
            if args.profile:
                print(f"\ncProfile, {kind}, this checkout, shared set (top by cumulative time):")
                stats = pstats.Stats(str(work / f"profile-{kind}.pstats"), stream=sys.stdout)
                stats.strip_dirs().sort_stats("cumulative").print_stats(30)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
