"""DASH scoring as data: counts of 'yes', the 10 and 14 boundaries, refusals to lower a level."""

from __future__ import annotations

from pathlib import Path

import pytest

from watchhouse.domain.errors import ValidationFailed
from watchhouse.domain.risk import Answer, RiskLevel, final_level, score_answers
from watchhouse.policy.instruments import InstrumentError, load_instrument, shipped_instruments

pytestmark = pytest.mark.unit

DASH = shipped_instruments()["dash_2009"]
IDS = [q.id for q in DASH.questions]


def _answers(yes: int, not_known: int = 0) -> dict[str, Answer]:
    answers = {}
    for index, qid in enumerate(IDS):
        if index < yes:
            answers[qid] = Answer.YES
        elif index < yes + not_known:
            answers[qid] = Answer.NOT_KNOWN
        else:
            answers[qid] = Answer.NO
    return answers


def test_dash_has_twenty_seven_questions_in_four_groups() -> None:
    assert len(DASH.questions) == 27
    assert [g.title for g in DASH.groups] == [
        "Current situation",
        "Children and dependants",
        "Domestic violence history",
        "Abuser",
    ]


@pytest.mark.parametrize(
    ("yes", "level"),
    [
        (0, RiskLevel.STANDARD),
        (1, RiskLevel.STANDARD),
        (9, RiskLevel.STANDARD),
        (10, RiskLevel.MEDIUM),
        (13, RiskLevel.MEDIUM),
        (14, RiskLevel.HIGH),
        (27, RiskLevel.HIGH),
    ],
)
def test_dash_level_follows_the_count_of_yes(yes: int, level: RiskLevel) -> None:
    scored = score_answers(_answers(yes), DASH)
    assert (scored.yes_count, scored.level) == (yes, level)


def test_not_known_answers_do_not_count_as_yes() -> None:
    scored = score_answers(_answers(13, not_known=10), DASH)
    assert scored.yes_count == 13
    assert scored.level == RiskLevel.MEDIUM


def test_unanswered_questions_are_counted_as_unanswered_not_yes() -> None:
    partial = {qid: Answer.YES for qid in IDS[:14]}
    scored = score_answers(partial, DASH)
    assert (scored.level, scored.unanswered) == (RiskLevel.HIGH, 13)


def test_an_unknown_question_id_is_refused_by_name() -> None:
    with pytest.raises(ValidationFailed) as refused:
        score_answers({"q99": Answer.YES}, DASH)
    assert refused.value.problems[0].field == "q99"


def test_officer_may_raise_the_level_with_a_rationale() -> None:
    assert final_level(RiskLevel.MEDIUM, RiskLevel.HIGH, "coercive control") == RiskLevel.HIGH


def test_raising_the_level_without_a_rationale_is_refused() -> None:
    with pytest.raises(ValidationFailed) as refused:
        final_level(RiskLevel.STANDARD, RiskLevel.HIGH, "  ")
    assert refused.value.problems[0].field == "rationale"


def test_judgement_cannot_lower_the_scored_level() -> None:
    with pytest.raises(ValidationFailed):
        final_level(RiskLevel.HIGH, RiskLevel.MEDIUM, "victim says it is fine")


def test_no_judgement_keeps_the_scored_level() -> None:
    assert final_level(RiskLevel.MEDIUM, None, "") == RiskLevel.MEDIUM


def test_weighted_instrument_scores_by_weight(tmp_path: Path) -> None:
    path = tmp_path / "weighted.toml"
    path.write_text(
        'code = "weighted"\nname = "Weighted"\n[levels]\nmedium = 3\nhigh = 5\n'
        '[[groups]]\ntitle = "All"\nquestions = [\n'
        '  { id = "control", text = "Controlling?", weight = 3 },\n'
        '  { id = "threats", text = "Threats?", weight = 2 },\n]\n'
    )
    weighted = load_instrument(path)
    assert score_answers({"control": Answer.YES}, weighted).level == RiskLevel.MEDIUM
    both = score_answers({"control": Answer.YES, "threats": Answer.YES}, weighted)
    assert (both.score, both.level) == (5, RiskLevel.HIGH)


def test_instrument_with_levels_out_of_order_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(
        'code = "bad"\nname = "Bad"\n[levels]\nmedium = 14\nhigh = 10\n'
        '[[groups]]\ntitle = "All"\nquestions = [{ id = "a", text = "A?" }]\n'
    )
    with pytest.raises(InstrumentError) as refused:
        load_instrument(path)
    assert "levels" in str(refused.value)


@pytest.mark.parametrize(
    ("scored", "final", "callouts", "criterion"),
    [
        (RiskLevel.HIGH, RiskLevel.HIGH, 0, "visible_high_risk"),
        (RiskLevel.MEDIUM, RiskLevel.HIGH, 0, "professional_judgement"),
        (RiskLevel.STANDARD, RiskLevel.STANDARD, 3, "potential_escalation"),
        (RiskLevel.STANDARD, RiskLevel.STANDARD, 2, None),
        (RiskLevel.MEDIUM, RiskLevel.MEDIUM, 0, None),
    ],
)
def test_marac_referral_criteria(scored, final, callouts, criterion) -> None:  # type: ignore[no-untyped-def]
    from watchhouse.domain.risk import marac_criterion

    found = marac_criterion(
        scored=scored, final=final, callouts_in_year=callouts, escalation_callouts=3
    )
    assert (found.value if found else None) == criterion
