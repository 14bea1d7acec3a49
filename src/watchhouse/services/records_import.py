"""Importing a records system's export: crimes, victims, suspects, key events and crime admin
bureau tasks, each file
in one transaction, found again by the source's own ids (a re-import adds nothing and updates
what changed), so the investigation worklists, the Victims' Code and the outcome measures work
for a force that keeps Niche or Athena. Format in docs/data-formats.md."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from watchhouse.db.investigation_tables import (
    CrimeAdminTaskRow,
    CrimeEventRow,
    CrimeSuspectRow,
    CrimeVictimRow,
)
from watchhouse.db.repositories import imports as batches
from watchhouse.db.repositories import records_import as repo
from watchhouse.db.tables import CrimeRow
from watchhouse.domain.roles import Actor
from watchhouse.domain.victims import (
    NeedsAssessment,
    enhanced_grounds,
    victim_update_due,
    vps_offer_due,
)
from watchhouse.io import force_files
from watchhouse.io.records_import import (
    ParsedRecords,
    RecordIn,
    RecordKind,
    RecordsMapping,
    local_date,
    parse_file,
)
from watchhouse.io.rejects import Rejection, default_report_path, write_report
from watchhouse.services.calendars import working_calendar
from watchhouse.services.context import AppContext
from watchhouse.services.crimes import offence_list
from watchhouse.services.imports import ImportResult, _finish, _result, file_sha256

IMPORTER = "records"


@dataclass
class _Written:
    added: int = 0
    updated: int = 0
    affected: set[int] | None = None


def import_records(
    ctx: AppContext,
    *,
    actor: Actor,
    kind: RecordKind,
    paths: list[Path],
    mapping: RecordsMapping,
    report_dir: Path | None = None,
) -> list[ImportResult]:
    """Import the files of one kind (files, folders or globs), each in its own transaction, in
    the order given. Raises `UnreadableFile` naming a file that cannot be read (the files
    before it stay imported) and `MappingError` when the mapping has no table for the kind."""
    mapping.kind(kind)
    results = []
    for path in force_files.expand_inputs(paths):
        report = None if report_dir is None else report_dir / default_report_path(path).name
        results.append(
            _import_file(ctx, actor=actor, kind=kind, path=path, mapping=mapping, report=report)
        )
    return results


def _import_file(
    ctx: AppContext,
    *,
    actor: Actor,
    kind: RecordKind,
    path: Path,
    mapping: RecordsMapping,
    report: Path | None,
) -> ImportResult:
    parsed = parse_file(path, kind=kind, mapping=mapping)
    digest = file_sha256(path)
    with ctx.db.transaction() as session:
        batch_id = batches.start_batch(
            session=session,
            importer=f"{IMPORTER}.{kind.value}",
            source_file=str(path),
            file_sha256=digest,
            started_at=ctx.now(),
        )
        writer = _WRITERS[kind]
        written = writer(ctx, session, mapping, parsed)
        if written.affected:
            repo.rebuild_from_events(
                session=session,
                source=mapping.source,
                crime_ids=written.affected,
                update_due=_update_due(ctx),
                vps_due=_vps_due(ctx) if _holds_vps(mapping) else None,
            )
        kept = len(parsed.records)
        counts = batches.BatchCounts(
            rows_read=parsed.rows_read,
            rows_added=written.added,
            rows_duplicate=kept - written.added,
            rows_rejected=parsed.rows_rejected,
            rows_filtered=parsed.rows_filtered,
        )
        _finish(ctx, session=session, actor=actor, batch_id=batch_id, counts=counts)
    written_report = write_report(
        report or default_report_path(path), [*parsed.rejections, *parsed.warnings]
    )
    result = _result(batch_id, path, f"{IMPORTER}.{kind.value}", counts, written_report)
    return replace(
        result,
        rows_filtered=parsed.rows_filtered,
        warnings=len(parsed.warnings),
        rows_updated=written.updated,
    )


def _update_due(ctx: AppContext) -> repo.UpdateDue:
    rules = ctx.policy.victims_code.rules()
    calendar = working_calendar(ctx)

    def due(at: datetime, enhanced: bool) -> datetime:
        return victim_update_due(at, enhanced=enhanced, rules=rules, calendar=calendar)

    return due


def _holds_vps(mapping: RecordsMapping) -> bool:
    """Whether the source holds VPS offers: only then is an offer owed (and can be late)."""
    victims = mapping.kinds.get(RecordKind.VICTIMS)
    return victims is not None and "vps_offered_at" in victims.reading.columns


def _vps_due(ctx: AppContext) -> repo.VpsDue:
    rules = ctx.policy.victims_code.rules()
    calendar = working_calendar(ctx)

    def due(assessed_at: datetime) -> datetime:
        return vps_offer_due(assessed_at, rules=rules, calendar=calendar)

    return due


def _mapped(mapping: RecordsMapping, kind: RecordKind, name: str) -> bool:
    return name in mapping.kind(kind).reading.columns


def _refuse(parsed: ParsedRecords, record: RecordIn, column: str, value: str, reason: str) -> None:
    parsed.rejections.append(Rejection(record.row, column, value, reason))


def _column(mapping: RecordsMapping, kind: RecordKind, name: str) -> str:
    return mapping.kind(kind).reading.columns.get(name, name)


def _write_crimes(
    ctx: AppContext, session: Session, mapping: RecordsMapping, parsed: ParsedRecords
) -> _Written:
    offences = offence_list(ctx)
    names = {
        str(r.values[k])
        for r in parsed.records
        for k in ("investigator", "supervisor")
        if k in r.values
    }
    users = repo.user_ids(session=session, usernames=names)
    rows: dict[str, dict[str, Any]] = {}
    for record in list(parsed.records):
        v = record.values
        crime_type, crime_group = v.get("crime_type"), v.get("crime_group")
        offence_code = None
        if "offence" in v:
            offence = offences.find(str(v["offence"]))
            if offence is None:
                _refuse(
                    parsed,
                    record,
                    _column(mapping, RecordKind.CRIMES, "offence"),
                    str(v["offence"]),
                    f"codes.offence gives {v['offence']!r}, not in the offence list "
                    f"{offences.code!r}",
                )
                parsed.records.remove(record)
                continue
            offence_code, crime_type, crime_group = offence.code, offence.name, offence.group
        if not crime_type or not crime_group:
            _refuse(
                parsed,
                record,
                _column(mapping, RecordKind.CRIMES, "offence"),
                "",
                "no crime type: map an offence code, or crime_type and crime_group",
            )
            parsed.records.remove(record)
            continue
        outcome = int(v.get("outcome", 0))
        if outcome > 0 and "outcome_at" not in v:
            _refuse(
                parsed,
                record,
                _column(mapping, RecordKind.CRIMES, "outcome_at"),
                "",
                f"outcome {outcome} needs the time it was given (outcome_at)",
            )
            parsed.records.remove(record)
            continue
        people: dict[str, int | None] = {}
        for key in ("investigator", "supervisor"):
            name = v.get(key)
            people[key] = users.get(str(name)) if name else None
            if name and people[key] is None:
                parsed.warnings.append(
                    Rejection(
                        record.row,
                        _column(mapping, RecordKind.CRIMES, key),
                        str(name),
                        f"warning: no watchhouse user {name!r}; the crime is kept without "
                        f"its {key}",
                    )
                )
        rows[record.external_ref] = {
            "recorded_at": v["recorded_at"],
            "crime_type": str(crime_type)[:80],
            "crime_group": str(crime_group)[:60],
            "offence_code": offence_code,
            "home_office_code": v.get("home_office_code"),
            "outcome_code": outcome,
            "outcome_at": v.get("outcome_at") if outcome > 0 else None,
            "domestic_abuse": bool(v.get("domestic_abuse", False)),
            "hate_crime": v.get("hate_crime"),
            "allocated_at": v.get("allocated_at"),
            "allocated_team": v.get("allocated_team"),
            "allocated_to": people["investigator"],
            "supervisor_id": people["supervisor"],
        }
        if _mapped(mapping, RecordKind.CRIMES, "next_review_due_at"):
            # The source's own deadline; an unmapped one leaves what watchhouse holds alone.
            rows[record.external_ref]["next_review_due_at"] = v.get("next_review_due_at")
    done = repo.upsert(session=session, table=CrimeRow, source=mapping.source, rows=rows)
    touched = done.added | done.changed
    return _Written(len(done.added), len(done.changed), {done.ids[r] for r in touched})


def _crime_ids(
    session: Session, mapping: RecordsMapping, kind: RecordKind, parsed: ParsedRecords
) -> dict[str, int]:
    """The stored crimes the rows name; a row naming none is refused."""
    refs = [r.crime_ref for r in parsed.records if r.crime_ref]
    found = repo.ids_of(session=session, table=CrimeRow, source=mapping.source, refs=refs)
    for record in list(parsed.records):
        if record.crime_ref not in found:
            _refuse(
                parsed,
                record,
                _column(mapping, kind, "crime_ref"),
                record.crime_ref or "",
                f"no crime {record.crime_ref!r} from {mapping.source}: import the crimes first",
            )
            parsed.records.remove(record)
    return found


def _write_victims(
    ctx: AppContext, session: Session, mapping: RecordsMapping, parsed: ParsedRecords
) -> _Written:
    crimes = _crime_ids(session, mapping, RecordKind.VICTIMS, parsed)
    facts = repo.crime_facts(session=session, ids=crimes.values())
    rules = ctx.policy.victims_code.rules()
    zone = mapping.time_zone
    rows: dict[str, dict[str, Any]] = {}
    people: dict[str, tuple[str, str, Any]] = {}
    for record in parsed.records:
        v = record.values
        crime = facts[crimes[str(record.crime_ref)]]
        if "enhanced_grounds" in v:
            grounds: list[str] | None = list(v["enhanced_grounds"])
            enhanced = bool(grounds)
        elif "enhanced" in v:
            grounds, enhanced = None, bool(v["enhanced"])
        else:  # not held by the source: the rights the crime itself gives (provisional)
            found = enhanced_grounds(
                NeedsAssessment(
                    crime_group=crime.crime_group,
                    crime_type=crime.crime_type,
                    domestic_abuse=crime.domestic_abuse,
                    hate_crime=crime.hate_crime,
                    persistently_targeted=False,
                    vulnerable=False,
                    intimidated=False,
                    date_of_birth=v.get("date_of_birth"),
                    offence_date=local_date(crime.recorded_at, zone),
                ),
                rules,
            )
            grounds, enhanced = [g.value for g in found], bool(found)
        support_mapped = "support_referred_at" in mapping.kind(RecordKind.VICTIMS).reading.columns
        added_at = v.get("added_at", crime.recorded_at)
        rows[record.external_ref] = {
            "crime_id": crime.id,
            "added_at": added_at,
            "enhanced": enhanced,
            "enhanced_grounds": grounds,
            "wants_updates": v.get("wants_updates"),
            "support_referred_at": v.get("support_referred_at"),
            "support_declined": v.get("support_declined"),
            "support_due_at": _support_due(ctx, added_at) if support_mapped else None,
        }
        if _mapped(mapping, RecordKind.VICTIMS, "vps_offered_at"):
            decision = v.get("vps_decision")
            rows[record.external_ref] |= {
                "vps_offered_at": v.get("vps_offered_at"),
                "vps_decision": decision or ("accepted" if "vps_made_at" in v else None),
                "vps_made_at": v.get("vps_made_at"),
            }
        people[record.external_ref] = (
            str(v.get("given_name", "")),
            str(v.get("family_name", "")),
            v.get("date_of_birth"),
        )
    now = ctx.now()

    def new_person(ref: str, _values: dict[str, Any]) -> dict[str, Any]:
        given, family, born = people[ref]
        return {
            "person_id": repo.add_person(
                session=session, given_name=given, family_name=family, date_of_birth=born, now=now
            )
        }

    before = _crimes_before(session, CrimeVictimRow, mapping.source, list(rows))
    done = repo.upsert(
        session=session,
        table=CrimeVictimRow,
        source=mapping.source,
        rows=rows,
        on_insert=new_person,
    )
    persons = repo.victim_person_ids(session=session, victim_ids=done.ids.values())
    for ref, victim_id in done.ids.items():
        if ref not in done.added:
            given, family, born = people[ref]
            repo.update_person(
                session=session,
                person_id=persons[victim_id],
                given_name=given,
                family_name=family,
                date_of_birth=born,
            )
    touched = done.added | done.changed
    affected = {int(rows[r]["crime_id"]) for r in touched}
    affected |= {before[r] for r in touched if r in before}  # a victim moved to another crime
    repo.set_first_victim(session=session, crime_ids=affected)
    return _Written(len(done.added), len(done.changed), affected)


def _support_due(ctx: AppContext, added_at: datetime) -> datetime:
    from watchhouse.domain.victims import support_referral_due

    return support_referral_due(
        added_at, rules=ctx.policy.victims_code.rules(), calendar=working_calendar(ctx)
    )


def _write_suspects(
    ctx: AppContext, session: Session, mapping: RecordsMapping, parsed: ParsedRecords
) -> _Written:
    crimes = _crime_ids(session, mapping, RecordKind.SUSPECTS, parsed)
    facts = repo.crime_facts(session=session, ids=crimes.values())
    rows: dict[str, dict[str, Any]] = {}
    for record in parsed.records:
        v = record.values
        crime = facts[crimes[str(record.crime_ref)]]
        description = str(v.get("description", ""))
        rows[record.external_ref] = {
            "crime_id": crime.id,
            "description": description,
            "identified": bool(v.get("identified", bool(description))),
            "added_at": v.get("added_at", crime.recorded_at),
        }
    done = repo.upsert(session=session, table=CrimeSuspectRow, source=mapping.source, rows=rows)
    return _Written(len(done.added), len(done.changed), None)


def _write_events(
    ctx: AppContext, session: Session, mapping: RecordsMapping, parsed: ParsedRecords
) -> _Written:
    crimes = _crime_ids(session, mapping, RecordKind.EVENTS, parsed)
    victim_refs = [str(r.values["victim_ref"]) for r in parsed.records if "victim_ref" in r.values]
    victims = {
        ref: row
        for ref, row in repo.stored(
            session=session, table=CrimeVictimRow, source=mapping.source, refs=victim_refs
        ).items()
    }
    now = ctx.now()
    rows: dict[str, dict[str, Any]] = {}
    for record in list(parsed.records):
        v = record.values
        crime_id = crimes[str(record.crime_ref)]
        victim_id = None
        if "victim_ref" in v:
            victim = victims.get(str(v["victim_ref"]))
            if victim is None or victim.crime_id != crime_id:
                _refuse(
                    parsed,
                    record,
                    _column(mapping, RecordKind.EVENTS, "victim_ref"),
                    str(v["victim_ref"]),
                    f"no victim {v['victim_ref']!r} of crime {record.crime_ref!r} from "
                    f"{mapping.source}: import the victims first",
                )
                parsed.records.remove(record)
                continue
            victim_id = victim.id
        if v["occurred_at"] > now:
            _refuse(
                parsed,
                record,
                _column(mapping, RecordKind.EVENTS, "occurred_at"),
                str(v["occurred_at"]),
                "in the future",
            )
            parsed.records.remove(record)
            continue
        rows[record.external_ref] = {
            "crime_id": crime_id,
            "kind": str(v["kind"]),
            "occurred_at": v["occurred_at"],
            "victim_id": victim_id,
            "plan_adequate": v.get("adequate"),
            "note": str(v.get("note", "")),
        }

    def recorded(_ref: str, _values: dict[str, Any]) -> dict[str, Any]:
        return {"recorded_at": now}

    before = _crimes_before(session, CrimeEventRow, mapping.source, list(rows))
    done = repo.upsert(
        session=session,
        table=CrimeEventRow,
        source=mapping.source,
        rows=rows,
        on_insert=recorded,
    )
    touched = done.added | done.changed
    affected = {int(rows[r]["crime_id"]) for r in touched}
    affected |= {before[r] for r in touched if r in before}  # an event moved to another crime
    return _Written(len(done.added), len(done.changed), affected)


def _crimes_before(session: Session, table: Any, source: str, refs: list[str]) -> dict[str, int]:
    """The crime each stored row belonged to before this import."""
    found = repo.stored(session=session, table=table, source=source, refs=refs)
    return {ref: int(row.crime_id) for ref, row in found.items()}


def _write_tasks(
    ctx: AppContext, session: Session, mapping: RecordsMapping, parsed: ParsedRecords
) -> _Written:
    crimes = _crime_ids(session, mapping, RecordKind.TASKS, parsed)
    calendar = working_calendar(ctx)
    days = ctx.policy.investigations.bureau_task_working_days
    rows: dict[str, dict[str, Any]] = {}
    for record in list(parsed.records):
        v = record.values
        requested = v["requested_at"]
        done = v.get("done_at")
        if done is not None and done < requested:
            _refuse(
                parsed,
                record,
                _column(mapping, RecordKind.TASKS, "done_at"),
                str(done),
                "done before it was asked",
            )
            parsed.records.remove(record)
            continue
        rows[record.external_ref] = {
            "crime_id": crimes[str(record.crime_ref)],
            "task": str(v["task"]),
            "detail": str(v.get("detail", "")),
            "requested_at": requested,
            "due_at": v.get("due_at") or calendar.deadline(requested, days),
            "done_at": done,
            "result": v.get("result"),
        }
    done_rows = repo.upsert(
        session=session, table=CrimeAdminTaskRow, source=mapping.source, rows=rows
    )
    return _Written(len(done_rows.added), len(done_rows.changed), None)


_WRITERS = {
    RecordKind.CRIMES: _write_crimes,
    RecordKind.VICTIMS: _write_victims,
    RecordKind.SUSPECTS: _write_suspects,
    RecordKind.EVENTS: _write_events,
    RecordKind.TASKS: _write_tasks,
}
