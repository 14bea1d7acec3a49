"""Benchmark: what the force's extra identifiers cost the online check.

    uv run python bench/online_identifiers.py [--months 2] [--scale 0.2] [--checks 400]

A fresh SQLite store holds the synthetic force (`--months` from 2024-03-01 at `--scale`); a
PNC ID is given to 60% of the contacts (one per true person), and the identity linkage is
run with the PNC ID declared (policy `[identity] extra_identifiers`). Then the handler's
contact screen (`services.contacts.get_contact`: likely people, repeats, plans, flags and the
access-log write) is opened for `--checks` random contacts that carry a PNC ID, each twice,
interleaved in one run: with the PNC ID declared (the online check looks people up by it
and compares it) and, as the baseline, the same store and model with no identifier declared.
Reported: median and p95 wall time and CPU time per check, the ratio, and the load average.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

from sqlalchemy import select

from watchhouse.config import Settings
from watchhouse.db import bulk
from watchhouse.db.engine import Database
from watchhouse.db.migrate import upgrade
from watchhouse.db.tables import ContactIdentifierRow, GroundTruthRow
from watchhouse.domain.roles import Actor, Role
from watchhouse.policy import load_policy
from watchhouse.policy.model import ExtraIdentifier
from watchhouse.services import accounts, contacts, identity
from watchhouse.services.context import AppContext
from watchhouse.services.synth import SynthRequest, synth_to_database


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def main() -> int:
    """Build the store, time both ways interleaved, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--months", type=int, default=2)
    parser.add_argument("--scale", type=float, default=0.2)
    parser.add_argument("--checks", type=int, default=400)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="online_identifiers_"))
    url = f"sqlite:///{folder / 'store.sqlite3'}"
    upgrade(url)
    db = Database(url)
    settings = Settings(environment="test", data_dir=folder, database_url=url)
    plain = AppContext(settings=settings, db=db, policy=load_policy())
    chosen = plain.policy.identity.model_copy(
        update={"extra_identifiers": [ExtraIdentifier(name="pnc_id", kind="identifier")]}
    )
    declared = replace(plain, policy=plain.policy.model_copy(update={"identity": chosen}))
    end_month = 3 + args.months
    synth_to_database(
        plain,
        SynthRequest(
            start=date(2024, 3, 1),
            end=date(2024 + (end_month - 1) // 12, (end_month - 1) % 12 + 1, 1),
            scale=args.scale,
            seed=17,
        ),
    )
    chooser = random.Random(3)
    with db.transaction() as session:
        truth = list(
            session.execute(select(GroundTruthRow.contact_id, GroundTruthRow.true_person_id))
        )
        rows = [(c, "pnc_id", f"2019{p:07d}X") for c, p in truth if chooser.random() < 0.6]
        bulk.insert_rows(
            session=session,
            table_name="contact_identifiers",
            columns=("contact_id", "name", "value"),
            rows=rows,
        )
    admin = accounts.add_user(
        plain,
        username="admin",
        display_name="Admin",
        role=Role.ADMINISTRATOR,
        password="amber-lantern-quietly-47",
    )
    identity.link_identities(
        declared, actor=Actor(admin.id, admin.username, admin.display_name, admin.role)
    )
    handler_user = accounts.add_user(
        plain,
        username="handler",
        display_name="Handler",
        role=Role.CALL_HANDLER,
        password="amber-lantern-quietly-47",
    )
    handler = Actor(
        handler_user.id, handler_user.username, handler_user.display_name, handler_user.role
    )
    with db.transaction() as session:
        with_pnc = list(session.scalars(select(ContactIdentifierRow.contact_id)))
    picked = random.Random(5).sample(with_pnc, min(args.checks, len(with_pnc)))
    timings: dict[str, list[tuple[float, float]]] = {"declared": [], "baseline": []}
    for contact_id in picked:  # warm both (model parse, statement caches)
        for ctx in (declared, plain):
            contacts.get_contact(ctx, actor=handler, contact_id=contact_id, justification="bench")
        break
    for index, contact_id in enumerate(picked):
        order = [("declared", declared), ("baseline", plain)]
        if index % 2:
            order.reverse()
        for label, ctx in order:
            wall, cpu = time.perf_counter(), time.process_time()
            contacts.get_contact(ctx, actor=handler, contact_id=contact_id, justification="bench")
            timings[label].append(
                ((time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000)
            )
    print(
        f"store: {len(truth):,} contacts, {len(rows):,} with a PNC ID; "
        f"{len(picked)} checks each way, interleaved"
    )
    for label in ("declared", "baseline"):
        walls = [w for w, _c in timings[label]]
        cpus = [c for _w, c in timings[label]]
        print(
            f"{label:9} wall median {statistics.median(walls):6.2f} ms p95 {_p95(walls):6.2f} ms;"
            f" CPU median {statistics.median(cpus):6.2f} ms"
        )
    ratio = statistics.median(w for w, _c in timings["declared"]) / statistics.median(
        w for w, _c in timings["baseline"]
    )
    cpu_ratio = statistics.median(c for _w, c in timings["declared"]) / statistics.median(
        c for _w, c in timings["baseline"]
    )
    print(f"ratio declared / baseline: wall {ratio:.2f}, CPU {cpu_ratio:.2f}")
    print(f"load average: {os.getloadavg()}")
    db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
