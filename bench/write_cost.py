"""Benchmark: what one contact write costs (CPU, SQL statements, transactions), this checkout
beside a baseline, in one run.

    uv run python bench/write_cost.py [--database sqlite|POSTGRES_URL] [--writes 300]
        [--rounds 5] [--baseline-ref REF]

Issue 16 (Load) asks for 200 writes/s on this 2-core machine; bench/load.py measures the
throughput of a served store, which depends on the load the machine is under. This one
measures the cost of a write itself, which the throughput follows: CPU time of the process
(every thread: the test client's server thread included), the statements sent and the
transactions committed, per `POST /api/contacts` (the whole answer, with the caller check, and
with `Prefer: return=minimal`).

Each side (this checkout; the baseline: `git archive REF src`, default main, extracted into a
temporary directory and put first on PYTHONPATH, never copied into the repository) runs in its
own child process on its own fresh store (a SQLite file, or a new database on the PostgreSQL
server given, dropped afterwards). The sides alternate for `--rounds` rounds; each round is
`--writes` writes of each kind from 20 callers (a third of them ringing again) after a warm-up,
and the medians of the rounds are reported with the ratio baseline / current and the load
average (the machine is shared).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import uuid
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KINDS = ("whole", "minimal")


def worker(database: str, scratch: Path, writes: int) -> None:
    """In the child: a fresh store, a handler, then `writes` writes of each kind; print JSON."""
    from fastapi.testclient import TestClient
    from sqlalchemy import create_engine, event, text
    from sqlalchemy.engine import make_url

    from watchhouse.config import Settings
    from watchhouse.db.migrate import upgrade
    from watchhouse.db.repositories import users
    from watchhouse.domain.roles import Role
    from watchhouse.domain.values import Settlement
    from watchhouse.services import accounts, reference
    from watchhouse.services.context import build_context
    from watchhouse.web.app import create_app

    name = None
    if database == "sqlite":
        url = f"sqlite:///{scratch / 'watchhouse.sqlite3'}"
    else:
        name = f"watchhouse_writecost_{uuid.uuid4().hex[:8]}"
        admin = create_engine(database, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(database).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        settings = Settings(environment="test", data_dir=scratch, database_url=url)
        ctx = build_context(settings, migrate=False)
        reference.add_neighbourhood(
            ctx, code="central", name="Central", settlement=Settlement.URBAN
        )
        with ctx.db.transaction() as session:
            users.add_user(
                session=session,
                username="writer",
                display_name="Writer",
                role=Role.CALL_HANDLER,
                password_hash="x",
                now=ctx.now(),
            )
        token = accounts.issue_api_token(ctx, username="writer")
        client = TestClient(create_app(context=ctx), headers={"Authorization": f"Bearer {token}"})
        counts = {"statements": 0, "commits": 0}

        def statement(*_: object) -> None:
            counts["statements"] += 1

        def commit(*_: object) -> None:
            counts["commits"] += 1

        event.listen(ctx.db.engine, "before_cursor_execute", statement)
        event.listen(ctx.db.engine, "commit", commit)

        def body(number: int) -> dict[str, object]:
            caller = number % 20 if number % 3 == 0 else number
            return {
                "channel": "101",
                "caller_given_name": f"Sam{caller}",
                "caller_family_name": f"Lowe{caller % 50}",
                "telephone": f"07700 9{caller:05d}",
                "location_description": f"{caller % 40} High Street",
                "neighbourhood_code": "central",
                "summary": "Bicycle stolen",
            }

        sent = 0

        def post(kind: str) -> None:
            nonlocal sent
            sent += 1
            headers = {"Idempotency-Key": f"k{sent}"}
            if kind == "minimal":
                headers["Prefer"] = "return=minimal"
            answer = client.post("/api/contacts", json=body(sent), headers=headers)
            if answer.status_code != 201:
                raise SystemExit(f"write {sent} answered {answer.status_code}: {answer.text}")

        for _ in range(30):  # warm-up: caches, prepared statements, a store with some callers
            post("whole")
        out: dict[str, dict[str, float]] = {}
        for kind in KINDS:
            counts.update(statements=0, commits=0)
            started = time.process_time()
            for _ in range(writes):
                post(kind)
            out[kind] = {
                "cpu_ms": (time.process_time() - started) / writes * 1000,
                "statements": counts["statements"] / writes,
                "commits": counts["commits"] / writes,
            }
        ctx.db.dispose()
        print(json.dumps(out))
    finally:
        if name is not None:
            admin = create_engine(database, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = :n AND pid <> pg_backend_pid()"
                    ),
                    {"n": name},
                )
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            admin.dispose()


def _baseline_source(ref: str, into: Path) -> Path:
    archive = subprocess.run(
        ["git", "archive", "--format=tar", ref, "src"], check=True, capture_output=True, cwd=ROOT
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into / "src"


def _child(code: Path | None, database: str, scratch: Path, writes: int) -> dict[str, dict]:
    env = dict(os.environ)
    if code is not None:
        env["PYTHONPATH"] = str(code)
    scratch.mkdir(parents=True)
    command = [sys.executable, __file__, "--worker", str(scratch), "--database", database]
    command += ["--writes", str(writes)]
    done = subprocess.run(command, check=True, capture_output=True, text=True, env=env)
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> int:
    """Run both sides, alternating, and print the medians and the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="sqlite", help="sqlite, or a PostgreSQL URL")
    parser.add_argument("--writes", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--baseline-ref", default="main", help="git ref of the baseline")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker is not None:
        worker(args.database, args.worker, args.writes)
        return 0
    ref = subprocess.run(
        ["git", "rev-parse", args.baseline_ref], check=True, capture_output=True, text=True
    ).stdout.strip()
    print(f"baseline {ref[:12]}; database {args.database.split(':')[0]}; {args.writes} writes")
    print(f"load before: {Path('/proc/loadavg').read_text().strip()}")
    results: dict[str, list[dict[str, dict[str, float]]]] = {"current": [], "baseline": []}
    with tempfile.TemporaryDirectory() as scratch_dir:
        work = Path(scratch_dir)
        base = _baseline_source(ref, work / "base")
        for round_number in range(args.rounds):
            for side, code in (("current", None), ("baseline", base)):
                where = work / f"{side}-{round_number}"
                results[side].append(_child(code, args.database, where, args.writes))
            print(f"round {round_number + 1} done; load {Path('/proc/loadavg').read_text()[:14]}")
    for kind in KINDS:
        line = [f"{kind:<8}"]
        for measure, unit in (
            ("cpu_ms", "ms CPU"),
            ("statements", "statements"),
            ("commits", "commits"),
        ):
            current = statistics.median(r[kind][measure] for r in results["current"])
            baseline = statistics.median(r[kind][measure] for r in results["baseline"])
            ratio = baseline / current if current else float("nan")
            line.append(f"{unit}: {current:.2f} (baseline {baseline:.2f}, {ratio:.2f}x)")
        print("  ".join(line))
    print(f"load after: {Path('/proc/loadavg').read_text().strip()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
