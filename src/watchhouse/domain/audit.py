"""Audit rules: templates as data, scoring a completed audit, and drawing samples by rule.

Sampling is reproducible by seed. The algorithm, so that anyone can redo a draw by hand:

1. The population is the set of records of the template's record type in the period, each
   with its stratum (the handler, officer, assessor, or for crimes the allocated team or the
   allocated investigator, whose work it is), or one stratum "all" for a simple random sample.
2. Strata are taken in sorted order; within a stratum the record ids are sorted.
3. Each stratum gets its own numpy ``Generator`` (PCG64), seeded with the entropy
   ``[sha256("watchhouse-audit|<template>|<period>|<seed>"), sha256(<stratum>)]`` (the first
   8 bytes of each digest as an unsigned integer). A stratum's draw therefore depends only on
   the template, the period, the seed and that stratum's own records: a new handler joining
   does not change anyone else's sample.
4. A stratum with ``count`` records or fewer is taken whole; otherwise
   ``generator.choice(len(ids), size=count, replace=False)`` picks positions in the sorted ids.
5. The sample is listed by stratum, then record id.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import numpy as np

from watchhouse.domain.clock import local_to_utc
from watchhouse.domain.errors import FieldProblem, ValidationFailed

ALL = "all"
PERIOD = re.compile(r"^(\d{4})-(\d{2})$")


class RecordType(StrEnum):
    """The kinds of record an audit can sample."""

    CONTACT = "contact"
    INCIDENT = "incident"
    DOMESTIC_ABUSE_ASSESSMENT = "domestic_abuse_assessment"
    CRIME = "crime"

    @property
    def label(self) -> str:
        """Human label, e.g. 'Domestic abuse assessment'."""
        return self.value.replace("_", " ").capitalize()


TEAM = "team"
INVESTIGATOR = "investigator"

# Whose work each record type is, which is what a stratified sample is drawn per. A crime is
# the work of the team it is allocated to and of the investigator allocated to it.
STRATA_OF: Mapping[RecordType, tuple[str, ...]] = {
    RecordType.CONTACT: ("handler",),
    RecordType.INCIDENT: ("officer",),
    RecordType.DOMESTIC_ABUSE_ASSESSMENT: ("assessor",),
    RecordType.CRIME: (TEAM, INVESTIGATOR),
}


def strata_for(record_type: RecordType) -> tuple[str, ...]:
    """The ways a record type can be sampled: per its worker (or team), or across all."""
    return (*STRATA_OF[record_type], ALL)


def every_stratum() -> tuple[str, ...]:
    """Every way any record type can be sampled, each once, "all" last (for forms and help)."""
    found = dict.fromkeys(s for strata in STRATA_OF.values() for s in strata)
    return (*found, ALL)


class AnswerKind(StrEnum):
    """How a question is answered."""

    YES_NO = "yes_no"  # yes / no / partly / not applicable
    SCALE = "scale"  # a whole number from 0 to the question's scale_max


class Choice(StrEnum):
    """The answers to a yes/no question."""

    YES = "yes"
    PARTLY = "partly"
    NO = "no"
    NOT_APPLICABLE = "not_applicable"

    @property
    def label(self) -> str:
        """Human label, e.g. 'Not applicable'."""
        return self.value.replace("_", " ").capitalize()


NOT_APPLICABLE = Choice.NOT_APPLICABLE.value


@dataclass(frozen=True)
class AuditQuestion:
    """One question of an audit template.

    A critical question fails the whole audit, whatever the score, unless it is answered
    "yes" (or "not applicable", where allowed); on a scale, unless it scores above 0.
    """

    id: str
    text: str
    kind: AnswerKind = AnswerKind.YES_NO
    weight: int = 1
    scale_max: int = 0
    critical: bool = False
    allow_not_applicable: bool = True
    guidance: str = ""

    def answers(self) -> tuple[str, ...]:
        """Every accepted answer, as stored."""
        if self.kind == AnswerKind.SCALE:
            values = tuple(str(n) for n in range(self.scale_max + 1))
        else:
            values = (Choice.YES.value, Choice.PARTLY.value, Choice.NO.value)
        return (*values, NOT_APPLICABLE) if self.allow_not_applicable else values


@dataclass(frozen=True)
class AuditTemplate:
    """What an audit asks of one kind of record, how it scores and how it is sampled."""

    code: str
    name: str
    record_type: RecordType
    description: str
    pass_mark: float  # the share of available points needed to pass, 0 to 1
    partly_credit: float  # the share of a question's weight that "partly" earns
    questions: tuple[AuditQuestion, ...]
    sample_per: str
    sample_count: int

    def question(self, question_id: str) -> AuditQuestion:
        """A question by id (KeyError if the template has none)."""
        for q in self.questions:
            if q.id == question_id:
                return q
        raise KeyError(question_id)


@dataclass(frozen=True)
class AuditScore:
    """The result of scoring one completed audit."""

    points: float
    available: float
    score: float  # points over available, 0 to 1
    passed: bool
    failed_critical: tuple[str, ...]
    not_applicable: int


def _earned(question: AuditQuestion, answer: str, partly_credit: float) -> float:
    if question.kind == AnswerKind.SCALE:
        return question.weight * int(answer) / question.scale_max
    return {Choice.YES.value: 1.0, Choice.PARTLY.value: partly_credit}.get(
        answer, 0.0
    ) * question.weight


def _fails_critical(question: AuditQuestion, answer: str) -> bool:
    if not question.critical or answer == NOT_APPLICABLE:
        return False
    if question.kind == AnswerKind.SCALE:
        return int(answer) == 0
    return answer != Choice.YES.value


def check_answers(template: AuditTemplate, answers: Mapping[str, str]) -> dict[str, str]:
    """The answers, cleaned, with every missing, unknown or impossible answer named."""
    problems = []
    clean = {}
    known = {q.id for q in template.questions}
    for extra in sorted(set(answers) - known):
        problems.append(FieldProblem(extra, f"{template.code} has no question {extra!r}"))
    for q in template.questions:
        given = (answers.get(q.id) or "").strip()
        if not given:
            problems.append(FieldProblem(q.id, "answer this question"))
        elif given not in q.answers():
            problems.append(FieldProblem(q.id, f"answer one of {', '.join(q.answers())}"))
        else:
            clean[q.id] = given
    if problems:
        raise ValidationFailed(problems)
    return clean


def score_audit(template: AuditTemplate, answers: Mapping[str, str]) -> AuditScore:
    """Score a completed audit: weighted points over the points available.

    "Not applicable" answers leave the question out of both; "partly" earns the template's
    partly credit; a scale answer earns its share of the scale. It passes when the score
    reaches the pass mark and no critical question failed.
    """
    clean = check_answers(template, answers)
    points = available = 0.0
    skipped = 0
    for q in template.questions:
        answer = clean[q.id]
        if answer == NOT_APPLICABLE:
            skipped += 1
            continue
        available += q.weight
        points += _earned(q, answer, template.partly_credit)
    if available == 0:
        raise ValidationFailed.one(
            "answers", "every question is marked not applicable, so nothing can be scored"
        )
    failed = tuple(q.id for q in template.questions if _fails_critical(q, clean[q.id]))
    score = points / available
    # A small tolerance so that, say, 4 of 5 reaches a pass mark of 0.8 despite rounding.
    passed = score + 1e-9 >= template.pass_mark and not failed
    return AuditScore(round(points, 6), available, round(score, 6), passed, failed, skipped)


# --- periods -----------------------------------------------------------------------------


def parse_period(text: str) -> str:
    """A calendar month as YYYY-MM, checked."""
    match = PERIOD.match(text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValidationFailed.one("period", f"give a month as YYYY-MM, not {text!r}")
    return f"{match.group(1)}-{match.group(2)}"


def period_bounds(period: str, zone: str) -> tuple[datetime, datetime]:
    """The UTC start (inclusive) and end (exclusive) of a local calendar month."""
    year, month = (int(part) for part in parse_period(period).split("-"))
    after = (year + 1, 1) if month == 12 else (year, month + 1)
    start = local_to_utc(datetime(year, month, 1), zone)
    return start, local_to_utc(datetime(after[0], after[1], 1), zone)


# --- sampling ----------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Candidate:
    """A record that could be sampled, and the stratum (whose work) it belongs to."""

    stratum: str
    record_id: int


@dataclass(frozen=True)
class SampleRule:
    """How to draw: ``count`` records per stratum ``per`` (or ``ALL`` for simple random)."""

    per: str
    count: int

    @property
    def label(self) -> str:
        """The rule in words, e.g. '3 per handler' or 'simple random 20'."""
        if self.per == ALL:
            return f"simple random {self.count}"
        return f"{self.count} per {self.per}"


def check_rule(record_type: RecordType, per: str, count: int) -> SampleRule:
    """A sampling rule the record type supports, with a count of at least one."""
    problems = []
    if per not in strata_for(record_type):
        problems.append(
            FieldProblem(
                "per",
                f"{record_type.label} records sample per {' or '.join(strata_for(record_type))}",
            )
        )
    if not 1 <= count <= 1000:
        problems.append(FieldProblem("count", "between 1 and 1000"))
    if problems:
        raise ValidationFailed(problems)
    return SampleRule(per, count)


def _digest_int(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")


def base_entropy(*, template_code: str, period: str, seed: int) -> int:
    """The draw's entropy from the template, the period and the seed (see the module notes)."""
    return _digest_int(f"watchhouse-audit|{template_code}|{period}|{seed}")


def draw_sample(
    population: Iterable[Candidate],
    *,
    rule: SampleRule,
    template_code: str,
    period: str,
    seed: int,
) -> list[Candidate]:
    """Draw ``rule.count`` records per stratum (all of them where there are fewer), by seed."""
    strata: dict[str, set[int]] = defaultdict(set)
    for candidate in population:
        strata[ALL if rule.per == ALL else candidate.stratum].add(candidate.record_id)
    base = base_entropy(template_code=template_code, period=period, seed=seed)
    chosen: list[Candidate] = []
    for stratum in sorted(strata):
        ids = sorted(strata[stratum])
        if len(ids) > rule.count:
            generator = np.random.default_rng([base, _digest_int(stratum)])
            picks = generator.choice(len(ids), size=rule.count, replace=False)
            ids = sorted(ids[int(i)] for i in picks)
        chosen.extend(Candidate(stratum, record_id) for record_id in ids)
    return chosen


# --- trends ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoredAudit:
    """One scored audit as the trends see it: its month and its group (team or area)."""

    period: str
    group: str
    score: float
    passed: bool


@dataclass(frozen=True)
class TrendCell:
    """Audits of one group (team or area) in one month: count, mean score and pass rate
    (no score or rate when none of its records was audited)."""

    period: str
    group: str
    audits: int
    mean_score: float | None
    pass_rate: float | None


def trend_table(scored: Iterable[ScoredAudit]) -> list[TrendCell]:
    """Audit scores by group (team or area) per month, by month then group."""
    groups: dict[tuple[str, str], list[ScoredAudit]] = defaultdict(list)
    for audit in scored:
        groups[(audit.period, audit.group)].append(audit)
    return [
        TrendCell(
            period,
            group,
            len(found),
            sum(a.score for a in found) / len(found),
            sum(a.passed for a in found) / len(found),
        )
        for (period, group), found in sorted(groups.items())
    ]


def with_every_group(cells: Iterable[TrendCell], groups: Iterable[str]) -> list[TrendCell]:
    """The trend cells with every group in every month that has audits, n=0 where none was
    audited, by month then group."""
    found = {(c.period, c.group): c for c in cells}
    periods = sorted({period for period, _ in found})
    every = sorted(set(groups) | {group for _, group in found})
    return [
        found.get((period, group)) or TrendCell(period, group, 0, None, None)
        for period in periods
        for group in every
    ]
