"""The demo force's quality audits: each month of the history sampled and scored, so the
board's audit measures (by neighbourhood and by team) and the audit trends have values."""

from __future__ import annotations

import random
from datetime import date

from watchhouse.domain.audit import NOT_APPLICABLE, AnswerKind, AuditQuestion
from watchhouse.domain.roles import Actor
from watchhouse.services import audits
from watchhouse.services.context import AppContext

# Templates on records the synthetic force makes, with the handlers' team as the audited team.
DEMO_TEMPLATES = ("thrive_quality", "vulnerability_identification", "body_worn_video")
DEMO_AUDIT_SEED = 11


def _conditional(question: AuditQuestion) -> bool:
    """A question that applies only sometimes ("Where the grade differs from the
    suggestion..."; its guidance says when it does not)."""
    return question.allow_not_applicable and (question.guidance or "").startswith(
        "Not applicable when"
    )


def _answer(question: AuditQuestion, chance: random.Random) -> str:
    """Mostly good work: yes four times in five, partly or no otherwise; scales high. A
    question that applies only sometimes mostly does not (the grade was accepted, recording
    ran throughout), as in the records audited."""
    if question.kind == AnswerKind.SCALE:
        return str(chance.randint(question.scale_max // 2, question.scale_max))
    if _conditional(question) and chance.random() < 0.85:
        return NOT_APPLICABLE
    roll = chance.random()
    return "yes" if roll < 0.8 else ("partly" if roll < 0.93 else "no")


def _finding(questions: list[AuditQuestion], answers: dict[str, str]) -> str:
    """The demo auditor's finding: the questions that fell short, in their own words."""
    short = [f"{q.text} ({answers[q.id]})" for q in questions if answers[q.id] in ("partly", "no")]
    return f"Demo audit. Fell short on: {'; '.join(short)}" if short else ""


def _months(first: date, last: date) -> list[str]:
    """Every month from the one holding `first` to the one holding `last`, as YYYY-MM."""
    found, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def build_demo_audits(ctx: AppContext, auditor: Actor, *, first: date, last: date) -> int:
    """Draw each demo template's sample for every month from `first` to `last` and score it
    (answers drawn by a fixed seed, a finding where something fell short); returns how many
    records were scored."""
    chance = random.Random(DEMO_AUDIT_SEED)
    scored = 0
    for code in DEMO_TEMPLATES:
        questions = audits.get_template(ctx, code=code).template.questions
        for period in _months(first, last):
            drawn = audits.draw(
                ctx, actor=auditor, template_code=code, period=period, seed=DEMO_AUDIT_SEED
            )
            for item in drawn.items:
                answers = {q.id: _answer(q, chance) for q in questions}
                audits.score_item(
                    ctx,
                    actor=auditor,
                    sample_id=drawn.sample.id,
                    item_id=item.id,
                    answers=answers,
                    finding=_finding(list(questions), answers),
                )
                scored += 1
    return scored
