"""The force's measures: a snapshot of the store as Parquet, the measures run over it on
DuckDB (or Spark), targets from the policy, and the records behind a value (logged)."""

from __future__ import annotations

import contextlib
import json
import logging
import multiprocessing
import os
import shutil
import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

from sqlalchemy.orm import Session

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
from watchhouse.analytics.model import Kind, MeasureParams, MeasureSpec, RepeatWindow
from watchhouse.config import Settings
from watchhouse.db.repositories import snapshot as snapshot_repo
from watchhouse.domain.access import Operation
from watchhouse.domain.errors import ValidationFailed
from watchhouse.domain.roles import Actor
from watchhouse.io import parquet
from watchhouse.services.access import log_access
from watchhouse.services.context import AppContext, build_context
from watchhouse.services.export import write_tables
from watchhouse.services.recent import Recent

SNAPSHOT_DIR = "measures-snapshot"
_FINGERPRINT_FILE = "fingerprint.json"
_LOCK = threading.Lock()  # held while an engine is used or swapped
_WRITE_LOCK = threading.Lock()  # one snapshot written at a time in this process
_REFRESHING_LOCK = threading.Lock()
_ENGINES: dict[tuple[str, str], _Loaded] = {}  # (data directory, engine name) -> engine
_REFRESHING: dict[tuple[str, str], threading.Thread] = {}
_KEPT = 4  # engines kept loaded at once (one per data directory and engine name)
_ANSWERS_KEPT = 128  # answers kept per loaded snapshot (questions: measures, period, cut, span)
_LOG = logging.getLogger(__name__)
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
# Logged changes (not consultations) to these record types may change a measured row in place,
# so the snapshot's change check looks for the last one.
CHANGED_RECORD_TYPES = (
    "contact",
    "person",
    "incident",
    "partner_referral",
    "problem_solving_plan",
    "risk_assessment",
    "crime",
    "crime_victim",
    "identity_run",
    "import_batch",  # an import may update rows in place (the records importer does)
)


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
        timezone=policy.reporting_zone,
        week_start=policy.reporting.week_start,
        standard_seconds=policy.emergency_answer.standard_seconds,
        long_seconds=policy.emergency_answer.long_seconds,
        grade_targets_minutes=grade_targets,
        domestic_abuse_targets_minutes={
            int(g): t.total_seconds() / 60 for g, t in policy.domestic_abuse_targets().items()
        },
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
    """The snapshot under the data directory, written again when missing, when `force`, or when
    the measured tables have changed since (row counts, largest ids, the last incident update,
    the last linkage run, the last logged change to a measured record); consultations, sign-ins
    and the tables the measures never read change nothing here."""
    root = _root(ctx)
    with _WRITE_LOCK, ctx.db.transaction() as session:
        fingerprint = _fingerprint(session)
        existing = _read_snapshot(root)
        if existing is not None and not force and existing.fingerprint == fingerprint:
            return existing
        taken_at = ctx.now()
        scratch = root.with_name(f"{SNAPSHOT_DIR}.partial-{uuid.uuid4().hex[:8]}")
        scratch.mkdir(parents=True)
        try:
            wanted = input_tables.snapshot_columns()
            written = write_tables(session=session, directory=scratch, columns=wanted)
            parquet.publish([t.path for t in written])
            input_tables.write_prepared(scratch, timezone=ctx.policy.reporting_zone)
            (scratch / _FINGERPRINT_FILE).write_text(
                json.dumps({"taken_at": taken_at.isoformat(), "fingerprint": fingerprint})
            )
        except BaseException:
            shutil.rmtree(scratch, ignore_errors=True)
            raise
        old = root.with_name(f"{SNAPSHOT_DIR}.old-{uuid.uuid4().hex[:8]}")
        if root.exists():
            with contextlib.suppress(FileNotFoundError):  # another worker moved it first
                root.rename(old)
        try:
            scratch.rename(root)
        except OSError:  # another process published one in between: theirs stands
            shutil.rmtree(scratch, ignore_errors=True)
            found = _read_snapshot(root)
            if found is None:
                raise
            return found
        finally:
            shutil.rmtree(old, ignore_errors=True)
    return Snapshot(root, taken_at, fingerprint)


def _fingerprint(session: Session) -> str:
    found = snapshot_repo.store_fingerprint(
        session=session,
        tables=list(input_tables.snapshot_columns()),
        changed_record_types=CHANGED_RECORD_TYPES,
    )
    return json.dumps(found, sort_keys=True)


def _store_changed(ctx: AppContext) -> bool:
    """True when the store no longer matches the snapshot on disk (or there is none)."""
    existing = _read_snapshot(_root(ctx))
    with ctx.db.transaction() as session:
        return existing is None or existing.fingerprint != _fingerprint(session)


def _snapshot_in_child(settings: Settings, taken_at: str) -> None:
    """Run in a child process: write the snapshot at a low priority (see `_refresh`)."""
    os.nice(10)
    ctx = build_context(settings, migrate=False)
    moment = datetime.fromisoformat(taken_at)
    try:
        take_snapshot(replace(ctx, clock=lambda: moment))
    finally:
        ctx.db.dispose()


def snapshot_on_disk(ctx: AppContext) -> Snapshot | None:
    """The snapshot under the data directory as it stands, without checking the store."""
    return _read_snapshot(_root(ctx))


def _read_snapshot(root: Path) -> Snapshot | None:
    try:
        meta = json.loads((root / _FINGERPRINT_FILE).read_text())
    except (OSError, ValueError):
        return None
    return Snapshot(root, datetime.fromisoformat(meta["taken_at"]), meta["fingerprint"])


@dataclass(frozen=True)
class Question:
    """What a page asks of the measures: the periods of one kind starting within [start, end]
    (inclusive), cut one way."""

    period: Period
    cut: Cut
    start: date
    end: date


@dataclass
class _Loaded:
    """An engine loaded with one snapshot, when the store was last seen to match it, and the
    answers already computed from it (shared by every session and request in this process)."""

    snapshot: Snapshot
    engine: MeasureEngine
    checked_at: datetime
    answers: Recent[tuple[MeasureValue, ...]] = field(default_factory=lambda: Recent(_ANSWERS_KEPT))

    def answer(
        self, question: Question, chosen: Sequence[MeasureSpec], params: MeasureParams
    ) -> list[MeasureValue]:
        """The measures' values for the question (caller holds _LOCK): computed once per
        snapshot, question and params (the params carry the moment deadlines are judged at),
        then served from memory until another snapshot is loaded."""
        key = (question, tuple(s.key for s in chosen), repr(params))
        found = self.answers.get(key)
        if found is None:
            found = tuple(
                self.engine.compute(
                    chosen,
                    params,
                    periods=[question.period],
                    cuts=[question.cut],
                    start=question.start,
                    end=question.end,
                )
            )
            self.answers.put(key, found)
        return list(found)


def _root(ctx: AppContext) -> Path:
    return Path(ctx.settings.data_dir) / SNAPSHOT_DIR


def _load(ctx: AppContext, snapshot: Snapshot, name: EngineName) -> MeasureEngine:
    data = input_tables.read_tables(snapshot.directory, timezone=ctx.policy.reporting_zone)
    return MeasureEngine(data, engine=name)


def _keep(key: tuple[str, str], loaded: _Loaded) -> None:
    """Hold `loaded` as the engine for `key` (caller holds _LOCK), closing what it replaces."""
    old = _ENGINES.pop(key, None)
    if old is not None and old.engine is not loaded.engine:
        old.engine.close()
    while len(_ENGINES) >= _KEPT:
        _ENGINES.pop(next(iter(_ENGINES))).engine.close()
    _ENGINES[key] = loaded


def _same(left: Snapshot, right: Snapshot) -> bool:
    return left.fingerprint == right.fingerprint and left.taken_at == right.taken_at


def _engine(ctx: AppContext, engine: str, *, fresh: bool) -> _Loaded:
    """The engine for this data directory (caller holds _LOCK). `fresh`: the store is checked
    and the snapshot written again first if it has changed. Otherwise the snapshot already
    loaded (or on disk) is used at once, and when the store was last checked longer ago than
    the policy's snapshot_reuse_seconds a refresh starts in the background; only a store with
    no snapshot at all is made to wait for one."""
    name = _engine_name(engine)
    key = (str(_root(ctx)), name)
    loaded = _ENGINES.get(key)
    if fresh or loaded is None:
        on_disk = None if fresh else _read_snapshot(_root(ctx))
        snapshot = on_disk or take_snapshot(ctx)
        checked_at = ctx.now() if fresh else snapshot.taken_at
        if loaded is not None and _same(loaded.snapshot, snapshot):
            loaded.checked_at = max(loaded.checked_at, checked_at)
        else:
            loaded = _Loaded(snapshot, _load(ctx, snapshot, name), checked_at)
            _keep(key, loaded)
    if not fresh:
        age = (ctx.now() - loaded.checked_at).total_seconds()
        if age >= ctx.policy.measures.snapshot_reuse_seconds:
            refresh_in_background(ctx, engine=name)
        elif _newer_on_disk(ctx, loaded.snapshot):  # another worker (process) wrote one
            refresh_in_background(ctx, engine=name, check_store=False)
    return loaded


def _newer_on_disk(ctx: AppContext, loaded: Snapshot) -> bool:
    """True when the data directory holds a later snapshot than the one loaded: another
    process (a uvicorn worker, `watchhouse snapshot` from cron) wrote it. A small file read."""
    on_disk = _read_snapshot(_root(ctx))
    return on_disk is not None and on_disk.taken_at > loaded.taken_at


def refresh_in_background(
    ctx: AppContext, *, engine: str = "duckdb", check_store: bool = True
) -> threading.Thread:
    """Check the store and, when it has changed, write the snapshot again and load it into a
    new engine, in a background thread (one at a time per data directory); the board goes on
    serving the loaded snapshot until the new one is ready. Without `check_store`, only load
    the snapshot on disk (one another process wrote)."""
    name = _engine_name(engine)
    key = (str(_root(ctx)), name)
    with _REFRESHING_LOCK:
        running = _REFRESHING.get(key)
        if running is not None and running.is_alive():
            return running
        thread = threading.Thread(
            target=_refresh,
            args=(ctx, key, name, check_store),
            name=f"measures-refresh-{name}",
            daemon=True,
        )
        _REFRESHING[key] = thread
        thread.start()
    return thread


def wait_for_refresh(ctx: AppContext, *, timeout: float | None = None) -> None:
    """Wait until any background refresh of this data directory's snapshot has finished."""
    with _REFRESHING_LOCK:
        running = [t for k, t in _REFRESHING.items() if k[0] == str(_root(ctx))]
    for thread in running:
        thread.join(timeout)


def forget_engines() -> None:
    """Close every loaded engine (benchmarks, and tests that start from nothing)."""
    with _LOCK:
        while _ENGINES:
            _ENGINES.popitem()[1].engine.close()


def _refresh(
    ctx: AppContext, key: tuple[str, str], name: EngineName, check_store: bool = True
) -> None:
    """Check the store; if it has changed, write the snapshot in a child process (its work
    would otherwise hold this process's GIL for a minute and slow every page), then load it.
    Without `check_store`, load the snapshot on disk as at the moment it was taken."""
    try:
        checked_at = ctx.now()
        if not check_store:
            found = _read_snapshot(_root(ctx))
            checked_at = found.taken_at if found is not None else checked_at
        elif _store_changed(ctx):
            spawn = multiprocessing.get_context("spawn")
            child = spawn.Process(
                target=_snapshot_in_child,
                args=(ctx.settings, checked_at.isoformat()),
                name="watchhouse-measures-snapshot",
            )
            child.start()
            child.join()
            if child.exitcode != 0:
                raise RuntimeError(f"the snapshot's process ended with code {child.exitcode}")
        snapshot = _read_snapshot(_root(ctx))
        if snapshot is None:
            raise RuntimeError("no snapshot was written")
        with _LOCK:
            loaded = _ENGINES.get(key)
            if loaded is not None and _same(loaded.snapshot, snapshot):
                loaded.checked_at = max(loaded.checked_at, checked_at)
                return
        engine = _load(ctx, snapshot, name)  # while the old one is still served
        with _LOCK:
            _keep(key, _Loaded(snapshot, engine, checked_at))
    except Exception:  # a failed refresh leaves the old snapshot served; the next view retries
        _LOG.exception("the measures' snapshot could not be refreshed")


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


@dataclass(frozen=True)
class MeasuredValues:
    """Measure values, and the moment the store was last seen to hold what they were read from."""

    values: list[MeasureValue]
    as_at: datetime


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
    published_force: str | None = None,
) -> list[MeasureValue]:
    """The measures (all by default) for each period starting within [start, end] (inclusive),
    cut as asked, from the store as it is now; aggregates only, no personal data. A measure that
    cannot be cut that way is refused when named, and left out when all are asked for. With
    `published_force`, the data.police.uk measures count that force's published rows only."""
    return measures_as_at(
        ctx,
        actor=actor,
        measures=measures,
        period=period,
        cut=cut,
        start=start,
        end=end,
        engine=engine,
        fresh=True,
        published_force=published_force,
    ).values


def measures_as_at(
    ctx: AppContext,
    *,
    actor: Actor,
    measures: Sequence[str] | None = None,
    period: Period = Period.MONTH,
    cut: Cut = Cut.FORCE,
    start: date,
    end: date,
    engine: str = "duckdb",
    fresh: bool = False,
    published_force: str | None = None,
) -> MeasuredValues:
    """As `compute_measures`, with the time the figures stand at; unless `fresh`, from the
    snapshot already taken (refreshed in the background, see `_engine`), so nobody waits."""
    del actor  # aggregates only: nothing personal is consulted, so nothing is logged
    chosen = _chosen(measures)
    if end < start:
        raise ValidationFailed.one("end", f"the range ends ({end}) before it starts ({start})")
    if measures:
        refused = [s.key for s in chosen if cut not in s.definition.cuts]
        if refused:
            raise ValidationFailed.one("cut", f"{', '.join(refused)} cannot be cut by {cut.value}")
    question = Question(period=period, cut=cut, start=start, end=end)
    with _LOCK:
        loaded = _engine(ctx, engine, fresh=fresh)
        as_at = loaded.checked_at  # deadlines are judged at the moment the figures stand at
        params = replace(measure_params(ctx, as_of=as_at), published_force=published_force)
        values = loaded.answer(question, chosen, params)
        return MeasuredValues(values, as_at)


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
    fresh: bool = True,
    only_missed: bool = False,
    operation: Operation = Operation.CONSULTATION,
    recipient: str | None = None,
    published_force: str | None = None,
) -> list[dict[str, object]]:
    """The records behind one value (at most `limit`), each logged as a consultation (or, for
    an export, a disclosure); unless `fresh`, from the snapshot the board is showing. With
    `only_missed`, a share's records that went against its direction (e.g. not answered in
    time)."""
    (chosen,) = _chosen([measure])
    counted_as = None
    if only_missed:
        counted_as = missed_numerator(chosen)
        if counted_as is None:
            raise ValidationFailed.one(
                "missed", f"{measure} is not a share with a direction: no record misses"
            )
    if cut not in chosen.definition.cuts:
        raise ValidationFailed.one("cut", f"{measure} cannot be cut by {cut.value}")
    if limit < 1:
        raise ValidationFailed.one("limit", "ask for at least one record")
    with _LOCK:
        loaded = _engine(ctx, "duckdb", fresh=fresh)
        try:
            rows = loaded.engine.records(
                chosen,
                # judged at the moment the figures stand at, as the value the records are behind
                replace(
                    measure_params(ctx, as_of=loaded.checked_at), published_force=published_force
                ),
                period=period,
                period_start=period_start,
                cut=cut,
                cut_value=cut_value,
                limit=limit,
                counted_as=counted_as,
            )
        except ValueError as error:
            raise ValidationFailed.one("period_start", str(error)) from error
    record_type = _LOGGED_AS.get(chosen.definition.record_type, chosen.definition.record_type)
    reason = justification or f"performance drill-down: {measure}, {period.value} {period_start}"
    with ctx.db.transaction() as session:
        for row in rows:
            if row["record_id"] is None:
                continue  # an interval's counts, or a call record with no contact: no person
            log_access(
                ctx,
                session=session,
                actor=actor,
                operation=operation,
                record_type=record_type,
                record_id=row["record_id"],
                justification=reason,
                recipient=recipient,
            )
    return rows


def missed_numerator(measure: MeasureSpec) -> int | None:
    """What a share's record counts as when it missed (0 when higher is better, 1 when lower
    is better); None for a measure with no direction or not a share."""
    better = measure.definition.higher_is_better
    if measure.kind != Kind.SHARE or better is None:
        return None
    return 0 if better else 1


def can_show_missed(measure: str) -> bool:
    """Whether a measure's records can be filtered to those that missed."""
    (chosen,) = _chosen([measure])
    return missed_numerator(chosen) is not None


def logged_record_type(measure: str) -> str:
    """The record type the access log files a measure's records under."""
    (chosen,) = _chosen([measure])
    return _LOGGED_AS.get(chosen.definition.record_type, chosen.definition.record_type)
