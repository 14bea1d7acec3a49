"""Exporting the store to Parquet for analysis elsewhere: a logged disclosure."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from watchhouse.db.repositories import imports as repo
from watchhouse.domain.access import Operation
from watchhouse.domain.errors import ValidationFailed
from watchhouse.domain.roles import Actor
from watchhouse.io import parquet
from watchhouse.services.access import log_access
from watchhouse.services.context import AppContext

# Never exported: live sign-in sessions, and password hashes.
EXCLUDED_TABLES = frozenset({"user_sessions"})
EXCLUDED_COLUMNS = {"users": frozenset({"password_hash"})}
DEFAULT_RECIPIENT = "analytics"
CHUNK_ROWS = 50_000

ExportProgress = Callable[[int, int], None]
"""Told (rows written, rows to write) as an export goes."""


@dataclass(frozen=True)
class ExportedTable:
    """One table written."""

    name: str
    rows: int
    path: Path


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote."""

    directory: Path
    tables: list[ExportedTable]

    @property
    def rows(self) -> int:
        """Rows written over all tables."""
        return sum(t.rows for t in self.tables)


def exportable_tables() -> list[str]:
    """Every table that may be exported, in dependency order."""
    return [name for name in repo.table_names() if name not in EXCLUDED_TABLES]


def export_parquet(
    ctx: AppContext,
    *,
    actor: Actor,
    directory: Path,
    justification: str,
    recipient: str = DEFAULT_RECIPIENT,
    tables: Sequence[str] | None = None,
    progress: ExportProgress | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> ExportResult:
    """Write each table to `<directory>/<table>.parquet` from one consistent read, and log the
    export as one disclosure; nothing is written (or logged) unless every table is."""
    names = _chosen(tables)
    directory.mkdir(parents=True, exist_ok=True)
    paths = [directory / f"{name}.parquet" for name in names]
    written: list[ExportedTable] = []
    try:
        with ctx.db.transaction() as session:
            # Logged first, so a missing justification stops the export before any writing.
            log_access(
                ctx,
                session=session,
                actor=actor,
                operation=Operation.DISCLOSURE,
                record_type="parquet_export",
                record_id=f"{len(names)} tables",
                justification=justification,
                recipient=recipient.strip() or DEFAULT_RECIPIENT,
            )
            session.flush()
            columns = {
                name: [
                    column
                    for column in repo.column_kinds(name)
                    if column not in EXCLUDED_COLUMNS.get(name, frozenset())
                ]
                for name in names
            }
            written = write_tables(
                session=session,
                directory=directory,
                columns=columns,
                progress=progress,
                chunk_rows=chunk_rows,
            )
            parquet.publish(paths)
    except BaseException:
        parquet.discard(paths)
        raise
    return ExportResult(directory, written)


def write_tables(
    *,
    session: Session,
    directory: Path,
    columns: Mapping[str, Sequence[str]],
    progress: ExportProgress | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> list[ExportedTable]:
    """Write these columns of each table to `<directory>/<table>.parquet.partial` from the
    session's read (publish or discard them with io.parquet); used by the export and by the
    measures' snapshot."""
    grand_total = sum(repo.count_rows(session=session, table_name=n) for n in columns)
    done = 0
    written: list[ExportedTable] = []
    for name, wanted in columns.items():
        path = directory / f"{name}.parquet"
        kinds = repo.column_kinds(name)
        chosen = {column: kinds[column] for column in wanted if column in kinds}
        with parquet.ParquetTableWriter(path, chosen) as writer:
            for rows in repo.stream_table(
                session=session, table_name=name, columns=list(chosen), chunk_rows=chunk_rows
            ):
                writer.write(rows)
                done += len(rows)
                if progress:
                    progress(done, grand_total)
        written.append(ExportedTable(name, writer.rows, path))
    return written


def _chosen(tables: Sequence[str] | None) -> list[str]:
    allowed = exportable_tables()
    if not tables:
        return allowed
    wanted = [t.strip() for t in tables if t.strip()]
    refused = [t for t in wanted if t in EXCLUDED_TABLES]
    if refused:
        raise ValidationFailed.one("tables", f"never exported: {', '.join(refused)}")
    unknown = [t for t in wanted if t not in allowed]
    if unknown:
        raise ValidationFailed.one(
            "tables", f"no such tables: {', '.join(unknown)} (choose from {', '.join(allowed)})"
        )
    return [t for t in allowed if t in wanted]
