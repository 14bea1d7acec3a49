"""Benchmark: the online check at the point of contact, with millions of contacts stored and
20 handlers at once.

    uv run python bench/online_check.py [--months 24] [--scale 3.2] [--database sqlite|URL]
                                         [--handlers 20] [--seconds 120] [--think 2.0] [--take]

Targets (issue 4): the online check (likely people for the caller + repeat-contact rules +
earlier vulnerability flags) answers in under 50 ms at the 95th percentile with 5 million
contacts stored, on SQLite and on PostgreSQL, with 20 concurrent handlers; and the batch
repeat-caller detection over those 5 million contacts in under 30 s.

What is timed: `watchhouse.services.contacts.get_contact`, the call behind the handler's
contact screen: the contact, its history, the repeat rules per person, number and address,
the open problem-solving plans, earlier flags, the likely matches scored with the trained
model, and the access-log entry for the consultation (a write), in one transaction.

Steps: the default profile is generated into a fresh store (`--months` from 2023-01-01 at
`--scale`: 24 months at 3.2 is about 5 million contacts), the identity linkage is run once
(the online check needs its trained model), then `--handlers` threads (each starting
part-way through a think, as in a room already at work; `--all-at-once` starts them all at
the same moment, as this benchmark did before 2026-12-07) each open a random contact that
names its caller, think for an exponentially distributed time (mean `--think`
seconds: far busier than a real control room, where a handler takes a call every few
minutes), and repeat, for `--seconds`. Baseline side by side: one handler alone, back to back,
on the same store.

With `--take`, the handlers together also take new 101 contacts from callers on record (their
details as given on a random contact): `services.contacts.take_contact`, which now finds the
person the caller joins with the online score inside the write (issue 13 part 3), beside the
baseline commit's take when `--baseline-ref` is given.

The daily batch (`watchhouse repeats DAY`: every person, number and address over a repeat
threshold on the last day, with plans opened) is timed on the same store; baseline beside it:
the same day checked contact by contact with the live rule the handler's screen uses.

`--database` is `sqlite` (a fresh file) or a PostgreSQL server URL, on which a fresh database
is created and dropped afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from watchhouse.config import Settings
from watchhouse.db.migrate import upgrade
from watchhouse.db.repositories import users
from watchhouse.db.tables import ContactRow, TelephoneNumberRow
from watchhouse.domain.records import NewContact
from watchhouse.domain.roles import Actor, Role
from watchhouse.domain.values import Channel
from watchhouse.services import contacts, identity
from watchhouse.services.context import AppContext, build_context
from watchhouse.services.plans import run_daily_batch
from watchhouse.services.synth import SynthRequest, synth_to_database

TARGET_P95_MS = 50.0
TARGET_BATCH_SECONDS = 30.0


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of the values fall (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def build(ctx: AppContext, months: int, scale: float) -> tuple[Actor, list[int]]:
    """Fill the store, train the identity model, and return a handler and contacts to open."""
    end = date(2023 + months // 12, 1 + months % 12, 1)
    began = time.perf_counter()
    rows = synth_to_database(
        ctx, SynthRequest(start=date(2023, 1, 1), end=end, scale=scale, seed=8)
    )
    print(f"generated {rows['contacts']:,} contacts in {time.perf_counter() - began:.0f} s")
    with ctx.db.transaction() as session:
        admin = users.add_user(
            session=session,
            username="bench-admin",
            display_name="Bench admin",
            role=Role.ADMINISTRATOR,
            password_hash="x",
            now=ctx.now(),
        )
        handler = users.add_user(
            session=session,
            username="bench-handler",
            display_name="Bench handler",
            role=Role.CALL_HANDLER,
            password_hash="x",
            now=ctx.now(),
        )
        ids = list(
            session.scalars(select(ContactRow.id).where(ContactRow.caller_family_name.is_not(None)))
        )
    began = time.perf_counter()
    report = identity.link_identities(
        ctx, actor=Actor(admin.id, admin.username, admin.display_name, Role.ADMINISTRATOR)
    )
    print(
        f"identity linkage: {report.records:,} records in {time.perf_counter() - began:.0f} s "
        f"(precision {report.accuracy.precision:.4f}, recall {report.accuracy.recall:.4f})"
        if report.accuracy
        else f"identity linkage: {report.records:,} records"
    )
    actor = Actor(handler.id, handler.username, handler.display_name, Role.CALL_HANDLER)
    return actor, random.Random(5).sample(ids, min(20_000, len(ids)))


def reuse(ctx: AppContext) -> tuple[Actor, list[int]]:
    """A store built by an earlier run: its handler and contacts to open."""
    with ctx.db.transaction() as session:
        found = users.credentials(session=session, username="bench-handler")
        if found is None:
            raise SystemExit("the store was not built by this benchmark")
        actor = users.actor(session=session, user_id=found.user_id)
        ids = list(
            session.scalars(select(ContactRow.id).where(ContactRow.caller_family_name.is_not(None)))
        )
    print(f"measuring the store built earlier: {len(ids):,} contacts naming their caller")
    return actor, random.Random(5).sample(ids, min(20_000, len(ids)))


Timing = tuple[float, float]  # (wall ms, this thread's CPU ms) of one check


def one_check(ctx: AppContext, actor: Actor, contact_id: int) -> Timing:
    """Open one contact as the handler's screen does; wall and CPU milliseconds taken."""
    began, cpu = time.perf_counter(), time.thread_time()
    contacts.get_contact(ctx, actor=actor, contact_id=contact_id, justification="caller on line")
    return (time.perf_counter() - began) * 1000, (time.thread_time() - cpu) * 1000


def new_calls(ctx: AppContext, chosen: list[int]) -> list[NewContact]:
    """A new 101 call now from the caller of each of these contacts, with their details as
    given then (the first-contact path: the caller joins their person, or is a new one)."""
    with ctx.db.transaction() as session:
        rows = session.execute(
            select(
                ContactRow.caller_given_name,
                ContactRow.caller_family_name,
                ContactRow.caller_date_of_birth,
                TelephoneNumberRow.number,
            )
            .outerjoin(TelephoneNumberRow, TelephoneNumberRow.id == ContactRow.telephone_number_id)
            .where(ContactRow.id.in_(chosen[:2_000]))
        ).all()
    return [
        NewContact(
            channel=Channel.NON_EMERGENCY_101,
            caller_given_name=given or "",
            caller_family_name=family or "",
            date_of_birth=born,
            telephone=number or "",
            summary="benchmark: the caller rings again",
        )
        for given, family, born, number in rows
    ]


def one_take(ctx: AppContext, actor: Actor, new: NewContact) -> Timing:
    """Take one contact as the handler's form does (with the first-contact join)."""
    began, cpu = time.perf_counter(), time.thread_time()
    contacts.take_contact(ctx, actor=actor, new=new)
    return (time.perf_counter() - began) * 1000, (time.thread_time() - cpu) * 1000


def alone(ctx: AppContext, actor: Actor, chosen: list[int], count: int) -> list[Timing]:
    """One handler, back to back."""
    return [one_check(ctx, actor, contact_id) for contact_id in chosen[:count]]


def together(
    ctx: AppContext,
    actor: Actor,
    chosen: list[int],
    handlers: int,
    seconds: float,
    think: float,
    calls: list[NewContact] | None = None,
    all_at_once: bool = False,
) -> list[Timing]:
    """Many handlers at once, each thinking between calls; each opens a contact, or (with
    `calls`) takes a new one."""
    timings: list[Timing] = []
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def handler(number: int) -> None:
        rng = random.Random(number)
        # Each handler starts part-way through a think, as in a control room already at work
        # (with exponential thinks that is the steady state). Starting all of them at once
        # made the first check of every handler collide: 20 checks queued for the 2 cores
        # and the pool's first connections, 250 to 400 ms each, about a tenth of a 20 s run's
        # checks and so its whole 95th percentile.
        if not all_at_once:
            time.sleep(rng.expovariate(1 / think))
        while time.perf_counter() < stop:
            if calls:
                took = one_take(ctx, actor, rng.choice(calls))
            else:
                took = one_check(ctx, actor, rng.choice(chosen))
            with lock:
                timings.append(took)
            time.sleep(rng.expovariate(1 / think))

    threads = [threading.Thread(target=handler, args=(n,)) for n in range(handlers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return timings


def measure_part(
    ctx: AppContext, actor: Actor, chosen: list[int], part: str, args: argparse.Namespace
) -> list[Timing]:
    """One handler back to back (300 checks, after 50 to warm the caches), or the handlers
    together."""
    if part == "alone":
        alone(ctx, actor, chosen[-50:], 50)
        return alone(ctx, actor, chosen, 300)
    calls = new_calls(ctx, chosen) if part == "take" else None
    return together(
        ctx, actor, chosen, args.handlers, args.seconds, args.think, calls, args.all_at_once
    )


def baseline_part(args: argparse.Namespace, source: Path, url: str, part: str) -> list[Timing]:
    """The same part measured on the same store by the code at `--baseline-ref`, in a child
    process whose `watchhouse` package is that commit's."""
    command = [
        sys.executable,
        __file__,
        "--child-part",
        part,
        "--child-url",
        url,
        "--handlers",
        str(args.handlers),
        "--seconds",
        str(args.seconds),
        "--think",
        str(args.think),
        *(["--all-at-once"] if args.all_at_once else []),
    ]
    environment = {**os.environ, "PYTHONPATH": str(source / "src")}
    done = subprocess.run(command, env=environment, capture_output=True, text=True, check=True)
    line = [row for row in done.stdout.splitlines() if row.startswith("TIMINGS ")][-1]
    return [(wall, cpu) for wall, cpu in json.loads(line.removeprefix("TIMINGS "))]


def child(args: argparse.Namespace) -> int:
    """Measure one part on a built store and print the timings as JSON (baseline runs)."""
    url = args.child_url
    data_dir = Path(make_url(url).database or ".").parent if url.startswith("sqlite") else None
    # The parent has migrated the store; the baseline commit may not know its latest revision.
    ctx = build_context(
        Settings(data_dir=data_dir or Path(tempfile.gettempdir()), database_url=url),
        migrate=False,
    )
    actor, chosen = reuse(ctx)
    timings = measure_part(ctx, actor, chosen, args.child_part, args)
    ctx.db.dispose()
    print("TIMINGS " + json.dumps(timings))
    return 0


def daily_batch(ctx: AppContext, months: int) -> tuple[float, int, float, int]:
    """The daily batch for the last generated day, and the contact-by-contact baseline."""
    from watchhouse.db.repositories import repeats as repeat_repo

    end = date(2023 + months // 12, 1 + months % 12, 1)
    day = date.fromordinal(end.toordinal() - 1)
    with ctx.db.transaction() as session:
        earlier = users.credentials(session=session, username="bench-supervisor")
        if earlier is not None:
            actor = users.actor(session=session, user_id=earlier.user_id)
        else:
            made = users.add_user(
                session=session,
                username="bench-supervisor",
                display_name="Bench supervisor",
                role=Role.SUPERVISOR,
                password_hash="x",
                now=ctx.now(),
            )
            actor = Actor(made.id, made.username, made.display_name, Role.SUPERVISOR)
    began = time.perf_counter()
    result = run_daily_batch(ctx, actor=actor, day=day)
    batch_seconds = time.perf_counter() - began
    policy = ctx.policy.repeat_contacts
    longest = max(rule.within for rule in policy.domain_rules())
    began = time.perf_counter()
    with ctx.db.transaction() as session:
        zone_start, zone_end = _day_bounds(ctx, day)
        ids = list(
            session.scalars(
                select(ContactRow.id).where(
                    ContactRow.presented_at >= zone_start, ContactRow.presented_at < zone_end
                )
            )
        )
        for contact_id in ids:
            moment = session.scalar(
                select(ContactRow.presented_at).where(ContactRow.id == contact_id)
            )
            repeat_repo.repeat_contact_times(
                session=session,
                contact_id=contact_id,
                since=moment - longest,
                until=moment,
                channels=policy.channels,
                include_abandoned=policy.count_abandoned,
            )
    return batch_seconds, len(result.crossings), time.perf_counter() - began, len(ids)


def _day_bounds(ctx: AppContext, day: date) -> tuple[datetime, datetime]:
    zone = ZoneInfo(ctx.policy.force.timezone)
    start = datetime.combine(day, datetime.min.time(), tzinfo=zone)
    return start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)


def describe(label: str, timings: list[Timing]) -> str:
    """Checks; wall median, 95th and 99th percentiles; CPU median and 95th percentile."""
    wall = [t[0] for t in timings]
    cpu = [t[1] for t in timings]
    return (
        f"{label:44}{len(timings):>7,}{statistics.median(wall):>9.1f}"
        f"{percentile(wall, 0.95):>9.1f}{percentile(wall, 0.99):>9.1f}"
        f"{statistics.median(cpu):>10.2f}{percentile(cpu, 0.95):>10.2f}"
    )


def p95(timings: list[Timing], column: int = 0) -> float:
    """The 95th percentile of wall (0) or CPU (1) milliseconds."""
    return percentile([t[column] for t in timings], 0.95)


def median(timings: list[Timing], column: int = 0) -> float:
    """The median of wall (0) or CPU (1) milliseconds."""
    return statistics.median(t[column] for t in timings)


def main() -> int:
    """Build, measure, compare, print."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--scale", type=float, default=3.2)
    parser.add_argument("--database", default="sqlite")
    parser.add_argument("--handlers", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--think", type=float, default=2.0)
    parser.add_argument(
        "--store",
        type=Path,
        help="SQLite only: build the store in this directory and keep it; if it is already "
        "built there, measure it again without building",
    )
    parser.add_argument(
        "--keep-database",
        metavar="NAME",
        help="PostgreSQL only: build the store in this database on the server and keep it; if "
        "it is already built there, measure it again without building",
    )
    parser.add_argument(
        "--baseline-ref",
        metavar="COMMIT",
        help="also measure the online check of this commit (e.g. 2bf02b3, before the online "
        "check was made faster) on the same store, alternating with this code's",
    )
    parser.add_argument(
        "--background-checkpoint",
        action="store_true",
        help="SQLite: checkpoint the write-ahead log from a background thread (this code only)",
    )
    parser.add_argument(
        "--all-at-once",
        action="store_true",
        help="start every handler's first check at the same moment (how this benchmark ran "
        "before 2026-12-07; for comparison)",
    )
    parser.add_argument(
        "--take",
        action="store_true",
        help="also time taking new contacts from callers on record (the first-contact join, "
        "a write) with the handlers together; this adds contacts to the store",
    )
    parser.add_argument(
        "--child-part", choices=("alone", "together", "take"), help=argparse.SUPPRESS
    )
    parser.add_argument("--child-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_part:
        return child(args)
    print(
        f"$ uv run python bench/online_check.py --months {args.months} --scale {args.scale} "
        f"--database {'sqlite' if args.database == 'sqlite' else '<postgresql url>'} "
        f"--handlers {args.handlers} --seconds {args.seconds:g} --think {args.think:g}"
        f"{' --all-at-once' if args.all_at_once else ''}"
    )
    print(f"python {platform.python_version()}, {platform.machine()}, {date.today()}")
    with tempfile.TemporaryDirectory(prefix="watchhouse-bench-") as scratch:
        tmp = str(args.store) if args.store else scratch
        server = None
        built = args.store is not None and (Path(tmp) / "bench.sqlite3").exists()
        if args.database == "sqlite":
            url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        else:
            server = create_engine(args.database, isolation_level="AUTOCOMMIT")
            name = args.keep_database or f"watchhouse_bench_{uuid.uuid4().hex[:8]}"
            with server.connect() as connection:
                built = bool(
                    connection.scalar(
                        text("SELECT count(*) FROM pg_database WHERE datname = :name"),
                        {"name": name},
                    )
                )
                if not built:
                    connection.execute(text(f"CREATE DATABASE {name}"))
            url = make_url(args.database).set(database=name).render_as_string(hide_password=False)
        try:
            Path(tmp).mkdir(parents=True, exist_ok=True)
            upgrade(url)
            ctx = build_context(
                Settings(
                    data_dir=Path(tmp),
                    database_url=url,
                    sqlite_background_checkpoint=args.background_checkpoint,
                )
            )
            actor, chosen = reuse(ctx) if built else build(ctx, args.months, args.scale)
            if server is not None:
                # Fresh planner statistics, as after any bulk load (this server runs no
                # autovacuum, and without them PostgreSQL plans the lookups blind).
                began = time.perf_counter()
                with ctx.db.engine.connect() as connection:
                    connection.execution_options(isolation_level="AUTOCOMMIT").execute(
                        text("ANALYZE")
                    )
                print(f"ANALYZE in {time.perf_counter() - began:.0f} s")
            ctx.db.engine.dispose()  # no connection held while the baseline runs
            source = None
            if args.baseline_ref:
                source = Path(scratch) / "baseline"
                source.mkdir()
                archive = subprocess.run(
                    ["git", "archive", args.baseline_ref, "src"],
                    check=True,
                    capture_output=True,
                    cwd=Path(__file__).resolve().parent.parent,
                ).stdout
                subprocess.run(["tar", "-x", "-C", str(source)], input=archive, check=True)
            results: dict[str, list[Timing]] = {}
            print(f"load average before measuring: {os.getloadavg()[0]:.2f}")
            parts = ("alone", "together", "take") if args.take else ("alone", "together")
            for part in parts:
                if source is not None:
                    results[f"old {part}"] = baseline_part(args, source, url, part)
                results[part] = measure_part(ctx, actor, chosen, part, args)
            single, busy = results["alone"], results["together"]
            print()
            print(
                f"{'':44}{'checks':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
                f"{'CPU p50':>10}{'CPU p95':>10}"
            )
            together_label = f"{args.handlers} handlers, think {args.think:g} s" + (
                ", at once" if args.all_at_once else ""
            )
            if source is not None:
                print(
                    describe(
                        f"{args.baseline_ref}: one handler, back to back", results["old alone"]
                    )
                )
                print(describe(f"{args.baseline_ref}: {together_label}", results["old together"]))
            print(describe("this code: one handler, back to back", single))
            print(describe(f"this code: {together_label}", busy))
            ratio = p95(busy) / p95(single)
            print(f"p95 with {args.handlers} handlers / p95 alone: {ratio:.2f}")
            if source is not None:
                old_single, old_busy = results["old alone"], results["old together"]
                print(
                    f"this code / {args.baseline_ref}: CPU per check (median, one handler) "
                    f"{median(single, 1) / median(old_single, 1):.2f}, "
                    f"wall p50 alone {median(single) / median(old_single):.2f}, "
                    f"wall p95 alone {p95(single) / p95(old_single):.2f}, "
                    f"wall p95 with {args.handlers} handlers {p95(busy) / p95(old_busy):.2f}"
                )
            verdict = "meets" if p95(busy) < TARGET_P95_MS else "MISSES"
            print(f"target p95 under {TARGET_P95_MS:.0f} ms: {verdict}")
            if args.take:
                taking = f"taking contacts, {args.handlers} handlers"
                if source is not None:
                    print(describe(f"{args.baseline_ref}: {taking}", results["old take"]))
                print(describe(f"this code: {taking}", results["take"]))
                if source is not None:
                    print(
                        f"taking, this code / {args.baseline_ref}: wall p50 "
                        f"{median(results['take']) / median(results['old take']):.2f}, "
                        f"wall p95 {p95(results['take']) / p95(results['old take']):.2f}"
                    )
            print(f"load average after measuring: {os.getloadavg()[0]:.2f}")
            batch_seconds, crossings, naive_seconds, checked = daily_batch(ctx, args.months)
            print(
                f"daily repeat batch for the last day: {batch_seconds:.2f} s, {crossings:,} "
                f"over a threshold; baseline contact by contact: {naive_seconds:.2f} s for "
                f"{checked:,} contacts ({naive_seconds / batch_seconds:.1f}x the batch)"
            )
            verdict = "meets" if batch_seconds < TARGET_BATCH_SECONDS else "MISSES"
            print(f"target batch under {TARGET_BATCH_SECONDS:.0f} s: {verdict}")
            ctx.db.dispose()
        finally:
            if server is not None:
                if not args.keep_database:
                    with server.connect() as connection:
                        connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                server.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
