"""Benchmark: batch identity linkage of about a million contact records, and its accuracy.

    uv run python bench/identity_linkage.py [--months 21] [--scale 1.0] [--skip-baseline]

Target (issue 4): link 1 million contact records in under 10 minutes on this 2-core machine,
with pairwise precision at least 0.95 and recall at least 0.90 against the synthetic force's
ground truth.

Steps: the default profile is generated into a fresh SQLite store (`--months` from
2023-01-01 at `--scale`; 21 months at full scale is about a million contacts that name their
caller); then `watchhouse.services.identity.link_identities` runs on DuckDB as the CLI runs
it (read, normalise, fold identical records, train, predict, cluster, store, evaluate), in a
child process so its peak memory is its own.

Baselines, run side by side on the same records:
- speed: the same splink model and pipeline without folding identical records into one
  (every contact record its own row), in a child process;
- accuracy: what watchhouse did before identity resolution, linking only records with exactly
  the same name and date of birth.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

GENERATE = r"""
import json, sys, time
from datetime import date
from pathlib import Path
from watchhouse.config import Settings
from watchhouse.services.context import build_context
from watchhouse.services.synth import SynthRequest, synth_to_database
out, months, scale = Path(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
end = date(2023 + (months // 12), 1 + months % 12, 1)
ctx = build_context(Settings(data_dir=out, database_url=f"sqlite:///{out / 'bench.sqlite3'}"))
began = time.perf_counter()
rows = synth_to_database(ctx, SynthRequest(start=date(2023, 1, 1), end=end, scale=scale, seed=4))
print(json.dumps({"seconds": time.perf_counter() - began, "contacts": rows["contacts"]}))
"""

LINK = r"""
import json, resource, sys, time
from pathlib import Path
from watchhouse.config import Settings
from watchhouse.db.repositories import users
from watchhouse.domain.roles import Actor, Role
from watchhouse.services import identity
from watchhouse.services.context import build_context
out, fold = Path(sys.argv[1]), sys.argv[2] == "fold"
ctx = build_context(Settings(data_dir=out, database_url=f"sqlite:///{out / 'bench.sqlite3'}"))
if not fold:
    # Baseline: every record is its own signature (nothing folded).
    import numpy as np, pyarrow as pa
    from watchhouse.linkage import records as linkage_records
    def signatures(records):
        from watchhouse.domain.identity import (
            given_name_forms, postcode_district, postcode_sector)
        table = records.select(list(linkage_records.SIGNATURE_COLUMNS))
        given = table.column("given_name").to_pylist()
        postcodes = table.column("postcode").to_pylist()
        rows = np.arange(records.num_rows)
        table = table.append_column("unique_id", pa.array(rows, pa.int64()))
        forms = [sorted(given_name_forms(g)) or None for g in given]
        table = table.append_column("given_forms", pa.array(forms, pa.list_(pa.string())))
        sectors = pa.array([postcode_sector(p) for p in postcodes], pa.string())
        table = table.append_column("postcode_sector", sectors)
        districts = pa.array([postcode_district(p) for p in postcodes], pa.string())
        table = table.append_column("postcode_district", districts)
        return table, rows
    identity.signatures = signatures
with ctx.db.transaction() as session:
    admin = users.add_user(session=session, username=f"bench-{fold}", display_name="Bench",
                           role=Role.ADMINISTRATOR, password_hash="x", now=ctx.now())
actor = Actor(admin.id, admin.username, admin.display_name, Role.ADMINISTRATOR)
began = time.perf_counter()
report = identity.link_identities(ctx, actor=actor)
seconds = time.perf_counter() - began
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "peak_mib": peak, "records": report.records,
                  "signatures": report.signatures, "pairs": report.pairs,
                  "clusters": report.clusters,
                  "precision": report.accuracy.precision, "recall": report.accuracy.recall}))
"""


def child(code: str, *args: str) -> dict[str, float]:
    """Run a piece of the benchmark in a fresh process; return what it printed last (JSON)."""
    done = subprocess.run(
        [sys.executable, "-c", code, *args], check=True, capture_output=True, text=True
    )
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def exact_name_and_birth_accuracy(store: Path) -> tuple[float, float]:
    """Precision and recall of linking records with exactly the same name and date of birth
    (what watchhouse did at the point of contact before identity resolution)."""
    import sqlite3

    connection = sqlite3.connect(store / "bench.sqlite3")
    rows = connection.execute(
        """
        SELECT lower(trim(c.caller_given_name)), lower(trim(c.caller_family_name)),
               c.caller_date_of_birth, g.true_person_id
        FROM contacts c JOIN synthetic_ground_truth g ON g.contact_id = c.id
        WHERE c.caller_family_name IS NOT NULL OR c.caller_date_of_birth IS NOT NULL
        """
    ).fetchall()
    connection.close()
    # Records without a full name and date of birth stay on their own.
    clusters: dict[object, int] = {}
    cells: dict[tuple[object, int], int] = {}
    truth: dict[int, int] = {}
    for number, (given, family, born, person) in enumerate(rows):
        key: object = (given, family, born) if given and family and born else ("alone", number)
        clusters[key] = clusters.get(key, 0) + 1
        cells[(key, person)] = cells.get((key, person), 0) + 1
        truth[person] = truth.get(person, 0) + 1

    def pairs(sizes: object) -> int:
        return sum(n * (n - 1) // 2 for n in sizes)  # type: ignore[attr-defined]

    right = pairs(cells.values())
    return right / pairs(clusters.values()), right / pairs(truth.values())


def main() -> int:
    """Generate, link, compare, print."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--months", type=int, default=21)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--skip-baseline", action="store_true")
    args = parser.parse_args()
    print(f"$ uv run python bench/identity_linkage.py --months {args.months} --scale {args.scale}")
    print(f"python {platform.python_version()}, {platform.machine()}, {date.today()}")
    with tempfile.TemporaryDirectory(prefix="watchhouse-bench-") as tmp:
        store = Path(tmp)
        started = time.perf_counter()
        made = child(GENERATE, tmp, str(args.months), str(args.scale))
        print(f"generated {made['contacts']:,.0f} contacts in {made['seconds']:.0f} s")
        linked = child(LINK, tmp, "fold")
        print(
            f"linkage: {linked['records']:,.0f} records ({linked['signatures']:,.0f} distinct), "
            f"{linked['pairs']:,.0f} pairs, {linked['clusters']:,.0f} people, "
            f"{linked['seconds']:.1f} s, peak {linked['peak_mib']:,.0f} MiB; "
            f"precision {linked['precision']:.4f}, recall {linked['recall']:.4f}"
        )
        precision, recall = exact_name_and_birth_accuracy(store)
        print(
            f"baseline exact name + date of birth: precision {precision:.4f}, recall {recall:.4f}"
        )
        if not args.skip_baseline:
            plain = child(LINK, tmp, "nofold")
            print(
                f"baseline without folding identical records: {plain['seconds']:.1f} s, "
                f"peak {plain['peak_mib']:,.0f} MiB, {plain['pairs']:,.0f} pairs; "
                f"precision {plain['precision']:.4f}, recall {plain['recall']:.4f}; "
                f"folded / unfolded time {linked['seconds'] / plain['seconds']:.2f}"
            )
        per_million = linked["seconds"] * 1_000_000 / linked["records"]
        verdict = "meets" if per_million < 600 else "MISSES"
        print(f"seconds per million records: {per_million:.0f} (target under 600: {verdict})")
        print(f"bench total {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
