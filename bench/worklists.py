"""Benchmark: the investigator's, supervisor's and crime admin bureau's worklists with a million
crimes stored.

    uv run python bench/worklists.py [--crimes 1000000] [--database sqlite|URL] [--calls 300]

Target (issue 6): each worklist answers in under 100 ms at the 95th percentile with 1 million
crimes stored, on SQLite and PostgreSQL.

What is timed: the services behind the three pages, `investigator_worklist`,
`supervisor_worklist` and `bureau_worklist` (each part's most urgent items, its count and
overdue count, and the access-log entry for the consultation, a write), in one transaction,
for a random investigator or supervisor each call.

The store: `--crimes` crimes recorded evenly over three years up to "now", each with one
victim, allocated to one of 400 investigators under one of 40 supervisors; an outcome after
an exponentially distributed time (mean 40 days), so about 3.6% are still open (about 90 per
investigator, 900 per supervisor); plans, plan checks, review dates, victim updates owed,
support referrals and VPS offers in realistic proportions, some overdue; 300,000 bureau tasks,
the last few days' still open. Built with `db/bulk.py` (COPY on PostgreSQL), as the synthetic
force is. Plans, reviews and updates given are not stored: the worklists read the crimes' own
due dates (kept current by the services), never those tables.

Baseline side by side, in the same process on the same store: the same calls with the
worklist indexes dropped (`ix_crimes_investigator_*`, `ix_crimes_supervisor_*`,
`ix_crimes_awaiting_allocation`, `ix_crime_admin_tasks_queue`), then the indexes rebuilt.

`--database` is `sqlite` (a fresh file) or a PostgreSQL server URL, on which a fresh database
is created and dropped afterwards.
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from watchhouse.config import Settings
from watchhouse.db import bulk
from watchhouse.db.migrate import upgrade
from watchhouse.domain.roles import Actor, Role
from watchhouse.services import investigations
from watchhouse.services.context import AppContext, build_context
from watchhouse.synth.helpers import ids, ts

TARGET_P95_MS = 100.0
NOW = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)
DAY = 86400.0
INVESTIGATORS, SUPERVISORS = 400, 40
WORKLIST_INDEXES = {
    "ix_crimes_investigator_plans": (
        "crimes",
        "allocated_to, outcome_code, plan_written_at, plan_due_at",
    ),
    "ix_crimes_investigator_updates": ("crimes", "allocated_to, next_victim_update_due_at"),
    "ix_crimes_supervisor_reviews": ("crimes", "supervisor_id, outcome_code, next_review_due_at"),
    "ix_crimes_supervisor_plan_checks": (
        "crimes",
        "supervisor_id, outcome_code, plan_checked_at, plan_written_at",
    ),
    "ix_crimes_supervisor_plans": (
        "crimes",
        "supervisor_id, outcome_code, plan_written_at, plan_due_at",
    ),
    "ix_crimes_supervisor_updates": ("crimes", "supervisor_id, next_victim_update_due_at"),
    "ix_crimes_awaiting_allocation": ("crimes", "awaiting_allocation, recorded_at"),
    "ix_crime_admin_tasks_queue": ("crime_admin_tasks", "done_at, due_at"),
}


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of the values fall (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def _nan_unless(mask: np.ndarray, values: np.ndarray) -> np.ndarray:
    return np.where(mask, values, np.nan)


def build(ctx: AppContext, n: int, seed: int = 6) -> tuple[list[Actor], list[Actor]]:
    """Fill the store in bulk; return the investigators and supervisors."""
    rng = np.random.default_rng(seed)
    now = NOW.timestamp()
    began = time.perf_counter()
    users = INVESTIGATORS + SUPERVISORS
    roles = [Role.INVESTIGATOR.value] * INVESTIGATORS + [Role.SUPERVISOR.value] * SUPERVISORS
    user_ids = np.arange(1, users + 1, dtype=np.int64)
    people = n // 2
    recorded = now - rng.random(n) * 3 * 365 * DAY
    allocated = recorded + rng.uniform(0.1, 2.0, n) * DAY
    outcome_at = allocated + rng.exponential(40.0, n) * DAY
    open_ = outcome_at > now
    outcome_at = np.where(open_, np.nan, outcome_at)
    investigator = rng.integers(0, INVESTIGATORS, n)
    written = rng.random(n) < 0.9
    plan_written = allocated + rng.lognormal(np.log(1.5), 0.8, n) * DAY
    written &= plan_written < now
    checked = written & (rng.random(n) < 0.7)
    review_due = np.where(open_, now + rng.uniform(-10, 28, n) * DAY, np.nan)
    owed = (open_ & (rng.random(n) < 0.10)) | (~open_ & (rng.random(n) < 0.005))
    update_due = _nan_unless(owed, now + rng.uniform(-3, 5, n) * DAY)
    awaiting = np.zeros(n, dtype=bool)
    awaiting[np.argsort(recorded)[-200:]] = True
    crime_ids = np.arange(1, n + 1, dtype=np.int64)
    tables: dict[str, pa.Table] = {
        "users": pa.table(
            {
                "id": user_ids,
                "username": [f"user{i}" for i in user_ids.tolist()],
                "display_name": [f"Officer {i}" for i in user_ids.tolist()],
                "password_hash": ["x"] * users,
                "role_code": roles,
                "active": [True] * users,
                "failed_sign_ins": [0] * users,
                "created_at": ts(np.full(users, now - 4 * 365 * DAY)),
            }
        ),
        "people": pa.table(
            {
                "id": np.arange(1, people + 1, dtype=np.int64),
                "family_name": [f"Family{i % 5000}" for i in range(people)],
                "given_name": [f"Given{i % 700}" for i in range(people)],
                "created_at": ts(np.full(people, now - 4 * 365 * DAY)),
            }
        ),
        "crimes": pa.table(
            {
                "id": crime_ids,
                "crime_type": ["Assault with injury"] * n,
                "crime_group": ["Violence against the person"] * n,
                "recorded_at": ts(recorded),
                "victim_person_id": ids(rng.integers(1, people + 1, n)),
                "domestic_abuse": rng.random(n) < 0.2,
                "allocated_at": ts(_nan_unless(~awaiting, allocated)),
                "allocated_to": ids(user_ids[investigator], awaiting),
                "supervisor_id": ids(
                    user_ids[INVESTIGATORS + investigator % SUPERVISORS], awaiting
                ),
                "awaiting_allocation": awaiting,
                "outcome_code": np.where(open_, 0, rng.choice([1, 14, 16, 18, 21], n)),
                "outcome_at": ts(outcome_at),
                "plan_due_at": ts(_nan_unless(~awaiting, allocated + 3 * DAY)),
                "plan_written_at": ts(_nan_unless(written & ~awaiting, plan_written)),
                "plan_checked_at": ts(_nan_unless(checked & ~awaiting, plan_written + DAY)),
                "next_review_due_at": ts(_nan_unless(~awaiting, review_due)),
                "next_victim_update_due_at": ts(update_due),
                "source": ["bench"] * n,
            }
        ),
    }
    referred = rng.random(n) < 0.9
    offered = rng.random(n) < 0.8
    tables["crime_victims"] = pa.table(
        {
            "id": crime_ids,
            "crime_id": crime_ids,
            "person_id": rng.integers(1, people + 1, n),
            "added_at": ts(recorded),
            "enhanced": rng.random(n) < 0.3,
            "support_due_at": ts(recorded + 2 * DAY),
            "support_referred_at": ts(_nan_unless(referred, recorded + DAY)),
            "vps_due_at": ts(recorded + 5 * DAY),
            "vps_offered_at": ts(_nan_unless(offered, recorded + 3 * DAY)),
        }
    )
    tasks = 300_000
    requested = now - rng.random(tasks) * 3 * 365 * DAY
    done_at = requested + rng.exponential(2.0, tasks) * DAY
    tables["crime_admin_tasks"] = pa.table(
        {
            "id": np.arange(1, tasks + 1, dtype=np.int64),
            "crime_id": rng.integers(1, n + 1, tasks),
            "task": ["records_check"] * tasks,
            "detail": [""] * tasks,
            "requested_at": ts(requested),
            "requested_by": user_ids[rng.integers(0, INVESTIGATORS, tasks)],
            "due_at": ts(requested + 3 * DAY),
            "done_at": ts(_nan_unless(done_at < now, done_at)),
        }
    )
    with ctx.db.transaction() as session:
        for name, data in tables.items():
            bulk.insert_arrow(session=session, table_name=name, data=data)
        bulk.reset_sequences(session=session, table_names=list(tables))
    if ctx.db.dialect == "postgresql":
        # What autovacuum does to a loaded table in time: statistics, and the visibility map
        # that lets counts be answered from the index alone.
        with ctx.db.engine.connect() as connection:
            autocommit = connection.execution_options(isolation_level="AUTOCOMMIT")
            autocommit.execute(text("VACUUM ANALYZE"))
    else:
        with ctx.db.engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    print(
        f"stored {n:,} crimes ({int(open_.sum()):,} open), {n:,} victims, {tasks:,} bureau "
        f"tasks ({int((done_at >= now).sum()):,} open) in {time.perf_counter() - began:.0f} s"
    )
    actors = [
        Actor(int(i), f"user{i}", f"Officer {i}", Role(roles[i - 1])) for i in user_ids.tolist()
    ]
    return actors[:INVESTIGATORS], actors[INVESTIGATORS:]


def measure(
    ctx: AppContext, people: list[Actor], call: Callable[..., object], count: int
) -> list[float]:
    """Milliseconds per call, each for a random person."""
    chooser = random.Random(7)
    timings = []
    for _ in range(count):
        actor = chooser.choice(people)
        began = time.perf_counter()
        call(ctx, actor=actor)
        timings.append((time.perf_counter() - began) * 1000)
    return timings


def describe(label: str, timings: list[float]) -> str:
    """One result line."""
    return (
        f"{label:44}{len(timings):>6}{statistics.median(timings):>9.1f}"
        f"{percentile(timings, 0.95):>9.1f}{percentile(timings, 0.99):>9.1f}"
    )


def set_indexes(ctx: AppContext, *, present: bool) -> None:
    """Drop or rebuild the worklist indexes."""
    with ctx.db.engine.begin() as connection:
        for name, (table, columns) in WORKLIST_INDEXES.items():
            if present:
                connection.execute(text(f"CREATE INDEX {name} ON {table} ({columns})"))
            else:
                connection.execute(text(f"DROP INDEX {name}"))
        if ctx.db.dialect == "sqlite":
            connection.execute(text("ANALYZE"))
    if ctx.db.dialect == "postgresql":
        with ctx.db.engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))


def main() -> int:
    """Build, measure, compare, print."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--crimes", type=int, default=1_000_000)
    parser.add_argument("--database", default="sqlite")
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--baseline-calls", type=int, default=30)
    args = parser.parse_args()
    print(
        f"$ uv run python bench/worklists.py --crimes {args.crimes} --database "
        f"{'sqlite' if args.database == 'sqlite' else '<postgresql url>'} --calls {args.calls}"
    )
    print(f"python {platform.python_version()}, {platform.machine()}, {date.today()}")
    with tempfile.TemporaryDirectory(prefix="watchhouse-bench-") as tmp:
        server = None
        if args.database == "sqlite":
            url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        else:
            server = create_engine(args.database, isolation_level="AUTOCOMMIT")
            name = f"watchhouse_bench_{uuid.uuid4().hex[:8]}"
            with server.connect() as connection:
                connection.execute(text(f"CREATE DATABASE {name}"))
            url = make_url(args.database).set(database=name).render_as_string(hide_password=False)
        try:
            upgrade(url)
            ctx = build_context(Settings(data_dir=Path(tmp), database_url=url))
            ctx.clock = lambda: NOW
            investigators, supervisors = build(ctx, args.crimes)
            cases = [
                ("investigator's worklist", investigators, investigations.investigator_worklist),
                ("supervisor's worklist", supervisors, investigations.supervisor_worklist),
                ("crime admin bureau worklist", investigators, investigations.bureau_worklist),
            ]
            results = {}
            for label, people, call in cases:
                measure(ctx, people, call, 20)  # warm the caches
                results[label] = measure(ctx, people, call, args.calls)
            set_indexes(ctx, present=False)
            baseline = {}
            for label, people, call in cases:
                measure(ctx, people, call, 3)
                baseline[label] = measure(ctx, people, call, args.baseline_calls)
            set_indexes(ctx, present=True)
            print()
            print(f"{'':44}{'calls':>6}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
            for label, _, _ in cases:
                print(describe(label, results[label]))
                print(describe("  baseline: without the worklist indexes", baseline[label]))
                ratio = statistics.median(baseline[label]) / statistics.median(results[label])
                p95 = percentile(results[label], 0.95)
                verdict = "meets" if p95 < TARGET_P95_MS else "MISSES"
                print(f"  median baseline / indexed: {ratio:.1f}x; target p95 < 100 ms: {verdict}")
            ctx.db.dispose()
        finally:
            if server is not None:
                with server.connect() as connection:
                    connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                server.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
