"""Crimes and investigations on both databases: recording, allocation, plans, reviews, key
events and the victim updates they make due, outcomes, the bureau, and the worklists."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from support import domestic_abuse_crime
from watchhouse.domain.access import AccessQuery, Operation
from watchhouse.domain.errors import Conflict, ValidationFailed
from watchhouse.domain.investigation_records import (
    BureauTask,
    HowReported,
    NeedsAnswers,
    NewCrime,
    NewVictim,
)
from watchhouse.domain.investigations import PlanContent
from watchhouse.domain.outcomes import OutcomeType
from watchhouse.domain.roles import Actor, Role
from watchhouse.domain.victims import KeyEvent, VpsDecision
from watchhouse.services import access, crimes, investigations
from watchhouse.services.context import AppContext

pytestmark = pytest.mark.integration

GOOD_PLAN = PlanContent(
    lines_of_enquiry=("Take a statement from the neighbour at no. 14", "Trace the suspect"),
    evidence_to_secure=("Photographs of the victim's injuries",),
    safeguarding_actions=("Refer to the domestic abuse advocate (IDVA)",),
    suspect_strategy="Arrest at the earliest opportunity; interview under caution",
    victim_needs="Contact by mobile only, after 6pm; does not want letters at home",
)
CALLER_NEEDS = NeedsAnswers(
    persistently_targeted=False,
    vulnerable=False,
    intimidated=True,
    wants_updates=True,
    update_method="telephone",
    update_contact="07700 900456",
    notes="Fears retaliation",
)


def _domestic_crime(ctx: AppContext, actors: dict[Role, Actor], neighbourhoods) -> int:
    return domestic_abuse_crime(
        ctx,
        actors[Role.CALL_HANDLER],
        actors[Role.OFFICER],
        neighbourhood=neighbourhoods["urban"],
    )


def _allocated(ctx, actors, neighbourhoods) -> int:
    crime_id = _domestic_crime(ctx, actors, neighbourhoods)
    investigations.allocate(
        ctx,
        actor=actors[Role.SUPERVISOR],
        crime_id=crime_id,
        investigator_id=actors[Role.INVESTIGATOR].user_id,
        supervisor_id=None,
        team="Safeguarding team",
    )
    return crime_id


def _view(ctx, actors, crime_id):
    return crimes.get_crime(
        ctx, actor=actors[Role.INVESTIGATOR], crime_id=crime_id, justification="test"
    )


def _section(worklist, title):
    (found,) = [s for s in worklist.sections if s.title == title]
    return found


def test_a_crime_from_an_incident_takes_the_caller_as_victim_with_enhanced_rights(
    ctx, actors, neighbourhoods
):
    crime_id = _domestic_crime(ctx, actors, neighbourhoods)
    crime = _view(ctx, actors, crime_id)
    assert (crime.crime_type, crime.crime_group) == (
        "Assault with injury",
        "Violence against the person",
    )
    assert crime.location == "14 Mill Lane"
    assert crime.incident_id is not None and crime.contact_id is not None
    (victim,) = crime.victims
    assert victim.name == "Dana Reid"
    assert victim.enhanced and victim.enhanced_grounds == ("most_serious_crime",)
    # referral to victim support due 2 working days after recording (Tuesday 14:00 -> Thursday)
    assert victim.support_due_at == datetime(2026, 3, 12, 17, tzinfo=UTC)
    (suspect,) = crime.suspects
    assert suspect.name == "Lee Reid" and suspect.identified
    logged = access.search_access_log(
        ctx, actor=actors[Role.AUDITOR], query=AccessQuery(record_type="crime")
    )
    assert [e.operation for e in logged if e.record_id == str(crime_id)] == [
        Operation.CONSULTATION,
        Operation.COLLECTION,
    ]


def test_an_online_report_with_a_child_victim_gives_enhanced_rights_for_age(ctx, actors):
    crime_id = crimes.record_crime(
        ctx,
        actor=actors[Role.INVESTIGATOR],
        new=NewCrime(
            offence_code="bicycle_theft",
            summary="Bike taken from outside school",
            how_reported=HowReported.ONLINE,
            location_description="Park Road School",
            victims=(
                NewVictim(given_name="Sam", family_name="Cole", date_of_birth=date(2012, 5, 5)),
            ),
        ),
    )
    (victim,) = _view(ctx, actors, crime_id).victims
    assert victim.enhanced_grounds == ("under_18",)


def test_a_crime_with_an_unknown_offence_or_no_summary_is_refused_naming_both(ctx, actors):
    with pytest.raises(ValidationFailed) as failed:
        crimes.record_crime(
            ctx,
            actor=actors[Role.INVESTIGATOR],
            new=NewCrime(offence_code="jaywalking", summary=" ", how_reported=HowReported.ONLINE),
        )
    assert {p.field for p in failed.value.problems} == {"offence_code", "summary"}


def test_awaiting_allocation_puts_domestic_abuse_hate_crime_and_vulnerable_victims_first(
    ctx, actors, clock
):
    def online(offence: str, **extra) -> int:
        clock.advance(hours=1)
        return crimes.record_crime(
            ctx,
            actor=actors[Role.INVESTIGATOR],
            new=NewCrime(
                offence_code=offence,
                summary="Reported online",
                how_reported=HowReported.ONLINE,
                location_description="Park Road",
                **extra,
            ),
        )

    oldest = online("bicycle_theft")
    child = online(
        "other_theft",
        victims=(NewVictim(given_name="Sam", family_name="Cole", date_of_birth=date(2015, 5, 5)),),
    )
    hate = online("criminal_damage", hate_crime=True)
    newest = online("shoplifting")
    domestic = online("common_assault", domestic_abuse=True)
    waiting = investigations.supervisor_worklist(ctx, actor=actors[Role.SUPERVISOR])
    assert [i.crime_id for i in _section(waiting, "Awaiting allocation").items] == [
        domestic,
        hate,
        child,
        oldest,
        newest,
    ]


def test_allocation_puts_the_plan_on_the_investigators_worklist_and_the_review_on_the_supervisors(
    ctx, actors, neighbourhoods, clock
):
    crime_id = _domestic_crime(ctx, actors, neighbourhoods)
    waiting = investigations.supervisor_worklist(ctx, actor=actors[Role.SUPERVISOR])
    assert [i.crime_id for i in _section(waiting, "Awaiting allocation").items] == [crime_id]
    investigations.allocate(
        ctx,
        actor=actors[Role.SUPERVISOR],
        crime_id=crime_id,
        investigator_id=actors[Role.INVESTIGATOR].user_id,
        supervisor_id=None,
        team="",
    )
    mine = investigations.investigator_worklist(ctx, actor=actors[Role.INVESTIGATOR])
    plans = _section(mine, "Plans due")
    assert [(i.crime_id, i.due_at) for i in plans.items] == [
        (crime_id, clock.moment + timedelta(hours=72))
    ]
    supervision = investigations.supervisor_worklist(ctx, actor=actors[Role.SUPERVISOR])
    reviews = _section(supervision, "Reviews due")
    assert [(i.crime_id, i.due_at) for i in reviews.items] == [
        (crime_id, clock.moment + timedelta(days=7))
    ]
    assert _section(supervision, "Awaiting allocation").total == 0
    clock.advance(days=8)
    supervision = investigations.supervisor_worklist(ctx, actor=actors[Role.SUPERVISOR])
    assert _section(supervision, "Reviews due").overdue == 1
    assert _section(supervision, "Plans overdue").total == 1


def test_allocating_to_someone_who_is_not_an_investigator_is_refused(ctx, actors, neighbourhoods):
    crime_id = _domestic_crime(ctx, actors, neighbourhoods)
    with pytest.raises(ValidationFailed, match="investigator_id"):
        investigations.allocate(
            ctx,
            actor=actors[Role.SUPERVISOR],
            crime_id=crime_id,
            investigator_id=actors[Role.CALL_HANDLER].user_id,
            supervisor_id=None,
            team="",
        )


def test_a_plan_is_checked_then_goes_to_the_supervisor_and_off_the_list_once_checked(
    ctx, actors, neighbourhoods
):
    crime_id = _allocated(ctx, actors, neighbourhoods)
    thin = PlanContent(("Speak to neighbours on Mill Lane",), (), (), "", "")
    check = investigations.write_plan(
        ctx, actor=actors[Role.INVESTIGATOR], crime_id=crime_id, content=thin
    )
    assert not check.adequate
    assert any("lines of enquiry" in g for g in check.gaps)
    assert any("safeguarding" in g for g in check.gaps)
    assert any("suspect strategy" in g for g in check.gaps)
    good = investigations.write_plan(
        ctx, actor=actors[Role.INVESTIGATOR], crime_id=crime_id, content=GOOD_PLAN
    )
    assert good.adequate and good.gaps == ()
    mine = investigations.investigator_worklist(ctx, actor=actors[Role.INVESTIGATOR])
    assert _section(mine, "Plans due").total == 0
    supervision = investigations.supervisor_worklist(ctx, actor=actors[Role.SUPERVISOR])
    assert [i.crime_id for i in _section(supervision, "Plans to check").items] == [crime_id]
    with pytest.raises(ValidationFailed, match="check_note"):
        investigations.check_current_plan(
            ctx, actor=actors[Role.SUPERVISOR], crime_id=crime_id, adequate=False, note=""
        )
    investigations.check_current_plan(
        ctx, actor=actors[Role.SUPERVISOR], crime_id=crime_id, adequate=True, note="Good plan"
    )
    supervision = investigations.supervisor_worklist(ctx, actor=actors[Role.SUPERVISOR])
    assert _section(supervision, "Plans to check").total == 0
    plan = _view(ctx, actors, crime_id).plan
    assert plan is not None and plan.check_adequate is True and plan.checked_by == "Supervisor"


def test_reviews_fall_due_7_days_after_allocation_then_28_days_after_each_review(
    ctx, actors, neighbourhoods, clock
):
    crime_id = _allocated(ctx, actors, neighbourhoods)
    allocated = clock.moment
    clock.advance(days=5)
    following = investigations.review(
        ctx, actor=actors[Role.SUPERVISOR], crime_id=crime_id, direction="Arrest by Friday"
    )
    assert following == allocated + timedelta(days=33)
    (done,) = _view(ctx, actors, crime_id).reviews
    assert done.direction == "Arrest by Friday"
    assert done.due_at == allocated + timedelta(days=7)
    with pytest.raises(ValidationFailed, match="direction"):
        investigations.review(ctx, actor=actors[Role.SUPERVISOR], crime_id=crime_id, direction="")


def test_a_charge_makes_an_update_due_next_working_day_for_an_enhanced_victim_overdue_after(
    ctx, actors, neighbourhoods, clock
):
    crime_id = _allocated(ctx, actors, neighbourhoods)  # Tuesday 10 March 2026, 14:00
    crimes.record_event(
        ctx,
        actor=actors[Role.INVESTIGATOR],
        crime_id=crime_id,
        kind=KeyEvent.CHARGE,
        occurred_at=None,
        note="Charged with ABH",
    )
    (update,) = _view(ctx, actors, crime_id).updates
    assert update.event == "charge" and update.enhanced and update.required
    assert update.due_at == datetime(2026, 3, 11, 17, tzinfo=UTC)
    mine = investigations.investigator_worklist(ctx, actor=actors[Role.INVESTIGATOR])
    due = _section(mine, "Victim updates due")
    assert [(i.crime_id, i.overdue) for i in due.items] == [(crime_id, False)]
    supervision = investigations.supervisor_worklist(ctx, actor=actors[Role.SUPERVISOR])
    assert _section(supervision, "Victim updates overdue").total == 0
    clock.set(datetime(2026, 3, 12, 9, tzinfo=UTC))  # Thursday morning
    mine = investigations.investigator_worklist(ctx, actor=actors[Role.INVESTIGATOR])
    assert [i.overdue for i in _section(mine, "Victim updates due").items] == [True]
    supervision = investigations.supervisor_worklist(ctx, actor=actors[Role.SUPERVISOR])
    assert [i.crime_id for i in _section(supervision, "Victim updates overdue").items] == [crime_id]
    crimes.record_victim_update(
        ctx,
        actor=actors[Role.INVESTIGATOR],
        crime_id=crime_id,
        update_id=update.id,
        method="telephone",
        note="Told her of the charge and the court date",
    )
    mine = investigations.investigator_worklist(ctx, actor=actors[Role.INVESTIGATOR])
    assert _section(mine, "Victim updates due").total == 0
    (given,) = _view(ctx, actors, crime_id).updates
    assert given.contacted_at == datetime(2026, 3, 12, 9, tzinfo=UTC)


def test_a_standard_victim_has_five_working_days_and_one_who_opts_out_is_owed_nothing(ctx, actors):
    crime_id = crimes.record_crime(
        ctx,
        actor=actors[Role.INVESTIGATOR],
        new=NewCrime(
            offence_code="shoplifting",
            summary="Stock taken",
            how_reported=HowReported.ONLINE,
            victims=(
                NewVictim(given_name="Ann", family_name="Shop", date_of_birth=date(1970, 1, 1)),
                NewVictim(given_name="Bo", family_name="Till", date_of_birth=date(1971, 1, 1)),
            ),
        ),
    )
    first, second = _view(ctx, actors, crime_id).victims
    crimes.assess_needs(
        ctx,
        actor=actors[Role.INVESTIGATOR],
        crime_id=crime_id,
        victim_id=second.id,
        answers=NeedsAnswers(False, False, False, False, "", "", "Does not want updates"),
    )
    crimes.record_event(
        ctx,
        actor=actors[Role.INVESTIGATOR],
        crime_id=crime_id,
        kind=KeyEvent.ARREST,
        occurred_at=None,
        note="",
    )
    by_victim = {u.victim_id: u for u in _view(ctx, actors, crime_id).updates}
    assert by_victim[first.id].due_at == datetime(2026, 3, 17, 17, tzinfo=UTC)
    assert by_victim[first.id].required and not by_victim[first.id].enhanced
    assert by_victim[second.id].due_at is None and not by_victim[second.id].required


def test_the_needs_assessment_can_add_grounds_and_sets_the_vps_due(ctx, actors, neighbourhoods):
    crime_id = _allocated(ctx, actors, neighbourhoods)
    (victim,) = _view(ctx, actors, crime_id).victims
    grounds = crimes.assess_needs(
        ctx,
        actor=actors[Role.INVESTIGATOR],
        crime_id=crime_id,
        victim_id=victim.id,
        answers=CALLER_NEEDS,
    )
    assert grounds == ("most_serious_crime", "intimidated")
    mine = investigations.investigator_worklist(ctx, actor=actors[Role.INVESTIGATOR])
    assert _section(mine, "Victim Personal Statements to offer").total == 1
    assert _section(mine, "Victim support referrals due").total == 1
    crimes.record_support_referral(
        ctx,
        actor=actors[Role.INVESTIGATOR],
        crime_id=crime_id,
        victim_id=victim.id,
        declined=False,
    )
    crimes.record_vps(
        ctx,
        actor=actors[Role.INVESTIGATOR],
        crime_id=crime_id,
        victim_id=victim.id,
        decision=VpsDecision.ACCEPTED,
        made=True,
    )
    (after,) = _view(ctx, actors, crime_id).victims
    assert after.support_referred_at is not None and after.vps_made_at is not None
    assert after.update_method == "telephone" and after.update_contact == "07700 900456"
    mine = investigations.investigator_worklist(ctx, actor=actors[Role.INVESTIGATOR])
    assert _section(mine, "Victim Personal Statements to offer").total == 0
    assert _section(mine, "Victim support referrals due").total == 0
    with pytest.raises(Conflict):
        crimes.record_support_referral(
            ctx,
            actor=actors[Role.INVESTIGATOR],
            crime_id=crime_id,
            victim_id=victim.id,
            declined=True,
        )


def test_outcome_21_for_domestic_abuse_needs_a_supervisors_override(ctx, actors, neighbourhoods):
    crime_id = _allocated(ctx, actors, neighbourhoods)
    with pytest.raises(ValidationFailed, match="override_reason"):
        investigations.record_outcome(
            ctx,
            actor=actors[Role.INVESTIGATOR],
            crime_id=crime_id,
            outcome=OutcomeType(21),
            rationale="Not proportionate",
            victim_supports_action=None,
            victim_withdrawal="",
            override_reason="",
        )
    assert _view(ctx, actors, crime_id).open  # nothing half-written
    investigations.record_outcome(
        ctx,
        actor=actors[Role.SUPERVISOR],
        crime_id=crime_id,
        outcome=OutcomeType(21),
        rationale="Not proportionate",
        victim_supports_action=None,
        victim_withdrawal="",
        override_reason="Suspect has died abroad; no public interest in further enquiries",
    )
    crime = _view(ctx, actors, crime_id)
    assert crime.outcome_code == 21 and crime.next_review_due_at is None
    assert [u.event for u in crime.updates] == ["outcome"]
    supervision = investigations.supervisor_worklist(ctx, actor=actors[Role.SUPERVISOR])
    assert _section(supervision, "Reviews due").total == 0
    with pytest.raises(Conflict):
        investigations.review(ctx, actor=actors[Role.SUPERVISOR], crime_id=crime_id, direction="x")


def test_outcome_18_is_refused_when_a_suspect_is_named(ctx, actors, neighbourhoods):
    crime_id = _allocated(ctx, actors, neighbourhoods)
    with pytest.raises(ValidationFailed, match="no suspect is identified"):
        investigations.record_outcome(
            ctx,
            actor=actors[Role.INVESTIGATOR],
            crime_id=crime_id,
            outcome=OutcomeType(18),
            rationale="Enquiries exhausted",
            victim_supports_action=None,
            victim_withdrawal="",
            override_reason="",
        )


def test_bureau_tasks_are_due_in_three_working_days_and_report_their_turnaround(
    ctx, actors, neighbourhoods, clock
):
    crime_id = _allocated(ctx, actors, neighbourhoods)
    task_id = investigations.ask_bureau(
        ctx,
        actor=actors[Role.INVESTIGATOR],
        crime_id=crime_id,
        task=BureauTask.CCTV_REQUEST,
        detail="Corner shop, 21:00-22:00",
    )
    queue = investigations.bureau_worklist(ctx, actor=actors[Role.INVESTIGATOR])
    (task,) = queue.open_tasks
    assert task.id == task_id and task.due_at == datetime(2026, 3, 13, 17, tzinfo=UTC)
    assert queue.open_total == 1 and queue.overdue_total == 0
    clock.advance(hours=30)
    investigations.complete_bureau_task(
        ctx, actor=actors[Role.INVESTIGATOR], task_id=task_id, result="Footage saved to exhibit"
    )
    queue = investigations.bureau_worklist(ctx, actor=actors[Role.INVESTIGATOR])
    assert queue.open_total == 0 and queue.done_recently == 1
    assert queue.median_turnaround_hours == pytest.approx(30)
    assert queue.on_time_share == 1.0
    with pytest.raises(Conflict):
        investigations.complete_bureau_task(
            ctx, actor=actors[Role.INVESTIGATOR], task_id=task_id, result="again"
        )


def test_worklists_are_logged_and_show_only_the_signed_in_persons_crimes(
    ctx, actors, neighbourhoods
):
    _allocated(ctx, actors, neighbourhoods)
    other = investigations.investigator_worklist(ctx, actor=actors[Role.SUPERVISOR])
    assert all(s.total == 0 for s in other.sections)
    logged = access.search_access_log(
        ctx, actor=actors[Role.AUDITOR], query=AccessQuery(record_type="worklist")
    )
    assert logged and logged[0].justification == "own worklist"
