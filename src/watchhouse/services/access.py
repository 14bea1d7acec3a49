"""The one place that writes and reads the access log (DPA 2018 s.62)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy.orm import Session

from watchhouse.db.repositories import access_log
from watchhouse.domain.access import (
    NEEDS_JUSTIFICATION,
    AccessEntry,
    AccessQuery,
    JustificationReason,
    Operation,
    RecordWork,
    given_justification,
    own_work_reason,
    read_justification_header,
)
from watchhouse.domain.errors import JustificationNeeded, ValidationFailed
from watchhouse.domain.roles import Actor
from watchhouse.io.spreadsheet import csv_text
from watchhouse.services.context import AppContext


def log_access(
    ctx: AppContext,
    *,
    session: Session,
    actor: Actor,
    operation: Operation,
    record_type: str,
    record_id: object,
    justification: str | None = None,
    recipient: str | None = None,
) -> None:
    """Log one operation on personal data, in the caller's transaction."""
    log_accesses(
        ctx,
        session=session,
        actor=actor,
        entries=[LoggedOperation(operation, record_type, record_id, justification, recipient)],
    )


@dataclass(frozen=True)
class LoggedOperation:
    """One operation on one record, for `log_accesses`."""

    operation: Operation
    record_type: str
    record_id: object
    justification: str | None = None
    recipient: str | None = None


def log_accesses(
    ctx: AppContext, *, session: Session, actor: Actor, entries: Sequence[LoggedOperation]
) -> None:
    """Log several operations by one actor, in the caller's transaction and one statement
    (a contact and its caller are logged together: issue 16, Load)."""
    at = ctx.now()
    rows = []
    for entry in entries:
        reason = (entry.justification or "").strip() or None
        needs_reason = ctx.policy.access_log.require_justification and (
            entry.operation in NEEDS_JUSTIFICATION
        )
        if needs_reason and reason is None:
            raise ValidationFailed.one(
                "justification", f"policy requires a justification for {entry.operation.value}"
            )
        rows.append(
            access_log.Appended(
                at=at,
                user_id=actor.user_id,
                username=actor.username,
                operation=entry.operation,
                record_type=entry.record_type,
                record_id=str(entry.record_id),
                justification=reason,
                recipient=entry.recipient,
            )
        )
    access_log.append_many(session=session, entries=rows)


def justification_reasons(ctx: AppContext) -> list[JustificationReason]:
    """The reasons people choose from before viewing personal data outside their own work."""
    return ctx.policy.access_log.reasons()


def chosen_justification(ctx: AppContext, code: str, text: str) -> str:
    """A reason chosen on a screen plus the person's free text, as the log will hold it."""
    return given_justification(code, text, justification_reasons(ctx))


def header_justification(ctx: AppContext, value: str | None) -> str | None:
    """An API client's `X-Justification` (a reason code, optionally ': ' and free text), as
    the log will hold it; None when absent. ValidationFailed names the header otherwise."""
    if value is None or not value.strip():
        return None
    return read_justification_header(value, justification_reasons(ctx))


def reason_for_view(
    ctx: AppContext, *, actor: Actor, given: str | None, work: RecordWork | None, what: str
) -> str | None:
    """The justification logged for showing a record: what the person gave; else, when the
    record is their own work, the system's reason saying so; else, when policy requires a
    reason, JustificationNeeded (the screen then asks for one)."""
    if given:
        return given
    if work is not None:
        own = own_work_reason(actor.role, actor.user_id, work, what)
        if own is not None:
            return own
    if ctx.policy.access_log.require_justification:
        raise JustificationNeeded(what)
    return None


def access_record_types(ctx: AppContext) -> list[str]:
    """The record types the log holds, for choosing from a list."""
    with ctx.db.transaction() as session:
        return access_log.record_types(session=session)


def _as_logged(session: Session, query: AccessQuery) -> AccessQuery:
    """The query with its record type spelled as the log spells it (the choice is
    case-insensitive); a type the log has never held matches nothing."""
    if not query.record_type:
        return query
    wanted = query.record_type.strip().lower()
    for known in access_log.record_types(session=session):
        if known.lower() == wanted:
            return replace(query, record_type=known)
    return query


def search_access_log(ctx: AppContext, *, actor: Actor, query: AccessQuery) -> list[AccessEntry]:
    """Search the log (searching it is not itself personal data about the public)."""
    with ctx.db.transaction() as session:
        return access_log.search(session=session, query=_as_logged(session, query))


def export_access_log_csv(
    ctx: AppContext, *, actor: Actor, query: AccessQuery, justification: str, recipient: str
) -> str:
    """Export matching entries as CSV; the export is logged as a disclosure."""
    with ctx.db.transaction() as session:
        entries = access_log.search(session=session, query=_as_logged(session, query))
        log_access(
            ctx,
            session=session,
            actor=actor,
            operation=Operation.DISCLOSURE,
            record_type="access_log",
            record_id=f"{len(entries)} entries",
            justification=justification,
            recipient=recipient.strip() or actor.username,
        )
    header = [
        "id",
        "at_utc",
        "username",
        "operation",
        "record_type",
        "record_id",
        "justification",
        "recipient",
    ]
    return csv_text(
        header,
        (
            [
                e.id,
                e.at.isoformat(),
                e.username,
                e.operation.value,
                e.record_type,
                e.record_id,
                e.justification or "",
                e.recipient or "",
            ]
            for e in entries
        ),
    )
