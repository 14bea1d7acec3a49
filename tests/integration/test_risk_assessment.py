"""An officer's DASH at the scene: saved part-way, completed or refused, MARAC when due."""

from __future__ import annotations

from datetime import date

import pytest

from watchhouse.domain.errors import Conflict, ValidationFailed
from watchhouse.domain.records import NewContact
from watchhouse.domain.risk import RiskLevel
from watchhouse.domain.roles import Role
from watchhouse.domain.thrive import Engagement, Level, ThriveAssessment, VulnerabilityFlag
from watchhouse.domain.values import Channel, Grade
from watchhouse.services import contacts, risk

pytestmark = pytest.mark.integration

PRIORITY = ThriveAssessment(
    Level.MEDIUM, Level.HIGH, Level.MEDIUM, Level.MEDIUM, Level.HIGH, Engagement.PROMPT_ATTENDANCE
)


def _incident(ctx, actors, assessment: ThriveAssessment = PRIORITY) -> int:  # type: ignore[no-untyped-def]
    handler = actors[Role.CALL_HANDLER]
    taken = contacts.take_contact(
        ctx,
        actor=handler,
        new=NewContact(
            channel=Channel.EMERGENCY_999,
            caller_given_name="Kim",
            caller_family_name="Shaw",
            date_of_birth=date(1990, 5, 5),
            summary="Partner threatening me",
        ),
    )
    contacts.assess_thrive(
        ctx, actor=handler, contact_id=taken.contact_id, assessment=assessment, notes={}
    )
    return contacts.grade_contact(
        ctx, actor=handler, contact_id=taken.contact_id, grade=Grade.PRIORITY
    )


def _yes(n: int) -> dict[str, str]:
    return {f"q{i:02d}": ("yes" if i <= n else "no") for i in range(1, 28)}


def test_answers_saved_part_way_are_there_when_the_officer_comes_back(ctx, actors):
    officer = actors[Role.OFFICER]
    incident_id = _incident(ctx, actors)
    first = risk.open_assessment(ctx, actor=officer, incident_id=incident_id)
    risk.save_answers(
        ctx, actor=officer, assessment_id=first.id, answers={"q01": "yes", "q02": "not_known"}
    )
    again = risk.open_assessment(ctx, actor=officer, incident_id=incident_id)
    assert again.id == first.id
    assert again.status == "in_progress"
    assert again.answers == {"q01": "yes", "q02": "not_known"}
    with pytest.raises(ValidationFailed) as refused:
        risk.save_answers(ctx, actor=officer, assessment_id=first.id, answers={"q01": "maybe"})
    assert refused.value.problems[0].field == "q01"


def test_fourteen_yes_is_high_risk_and_goes_to_marac(ctx, actors):
    officer = actors[Role.OFFICER]
    incident_id = _incident(ctx, actors)
    opened = risk.open_assessment(ctx, actor=officer, incident_id=incident_id)
    risk.save_answers(ctx, actor=officer, assessment_id=opened.id, answers=_yes(14))
    done = risk.complete(ctx, actor=officer, assessment_id=opened.id, judged=None, rationale="")
    assert (done.yes_count, done.scored_level, done.final_level) == (14, "high", "high")
    assert done.marac_criterion == "visible_high_risk"
    assert done.repeat_marac is False
    with pytest.raises(Conflict):
        risk.save_answers(ctx, actor=officer, assessment_id=opened.id, answers={"q01": "no"})


def test_raised_by_judgement_is_referred_and_a_second_referral_is_a_repeat_case(ctx, actors, clock):
    officer = actors[Role.OFFICER]
    first = risk.open_assessment(ctx, actor=officer, incident_id=_incident(ctx, actors))
    risk.save_answers(ctx, actor=officer, assessment_id=first.id, answers=_yes(11))
    done = risk.complete(
        ctx,
        actor=officer,
        assessment_id=first.id,
        judged=RiskLevel.HIGH,
        rationale="coercive control, victim isolated",
    )
    assert (done.scored_level, done.final_level) == ("medium", "high")
    assert done.marac_criterion == "professional_judgement"
    clock.advance(days=60)
    second = risk.open_assessment(ctx, actor=officer, incident_id=_incident(ctx, actors))
    risk.save_answers(ctx, actor=officer, assessment_id=second.id, answers=_yes(15))
    again = risk.complete(ctx, actor=officer, assessment_id=second.id, judged=None, rationale="")
    assert again.marac_criterion == "visible_high_risk"
    assert again.repeat_marac is True


def test_third_call_out_in_a_year_is_potential_escalation(ctx, actors, clock):
    officer = actors[Role.OFFICER]
    outcomes = []
    for _ in range(3):
        opened = risk.open_assessment(ctx, actor=officer, incident_id=_incident(ctx, actors))
        risk.save_answers(ctx, actor=officer, assessment_id=opened.id, answers=_yes(2))
        outcomes.append(
            risk.complete(
                ctx, actor=officer, assessment_id=opened.id, judged=None, rationale=""
            ).marac_criterion
        )
        clock.advance(days=30)
    assert outcomes == [None, None, "potential_escalation"]


def test_refusal_is_recorded_with_its_reason_and_the_officers_judged_level(ctx, actors):
    officer = actors[Role.OFFICER]
    opened = risk.open_assessment(ctx, actor=officer, incident_id=_incident(ctx, actors))
    with pytest.raises(ValidationFailed) as refused:
        risk.refuse(
            ctx, actor=officer, assessment_id=opened.id, reason=" ", judged=None, rationale=""
        )
    assert {p.field for p in refused.value.problems} == {
        "refusal_reason",
        "refusal_level",
        "refusal_rationale",
    }
    assert risk.open_assessment(ctx, actor=officer, incident_id=opened.incident_id).status == (
        "in_progress"
    )
    done = risk.refuse(
        ctx,
        actor=officer,
        assessment_id=opened.id,
        reason="abuser present",
        judged=RiskLevel.MEDIUM,
        rationale="bruising seen, victim frightened",
    )
    assert (done.refused, done.refusal_reason, done.status) == (True, "abuser present", "complete")
    assert (done.final_level, done.rationale) == ("medium", "bruising seen, victim frightened")
    assert done.marac_criterion is None


def test_a_refusal_judged_high_goes_to_marac_on_professional_judgement(ctx, actors, clock):
    officer = actors[Role.OFFICER]
    first = risk.open_assessment(ctx, actor=officer, incident_id=_incident(ctx, actors))
    risk.save_answers(ctx, actor=officer, assessment_id=first.id, answers=_yes(14))
    risk.complete(ctx, actor=officer, assessment_id=first.id, judged=None, rationale="")
    clock.advance(days=40)
    opened = risk.open_assessment(ctx, actor=officer, incident_id=_incident(ctx, actors))
    done = risk.refuse(
        ctx,
        actor=officer,
        assessment_id=opened.id,
        reason="too frightened to answer",
        judged=RiskLevel.HIGH,
        rationale="strangulation reported by a neighbour",
    )
    assert done.marac_criterion == "professional_judgement"
    assert done.repeat_marac is True


def test_a_refusal_on_the_third_call_out_in_a_year_is_potential_escalation(ctx, actors, clock):
    officer = actors[Role.OFFICER]
    outcomes = []
    for _ in range(3):
        opened = risk.open_assessment(ctx, actor=officer, incident_id=_incident(ctx, actors))
        outcomes.append(
            risk.refuse(
                ctx,
                actor=officer,
                assessment_id=opened.id,
                reason="declined",
                judged=RiskLevel.STANDARD,
                rationale="no injuries, calm",
            ).marac_criterion
        )
        clock.advance(days=30)
    assert outcomes == [None, None, "potential_escalation"]


def test_call_outs_the_handler_flagged_as_domestic_abuse_count_towards_escalation(
    ctx, actors, clock
):
    # Two earlier calls from the same victim, flagged as domestic abuse in THRIVE but never
    # assessed (the officer did not get to it), then a third call-out where the victim declines:
    # three call-outs in a year is potential escalation.
    flagged = ThriveAssessment(
        Level.MEDIUM,
        Level.HIGH,
        Level.MEDIUM,
        Level.MEDIUM,
        Level.HIGH,
        Engagement.PROMPT_ATTENDANCE,
        vulnerabilities=frozenset({VulnerabilityFlag.DOMESTIC_ABUSE}),
    )
    for _ in range(2):
        _incident(ctx, actors, flagged)
        clock.advance(days=20)
    officer = actors[Role.OFFICER]
    opened = risk.open_assessment(ctx, actor=officer, incident_id=_incident(ctx, actors))
    done = risk.refuse(
        ctx,
        actor=officer,
        assessment_id=opened.id,
        reason="declined",
        judged=RiskLevel.MEDIUM,
        rationale="third call this month",
    )
    assert done.marac_criterion == "potential_escalation"
