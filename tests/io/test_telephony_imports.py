"""Importing the telephony platform's per-call records and interval statistics through a
mapping: the documented examples, rejections naming row and column, null tokens, the clock
change, re-runs and concurrent runs that store nothing twice, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from watchhouse.db.repositories import users as user_repo
from watchhouse.db.telephony_tables import (
    TelephonyCallRow,
    TelephonyIntervalRow,
    TelephonyIntervalThresholdRow,
)
from watchhouse.domain.roles import Actor, Role
from watchhouse.domain.telephony import CallEvent, CallEventKind
from watchhouse.domain.values import Channel
from watchhouse.io.force_mapping import MappingError
from watchhouse.io.telephony_files import load_telephony_mapping, parse_telephony_mapping
from watchhouse.services import telephony
from watchhouse.services.context import AppContext
from watchhouse.services.telephony_imports import import_telephony_file

pytestmark = pytest.mark.integration

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
CALLS = EXAMPLES / "telephony-calls.csv"
INTERVALS = EXAMPLES / "telephony-intervals.csv"


def _calls_mapping():  # type: ignore[no-untyped-def]
    return load_telephony_mapping(EXAMPLES / "telephony-calls-mapping.toml", "calls")


def _intervals_mapping():  # type: ignore[no-untyped-def]
    return load_telephony_mapping(EXAMPLES / "telephony-intervals-mapping.toml", "intervals")


def _handler(ctx: AppContext) -> int:
    with ctx.db.transaction() as session:
        user = user_repo.add_user(
            session=session,
            username="hana.handler",
            display_name="Hana Handler",
            role=Role.CALL_HANDLER,
            password_hash="x",
            now=ctx.now(),
        )
        return user.id


def _report(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _calls(ctx: AppContext) -> dict[str, TelephonyCallRow]:
    with ctx.db.transaction() as session:
        rows = session.scalars(select(TelephonyCallRow)).all()
        session.expunge_all()
        return {r.call_id: r for r in rows}


def at(hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(2026, 3, 5, hour, minute, second, tzinfo=UTC)  # GMT: local = UTC


def test_the_documented_call_records_import_and_a_rerun_adds_nothing(
    ctx: AppContext, actors: dict[Role, Actor], tmp_path: Path
) -> None:
    hana = _handler(ctx)
    admin = actors[Role.ADMINISTRATOR]
    report = tmp_path / "calls.rejected.csv"
    result = import_telephony_file(
        ctx, actor=admin, path=CALLS, mapping=_calls_mapping(), report=report
    )
    assert (result.rows_read, result.rows_added, result.rows_rejected) == (7, 6, 1)
    # ACD-0007 was answered before it was offered: refused, naming its row and column.
    (rejected,) = _report(report)
    assert (rejected["row"], rejected["column"], rejected["value"]) == (
        "8",
        "Answered",
        "05/03/2026 09:09:00",
    )
    assert "before" in rejected["reason"]
    calls = _calls(ctx)
    assert set(calls) == {f"ACD-000{n}" for n in range(1, 7)}
    first = calls["ACD-0001"]
    assert (first.channel, first.queue, first.source) == ("999", "999 Emergency", "acd")
    assert (first.presented_at, first.answered_at) == (at(9, 0), at(9, 0, 6))
    assert (first.abandoned_at, first.ended_at) == (None, at(9, 4, 10))  # NULL is empty
    assert (first.answered_by, first.handler_ref) == (hana, "hana.handler")
    overflow = calls["ACD-0003"]
    assert (overflow.channel, overflow.answered_at, overflow.abandoned_at) == (
        "999",
        None,
        at(9, 2, 40),
    )
    unknown_handler = calls["ACD-0004"]  # kept as named, linked to nobody
    assert (unknown_handler.channel, unknown_handler.answered_by) == ("101", None)
    assert unknown_handler.handler_ref == "agent 4471"
    assert calls["ACD-0006"].channel == "other"  # the "*" catch-all
    again = import_telephony_file(
        ctx, actor=admin, path=CALLS, mapping=_calls_mapping(), report=report
    )
    assert (again.rows_added, again.rows_duplicate) == (0, 6)
    assert len(_calls(ctx)) == 6


def test_a_call_the_live_feed_made_is_kept_as_the_feed_has_it(
    ctx: AppContext, actors: dict[Role, Actor], tmp_path: Path
) -> None:
    _handler(ctx)
    telephony.record_event(
        ctx,
        actor=actors[Role.TELEPHONY_SYSTEM],
        event=CallEvent(
            "ACD-0001",
            CallEventKind.PRESENTED,
            at(9, 0),
            channel=Channel.EMERGENCY_999,
            caller_number="07700 900456",
        ),
    )
    result = import_telephony_file(
        ctx,
        actor=actors[Role.ADMINISTRATOR],
        path=CALLS,
        mapping=_calls_mapping(),
        report=tmp_path / "r.csv",
    )
    assert (result.rows_added, result.rows_duplicate) == (5, 1)
    feed = _calls(ctx)["ACD-0001"]
    assert (feed.source, feed.answered_at, feed.contact_id is not None) == (None, None, True)


def test_concurrent_imports_of_one_file_store_each_call_once(
    ctx: AppContext, actors: dict[Role, Actor], tmp_path: Path
) -> None:
    _handler(ctx)
    mapping = _calls_mapping()

    def run(n: int) -> int:
        return import_telephony_file(
            ctx,
            actor=actors[Role.ADMINISTRATOR],
            path=CALLS,
            mapping=mapping,
            report=tmp_path / f"r{n}.csv",
        ).rows_added

    def intervals(n: int) -> int:
        return import_telephony_file(
            ctx,
            actor=actors[Role.ADMINISTRATOR],
            path=INTERVALS,
            mapping=_intervals_mapping(),
            report=tmp_path / f"i{n}.csv",
        ).rows_added

    with ThreadPoolExecutor(max_workers=6) as pool:
        calls = [pool.submit(run, n) for n in range(3)]
        spans = [pool.submit(intervals, n) for n in range(3)]
        added = [f.result() for f in calls]
        added_intervals = [f.result() for f in spans]
    assert sum(added) == 6
    assert len(_calls(ctx)) == 6
    assert sum(added_intervals) == 5
    with ctx.db.transaction() as session:
        assert session.query(TelephonyIntervalThresholdRow).count() == 5 * 3


def test_the_documented_interval_statistics_import_with_their_thresholds(
    ctx: AppContext, actors: dict[Role, Actor], tmp_path: Path
) -> None:
    report = tmp_path / "intervals.rejected.csv"
    admin = actors[Role.ADMINISTRATOR]
    result = import_telephony_file(
        ctx, actor=admin, path=INTERVALS, mapping=_intervals_mapping(), report=report
    )
    assert (result.rows_read, result.rows_added, result.rows_rejected) == (6, 5, 1)
    (rejected,) = _report(report)
    assert (rejected["row"], rejected["column"], rejected["value"]) == ("7", "Ans 10s", "9")
    assert "than answered" in rejected["reason"]
    with ctx.db.transaction() as session:
        rows = session.execute(
            select(
                TelephonyIntervalRow.queue,
                TelephonyIntervalRow.channel,
                TelephonyIntervalRow.interval_start,
                TelephonyIntervalRow.length_minutes,
                TelephonyIntervalRow.offered,
                TelephonyIntervalRow.answered,
                TelephonyIntervalRow.abandoned,
                TelephonyIntervalThresholdRow.seconds,
                TelephonyIntervalThresholdRow.answered,
            )
            .join(TelephonyIntervalThresholdRow)
            .where(TelephonyIntervalRow.queue == "999")
            .order_by(TelephonyIntervalRow.interval_start, TelephonyIntervalThresholdRow.seconds)
        ).all()
        channels = {
            q: c
            for q, c in session.execute(
                select(TelephonyIntervalRow.queue, TelephonyIntervalRow.channel)
            )
        }
    assert [tuple(r) for r in rows] == [
        ("999", "999", at(9, 0), 15, 12, 11, 1, 10, 9),
        ("999", "999", at(9, 0), 15, 12, 11, 1, 15, 10),
        ("999", "999", at(9, 0), 15, 12, 11, 1, 60, 11),
        ("999", "999", at(9, 15), 15, 8, 8, 0, 10, 8),
        ("999", "999", at(9, 15), 15, 8, 8, 0, 15, 8),
        ("999", "999", at(9, 15), 15, 8, 8, 0, 60, 8),
    ]
    assert channels == {"999": "999", "101": "101", "Admin": "other"}
    again = import_telephony_file(
        ctx, actor=admin, path=INTERVALS, mapping=_intervals_mapping(), report=report
    )
    assert (again.rows_added, again.rows_duplicate) == (0, 5)


def test_intervals_in_the_hour_the_clocks_go_back_are_read_in_file_order(
    ctx: AppContext, actors: dict[Role, Actor], tmp_path: Path
) -> None:
    # 25 October 2026: 01:00 to 01:59 BST, then 01:00 to 01:59 GMT again.
    path = tmp_path / "october.csv"
    walls = ["00:45", "01:00", "01:15", "01:30", "01:45", "01:00", "01:15", "01:30", "01:45"]
    walls += ["02:00"]
    lines = ["Interval,Split,Offered,ACD Calls,Aband Calls,Ans 10s"]
    lines += [f"2026-10-25 {w},999,1,1,0,1" for w in walls]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = import_telephony_file(
        ctx,
        actor=actors[Role.ADMINISTRATOR],
        path=path,
        mapping=_intervals_mapping(),
        report=tmp_path / "r.csv",
    )
    assert (result.rows_added, result.rows_rejected) == (10, 0)
    with ctx.db.transaction() as session:
        starts = list(
            session.scalars(
                select(TelephonyIntervalRow.interval_start).order_by(
                    TelephonyIntervalRow.interval_start
                )
            )
        )
    first = datetime(2026, 10, 24, 23, 45, tzinfo=UTC)
    assert starts == [first + timedelta(minutes=15 * n) for n in range(10)]


def test_an_unknown_queue_without_a_catch_all_rejects_the_row_naming_it(
    ctx: AppContext, actors: dict[Role, Actor], tmp_path: Path
) -> None:
    mapping = parse_telephony_mapping(
        {
            "source": "acd",
            "columns": {"call_id": "id", "queue": "q", "presented_at": "at"},
            "codes": {"queue": {"999": "999"}},
        },
        "calls",
    )
    path = tmp_path / "calls.csv"
    path.write_text("id,q,at\nc1,999,2026-03-05 09:00:00\nc2,Radio,2026-03-05 09:00:00\n")
    report = tmp_path / "r.csv"
    result = import_telephony_file(
        ctx, actor=actors[Role.ADMINISTRATOR], path=path, mapping=mapping, report=report
    )
    assert (result.rows_added, result.rows_rejected) == (1, 1)
    (rejected,) = _report(report)
    assert (rejected["row"], rejected["column"], rejected["value"]) == ("3", "q", "Radio")
    assert "[codes.queue]" in rejected["reason"]


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"codes": {}}, "codes.queue"),
        ({"codes": {"queue": {"999": "emergency"}}}, 'codes.queue."999"'),
        ({"interval_minutes": 20}, "interval_minutes"),
        ({"columns": {"interval_start": "i", "queue": "q", "offered": "o"}}, "columns.answered"),
    ],
)
def test_a_bad_interval_mapping_is_refused_naming_the_key(
    change: dict[str, object], key: str
) -> None:
    raw: dict[str, object] = {
        "source": "acd",
        "interval_minutes": 15,
        "columns": {
            "interval_start": "i",
            "queue": "q",
            "offered": "o",
            "answered": "a",
            "abandoned": "b",
        },
        "codes": {"queue": {"999": "999"}},
    }
    raw.update(change)
    with pytest.raises(MappingError) as caught:
        parse_telephony_mapping(raw, "intervals")
    assert caught.value.key == key
