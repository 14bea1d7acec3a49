"""Where a PostgreSQL import's server CPU goes, step by step (issue 14).

    uv run python bench/import_cad_steps.py gen FOLDER ROWS FILES
    uv run python bench/import_cad_steps.py run SRC FOLDER LABEL

`gen` writes the `shared` file set of import_cad.py (and its mapping, FOLDER.toml). `run`
imports it with the `watchhouse` package found in SRC (a checkout's `src`, or one extracted with
`git archive REF src`) into a fresh scratch database, reads the backend's CPU
(`/proc/<pid>/stat`) before and after each repository step, prints µs per row stored as JSON,
and drops the database. Same machine as the server only.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"


def generate(folder: Path, rows: int, files: int) -> None:
    """The shared set and its mapping."""
    sys.path.insert(0, str(Path(__file__).parent))
    import import_cad

    import_cad.generate(folder, rows, files, real=False)
    folder.with_suffix(".toml").write_text(import_cad.SHARED_MAPPING, encoding="utf-8")


def run(src: str, folder: Path, label: str) -> None:
    """Import every file of `folder` with the code in `src`, timing the server per step."""
    sys.path.insert(0, src)
    import psycopg

    import watchhouse
    from watchhouse.config import Settings
    from watchhouse.db import bulk
    from watchhouse.db.repositories import imports as repo
    from watchhouse.db.repositories import users as user_repo
    from watchhouse.domain.roles import Actor, Role
    from watchhouse.io.force_mapping import load_mapping
    from watchhouse.services import imports
    from watchhouse.services.context import build_context

    assert watchhouse.__file__ and watchhouse.__file__.startswith(src), watchhouse.__file__
    name = f"bench_cad_steps_{label}_{os.getpid()}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    work = Path(f"/tmp/{name}")
    work.mkdir(exist_ok=True)
    try:
        url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
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
        tick = os.sysconf("SC_CLK_TCK")
        spent: dict[str, float] = defaultdict(float)

        def cpu(session: Any) -> float:
            pid = session.connection().connection.dbapi_connection.info.backend_pid
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / tick

        def timed(module: Any, function: str, step: Callable[[dict[str, Any]], str]) -> None:
            real = getattr(module, function)

            def wrapper(*args: Any, **kwargs: Any) -> Any:
                before = cpu(kwargs["session"])
                try:
                    return real(*args, **kwargs)
                finally:
                    spent[step(kwargs)] += cpu(kwargs["session"]) - before

            setattr(module, function, wrapper)

        timed(bulk, "_copy_postgresql", lambda k: "copy " + k["table_name"])
        timed(bulk, "check_references", lambda k: "check " + k["table_name"])
        timed(repo, "stored_number_ids", lambda k: "numbers")  # not called by pgimport4's
        timed(repo, "stored_external_refs", lambda k: "re-run look-up")
        timed(repo, "reserve_ids", lambda k: "ids")
        timed(repo, "add_force_records", lambda k: "add_force_records (all)")
        mapping = load_mapping(folder.with_suffix(".toml"))
        files = sorted(folder.glob("cad-week-*.csv"))
        started = time.perf_counter()
        results = imports.import_force_exports(
            ctx, actor=actor, paths=files, mapping=mapping, report_dir=work
        )
        wall = time.perf_counter() - started
        rows = sum(r.rows_added for r in results)
        ctx.db.dispose()
        per_row = {step: round(s / rows * 1e6, 2) for step, s in sorted(spent.items())}
        print(json.dumps({"label": label, "rows": rows, "wall": round(wall, 1), "us": per_row}))
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name}")


if __name__ == "__main__":
    if sys.argv[1] == "gen":
        generate(Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
    else:
        run(sys.argv[2], Path(sys.argv[3]), sys.argv[4])
