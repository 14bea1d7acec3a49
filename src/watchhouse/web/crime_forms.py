"""Turn the crime, plan, outcome and needs-assessment forms into domain values."""

from __future__ import annotations

from collections.abc import Mapping

from watchhouse.domain.errors import FieldProblem, ValidationFailed
from watchhouse.domain.investigation_records import (
    HowReported,
    NeedsAnswers,
    NewCrime,
    NewSuspect,
    NewVictim,
)
from watchhouse.domain.investigations import PlanContent
from watchhouse.domain.outcomes import OutcomeType
from watchhouse.web.forms import FormReader


def lines(text: str) -> tuple[str, ...]:
    """One entry per non-blank line of a text area."""
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def read_new_crime(form: Mapping[str, object]) -> NewCrime:
    """A crime from the recording form (from an incident, or an online report)."""
    reader = FormReader(form)
    raw_incident = reader.text("incident_id")
    incident_id = int(raw_incident) if raw_incident.isdigit() else None
    victims: list[NewVictim] = []
    if reader.text("victim_family_name") or reader.text("victim_given_name"):
        victims.append(
            NewVictim(
                given_name=reader.text("victim_given_name"),
                family_name=reader.text("victim_family_name"),
                date_of_birth=reader.date("victim_date_of_birth"),
            )
        )
    suspects: list[NewSuspect] = []
    named = reader.text("suspect_given_name") or reader.text("suspect_family_name")
    if named or reader.text("suspect_description"):
        suspects.append(
            NewSuspect(
                given_name=reader.text("suspect_given_name"),
                family_name=reader.text("suspect_family_name"),
                date_of_birth=reader.date("suspect_date_of_birth"),
                description=reader.text("suspect_description"),
                identified=reader.flag("suspect_identified"),
            )
        )
    crime = NewCrime(
        offence_code=reader.text("offence_code"),
        summary=reader.text("summary"),
        how_reported=HowReported.INCIDENT if incident_id is not None else HowReported.ONLINE,
        incident_id=incident_id,
        domestic_abuse=reader.flag("domestic_abuse"),
        hate_crime=reader.flag("hate_crime"),
        location_description=reader.text("location_description"),
        victims=tuple(victims),
        suspects=tuple(suspects),
        victim_is_caller=reader.flag("victim_is_caller"),
    )
    reader.raise_if_problems()
    return crime


def read_suspect(form: Mapping[str, object]) -> NewSuspect:
    """A suspect from the add-suspect form."""
    reader = FormReader(form)
    suspect = NewSuspect(
        given_name=reader.text("given_name"),
        family_name=reader.text("family_name"),
        date_of_birth=reader.date("date_of_birth"),
        description=reader.text("description"),
        identified=reader.flag("identified"),
    )
    reader.raise_if_problems()
    return suspect


def read_victim(form: Mapping[str, object]) -> NewVictim:
    """A victim from the add-victim form."""
    reader = FormReader(form)
    victim = NewVictim(
        given_name=reader.text("given_name"),
        family_name=reader.text("family_name"),
        date_of_birth=reader.date("date_of_birth"),
    )
    reader.raise_if_problems()
    return victim


def read_plan(form: Mapping[str, object]) -> PlanContent:
    """The structured plan: one line of enquiry, item of evidence or action per line."""
    reader = FormReader(form)
    return PlanContent(
        lines_of_enquiry=lines(reader.text("lines_of_enquiry")),
        evidence_to_secure=lines(reader.text("evidence_to_secure")),
        safeguarding_actions=lines(reader.text("safeguarding_actions")),
        suspect_strategy=reader.text("suspect_strategy"),
        victim_needs=reader.text("victim_needs"),
    )


def read_needs(form: Mapping[str, object]) -> NeedsAnswers:
    """The victim's needs assessment and update preferences."""
    reader = FormReader(form)
    return NeedsAnswers(
        persistently_targeted=reader.flag("persistently_targeted"),
        vulnerable=reader.flag("vulnerable"),
        intimidated=reader.flag("intimidated"),
        wants_updates=reader.text("wants_updates") != "no",
        update_method=reader.text("update_method") or "telephone",
        update_contact=reader.text("update_contact"),
        notes=reader.text("needs_notes"),
    )


def read_yes_no(form: Mapping[str, object], name: str) -> bool:
    """A required yes/no choice."""
    raw = FormReader(form).text(name)
    if raw not in ("yes", "no"):
        raise ValidationFailed([FieldProblem(name, "choose yes or no")])
    return raw == "yes"


def read_optional_yes_no(form: Mapping[str, object], name: str) -> bool | None:
    """An optional yes/no choice (None when not answered)."""
    raw = FormReader(form).text(name)
    return None if raw not in ("yes", "no") else raw == "yes"


def read_outcome(form: Mapping[str, object]) -> OutcomeType:
    """A Home Office outcome type, 1 to 22."""
    raw = FormReader(form).text("outcome")
    if not raw.isdigit() or not 1 <= int(raw) <= 22:
        raise ValidationFailed([FieldProblem("outcome", "choose an outcome type from 1 to 22")])
    return OutcomeType(int(raw))


def read_user_id(form: Mapping[str, object], name: str) -> int | None:
    """An optional user id chosen from a list."""
    raw = FormReader(form).text(name)
    if not raw:
        return None
    if not raw.isdigit():
        raise ValidationFailed([FieldProblem(name, "choose someone from the list")])
    return int(raw)
