"""Audits: templates, samples drawn by rule and seed, and records opened and scored.

Every record opened for audit is a logged consultation (services/access.py), in the same
transaction as the read. Results are fed back to the supervisor of the team whose work it
was (services/audit_feedback.py shows them). A crime's result goes to the crime's own
supervisor when one is named, else to the supervisor of the investigator's team, else to the
supervisor of the team the crime is allocated to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from watchhouse.db.repositories import audit_records, audits, teams
from watchhouse.domain.access import Operation
from watchhouse.domain.audit import (
    ALL,
    AuditTemplate,
    Candidate,
    RecordType,
    check_rule,
    draw_sample,
    parse_period,
    period_bounds,
    score_audit,
)
from watchhouse.domain.audit_views import (
    AuditRecord,
    AuditResultView,
    RecordAudit,
    RecordField,
    SampleItem,
    SampleSummary,
    StoredTemplate,
)
from watchhouse.domain.clock import format_local
from watchhouse.domain.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from watchhouse.domain.roles import Actor
from watchhouse.policy.audits import AuditTemplateError, parse_template, shipped_template_texts
from watchhouse.services.access import log_access
from watchhouse.services.context import AppContext

# The record type names the access log already uses for each kind of record.
ACCESS_RECORD: dict[RecordType, str] = {
    RecordType.CONTACT: "contact",
    RecordType.INCIDENT: "incident",
    RecordType.DOMESTIC_ABUSE_ASSESSMENT: "risk_assessment",
    RecordType.CRIME: "crime",
}
LINKS: dict[RecordType, str] = {
    RecordType.CONTACT: "/contacts/{id}",
    RecordType.INCIDENT: "/incidents/{id}",
    RecordType.CRIME: "/crimes/{id}",
}
MAX_SEED = 2**31 - 1


@dataclass(frozen=True)
class Drawn:
    """A sample as drawn (or found, when the same draw was made before)."""

    sample: SampleSummary
    items: list[SampleItem]
    created: bool


@dataclass(frozen=True)
class ItemForAudit:
    """One sampled record opened for audit, beside the template's questions."""

    sample: SampleSummary
    item: SampleItem
    template: AuditTemplate
    record: AuditRecord
    result: AuditResultView | None
    previous_id: int | None
    next_id: int | None


# --- templates -----------------------------------------------------------------------------


def _parse(code: str, text: str) -> AuditTemplate:
    return parse_template(text, source=f"stored template {code!r}")


def list_templates(ctx: AppContext) -> list[StoredTemplate]:
    """Every template: the stored ones, and the shipped ones no sample has used yet."""
    with ctx.db.transaction() as session:
        stored = {t.code: t for t in audits.stored_templates(session=session)}
    found = [
        StoredTemplate(_parse(t.code, t.definition), t.origin, t.definition, True)
        for t in stored.values()
    ]
    for code, text in shipped_template_texts().items():
        if code not in stored:
            found.append(StoredTemplate(_parse(code, text), "shipped", text, False))
    return sorted(found, key=lambda t: t.template.name)


def get_template(ctx: AppContext, *, code: str) -> StoredTemplate:
    """One template by code, or NotFound."""
    for found in list_templates(ctx):
        if found.template.code == code:
            return found
    raise NotFound("audit template", code)


def _stored_template_id(ctx: AppContext, session: Session, code: str) -> tuple[int, AuditTemplate]:
    """The stored template's id, storing a shipped template the first time it is used."""
    stored = audits.stored_template(session=session, code=code)
    if stored is not None:
        return stored.id, _parse(code, stored.definition)
    text = shipped_template_texts().get(code)
    if text is None:
        raise ValidationFailed.one("template", f"no audit template {code!r}")
    template = _parse(code, text)
    template_id = audits.add_template(
        session=session,
        code=code,
        name=template.name,
        record_type=template.record_type,
        origin="shipped",
        definition=text,
        created_by=None,
        now=ctx.now(),
    )
    return template_id, template


def define_template(ctx: AppContext, *, actor: Actor, definition: str) -> StoredTemplate:
    """Store an auditor's template from its TOML text; its code must be new."""
    try:
        template = parse_template(definition, source=f"from {actor.username}")
    except AuditTemplateError as exc:
        raise ValidationFailed.one("definition", str(exc)) from exc
    with ctx.db.transaction() as session:
        taken = audits.stored_template(session=session, code=template.code)
        if taken is not None or template.code in shipped_template_texts():
            raise ValidationFailed.one(
                "definition", f"code {template.code!r} is already used by another template"
            )
        audits.add_template(
            session=session,
            code=template.code,
            name=template.name,
            record_type=template.record_type,
            origin="auditor",
            definition=definition,
            created_by=actor.user_id,
            now=ctx.now(),
        )
    return StoredTemplate(template, "auditor", definition, True)


# --- samples -------------------------------------------------------------------------------


def draw(
    ctx: AppContext,
    *,
    actor: Actor,
    template_code: str,
    period: str,
    seed: int,
    per: str | None = None,
    count: int | None = None,
) -> Drawn:
    """Draw a sample by rule and seed; the same draw again returns the stored sample."""
    problems = []
    try:
        period = parse_period(period)
    except ValidationFailed as exc:
        problems += exc.problems
    if not 0 <= seed <= MAX_SEED:
        problems.append(FieldProblem("seed", f"a whole number from 0 to {MAX_SEED}"))
    if problems:
        raise ValidationFailed(problems)
    with ctx.db.transaction() as session:
        template_id, template = _stored_template_id(ctx, session, template_code)
        rule = check_rule(
            template.record_type,
            per or template.sample_per,
            template.sample_count if count is None else count,
        )
        existing = audits.find_sample(
            session=session, template_id=template_id, period=period, rule=rule, seed=seed
        )
        if existing is not None:
            return Drawn(
                audits.sample(session=session, sample_id=existing),
                audits.items(session=session, sample_id=existing),
                created=False,
            )
        start, end = period_bounds(period, ctx.policy.force.timezone)
        records = audit_records.population(
            session=session, record_type=template.record_type, start=start, end=end, per=rule.per
        )
        eligible = [r for r in records if rule.per == ALL or r.stratum is not None]
        chosen = draw_sample(
            (Candidate(r.stratum or ALL, r.record_id) for r in eligible),
            rule=rule,
            template_code=template.code,
            period=period,
            seed=seed,
        )
        by_id = {r.record_id: r for r in eligible}
        sample_id = audits.add_sample(
            session=session,
            template_id=template_id,
            record_type=template.record_type,
            period=period,
            rule=rule,
            seed=seed,
            population=len(eligible),
            drawn_by=actor.user_id,
            now=ctx.now(),
            items=[(c.stratum, by_id[c.record_id]) for c in chosen],
        )
        return Drawn(
            audits.sample(session=session, sample_id=sample_id),
            audits.items(session=session, sample_id=sample_id),
            created=True,
        )


def recent_samples(ctx: AppContext) -> list[SampleSummary]:
    """The latest samples, newest first."""
    with ctx.db.transaction() as session:
        return audits.samples(session=session)


def sample_with_items(ctx: AppContext, *, sample_id: int) -> tuple[SampleSummary, list[SampleItem]]:
    """A sample and its records (references and whose work, not the records themselves)."""
    with ctx.db.transaction() as session:
        return (
            audits.sample(session=session, sample_id=sample_id),
            audits.items(session=session, sample_id=sample_id),
        )


# --- one record under audit ----------------------------------------------------------------


def _shown(value: object, zone: str) -> str:
    if value is None or value == "":
        return "not recorded"
    if isinstance(value, datetime):
        return format_local(value, zone, "%d %b %Y %H:%M %Z")
    return str(value)


def _template_of(session: Session, summary: SampleSummary) -> AuditTemplate:
    stored = audits.stored_template(session=session, code=summary.template_code)
    assert stored is not None  # a sample's template is stored when it is drawn
    return _parse(stored.code, stored.definition)


def audit_link(
    record_type: RecordType, record_id: int, *, sample_id: int, item_id: int
) -> str | None:
    """The record's own page, opened from an audit: the sample and item go with it, so the
    page logs the consultation as the audit's (see `audit_consultation_reason`)."""
    link = LINKS.get(record_type)
    if link is None:
        return None
    return f"{link.format(id=record_id)}?audit_sample={sample_id}&audit_item={item_id}"


def audit_consultation_reason(
    ctx: AppContext, *, sample_id: int, item_id: int, record_type: RecordType, record_id: int
) -> str | None:
    """The access log's reason for a record opened from an audit: the audit it is part of;
    None unless that item of that sample is this record."""
    with ctx.db.transaction() as session:
        try:
            summary = audits.sample(session=session, sample_id=sample_id)
        except NotFound:
            return None
        listed = audits.items(session=session, sample_id=sample_id)
    if not any(
        i.id == item_id and i.record_type == record_type and i.record_id == record_id
        for i in listed
    ):
        return None
    return (
        f"audit consultation: quality audit {summary.reference} ({summary.template_name}), "
        f"{record_type.value} {record_id}"
    )


def open_item(ctx: AppContext, *, actor: Actor, sample_id: int, item_id: int) -> ItemForAudit:
    """Open a sampled record beside the questions; a logged consultation of the record."""
    zone = ctx.policy.force.timezone
    with ctx.db.transaction() as session:
        summary = audits.sample(session=session, sample_id=sample_id)
        listed = audits.items(session=session, sample_id=sample_id)
        position = next((n for n, i in enumerate(listed) if i.id == item_id), None)
        if position is None:
            raise NotFound("sampled record", item_id)
        item = listed[position]
        title, raw = audit_records.record(
            session=session, record_type=item.record_type, record_id=item.record_id
        )
        log_access(
            ctx,
            session=session,
            actor=actor,
            operation=Operation.CONSULTATION,
            record_type=ACCESS_RECORD[item.record_type],
            record_id=item.record_id,
            justification=f"quality audit {summary.reference}: {summary.template_name}",
        )
        link = audit_link(item.record_type, item.record_id, sample_id=sample_id, item_id=item.id)
        return ItemForAudit(
            sample=summary,
            item=item,
            template=_template_of(session, summary),
            record=AuditRecord(
                record_type=item.record_type,
                record_id=item.record_id,
                title=title,
                fields=tuple(RecordField(label, _shown(value, zone)) for label, value in raw),
                link=link,
            ),
            result=audits.result_for_item(session=session, item_id=item.id),
            previous_id=listed[position - 1].id if position > 0 else None,
            next_id=listed[position + 1].id if position + 1 < len(listed) else None,
        )


def _feedback_team(session: Session, item: SampleItem, drawn_team: int | None) -> int | None:
    """The team whose supervisor receives the finding: the worker's team now, else as drawn.

    For a crime: the allocated investigator's team now if it has a supervisor, else the team
    the crime is allocated to if that has one (else whichever team is known). The crime's own
    supervisor, when named, comes before both: the feedback query reads crimes.supervisor_id.
    """
    subject, _ = audits.subject_of_item(session=session, item_id=item.id)
    current = (
        teams.team_of_users(session=session, user_ids={subject}).get(subject)
        if subject is not None
        else None
    )
    if item.record_type != RecordType.CRIME:
        return current if current is not None else drawn_team
    allocated = audit_records.crime_allocated_team(session=session, crime_id=item.record_id)
    allocated_id = teams.team_id_for_name(session=session, name=allocated) if allocated else None
    known = list(dict.fromkeys(t for t in (current, allocated_id, drawn_team) if t is not None))
    supervised = teams.supervisors_of(session=session, team_ids=set(known))
    return next((t for t in known if supervised.get(t) is not None), known[0] if known else None)


def score_item(
    ctx: AppContext,
    *,
    actor: Actor,
    sample_id: int,
    item_id: int,
    answers: dict[str, str],
    finding: str,
) -> AuditResultView:
    """Score a sampled record and feed the finding back to the team's supervisor."""
    with ctx.db.transaction() as session:
        summary = audits.sample(session=session, sample_id=sample_id)
        item = audits.item(session=session, sample_id=sample_id, item_id=item_id)
        if audits.result_id_for_item(session=session, item_id=item.id) is not None:
            raise Conflict(f"{item.reference} in {summary.reference} has already been scored")
        template = _template_of(session, summary)
        scored = score_audit(template, answers)
        text = finding.strip()
        if not scored.passed and not text:
            raise ValidationFailed.one("finding", "say what fell short and what should change")
        subject, drawn_team = audits.subject_of_item(session=session, item_id=item.id)
        result_id = audits.add_result(
            session=session,
            item_id=item.id,
            answers={q.id: answers[q.id].strip() for q in template.questions},
            points=scored.points,
            available=scored.available,
            score=scored.score,
            passed=scored.passed,
            failed_critical=scored.failed_critical,
            auditor_id=actor.user_id,
            now=ctx.now(),
        )
        audits.add_finding(
            session=session,
            result_id=result_id,
            record_type=item.record_type,
            record_id=item.record_id,
            subject_user_id=subject,
            team_id=_feedback_team(session, item, drawn_team),
            text=text or "meets the standard",
            now=ctx.now(),
        )
        log_access(
            ctx,
            session=session,
            actor=actor,
            operation=Operation.COLLECTION,
            record_type="audit_result",
            record_id=result_id,
        )
        result = audits.result_for_item(session=session, item_id=item.id)
        assert result is not None
        return result


def findings_about(
    ctx: AppContext, *, record_type: RecordType, record_id: int
) -> list[RecordAudit]:
    """Every audit of a record with its finding (the record itself is not read)."""
    with ctx.db.transaction() as session:
        return audits.audits_of_record(
            session=session, record_type=record_type, record_id=record_id
        )
