"""Recording crimes and the Victims' Code: victims, suspects, needs assessments, key events and
the updates they make due, support referrals and the Victim Personal Statement."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from sqlalchemy.orm import Session

from watchhouse.db.repositories import crimes as crime_repo
from watchhouse.db.repositories import incidents as incident_repo
from watchhouse.db.repositories import investigations as inv_repo
from watchhouse.db.repositories import places
from watchhouse.db.tables import CrimeRow
from watchhouse.domain.access import Operation
from watchhouse.domain.clock import to_local
from watchhouse.domain.errors import Conflict, FieldProblem, ValidationFailed
from watchhouse.domain.investigation_records import (
    CrimeView,
    HowReported,
    NeedsAnswers,
    NewCrime,
    NewSuspect,
    NewVictim,
    RecordedCrime,
)
from watchhouse.domain.offences import OffenceList
from watchhouse.domain.roles import Actor
from watchhouse.domain.values import Settlement
from watchhouse.domain.victims import (
    KeyEvent,
    NeedsAssessment,
    UpdateMethod,
    VpsDecision,
    enhanced_grounds,
    support_referral_due,
    victim_update_due,
    vps_offer_due,
)
from watchhouse.policy.offences import shipped_offence_lists
from watchhouse.services.access import log_access
from watchhouse.services.calendars import working_calendar
from watchhouse.services.context import AppContext

RECORD = "crime"
VICTIM_RECORD = "crime_victim"


def offence_list(ctx: AppContext) -> OffenceList:
    """The offence classification the force's policy names."""
    code = ctx.policy.investigations.offence_list
    found = shipped_offence_lists().get(code)
    if found is None:
        raise Conflict(f"the policy names offence list {code!r}, which is not installed")
    return found


def recorded_from_incident(ctx: AppContext, *, incident_id: int) -> tuple[RecordedCrime, ...]:
    """The crimes already recorded from an incident (reference, type and time), oldest first:
    shown on the form so an officer does not record the same crime twice."""
    with ctx.db.transaction() as session:
        return crime_repo.crimes_from_incident(session=session, incident_id=incident_id)


def log(
    ctx: AppContext,
    session: Session,
    actor: Actor,
    operation: Operation,
    record_id: object,
    *,
    record_type: str = RECORD,
    justification: str | None = None,
) -> None:
    """Log one operation on a crime (or one of its victims) in the caller's transaction."""
    log_access(
        ctx,
        session=session,
        actor=actor,
        operation=operation,
        record_type=record_type,
        record_id=record_id,
        justification=justification,
    )


def _person_for(session: Session, new: NewVictim | NewSuspect, now: datetime) -> int:
    given, family = new.given_name.strip(), new.family_name.strip()
    if new.date_of_birth is not None:
        found = places.find_person(
            session=session, given_name=given, family_name=family, date_of_birth=new.date_of_birth
        )
        if found is not None:
            return found.id
    return places.add_person(
        session=session,
        given_name=given,
        family_name=family,
        date_of_birth=new.date_of_birth,
        now=now,
    ).id


def _check_new_crime(ctx: AppContext, new: NewCrime) -> None:
    problems: list[FieldProblem] = []
    if offence_list(ctx).find(new.offence_code) is None:
        problems.append(FieldProblem("offence_code", "choose a crime type from the list"))
    if not new.summary.strip():
        problems.append(FieldProblem("summary", "say what happened"))
    if new.how_reported is HowReported.INCIDENT and new.incident_id is None:
        problems.append(FieldProblem("incident_id", "a crime from an incident needs the incident"))
    for i, victim in enumerate(new.victims):
        if victim.person_id is None and not (
            victim.given_name.strip() and victim.family_name.strip()
        ):
            problems.append(FieldProblem(f"victims.{i}", "give the victim's given and family name"))
    if problems:
        raise ValidationFailed(problems)


def _provisional_enhanced(
    ctx: AppContext, row: CrimeRow, date_of_birth: date | None, answers: NeedsAnswers | None = None
) -> tuple[str, ...]:
    zone = ctx.policy.force.timezone
    grounds = enhanced_grounds(
        NeedsAssessment(
            crime_group=row.crime_group,
            crime_type=row.crime_type,
            domestic_abuse=bool(row.domestic_abuse),
            hate_crime=bool(row.hate_crime),
            persistently_targeted=bool(answers and answers.persistently_targeted),
            vulnerable=bool(answers and answers.vulnerable),
            intimidated=bool(answers and answers.intimidated),
            date_of_birth=date_of_birth,
            offence_date=to_local(row.recorded_at, zone).date(),
        ),
        ctx.policy.victims_code.rules(),
    )
    return tuple(g.value for g in grounds)


def _add_victim(
    ctx: AppContext, session: Session, actor: Actor, row: CrimeRow, person_id: int
) -> int:
    now = ctx.now()
    victim_id = crime_repo.add_victim(
        session=session, crime_id=row.id, person_id=person_id, by=actor.user_id, now=now
    )
    person = places.person(session=session, person_id=person_id)
    grounds = _provisional_enhanced(ctx, row, person.date_of_birth if person else None)
    crime_repo.update_victim(
        session=session,
        crime_id=row.id,
        victim_id=victim_id,
        enhanced=bool(grounds),
        enhanced_grounds=list(grounds),
        support_due_at=support_referral_due(
            now, rules=ctx.policy.victims_code.rules(), calendar=working_calendar(ctx)
        ),
    )
    if row.victim_person_id is None:
        row.victim_person_id = person_id
    log(ctx, session, actor, Operation.COMBINATION, victim_id, record_type=VICTIM_RECORD)
    return victim_id


def _add_suspect(
    ctx: AppContext, session: Session, actor: Actor, crime_id: int, new: NewSuspect
) -> int:
    person_id = _person_for(session, new, ctx.now()) if new.named else None
    if person_id is None and not new.description.strip():
        raise ValidationFailed.one("suspect", "name the suspect or describe them")
    suspect_id = crime_repo.add_suspect(
        session=session,
        crime_id=crime_id,
        person_id=person_id,
        description=new.description.strip(),
        identified=new.identified or person_id is not None,
        by=actor.user_id,
        now=ctx.now(),
    )
    log(ctx, session, actor, Operation.COMBINATION, suspect_id, record_type="crime_suspect")
    return suspect_id


def record_crime(ctx: AppContext, *, actor: Actor, new: NewCrime) -> int:
    """Record a crime from an incident (its caller can be the victim) or an online report."""
    _check_new_crime(ctx, new)
    offence = offence_list(ctx).find(new.offence_code)
    assert offence is not None
    now = ctx.now()
    with ctx.db.transaction() as session:
        location_id = contact_id = caller = None
        if new.incident_id is not None:
            incident = incident_repo.incident_row(session=session, incident_id=new.incident_id)
            location_id, contact_id = incident.location_id, incident.contact_id
            caller = crime_repo.caller_of_contact(session=session, contact_id=contact_id)
        elif new.location_description.strip():
            location_id = places.add_location(
                session=session,
                description=new.location_description.strip(),
                postcode=None,
                neighbourhood_id=None,
                settlement=Settlement.URBAN,
            )
        if new.victim_is_caller and caller is None:
            raise ValidationFailed.one("victim_is_caller", "the incident's caller is not known")
        crime_id = crime_repo.add_crime(
            session=session,
            incident_id=new.incident_id,
            contact_id=contact_id,
            crime_type=offence.name,
            crime_group=offence.group,
            offence_code=offence.code,
            recorded_at=now,
            recorded_by=actor.user_id,
            how_reported=new.how_reported.value,
            summary=new.summary.strip(),
            location_id=location_id,
            domestic_abuse=new.domestic_abuse,
            hate_crime=new.hate_crime,
            outcome_code=0,
            awaiting_allocation=True,
            source="watchhouse",
        )
        log(ctx, session, actor, Operation.COLLECTION, crime_id)
        row = crime_repo.crime_row(session=session, crime_id=crime_id)
        people = [caller] if new.victim_is_caller and caller is not None else []
        people += [
            v.person_id if v.person_id is not None else _person_for(session, v, now)
            for v in new.victims
        ]
        for person_id in dict.fromkeys(people):
            _add_victim(ctx, session, actor, row, person_id)
        for suspect in new.suspects:
            _add_suspect(ctx, session, actor, crime_id, suspect)
    return crime_id


def get_crime(
    ctx: AppContext, *, actor: Actor, crime_id: int, justification: str | None
) -> CrimeView:
    """The whole crime with its plan, reviews and bureau tasks (a logged consultation)."""
    with ctx.db.transaction() as session:
        view = crime_repo.crime_view(session=session, crime_id=crime_id)
        log(ctx, session, actor, Operation.CONSULTATION, crime_id, justification=justification)
        return replace(
            view,
            plan=inv_repo.current_plan(session=session, crime_id=crime_id),
            reviews=inv_repo.reviews(session=session, crime_id=crime_id),
            tasks=inv_repo.tasks_for_crime(session=session, crime_id=crime_id),
        )


def add_victim(ctx: AppContext, *, actor: Actor, crime_id: int, new: NewVictim) -> int:
    """Add a victim to a crime."""
    if new.person_id is None and not (new.given_name.strip() and new.family_name.strip()):
        raise ValidationFailed.one("given_name", "give the victim's given and family name")
    with ctx.db.transaction() as session:
        row = crime_repo.crime_row(session=session, crime_id=crime_id)
        person_id = new.person_id or _person_for(session, new, ctx.now())
        victim_id = _add_victim(ctx, session, actor, row, person_id)
        log(ctx, session, actor, Operation.ALTERATION, crime_id)
        return victim_id


def add_suspect(ctx: AppContext, *, actor: Actor, crime_id: int, new: NewSuspect) -> int:
    """Add a suspect, named or described."""
    with ctx.db.transaction() as session:
        crime_repo.crime_row(session=session, crime_id=crime_id)
        suspect_id = _add_suspect(ctx, session, actor, crime_id, new)
        log(ctx, session, actor, Operation.ALTERATION, crime_id)
        return suspect_id


def assess_needs(
    ctx: AppContext, *, actor: Actor, crime_id: int, victim_id: int, answers: NeedsAnswers
) -> tuple[str, ...]:
    """Record the victim's needs assessment: decide enhanced rights and keep their update
    preferences; the VPS offer falls due from now. Returns the enhanced-rights grounds."""
    if answers.wants_updates:
        try:
            UpdateMethod(answers.update_method)
        except ValueError as exc:
            raise ValidationFailed.one(
                "update_method", "choose how the victim wants to be updated"
            ) from exc
    now = ctx.now()
    with ctx.db.transaction() as session:
        row = crime_repo.crime_row(session=session, crime_id=crime_id)
        victim = crime_repo.victim_row(session=session, crime_id=crime_id, victim_id=victim_id)
        person = places.person(session=session, person_id=victim.person_id)
        grounds = _provisional_enhanced(ctx, row, person.date_of_birth if person else None, answers)
        crime_repo.update_victim(
            session=session,
            crime_id=crime_id,
            victim_id=victim_id,
            assessed_at=now,
            assessed_by=actor.user_id,
            persistently_targeted=answers.persistently_targeted,
            vulnerable=answers.vulnerable,
            intimidated=answers.intimidated,
            enhanced=bool(grounds),
            enhanced_grounds=list(grounds),
            wants_updates=answers.wants_updates,
            update_method=answers.update_method if answers.wants_updates else None,
            update_contact=answers.update_contact.strip() or None,
            needs_notes=answers.notes.strip() or None,
            vps_due_at=victim.vps_due_at
            or vps_offer_due(
                now, rules=ctx.policy.victims_code.rules(), calendar=working_calendar(ctx)
            ),
        )
        log(ctx, session, actor, Operation.ALTERATION, victim_id, record_type=VICTIM_RECORD)
        return grounds


def record_support_referral(
    ctx: AppContext, *, actor: Actor, crime_id: int, victim_id: int, declined: bool
) -> None:
    """Record that the victim's details went to victim support (or that they declined)."""
    with ctx.db.transaction() as session:
        victim = crime_repo.victim_row(session=session, crime_id=crime_id, victim_id=victim_id)
        if victim.support_referred_at is not None or victim.support_declined:
            raise Conflict("the victim support referral is already recorded")
        values: dict[str, object] = (
            {"support_declined": True} if declined else {"support_referred_at": ctx.now()}
        )
        crime_repo.update_victim(session=session, crime_id=crime_id, victim_id=victim_id, **values)
        log(ctx, session, actor, Operation.ALTERATION, victim_id, record_type=VICTIM_RECORD)


def record_vps(
    ctx: AppContext,
    *,
    actor: Actor,
    crime_id: int,
    victim_id: int,
    decision: VpsDecision,
    made: bool,
) -> None:
    """Record the Victim Personal Statement offer, the victim's answer, and whether it is made."""
    now = ctx.now()
    with ctx.db.transaction() as session:
        victim = crime_repo.victim_row(session=session, crime_id=crime_id, victim_id=victim_id)
        values: dict[str, object] = {"vps_decision": decision.value}
        if victim.vps_offered_at is None:
            values["vps_offered_at"] = now
        if made and decision is VpsDecision.ACCEPTED and victim.vps_made_at is None:
            values["vps_made_at"] = now
        crime_repo.update_victim(session=session, crime_id=crime_id, victim_id=victim_id, **values)
        log(ctx, session, actor, Operation.ALTERATION, victim_id, record_type=VICTIM_RECORD)


def add_key_event(
    ctx: AppContext,
    session: Session,
    actor: Actor,
    crime_id: int,
    kind: KeyEvent,
    occurred_at: datetime,
    note: str,
) -> int:
    """Record a key event and make an update due for every victim, in the caller's
    transaction (outcomes use it too)."""
    rules = ctx.policy.victims_code.rules()
    calendar = working_calendar(ctx)
    event_id = crime_repo.add_event(
        session=session,
        crime_id=crime_id,
        kind=kind.value,
        occurred_at=occurred_at,
        by=actor.user_id,
        now=ctx.now(),
        note=note.strip(),
    )
    for victim in crime_repo.victims(session=session, crime_id=crime_id):
        wanted = victim.wants_updates is not False
        crime_repo.add_update_due(
            session=session,
            crime_id=crime_id,
            victim_id=victim.id,
            event_id=event_id,
            event=kind.value,
            event_at=occurred_at,
            due_at=victim_update_due(
                occurred_at, enhanced=victim.enhanced, rules=rules, calendar=calendar
            )
            if wanted
            else None,
            enhanced=victim.enhanced,
            required=wanted,
        )
    refresh_update_due(session, crime_id)
    return event_id


def refresh_update_due(session: Session, crime_id: int) -> None:
    """Keep the crime's earliest outstanding victim update deadline current (worklists use it)."""
    crime_repo.update_crime(
        session=session,
        crime_id=crime_id,
        next_victim_update_due_at=crime_repo.earliest_update_due(
            session=session, crime_id=crime_id
        ),
    )


def record_event(
    ctx: AppContext,
    *,
    actor: Actor,
    crime_id: int,
    kind: KeyEvent,
    occurred_at: datetime | None,
    note: str,
) -> int:
    """Record an arrest, charge, bail, release under investigation, no further action or
    out-of-court disposal; each victim is owed an update by the Victims' Code deadline."""
    now = ctx.now()
    at = occurred_at or now
    if at > now:
        raise ValidationFailed.one("occurred_at", "a key event cannot be in the future")
    if kind is KeyEvent.OUTCOME:
        raise ValidationFailed.one("kind", "record an outcome with the outcome form")
    with ctx.db.transaction() as session:
        crime_repo.crime_row(session=session, crime_id=crime_id)
        event_id = add_key_event(ctx, session, actor, crime_id, kind, at, note)
        log(ctx, session, actor, Operation.ALTERATION, crime_id)
        return event_id


def record_victim_update(
    ctx: AppContext, *, actor: Actor, crime_id: int, update_id: int, method: str, note: str
) -> None:
    """Record that the victim was told of a key event."""
    try:
        UpdateMethod(method)
    except ValueError as exc:
        raise ValidationFailed.one("method", "choose how the victim was updated") from exc
    with ctx.db.transaction() as session:
        row = crime_repo.update_row(session=session, crime_id=crime_id, update_id=update_id)
        if row.contacted_at is not None:
            raise Conflict("this update is already recorded")
        crime_repo.record_update(
            session=session,
            crime_id=crime_id,
            update_id=update_id,
            at=ctx.now(),
            by=actor.user_id,
            method=method,
            note=note.strip(),
        )
        refresh_update_due(session, crime_id)
        log(
            ctx,
            session,
            actor,
            Operation.ALTERATION,
            row.victim_id or crime_id,
            record_type=VICTIM_RECORD if row.victim_id else RECORD,
        )
