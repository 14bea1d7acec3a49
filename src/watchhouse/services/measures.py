"""The force's measures: a snapshot of the store as Parquet, the measures run over it on
DuckDB (or Spark), targets from the policy, and the records behind a value (logged)."""

from __future__ import annotations

import json
import shutil
import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from watchhouse.analytics import tables as input_tables
from watchhouse.analytics.catalogue import (
    Cut,
    MeasureDefinition,
    MeasureValue,
    Period,
    Target,
    UnknownMeasure,
    catalogue,
    spec,
    specs,
)
from watchhouse.analytics.dialect import ENGINES, EngineName
from watchhouse.analytics.engine import MeasureEngine
from watchhouse.analytics.model import MeasureParams, MeasureSpec, RepeatWindow
from watchhouse.db.repositories import snapshot as snapshot_repo
from watchhouse.domain.access import Operation
from watchhouse.domain.errors import ValidationFailed
from watchhouse.domain.roles import Actor
from watchhouse.io import parquet
from watchhouse.services.access import log_access
from watchhouse.services.context import AppContext
from watchhouse.services.export import write_tables

SNAPSHOT_DIR = "measures-snapshot"
_FINGERPRINT_FILE = "fingerprint.json"
_LOCK = threading.Lock()
_ENGINES: dict[tuple[str, str, str], MeasureEngine] = {}
_KEPT = 4  # engines kept loaded at once (one per data directory and engine name)
# The access log names a record type in the singular, as every other service does.
_LOGGED_AS = {
    "contacts": "contact",
    "incidents": "incident",
    "partner_referrals": "partner_referral",
    "problem_solving_plans": "problem_solving_plan",
    "domestic_abuse_assessments": "domestic_abuse_assessment",
    "marac_referrals": "marac_referral",
    "crimes": "crime",
    "victim_contacts": "victim_contact",
    "stop_searches": "stop_search",
    "investigation_plans": "investigation_plan",
    "crime_victims": "crime_victim",
    "crime_admin_tasks": "crime_admin_task",
    "audit_results": "audit_result",
}


@dataclass(frozen=True)
class Snapshot:
    """A Parquet copy of the store's measure columns, and what the store held when taken."""

    directory: Path
    taken_at: datetime
    fingerprint: str


def measure_catalogue() -> tuple[MeasureDefinition, ...]:
    """Every measure's definition."""
    return catalogue()


def targets(ctx: AppContext) -> dict[str, Target]:
    """Each measure's target from the policy ([measures.targets], and the 999/101 standards)."""
    return ctx.policy.measure_targets({d.key: d.higher_is_better for d in catalogue()})


def measure_params(ctx: AppContext, *, as_of: datetime) -> MeasureParams:
    """What the measures' SQL needs from the policy, as of a moment."""
    policy = ctx.policy
    grade_targets = {
        (int(grade), settlement): minutes
        for grade, grade_policy in policy.grades.items()
        for settlement, minutes in (
            ("urban", grade_policy.target_urban_minutes),
            ("rural", grade_policy.target_rural_minutes),
        )
        if minutes is not None
    }
    return MeasureParams(
        as_of_us=int(as_of.timestamp() * 1_000_000),
        timezone=policy.force.timezone,
        standard_seconds=policy.emergency_answer.standard_seconds,
        long_seconds=policy.emergency_answer.long_seconds,
        grade_targets_minutes=grade_targets,
        repeat_windows=tuple(
            RepeatWindow(r.more_than, r.within_days) for r in policy.repeat_contacts.rules
        ),
        repeat_channels=tuple(c.value for c in policy.repeat_contacts.channels),
        repeat_count_abandoned=policy.repeat_contacts.count_abandoned,
        first_review_days=policy.investigations.first_review_days,
        victim_update_working_days=policy.victims_code.update_working_days,
        victim_update_working_days_enhanced=policy.victims_code.enhanced_update_working_days,
        enhanced_crime_groups=tuple(policy.victims_code.most_serious_crime_groups),
        plan_due_hours=policy.investigations.plan_due_hours,
    )


def take_snapshot(ctx: AppContext, *, force: bool = False) -> Snapshot:
    """The snapshot under the data directory, written again when missing or when the store has
    changed since (row counts, largest ids, last incident update, last access-log entry),
    unless it is younger than the policy's snapshot_reuse_seconds (0 by default)."""
    root = Path(ctx.settings.data_dir) / SNAPSHOT_DIR
    wanted = input_tables.snapshot_columns()
    with ctx.db.transaction() as session:
        fingerprint = json.dumps(
            snapshot_repo.store_fingerprint(session=session, tables=list(wanted)), sort_keys=True
        )
        existing = _read_snapshot(root)
        if existing is not None and not force:
            age = (ctx.now() - existing.taken_at).total_seconds()
            if existing.fingerprint == fingerprint or (
                0 <= age < ctx.policy.measures.snapshot_reuse_seconds
            ):
                return existing
        taken_at = ctx.now()
        scratch = root.with_name(f"{SNAPSHOT_DIR}.partial-{uuid.uuid4().hex[:8]}")
        scratch.mkdir(parents=True)
        try:
            written = write_tables(session=session, directory=scratch, columns=wanted)
            parquet.publish([t.path for t in written])
            (scratch / _FINGERPRINT_FILE).write_text(
                json.dumps({"taken_at": taken_at.isoformat(), "fingerprint": fingerprint})
            )
        except BaseException:
            shutil.rmtree(scratch, ignore_errors=True)
            raise
    old = root.with_name(f"{SNAPSHOT_DIR}.old-{uuid.uuid4().hex[:8]}")
    if root.exists():
        root.rename(old)
    scratch.rename(root)
    shutil.rmtree(old, ignore_errors=True)
    return Snapshot(root, taken_at, fingerprint)


def _read_snapshot(root: Path) -> Snapshot | None:
    try:
        meta = json.loads((root / _FINGERPRINT_FILE).read_text())
    except (OSError, ValueError):
        return None
    return Snapshot(root, datetime.fromisoformat(meta["taken_at"]), meta["fingerprint"])


def _engine(ctx: AppContext, snapshot: Snapshot, engine: str) -> MeasureEngine:
    """An engine with the snapshot loaded, kept for reuse until the snapshot changes."""
    name = _engine_name(engine)
    key = (str(snapshot.directory), snapshot.fingerprint, name)
    found = _ENGINES.get(key)
    if found is None:
        stale = [k for k in _ENGINES if k[0] == key[0] and k[2] == name]
        stale += [k for k in _ENGINES if k not in stale][: max(0, len(_ENGINES) - _KEPT + 1)]
        for old in stale:
            _ENGINES.pop(old).close()
        data = input_tables.read_tables(snapshot.directory, timezone=ctx.policy.force.timezone)
        found = _ENGINES[key] = MeasureEngine(data, engine=name)
    return found


def _engine_name(engine: str) -> EngineName:
    for name in ENGINES:
        if engine == name:
            return name
    raise ValidationFailed.one("engine", f"unknown engine {engine!r}: choose duckdb or spark")


def _chosen(measures: Sequence[str] | None) -> list[MeasureSpec]:
    if not measures:
        return list(specs())
    try:
        return [spec(key) for key in measures]
    except UnknownMeasure as error:
        raise ValidationFailed.one("measures", str(error)) from error


def compute_measures(
    ctx: AppContext,
    *,
    actor: Actor,
    measures: Sequence[str] | None = None,
    period: Period = Period.MONTH,
    cut: Cut = Cut.FORCE,
    start: date,
    end: date,
    engine: str = "duckdb",
) -> list[MeasureValue]:
    """The measures (all by default) for each period starting within [start, end] (inclusive),
    cut as asked; aggregates only, no personal data. A measure that cannot be cut that way is
    refused when named, and left out when all are asked for."""
    del actor  # aggregates only: nothing personal is consulted, so nothing is logged
    chosen = _chosen(measures)
    if end < start:
        raise ValidationFailed.one("end", f"the range ends ({end}) before it starts ({start})")
    if measures:
        refused = [s.key for s in chosen if cut not in s.definition.cuts]
        if refused:
            raise ValidationFailed.one("cut", f"{', '.join(refused)} cannot be cut by {cut.value}")
    with _LOCK:
        snapshot = take_snapshot(ctx)
        runner = _engine(ctx, snapshot, engine)
        return runner.compute(
            chosen,
            measure_params(ctx, as_of=ctx.now()),
            periods=[period],
            cuts=[cut],
            start=start,
            end=end,
        )


def drill_down(
    ctx: AppContext,
    *,
    actor: Actor,
    measure: str,
    period: Period,
    period_start: date,
    cut: Cut = Cut.FORCE,
    cut_value: str | None = None,
    limit: int = 200,
    justification: str | None = None,
) -> list[dict[str, object]]:
    """The records behind one value (at most `limit`), each logged as a consultation."""
    (chosen,) = _chosen([measure])
    if cut not in chosen.definition.cuts:
        raise ValidationFailed.one("cut", f"{measure} cannot be cut by {cut.value}")
    if limit < 1:
        raise ValidationFailed.one("limit", "ask for at least one record")
    with _LOCK:
        snapshot = take_snapshot(ctx)
        runner = _engine(ctx, snapshot, "duckdb")
        try:
            rows = runner.records(
                chosen,
                measure_params(ctx, as_of=ctx.now()),
                period=period,
                period_start=period_start,
                cut=cut,
                cut_value=cut_value,
                limit=limit,
            )
        except ValueError as error:
            raise ValidationFailed.one("period_start", str(error)) from error
    record_type = _LOGGED_AS.get(chosen.definition.record_type, chosen.definition.record_type)
    reason = justification or f"performance drill-down: {measure}, {period.value} {period_start}"
    with ctx.db.transaction() as session:
        for row in rows:
            log_access(
                ctx,
                session=session,
                actor=actor,
                operation=Operation.CONSULTATION,
                record_type=record_type,
                record_id=row["record_id"],
                justification=reason,
            )
    return rows
