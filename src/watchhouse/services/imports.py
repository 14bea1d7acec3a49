"""Importing files: each file checked, then stored whole in one transaction or not at all.

Every import records an import batch (rows read, added, duplicate, rejected), writes the
rejected-rows report, and logs one collection of personal data in the access log.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy.orm import Session

from watchhouse.auth.permissions import can
from watchhouse.db.repositories import imports as repo
from watchhouse.domain.access import Operation
from watchhouse.domain.errors import ValidationFailed
from watchhouse.domain.roles import Action, Actor
from watchhouse.domain.telephone_fast import e164_or_none
from watchhouse.io import force_export, force_files, police_uk
from watchhouse.io.csv_table import UnreadableFile
from watchhouse.io.force_mapping import ForceMapping, MappingError, unknown_neighbourhoods
from watchhouse.io.rejects import default_report_path, write_report
from watchhouse.linkage.prepare import normalise_value
from watchhouse.services.access import log_access
from watchhouse.services.context import AppContext

Progress = Callable[[int, int], None]
"""Told (rows done, rows in the file) as an import goes."""

POLICE_UK_CHUNK_ROWS = 50_000
FORCE_CHUNK_ROWS = 250_000


@dataclass(frozen=True)
class ImportResult:
    """What importing one file did."""

    batch_id: int
    source_file: Path
    kind: str
    rows_read: int
    rows_added: int
    rows_duplicate: int
    rows_rejected: int
    report: Path
    rows_filtered: int = 0
    warnings: int = 0
    rows_updated: int = 0  # stored before and changed since (the records importer)


def importing_actor(
    ctx: AppContext, *, action: Action, username: str | None = None, what: str = ""
) -> Actor:
    """The user a batch is done as (the one named, or the first active administrator),
    refused unless they exist, are active and their role may perform the action (`what` is
    how the refusal names it; the action's name by default)."""
    with ctx.db.transaction() as session:
        actor = repo.importing_actor(session=session, username=username)
    if actor is None:
        if username:
            raise ValidationFailed.one("as_user", f"no active user {username!r}")
        raise ValidationFailed.one(
            "as_user",
            "no active administrator to import as: add one (watchhouse users add) "
            "or name a user with --as-user",
        )
    if not can(actor.role, action):
        raise ValidationFailed.one(
            "as_user",
            f"{actor.username} ({actor.role.label}) may not "
            f"{what or action.value.replace('_', ' ')}",
        )
    return actor


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _no_progress(_done: int, _total: int) -> None:
    return None


def import_police_uk(
    ctx: AppContext,
    *,
    actor: Actor,
    path: Path,
    report: Path | None = None,
    force: str | None = None,
    progress: Progress | None = None,
    chunk_rows: int = POLICE_UK_CHUNK_ROWS,
) -> ImportResult:
    """Import one data.police.uk file (street-level crime, outcomes or stop and search).

    Raises `UnreadableFile` for a file that is not one of those; bad rows are rejected.
    """
    tell = progress or _no_progress
    kind = police_uk.detect_kind(police_uk.read_header(path))
    parsed = police_uk.parse_file(path, limits=repo.text_limits(kind.table), force=force)
    done = parsed.rows_rejected
    tell(done, parsed.rows_read)
    digest = file_sha256(path)
    with ctx.db.transaction() as session:
        batch_id = repo.start_batch(
            session=session,
            importer=f"police_uk.{kind.name}",
            source_file=str(path),
            file_sha256=digest,
            started_at=ctx.now(),
        )
        handled = done

        def advance(rows: int) -> None:
            nonlocal handled
            handled += rows
            tell(handled, parsed.rows_read)

        with repo.bulk_writing(session=session):
            added = repo.add_police_uk_rows(
                session=session,
                table_name=kind.table,
                data=parsed.keyed(),
                progress=advance,
                chunk_rows=chunk_rows,
            )
        force_name = parsed.published_force
        if added < parsed.good.num_rows and force_name and not kind.needs_force:
            # Rows stored before with no force (imported without --force) get it now.
            repo.give_published_force(
                session=session, table_name=kind.table, row_keys=parsed.row_keys, force=force_name
            )
        counts = repo.BatchCounts(
            rows_read=parsed.rows_read,
            rows_added=added,
            rows_duplicate=parsed.good.num_rows - added,
            rows_rejected=parsed.rows_rejected,
        )
        _finish(ctx, session=session, actor=actor, batch_id=batch_id, counts=counts)
    written = write_report(report or default_report_path(path), parsed.rejections)
    return _result(batch_id, path, kind.name, counts, written)


def import_force_export(
    ctx: AppContext,
    *,
    actor: Actor,
    path: Path,
    mapping: ForceMapping,
    report: Path | None = None,
    progress: Progress | None = None,
    chunk_rows: int = FORCE_CHUNK_ROWS,
) -> ImportResult:
    """Import a force's own contact and incident export read through its mapping.

    Raises `MappingError` when the mapping names neighbourhoods the store does not have, and
    `UnreadableFile` for a file that lacks the mapped columns; bad rows are rejected.
    """
    kinds = _identifier_kinds(ctx, mapping)
    neighbourhoods = _mapped_neighbourhoods(ctx, mapping)
    return _store_force_export(
        ctx,
        actor=actor,
        read=_read_force_export(
            path, mapping, neighbourhoods, ctx.policy.identity.telephone_region
        ),
        mapping=mapping,
        kinds=kinds,
        report=report,
        progress=progress,
        chunk_rows=chunk_rows,
    )


@dataclass(frozen=True)
class _ReadExport:
    """One file of a force's export, read and checked, not stored yet."""

    path: Path
    parsed: force_export.ParsedExport
    digest: str
    neighbourhoods: dict[str, repo.NeighbourhoodRef]
    numbers_e164: dict[str, str | None]


def _mapped_neighbourhoods(
    ctx: AppContext, mapping: ForceMapping
) -> dict[str, repo.NeighbourhoodRef]:
    """The store's neighbourhoods by code; a `MappingError` when the mapping names others."""
    with ctx.db.transaction() as session:
        neighbourhoods = repo.neighbourhood_refs(session=session)
    unknown = unknown_neighbourhoods(mapping, set(neighbourhoods))
    if unknown:
        raise MappingError(unknown[0], "not one of our neighbourhood codes")
    return neighbourhoods


def _read_force_export(
    path: Path,
    mapping: ForceMapping,
    neighbourhoods: dict[str, repo.NeighbourhoodRef],
    telephone_region: str,
) -> _ReadExport:
    """Read and check one file and normalise its callers' numbers (no database access: it may
    run in a reading thread, beside the store of the file before)."""
    parsed = force_export.parse_file(
        path,
        mapping=mapping,
        neighbourhoods={code: ref.settlement for code, ref in neighbourhoods.items()},
    )
    given = pc.unique(parsed.good.column("caller_telephone").combine_chunks().drop_null())
    numbers = {n: e164_or_none(n, telephone_region) for n in given.to_pylist()}
    return _ReadExport(path, parsed, file_sha256(path), neighbourhoods, numbers)


def _store_force_export(
    ctx: AppContext,
    *,
    actor: Actor,
    read: _ReadExport,
    mapping: ForceMapping,
    kinds: dict[str, str],
    report: Path | None,
    progress: Progress | None,
    chunk_rows: int = FORCE_CHUNK_ROWS,
) -> ImportResult:
    """Store one file read by `_read_force_export` in one transaction, record the batch, log
    the collection and write the report."""
    tell = progress or _no_progress
    path, parsed, neighbourhoods = read.path, read.parsed, read.neighbourhoods
    done = parsed.rows_rejected
    tell(done, parsed.rows_read)
    with ctx.db.transaction() as session:
        repo.commit_without_waiting_for_disk(session=session)
        batch_id = repo.start_batch(
            session=session,
            importer="force_export",
            source_file=str(path),
            file_sha256=read.digest,
            started_at=ctx.now(),
        )
        added = 0
        for start in range(0, parsed.good.num_rows, chunk_rows):
            part = parsed.good.slice(start, chunk_rows)
            identifiers: dict[str, dict[str, str]] = {}
            if kinds:
                part, identifiers = _take_identifiers(ctx, part, mapping, kinds)
                identifiers = _only_new(session, mapping.source, identifiers)
            added += repo.add_force_records(
                session=session,
                source=mapping.source,
                data=part,
                neighbourhoods=neighbourhoods,
                graded_by=actor.user_id,
                telephone_region=ctx.policy.identity.telephone_region,
                numbers_e164=read.numbers_e164,
            )
            if identifiers:
                repo.add_contact_identifiers(
                    session=session, source=mapping.source, identifiers=identifiers
                )
            done += part.num_rows
            tell(done, parsed.rows_read)
        counts = repo.BatchCounts(
            rows_read=parsed.rows_read,
            rows_added=added,
            rows_duplicate=parsed.good.num_rows - added,
            rows_rejected=parsed.rows_rejected,
            rows_filtered=parsed.rows_filtered,
        )
        _finish(ctx, session=session, actor=actor, batch_id=batch_id, counts=counts)
    written = write_report(
        report or default_report_path(path), [*parsed.rejections, *parsed.warnings]
    )
    result = _result(batch_id, path, "force_export", counts, written)
    return replace(result, rows_filtered=parsed.rows_filtered, warnings=len(parsed.warnings))


def _identifier_kinds(ctx: AppContext, mapping: ForceMapping) -> dict[str, str]:
    """The kind of each identifier the mapping reads; each must be one policy declares."""
    declared = {e.name: e.kind for e in ctx.policy.identity.extra_identifiers}
    for name in mapping.identifiers:
        if name not in declared:
            known = ", ".join(declared) or "none (policy [identity] extra_identifiers)"
            raise MappingError(
                f"identifiers.{name}", f"not an identifier this force keeps; it keeps: {known}"
            )
    return {name: declared[name] for name in mapping.identifiers}


def _take_identifiers(
    ctx: AppContext, part: pa.Table, mapping: ForceMapping, kinds: dict[str, str]
) -> tuple[pa.Table, dict[str, dict[str, str]]]:
    """The records (columns) with their identifier columns taken out of the attributes, and
    each record's identifiers (by external reference), normalised for their kind: each
    distinct value normalised once, read and mapped back by Arrow."""
    region = ctx.policy.identity.telephone_region
    part, raw = force_export.take_attribute_columns(
        part, mapping.identifiers.values(), keep=set(mapping.attributes)
    )
    refs = part.column("external_ref").combine_chunks()
    found: dict[str, dict[str, str]] = {}
    for name, column in mapping.identifiers.items():
        given = raw[column]
        distinct = pc.unique(given.drop_null())
        if len(distinct) == 0:
            continue
        normal = [normalise_value(kinds[name], v, region) for v in distinct.to_pylist()]
        values = pa.array([v[:200] if v else None for v in normal], pa.string()).take(
            pc.index_in(given, value_set=distinct)
        )
        present = pc.is_valid(values)
        for ref, value in zip(
            refs.filter(present).to_pylist(), values.filter(present).to_pylist(), strict=True
        ):
            found.setdefault(ref, {})[name] = value
    return part, found


def _only_new(
    session: Session, source: str, identifiers: dict[str, dict[str, str]]
) -> dict[str, dict[str, str]]:
    """Identifiers of records not stored yet (a re-run adds nothing)."""
    stored = repo.stored_external_refs(session=session, source=source, refs=list(identifiers))
    return {ref: values for ref, values in identifiers.items() if ref not in stored}


def import_force_exports(
    ctx: AppContext,
    *,
    actor: Actor,
    paths: list[Path],
    mapping: ForceMapping,
    report_dir: Path | None = None,
    progress: Callable[[Path], Progress] | None = None,
) -> list[ImportResult]:
    """Import several files of a force's export (files, folders or glob patterns), each in its
    own transaction, in the order given; a record already stored (same source and reference,
    from this run or an earlier one) is counted as a duplicate, never stored twice.

    Raises `UnreadableFile` naming the file when one cannot be read; the files before it stay
    imported."""
    files = list(force_files.expand_inputs(paths))
    results: list[ImportResult] = []
    for _path, outcome in each_force_export(
        ctx,
        actor=actor,
        files=files,
        mapping=mapping,
        report_for=lambda path: (
            None if report_dir is None else report_dir / default_report_path(path).name
        ),
        progress=progress,
    ):
        if isinstance(outcome, UnreadableFile):
            raise outcome
        results.append(outcome)
    return results


def each_force_export(
    ctx: AppContext,
    *,
    actor: Actor,
    files: list[Path],
    mapping: ForceMapping,
    report_for: Callable[[Path], Path | None] | None = None,
    progress: Callable[[Path], Progress] | None = None,
) -> Iterator[tuple[Path, ImportResult | UnreadableFile]]:
    """Import files of a force's export one after another, each in its own transaction, and
    give each file with what its import did, or why it could not be read (the next file is
    imported all the same). While one file is stored the next is read and checked in a
    second thread (pyarrow and the database drivers mostly run without the GIL); records are
    looked up when stored, so a reference repeated from the file before is a duplicate.

    Raises `MappingError` when the mapping names neighbourhoods the store does not have."""
    if not files:
        return
    kinds = _identifier_kinds(ctx, mapping)
    region = ctx.policy.identity.telephone_region
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="watchhouse-read") as reader:
        ahead: Future[_ReadExport] = reader.submit(
            _read_force_export, files[0], mapping, _mapped_neighbourhoods(ctx, mapping), region
        )
        for index, path in enumerate(files):
            read: _ReadExport | UnreadableFile
            try:
                read = ahead.result()
            except UnreadableFile as error:
                read = error
            if index + 1 < len(files):
                ahead = reader.submit(
                    _read_force_export,
                    files[index + 1],
                    mapping,
                    _mapped_neighbourhoods(ctx, mapping),
                    region,
                )
            if isinstance(read, UnreadableFile):
                yield path, read
                continue
            yield (
                path,
                _store_force_export(
                    ctx,
                    actor=actor,
                    read=read,
                    mapping=mapping,
                    kinds=kinds,
                    report=report_for(path) if report_for else None,
                    progress=progress(path) if progress else None,
                ),
            )


def _finish(
    ctx: AppContext, *, session: Session, actor: Actor, batch_id: int, counts: repo.BatchCounts
) -> None:
    """Close the batch and log the collection, in the import's transaction."""
    repo.finish_batch(session=session, batch_id=batch_id, finished_at=ctx.now(), counts=counts)
    log_access(
        ctx,
        session=session,
        actor=actor,
        operation=Operation.COLLECTION,
        record_type="import_batch",
        record_id=batch_id,
    )


def _result(
    batch_id: int, path: Path, kind: str, counts: repo.BatchCounts, report: Path
) -> ImportResult:
    return ImportResult(
        batch_id=batch_id,
        source_file=path,
        kind=kind,
        rows_read=counts.rows_read,
        rows_added=counts.rows_added,
        rows_duplicate=counts.rows_duplicate,
        rows_rejected=counts.rows_rejected,
        report=report,
    )
