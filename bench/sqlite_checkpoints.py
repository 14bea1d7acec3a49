"""Benchmark: SQLite's write-ahead log under a stream of contact writes, with the automatic
checkpoint inside a request's commit (the default) beside the background checkpointer
(`WATCHHOUSE_SQLITE_BACKGROUND_CHECKPOINT`), alternating, in one process.

    uv run python bench/sqlite_checkpoints.py [--writes 3000] [--rounds 2]

Each round and mode: a fresh SQLite store (`upgrade`, one neighbourhood, one call handler),
then `--writes` contacts taken one after another with `services.contacts.take_contact` (the
bodies of bench/load.py: 1,000 callers, each with its own Idempotency-Key), each timed. After
each write the log's header is read: its checkpoint sequence number changes when a writer
starts the log again after a complete checkpoint, so the write before a change is the one
whose commit ran the checkpoint (while it held the write gate: every other writer waited).
Reported: the write's p50/p99/max, the checkpointing writes apart, how many pages of the log
a write adds, and the log's and the database's size at the end.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import body_for, loadavg, percentile

from watchhouse.config import Settings
from watchhouse.db.migrate import upgrade
from watchhouse.db.repositories import users
from watchhouse.domain.records import NewContact
from watchhouse.domain.roles import Actor, Role
from watchhouse.domain.values import Channel, Settlement
from watchhouse.services import contacts, reference
from watchhouse.services.context import build_context

WAL_HEADER_BYTES = 32
AUTOCHECKPOINT_PAGES = 1000  # SQLite's default wal_autocheckpoint


def wal_sequence(wal: Path) -> int:
    """The checkpoint sequence number in the log's header (-1 before there is a log)."""
    try:
        with wal.open("rb") as log:
            return int.from_bytes(log.read(WAL_HEADER_BYTES)[12:16], "big")
    except OSError:
        return -1


def one_run(folder: Path, background: bool, writes: int) -> str:
    """A fresh store and `writes` contacts; the line reported."""
    url = f"sqlite:///{folder / 'watchhouse.sqlite3'}"
    upgrade(url)
    settings = Settings(data_dir=folder, database_url=url, sqlite_background_checkpoint=background)
    ctx = build_context(settings, migrate=False)
    reference.add_neighbourhood(ctx, code="central", name="Central", settlement=Settlement.URBAN)
    with ctx.db.transaction() as session:
        user = users.add_user(
            session=session,
            username="handler",
            display_name="Handler",
            role=Role.CALL_HANDLER,
            password_hash="x",
            now=ctx.now(),
        )
        actor = Actor(user.id, user.username, user.display_name, user.role)
    wal = folder / "watchhouse.sqlite3-wal"
    rng = random.Random(16)
    ms: list[float] = []
    sequences: list[int] = []
    for number in range(writes):
        key = f"write-{number}"
        body = {k: v for k, v in body_for(rng, number, key).items() if k != "channel"}
        new = NewContact(channel=Channel.NON_EMERGENCY_101, **body)  # type: ignore[arg-type]
        began = time.perf_counter()
        contacts.take_contact(ctx, actor=actor, new=new, idempotency_key=key)
        ms.append((time.perf_counter() - began) * 1000)
        sequences.append(wal_sequence(wal))
    wal_mb = wal.stat().st_size / 1e6
    db_mb = (folder / "watchhouse.sqlite3").stat().st_size / 1e6
    ctx.db.dispose()
    checkpointing = {n - 1 for n in range(1, writes) if sequences[n] != sequences[n - 1]}
    at_checkpoint = [ms[n] for n in sorted(checkpointing)]
    others = [m for n, m in enumerate(ms) if n not in checkpointing]
    mode = "background checkpointer" if background else "checkpoint in the commit (default)"
    line = (
        f"{mode}: write p50 {statistics.median(ms):.1f} ms, p99 {percentile(ms, 0.99):.1f}, "
        f"max {max(ms):.0f}; log started again {len(checkpointing)} times"
    )
    if at_checkpoint:
        per_write = AUTOCHECKPOINT_PAGES * len(checkpointing) / writes
        line += (
            f" (every {writes / len(checkpointing):.0f} writes, about {per_write:.1f} pages "
            f"a write): the checkpointing write p50 {statistics.median(at_checkpoint):.1f} ms, "
            f"max {max(at_checkpoint):.0f}; the others p50 {statistics.median(others):.1f}, "
            f"p99 {percentile(others, 0.99):.1f}"
        )
    return f"{line}; at the end the log {wal_mb:.1f} MB, the database {db_mb:.1f} MB"


def main() -> None:
    """Both modes, alternating, `--rounds` times."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--writes", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    print(f"load {loadavg()}")
    with tempfile.TemporaryDirectory(prefix="watchhouse-wal-") as scratch:
        for round_number in range(args.rounds):
            for background in (False, True):
                folder = Path(scratch) / f"{round_number}-{background}"
                folder.mkdir()
                print(one_run(folder, background, args.writes), flush=True)
    print(f"load {loadavg()}")


if __name__ == "__main__":
    main()
