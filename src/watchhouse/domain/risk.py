"""Domestic abuse risk assessment: instruments as data, scoring and the officer's final level."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum, StrEnum

from watchhouse.domain.errors import FieldProblem, ValidationFailed


class Answer(StrEnum):
    """How a victim answered a question."""

    YES = "yes"
    NO = "no"
    NOT_KNOWN = "not_known"


class RiskLevel(IntEnum):
    """Risk levels, in order, so a level can only be raised by comparing them."""

    STANDARD = 1
    MEDIUM = 2
    HIGH = 3

    @property
    def label(self) -> str:
        """Lower-case name, e.g. 'high'."""
        return self.name.lower()


@dataclass(frozen=True)
class Question:
    """One question of an instrument, with the weight a 'yes' carries."""

    id: str
    text: str
    weight: int = 1


@dataclass(frozen=True)
class QuestionGroup:
    """A titled group of questions."""

    title: str
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Instrument:
    """A risk assessment instrument: its questions and the score at which each level starts."""

    code: str
    name: str
    groups: tuple[QuestionGroup, ...]
    level_from: Mapping[RiskLevel, int]

    @property
    def questions(self) -> tuple[Question, ...]:
        """Every question in order."""
        return tuple(q for g in self.groups for q in g.questions)


@dataclass(frozen=True)
class Score:
    """The count of 'yes' answers, the weighted score and the level it gives."""

    yes_count: int
    score: int
    level: RiskLevel
    unanswered: int


def score_answers(answers: Mapping[str, Answer], instrument: Instrument) -> Score:
    """Score answers: each 'yes' adds its weight; 'no', 'not known' and unanswered add nothing."""
    known = {q.id: q for q in instrument.questions}
    unknown = sorted(set(answers) - set(known))
    if unknown:
        raise ValidationFailed(
            [FieldProblem(q, "not a question of this instrument") for q in unknown]
        )
    yes = [known[q] for q, a in answers.items() if a == Answer.YES]
    total = sum(q.weight for q in yes)
    level = RiskLevel.STANDARD
    for candidate in sorted(instrument.level_from, key=int):
        if total >= instrument.level_from[candidate]:
            level = candidate
    return Score(len(yes), total, level, len(known) - len(answers))


class MaracCriterion(StrEnum):
    """Why a case goes to a multi-agency risk assessment conference."""

    VISIBLE_HIGH_RISK = "visible_high_risk"
    PROFESSIONAL_JUDGEMENT = "professional_judgement"
    POTENTIAL_ESCALATION = "potential_escalation"


def marac_criterion(
    *, scored: RiskLevel | None, final: RiskLevel, callouts_in_year: int, escalation_callouts: int
) -> MaracCriterion | None:
    """Refer on a scored high risk, a judgement raised to high, or repeated call-outs; with no
    score (the victim declined the questions) the officer's judgement is the level."""
    if scored == RiskLevel.HIGH:
        return MaracCriterion.VISIBLE_HIGH_RISK
    if final == RiskLevel.HIGH:
        return MaracCriterion.PROFESSIONAL_JUDGEMENT
    if callouts_in_year >= escalation_callouts:
        return MaracCriterion.POTENTIAL_ESCALATION
    return None


def final_level(scored: RiskLevel, judged: RiskLevel | None, rationale: str) -> RiskLevel:
    """The officer's level: the score's, or higher with a rationale; never lower."""
    if judged is None or judged == scored:
        return scored
    if judged < scored:
        raise ValidationFailed.one(
            "judged_level",
            f"professional judgement can raise the level, not lower it below {scored.label}",
        )
    if not rationale.strip():
        raise ValidationFailed.one("rationale", "say why you raise the level")
    return judged


def judged_after_refusal(judged: RiskLevel | None, rationale: str) -> RiskLevel:
    """The level an officer records from professional judgement when the victim declines the
    questions: a level and the reasons for it are both needed."""
    problems = []
    if judged is None:
        problems.append(
            FieldProblem("refusal_level", "record the risk level from your professional judgement")
        )
    if not rationale.strip():
        problems.append(FieldProblem("refusal_rationale", "say what your judgement rests on"))
    if problems or judged is None:
        raise ValidationFailed(problems)
    return judged
