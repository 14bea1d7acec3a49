"""Importing the telephony platform's per-call records and interval statistics.

Each file is checked, then stored in one transaction: a call whose platform call id is stored
already (an earlier import, or the live feed), or an interval whose (source, queue, start) is,
is counted as a duplicate and never stored twice, however many imports run at once (INSERT
... ON CONFLICT DO NOTHING). Rejected rows go to the report with their row, column and reason.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from watchhouse.db.repositories import imports as repo
from watchhouse.db.repositories import telephony
from watchhouse.domain.roles import Actor
from watchhouse.io.rejects import default_report_path, write_report
from watchhouse.io.telephony_files import TelephonyMapping, parse_telephony_file
from watchhouse.services.context import AppContext
from watchhouse.services.imports import (
    ImportResult,
    Progress,
    _finish,
    _no_progress,
    _result,
    file_sha256,
)

CHUNK_ROWS = 5_000


def import_telephony_file(
    ctx: AppContext,
    *,
    actor: Actor,
    path: Path,
    mapping: TelephonyMapping,
    report: Path | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Import one file of call records or interval statistics (the mapping's kind).

    Raises `UnreadableFile` for a file that lacks the mapped columns; bad rows are rejected."""
    tell = progress or _no_progress
    parsed = parse_telephony_file(path, mapping=mapping)
    records = parsed.calls if mapping.kind == "calls" else parsed.intervals
    done = parsed.rows_rejected + parsed.rows_filtered
    tell(done, parsed.rows_read)
    importer = f"telephony_{mapping.kind}"
    with ctx.db.transaction() as session:
        batch_id = repo.start_batch(
            session=session,
            importer=importer,
            source_file=str(path),
            file_sha256=file_sha256(path),
            started_at=ctx.now(),
        )
        added = 0
        for start in range(0, len(records), CHUNK_ROWS):
            if mapping.kind == "calls":
                part_calls = parsed.calls[start : start + CHUNK_ROWS]
                added += telephony.add_imported_calls(
                    session=session, source=mapping.source, calls=part_calls, now=ctx.now()
                )
                done += len(part_calls)
            else:
                part = parsed.intervals[start : start + CHUNK_ROWS]
                added += telephony.add_intervals(
                    session=session, source=mapping.source, intervals=part
                )
                done += len(part)
            tell(done, parsed.rows_read)
        counts = repo.BatchCounts(
            rows_read=parsed.rows_read,
            rows_added=added,
            rows_duplicate=len(records) - added,
            rows_rejected=parsed.rows_rejected,
            rows_filtered=parsed.rows_filtered,
        )
        _finish(ctx, session=session, actor=actor, batch_id=batch_id, counts=counts)
    written = write_report(
        report or default_report_path(path), [*parsed.rejections, *parsed.warnings]
    )
    result = _result(batch_id, path, importer, counts, written)
    return replace(result, rows_filtered=parsed.rows_filtered, warnings=len(parsed.warnings))
