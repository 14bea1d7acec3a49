"""Taking a contact: record the caller, assess THRIVE, grade, and resolve grade 4."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, replace

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from watchhouse.db.repositories import contacts, incidents, places, plans, repeats
from watchhouse.db.repositories import identity as identity_repo
from watchhouse.domain.access import Operation
from watchhouse.domain.contact_rules import CheckedContact, check_new_contact
from watchhouse.domain.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from watchhouse.domain.incident_flow import Closure, IncidentStatus, check_close, initial_status
from watchhouse.domain.records import ContactView, NewContact, contact_reference
from watchhouse.domain.referrals import ReferralStatus, check_referral_update
from watchhouse.domain.repeats import RepeatFinding, count_limit, counted_findings
from watchhouse.domain.roles import Actor
from watchhouse.domain.thrive import (
    GradeSuggestion,
    ThriveAssessment,
    VulnerabilityFlag,
    suggest_grade,
)
from watchhouse.domain.values import Grade, Settlement
from watchhouse.linkage.prepare import normalise_value
from watchhouse.services import first_contact, identity_online
from watchhouse.services.access import (
    LoggedOperation,
    log_access,
    log_accesses,
    reason_for_view,
)
from watchhouse.services.context import AppContext


@dataclass(frozen=True)
class TakenContact:
    """The contact stored (or found again by its idempotency key)."""

    contact_id: int
    created: bool


def take_contact(
    ctx: AppContext, *, actor: Actor, new: NewContact, idempotency_key: str | None = None
) -> TakenContact:
    """Store a new contact with its caller, number and location; a repeated key creates nothing."""
    key = (idempotency_key or "").strip() or None
    if key is not None and len(key) > 120:
        raise ValidationFailed.one("Idempotency-Key", "is longer than 120 characters")
    digest = request_digest(new)
    checked = check_new_contact(new, ctx.now())
    identifiers, problems = _checked_identifiers(ctx, new)
    try:
        # One transaction: a retry is found again, or the contact is stored (the key's
        # unique index settles a race between two requests that both found nothing).
        with ctx.db.transaction() as session:
            # The key, the neighbourhood and the identity model's run in one round trip.
            looked_up = contacts.write_lookups(
                session=session,
                user_id=actor.user_id,
                key=key,
                neighbourhood_code=new.neighbourhood_code,
            )
            if looked_up.keyed is not None and key is not None:
                return _replayed(looked_up.keyed, key, digest)
            if isinstance(checked, list) or problems:
                raise ValidationFailed([*(checked if isinstance(checked, list) else []), *problems])
            contact_id = _store_contact(
                ctx, session, actor, checked, looked_up, key, digest, identifiers=identifiers
            )
            if identifiers:
                identity_repo.add_identifiers(
                    session=session, contact_id=contact_id, values=identifiers
                )
    except IntegrityError:
        if key is None:
            raise
        with ctx.db.transaction() as session:
            existing = contacts.by_idempotency_key(session=session, user_id=actor.user_id, key=key)
        if existing is None:
            raise
        return _replayed(existing, key, digest)
    return TakenContact(contact_id, created=True)


IDENTIFIER_MAX_LENGTH = 100


def _checked_identifiers(
    ctx: AppContext, new: NewContact
) -> tuple[dict[str, str], list[FieldProblem]]:
    """The force's own identifiers given with a contact, normalised for their kind (policy
    `[identity] extra_identifiers`; only the names it declares), and what is wrong with them."""
    declared = {e.name: e for e in ctx.policy.identity.extra_identifiers}
    values: dict[str, str] = {}
    problems: list[FieldProblem] = []
    for name, raw in new.identifiers:
        field = f"identifier_{name}"
        if name not in declared:
            known = ", ".join(declared) or "none"
            problems.append(
                FieldProblem(field, f"not an identifier this force keeps (it keeps: {known})")
            )
            continue
        if len(raw) > IDENTIFIER_MAX_LENGTH:
            problems.append(
                FieldProblem(field, f"is longer than {IDENTIFIER_MAX_LENGTH} characters")
            )
            continue
        value = normalise_value(declared[name].kind, raw, ctx.policy.identity.telephone_region)
        if value:
            values[name] = value[:200]
    return values, problems


def feed_contact(ctx: AppContext, *, actor: Actor, contact_id: int) -> contacts.FeedContact:
    """A contact the feed made, for the handler's form (a logged consultation)."""
    with ctx.db.transaction() as session:
        found = contacts.feed_contact(session=session, contact_id=contact_id)
        if found is None:
            raise NotFound("telephony call with contact", contact_id)
        log_access(
            ctx,
            session=session,
            actor=actor,
            operation=Operation.CONSULTATION,
            record_type="contact",
            record_id=contact_id,
            justification="completing the answered call",
        )
    return found


def complete_feed_contact(
    ctx: AppContext, *, actor: Actor, contact_id: int, new: NewContact
) -> int:
    """Complete a contact the telephony feed made (on answer) with what the handler took
    down: caller, number, location, summary. Its channel and times stay the feed's; no second
    contact is made. Refused once the contact is assessed or graded, or if it is not one the
    feed made."""
    with ctx.db.transaction() as session:
        found = contacts.feed_contact(session=session, contact_id=contact_id)
    if found is None:
        raise ValidationFailed.one("contact", f"contact {contact_id} was not made by the feed")
    given = replace(
        new,
        channel=found.channel,
        presented_at=found.presented_at,
        answered_at=found.answered_at,
        abandoned=False,
        telephone=new.telephone.strip() or (found.caller_telephone or ""),
    )
    checked = check_new_contact(given, ctx.now())
    identifiers, problems = _checked_identifiers(ctx, given)
    if isinstance(checked, list) or problems:
        raise ValidationFailed([*(checked if isinstance(checked, list) else []), *problems])
    with ctx.db.transaction() as session:
        locked = contacts.feed_contact(session=session, contact_id=contact_id, lock=True)
        if locked is None or locked.status != "open":
            raise Conflict(
                f"contact {contact_id} is already {locked.status if locked else 'gone'}: "
                "open it to carry on"
            )
        looked_up = contacts.write_lookups(
            session=session,
            user_id=actor.user_id,
            key=None,
            neighbourhood_code=checked.contact.neighbourhood_code,
        )
        _store_contact(
            ctx,
            session,
            actor,
            checked,
            looked_up,
            None,
            existing=locked,
            identifiers=identifiers,
        )
        if identifiers:
            identity_repo.add_identifiers(
                session=session, contact_id=contact_id, values=identifiers
            )
    return contact_id


_NEW_CONTACT_FIELDS = dataclasses.fields(NewContact)


def request_digest(new: NewContact) -> str:
    """SHA-256 of the contact as asked for (before defaults are filled in), so a retry of the
    same request matches and a different request under the same key does not."""
    # The fields are plain values (no nested dataclasses), so this equals
    # `dataclasses.asdict(new)` (which deep-copies every value) for the digest.
    as_dict = {field.name: getattr(new, field.name) for field in _NEW_CONTACT_FIELDS}
    fields = json.dumps(as_dict, sort_keys=True, default=str)
    return hashlib.sha256(fields.encode()).hexdigest()


def _replayed(existing: contacts.KeyedContact, key: str, digest: str) -> TakenContact:
    """The contact a retry found again; a different request under the same key is refused."""
    if existing.body_sha256 is not None and existing.body_sha256 != digest:
        raise Conflict(
            f"Idempotency-Key {key!r} was already used for a different contact; "
            "send a new key for a new contact"
        )
    return TakenContact(existing.contact_id, created=False)


def _store_contact(
    ctx: AppContext,
    session: Session,
    actor: Actor,
    checked: CheckedContact,
    looked_up: contacts.WriteLookups,
    key: str | None,
    digest: str | None = None,
    existing: contacts.FeedContact | None = None,
    identifiers: Mapping[str, str] | None = None,
) -> int:
    """Store a checked contact: a new one, or (with `existing`) the one the feed made; its
    neighbourhood and the identity model's run as `looked_up` found them. The caller's extra
    `identifiers` (stored by the caller of this function) count in choosing who the caller
    is."""
    new = checked.contact
    assert new.presented_at is not None
    neighbourhood = None
    if new.neighbourhood_code:
        neighbourhood = looked_up.neighbourhood
        if neighbourhood is None:
            raise ValidationFailed.one(
                "neighbourhood_code", f"no neighbourhood with code {new.neighbourhood_code!r}"
            )
    given, family = new.caller_given_name.strip(), new.caller_family_name.strip()
    caller = identity_online.caller_record(
        given_name=given,
        family_name=family,
        date_of_birth=new.date_of_birth,
        telephone=checked.telephone_e164,
        postcode=checked.postcode,
        identifiers=identifiers,
    )
    # Everything that only reads goes before the locks: the scoring (the slow part, checked
    # again under them) and the place's look-up; the locks are taken last, just before the
    # writes, and only for what may be recorded anew (issue 16, Load).
    model = identity_online.model_of_run(ctx, session, looked_up.latest_run_id)
    choice = first_contact.choose_person(ctx, session, caller=caller, model=model)
    location_id = new_place = None
    if neighbourhood is not None:
        description = new.location_description.strip() or neighbourhood.name
        location_id = places.stored_location_id(
            session=session,
            description=description,
            postcode=checked.postcode,
            neighbourhood_id=neighbourhood.id,
        )
        if location_id is None:
            new_place = (checked.postcode, description, neighbourhood.id)
    # Simultaneous contacts from one new caller, or at one new place, wait here for each other
    # (see the function); a caller joined to a person on record at a stored place takes none.
    may_record = first_contact.may_record_person(family_name=family, choice=choice)
    places.hold_new_caller_locks(
        session=session,
        keys=first_contact.caller_lock_keys(caller=caller if may_record else None, place=new_place),
    )
    if neighbourhood is not None and new_place is not None:
        location_id = places.location_id_for(
            session=session,
            description=new_place[1],
            postcode=checked.postcode,
            neighbourhood_id=neighbourhood.id,
            settlement=neighbourhood.settlement,
        )
    person, matched = first_contact.person_for_new_contact(
        ctx,
        session,
        caller=caller,
        given_name=given,
        family_name=family,
        choice=choice,
        model=model,
    )
    number_id = None
    if checked.telephone_e164:
        number_id = places.telephone_number_for(
            session=session,
            number=checked.telephone_e164,
            person_id=None if person is None else person.id,
        )
    caller_name = f"{new.caller_given_name.strip()} {new.caller_family_name.strip()}".strip()
    as_given = contacts.CallerAsGiven(
        given_name=new.caller_given_name.strip(),
        family_name=new.caller_family_name.strip(),
        date_of_birth=new.date_of_birth,
        telephone=new.telephone.strip(),
        postcode=checked.postcode or "",
    )
    if existing is not None:
        contact_id = existing.contact_id
        contacts.complete_contact(
            session=session,
            contact_id=contact_id,
            handler_id=existing.handler_id or actor.user_id,
            person_id=None if person is None else person.id,
            telephone_number_id=number_id,
            location_id=location_id,
            caller_name=caller_name,
            summary=new.summary.strip(),
            caller=as_given,
        )
    else:
        contact_id = contacts.add_contact(
            session=session,
            channel=new.channel,
            presented_at=new.presented_at,
            answered_at=new.answered_at,
            abandoned=new.abandoned,
            handler_id=None if new.abandoned else actor.user_id,
            person_id=None if person is None else person.id,
            telephone_number_id=number_id,
            location_id=location_id,
            caller_name=caller_name,
            summary=new.summary.strip(),
            status="abandoned" if new.abandoned else "open",
            idempotency_key=key,
            idempotency_user_id=actor.user_id,
            idempotency_body_sha256=digest,
            caller=as_given,
        )
    logged = [
        LoggedOperation(
            Operation.COLLECTION if existing is None else Operation.ALTERATION,
            "contact",
            contact_id,
        )
    ]
    if person is not None:
        logged.append(
            LoggedOperation(
                Operation.COMBINATION if matched else Operation.COLLECTION,
                "person",
                person.id,
                f"contact {contact_id} linked to person" if matched else None,
            )
        )
    log_accesses(ctx, session=session, actor=actor, entries=logged)
    return contact_id


def get_contact(
    ctx: AppContext, *, actor: Actor, contact_id: int, justification: str | None
) -> ContactView:
    """A contact with the caller's history; viewing it is a logged consultation."""
    with ctx.db.transaction() as session:
        reason = reason_for_view(
            ctx,
            actor=actor,
            given=justification,
            work=contacts.record_work(session=session, contact_id=contact_id),
            what=f"contact {contact_reference(contact_id)}",
        )
        view, on_record = contacts.contact_screen(session=session, contact_id=contact_id)
        given = on_record.caller
        place = view.location
        caller = identity_online.caller_record(
            given_name=given.given_name,
            family_name=given.family_name,
            date_of_birth=given.date_of_birth,
            telephone=view.telephone,
            postcode=given.postcode or (place.postcode if place else None),
            identifiers=identity_repo.identifiers_of(session=session, contact_id=contact_id),
        )
        matches, note = identity_online.likely_matches_in(
            ctx,
            session,
            caller=caller,
            linked_person_id=on_record.person_id,
            contact_id=contact_id,
        )
        address = (place.postcode, place.description) if place and place.postcode else None
        view = replace(
            view,
            caller_date_of_birth=given.date_of_birth,
            repeat_findings=tuple(_repeats(ctx, session, view, on_record, address)),
            open_plans=tuple(
                plans.open_plans_for_contact(
                    session=session,
                    person_id=on_record.person_id,
                    telephone_number_id=on_record.telephone_number_id,
                    address_key=None if address is None else plans.address_key_of(*address),
                )
            ),
            likely_matches=tuple(matches),
            matching_note=note,
        )
        log_access(
            ctx,
            session=session,
            actor=actor,
            operation=Operation.CONSULTATION,
            record_type="contact",
            record_id=contact_id,
            justification=reason,
        )
    return view


def _repeats(
    ctx: AppContext,
    session: Session,
    view: ContactView,
    on_record: contacts.CallerOnRecord,
    address: tuple[str, str] | None,
) -> list[RepeatFinding]:
    """Repeat-contact thresholds crossed at the time of this contact (policy rules)."""
    policy = ctx.policy.repeat_contacts
    rules = policy.domain_rules()
    most = count_limit(rules)
    counts = repeats.repeat_window_counts(
        session=session,
        person_id=on_record.person_id,
        telephone_number_id=on_record.telephone_number_id,
        address=address,
        until=view.presented_at,
        windows=[rule.within for rule in rules],
        channels=policy.channels,
        include_abandoned=policy.count_abandoned,
        most=most,
    )
    findings: list[RepeatFinding] = []
    for basis, counted in counts.items():
        findings.extend(counted_findings(basis, counted, rules, most))
    return findings


def preview_grade(assessment: ThriveAssessment) -> GradeSuggestion:
    """The grade an assessment would suggest, without storing anything."""
    return suggest_grade(assessment)


def assess_thrive(
    ctx: AppContext,
    *,
    actor: Actor,
    contact_id: int,
    assessment: ThriveAssessment,
    notes: dict[str, str],
) -> GradeSuggestion:
    """Store a THRIVE assessment (or a re-assessment) and return the grade it suggests."""
    suggestion = suggest_grade(assessment)
    with ctx.db.transaction() as session:
        facts = contacts.contact_view(session=session, contact_id=contact_id, with_history=False)
        if facts.abandoned:
            raise Conflict("an abandoned contact cannot be assessed; call the caller back first")
        if incidents.incident_id_for_contact(session=session, contact_id=contact_id):
            raise Conflict("the contact is already graded; re-assess the incident instead")
        contacts.add_thrive(
            session=session,
            contact_id=contact_id,
            assessed_by=actor.user_id,
            assessed_at=ctx.now(),
            assessment=assessment,
            notes={k: v.strip() for k, v in notes.items() if v.strip()},
            suggestion=suggestion,
        )
        contacts.set_status(session=session, contact_id=contact_id, status="assessed")
        log_access(
            ctx,
            session=session,
            actor=actor,
            operation=Operation.ALTERATION,
            record_type="contact",
            record_id=contact_id,
        )
    return suggestion


def grade_contact(
    ctx: AppContext, *, actor: Actor, contact_id: int, grade: Grade, departure_reason: str = ""
) -> int:
    """Accept the suggested grade, or depart from it with a reason; make the incident."""
    reason = departure_reason.strip()
    now = ctx.now()
    with ctx.db.transaction() as session:
        facts = contacts.contact_view(session=session, contact_id=contact_id, with_history=False)
        thrive = facts.thrive
        if thrive is None:
            raise Conflict("complete the THRIVE assessment before grading")
        if incidents.incident_id_for_contact(session=session, contact_id=contact_id):
            raise Conflict("the contact is already graded")
        suggested = thrive.suggestion.grade
        if grade != suggested and not reason:
            raise ValidationFailed.one(
                "departure_reason",
                f"say why you depart from the suggested grade {int(suggested)}",
            )
        location = facts.location
        status = initial_status(grade)
        incident_id = incidents.add_incident(
            session=session,
            contact_id=contact_id,
            grade=grade,
            suggested_grade=suggested,
            departure_reason=reason or None,
            graded_by=actor.user_id,
            location_id=location.id if location else None,
            settlement=location.settlement if location else Settlement.URBAN,
            status=status.value,
            now=now,
            domestic_abuse=VulnerabilityFlag.DOMESTIC_ABUSE in thrive.assessment.vulnerabilities,
        )
        if grade.needs_deployment:
            contacts.set_status(
                session=session, contact_id=contact_id, status="graded", ended_at=now
            )
        else:
            contacts.set_status(
                session=session, contact_id=contact_id, status="awaiting_resolution"
            )
        log_access(
            ctx,
            session=session,
            actor=actor,
            operation=Operation.COLLECTION,
            record_type="incident",
            record_id=incident_id,
        )
    return incident_id


def resolve_contact(
    ctx: AppContext,
    *,
    actor: Actor,
    contact_id: int,
    outcome: Closure,
    note: str,
    agency_code: str = "",
) -> int:
    """Resolve a grade 4 contact without deployment, or refer it to a partner agency."""
    problems = []
    if outcome not in (Closure.RESOLVED_WITHOUT_DEPLOYMENT, Closure.REFERRED_TO_PARTNER):
        problems.append(FieldProblem("outcome", "choose resolved without deployment or referral"))
    if outcome == Closure.REFERRED_TO_PARTNER:
        codes = [p.code for p in ctx.policy.partner_agencies]
        if agency_code not in codes:
            problems.append(FieldProblem("agency_code", f"choose one of {', '.join(codes)}"))
    if not note.strip():
        problems.append(FieldProblem("note", "record how the contact was resolved"))
    if problems:
        raise ValidationFailed(problems)
    now = ctx.now()
    with ctx.db.transaction() as session:
        incident_id = incidents.incident_id_for_contact(session=session, contact_id=contact_id)
        if incident_id is None:
            raise Conflict("grade the contact before resolving it")
        current = IncidentStatus(
            incidents.incident_status(session=session, incident_id=incident_id)
        )
        incidents.update_incident(
            session=session,
            incident_id=incident_id,
            now=now,
            status=check_close(current, outcome).value,
            closed_at=now,
            closed_by=actor.user_id,
            closure=outcome.value,
            closure_note=note.strip(),
        )
        if outcome == Closure.REFERRED_TO_PARTNER:
            incidents.add_referral(
                session=session,
                incident_id=incident_id,
                agency_code=agency_code,
                note=note.strip(),
                referred_by=actor.user_id,
                now=now,
            )
            log_access(
                ctx,
                session=session,
                actor=actor,
                operation=Operation.DISCLOSURE,
                record_type="contact",
                record_id=contact_id,
                justification=f"referral to partner agency: {note.strip()}",
                recipient=ctx.policy.partner_name(agency_code),
            )
        status = "referred" if outcome == Closure.REFERRED_TO_PARTNER else "resolved"
        contacts.set_status(session=session, contact_id=contact_id, status=status, ended_at=now)
        log_access(
            ctx,
            session=session,
            actor=actor,
            operation=Operation.ALTERATION,
            record_type="incident",
            record_id=incident_id,
        )
    return incident_id


def update_referral(
    ctx: AppContext, *, actor: Actor, referral_id: int, status: ReferralStatus, outcome: str
) -> int:
    """Move a partner referral on (accepted, declined, completed) with its outcome."""
    with ctx.db.transaction() as session:
        current, incident_id = incidents.referral_status(session=session, referral_id=referral_id)
        new = check_referral_update(ReferralStatus(current), status, outcome)
        incidents.update_referral(
            session=session,
            referral_id=referral_id,
            status=new.value,
            outcome=outcome.strip() or None,
        )
        log_access(
            ctx,
            session=session,
            actor=actor,
            operation=Operation.ALTERATION,
            record_type="partner_referral",
            record_id=referral_id,
        )
    return incident_id
