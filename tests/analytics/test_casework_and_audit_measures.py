"""Plans on time and of adequate quality, Victims' Code updates (with stored deadlines and the
victim's own rights), victim support referrals, the crime admin bureau and audit scores, on a
hand-built force; expected values worked out in the comments."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from measure_support import Force, utc
from watchhouse.analytics.catalogue import Cut, definition

pytestmark = pytest.mark.unit

MAY = date(2024, 5, 1)
JUNE = date(2024, 6, 1)
T0 = utc(2024, 5, 10, 12)
AS_OF = utc(2024, 7, 1)
HOUR = timedelta(hours=1)


def test_plans_on_time_by_stored_deadline_or_the_policy_hours() -> None:
    # Allocated 10 May with the plan due 72 h later: written after 24 h (on time), exactly at
    # the deadline (on time), 1 h late (late), never (long overdue: late). Two stored without a
    # deadline: 72 h ([investigations] plan_due_hours) from allocation, their plan in the
    # plans table only: written after 10 h (on time) and after 80 h (late). On time 3 of 6.
    # One allocated 30 June, due 3 July, not yet written at the snapshot (1 July): left out.
    force = Force()
    due = T0 + 72 * HOUR
    force.crime(T0, allocated=T0, plan_due=due, plan_written=T0 + 24 * HOUR)
    force.crime(T0, allocated=T0, plan_due=due, plan_written=due)
    force.crime(T0, allocated=T0, plan_due=due, plan_written=due + HOUR)
    force.crime(T0, allocated=T0, plan_due=due)
    force.plan(force.crime(T0, allocated=T0), T0 + 10 * HOUR)
    force.plan(force.crime(T0, allocated=T0), T0 + 80 * HOUR)
    late_june = utc(2024, 6, 30, 12)
    force.crime(late_june, allocated=late_june, plan_due=late_june + 72 * HOUR)
    assert force.value("investigations.plan_on_time", MAY, as_of=AS_OF) == 0.5
    assert force.value("investigations.plan_on_time", JUNE, as_of=AS_OF) is None


def test_plan_quality_takes_the_supervisors_judgement_over_the_automatic_check() -> None:
    # Theft plans: adequate and unchecked (1), adequate but the supervisor found it wanting
    # (0), inadequate but the supervisor accepted it (1). Burglary: inadequate, unchecked (0).
    # A plan with no judgement at all is left out. Force 2 of 4; theft 2 of 3, burglary 0.
    force = Force()
    theft = force.crime(T0)
    burglary = force.crime(T0, group="Burglary")
    force.plan(theft, T0, adequate=True)
    force.plan(theft, T0, adequate=True, checked_adequate=False)
    force.plan(theft, T0, adequate=False, checked_adequate=True)
    force.plan(burglary, T0, adequate=False)
    force.plan(burglary, T0)
    assert force.value("investigations.plan_adequate", MAY) == 0.5
    by_group = force.values("investigations.plan_adequate", start=MAY, end=MAY, cut=Cut.CRIME_GROUP)
    assert {v.cut_value: v.value for v in by_group} == {
        "Theft offences": pytest.approx(2 / 3),
        "Burglary": 0.0,
    }


def test_victim_updates_use_the_stored_deadline_and_the_victims_own_rights() -> None:
    # Key decisions on Friday 3 May 2024 (Monday 6 May is a bank holiday).
    # 1. Theft, victim with enhanced rights, decision at 18:00 (after hours) with the deadline
    #    watchhouse stored, Wed 8 May 16:00 UTC; told Wed 8 May 10:00: on time (by the local
    #    date count it would be 2 working days, late: the stored deadline wins).
    # 2. The same, told Thu 9 May: late.
    # 3. Domestic abuse crime, but the victim's needs assessment gave standard rights (stored
    #    enhanced = false, no deadline): 5 working days; told Mon 13 May: on time.
    # 4. Domestic abuse crime stored without the victim's rights (imported): enhanced by the
    #    crime, 1 working day; told Tue 7 May 16:00: on time.
    # 5. Enhanced, deadline Thu 9 May, never told (long passed at the snapshot): late.
    # 6. A victim who asked not to be updated (required = false), never told: left out.
    # 7. Enhanced, decision 28 June, due 2 July, not yet told at the snapshot (1 July): left out.
    # Overall May: on time 1, 3, 4 of 1 to 5 = 3 of 5. Enhanced May: 1, 4 of 1, 2, 4, 5 = 2 of 4.
    force = Force()
    friday_evening = utc(2024, 5, 3, 17)  # 18:00 BST
    friday = utc(2024, 5, 3, 10)
    stored_due = utc(2024, 5, 8, 16)
    theft = force.crime(friday)
    da = force.crime(friday, group="Violence against the person", domestic_abuse=True)
    force.victim_update(
        theft, friday_evening, utc(2024, 5, 8, 10), due=stored_due, enhanced=True, required=True
    )
    force.victim_update(
        theft, friday_evening, utc(2024, 5, 9, 10), due=stored_due, enhanced=True, required=True
    )
    force.victim_update(da, friday, utc(2024, 5, 13, 16), enhanced=False, required=True)
    force.victim_update(da, friday, utc(2024, 5, 7, 15))
    force.victim_update(theft, friday, None, due=utc(2024, 5, 9, 16), enhanced=True)
    force.victim_update(theft, friday, None, enhanced=False, required=False)
    force.victim_update(
        theft, utc(2024, 6, 28, 10), None, due=utc(2024, 7, 2, 16), enhanced=True, required=True
    )
    overall = force.value("investigations.victim_updates_on_time", MAY, as_of=AS_OF)
    enhanced = force.value("investigations.victim_updates_on_time_enhanced", MAY, as_of=AS_OF)
    assert overall == pytest.approx(3 / 5)
    assert enhanced == pytest.approx(2 / 4)
    assert force.value("investigations.victim_updates_on_time_enhanced", JUNE, as_of=AS_OF) is None


def test_support_referrals_on_time_leave_out_declined_and_not_yet_due() -> None:
    # Victims recorded 10 May, due 14 May 16:00: referred 13 May (on time), exactly at the
    # deadline (on time), 15 May (late), never (late). Declined: left out. Stored without a
    # deadline: left out. Recorded 30 June, due 2 July, not referred at 1 July: left out.
    # May: 2 of 4.
    force = Force()
    crime = force.crime(T0)
    due = utc(2024, 5, 14, 16)
    force.victim(crime, T0, support_due=due, referred=utc(2024, 5, 13, 9))
    force.victim(crime, T0, support_due=due, referred=due)
    force.victim(crime, T0, support_due=due, referred=utc(2024, 5, 15, 9))
    force.victim(crime, T0, support_due=due)
    force.victim(crime, T0, support_due=due, declined=True)
    force.victim(crime, T0, support_due=None)
    force.victim(crime, utc(2024, 6, 30, 12), support_due=utc(2024, 7, 2, 16))
    assert force.value("investigations.support_referrals_on_time", MAY, as_of=AS_OF) == 0.5
    assert force.value("investigations.support_referrals_on_time", JUNE, as_of=AS_OF) is None


def test_bureau_tasks_on_time_and_median_turnaround() -> None:
    # Tasks asked on 10 May 12:00, due 3 days later: done after 2 h (on time), after 50 h (on
    # time), after 96 h (late), never (overdue: late). On time 2 of 4.
    # Turnaround of the tasks done in May (10, 12 and 14 May): 2, 50 and 96 hours: median 50.
    # A burglary task done after 10 h: burglary's median 10 h, theft's 50 h.
    force = Force()
    theft = force.crime(T0)
    due = T0 + 72 * HOUR
    for hours in (2, 50, 96):
        force.bureau_task(theft, T0, due=due, done=T0 + hours * HOUR)
    force.bureau_task(theft, T0, due=due, done=None)
    assert force.value("investigations.bureau_tasks_on_time", MAY, as_of=AS_OF) == 0.5
    assert force.value("investigations.bureau_median_turnaround_hours", MAY) == 50.0
    burglary = force.crime(T0, group="Burglary")
    force.bureau_task(burglary, T0, due=due, done=T0 + 10 * HOUR)
    by_group = force.values(
        "investigations.bureau_median_turnaround_hours", start=MAY, end=MAY, cut=Cut.CRIME_GROUP
    )
    assert {v.cut_value: v.value for v in by_group} == {"Theft offences": 50.0, "Burglary": 10.0}


def _audited_force() -> Force:
    """May: contacts scored 0.9 (passed) and 0.5 by team A in central, 0.8 (passed) by team B
    in the moor, 1.0 (passed) with no team or area; a crime 0.4 by team B in the moor.
    A contact of June scored 0.1."""
    force = Force()
    central = force.neighbourhood("central")
    moor = force.neighbourhood("moor", "rural")
    team_a, team_b = force.team("response-a"), force.team("investigation-b")
    force.audit(T0, score=0.9, passed=True, team=team_a, hood=central)
    force.audit(T0, score=0.5, passed=False, team=team_a, hood=central)
    force.audit(T0, score=0.8, passed=True, team=team_b, hood=moor)
    force.audit(T0, score=1.0, passed=True)
    force.audit(T0, score=0.4, passed=False, team=team_b, hood=moor, record_type="crime")
    force.audit(utc(2024, 6, 3, 9), score=0.1, passed=False, team=team_a, hood=central)
    return force


def test_audit_scores_and_pass_rate_for_the_force_and_each_kind_of_record() -> None:
    # Mean of May: (0.9 + 0.5 + 0.8 + 1.0 + 0.4) / 5 = 0.72; passed 3 of 5. Contacts only:
    # (0.9 + 0.5 + 0.8 + 1.0) / 4 = 0.8; crimes 0.4; no incident audited: no value.
    force = _audited_force()
    assert force.value("audits.mean_score", MAY) == pytest.approx(0.72)
    assert force.value("audits.passed", MAY) == pytest.approx(0.6)
    assert force.value("audits.contact_score", MAY) == pytest.approx(0.8)
    assert force.value("audits.crime_score", MAY) == pytest.approx(0.4)
    assert force.value("audits.incident_score", MAY) is None
    assert force.value("audits.mean_score", JUNE) == pytest.approx(0.1)


def test_audit_scores_by_team_and_by_neighbourhood() -> None:
    # By team: A (0.9 + 0.5) / 2 = 0.7; B (0.8 + 0.4) / 2 = 0.6; no team 1.0.
    # By neighbourhood: central 0.7, moor 0.6, not recorded 1.0.
    force = _audited_force()
    by_team = force.values("audits.mean_score", start=MAY, end=MAY, cut=Cut.TEAM)
    assert {v.cut_value: v.value for v in by_team} == {
        "response-a": pytest.approx(0.7),
        "investigation-b": pytest.approx(0.6),
        "unknown": pytest.approx(1.0),
    }
    by_hood = force.values("audits.mean_score", start=MAY, end=MAY, cut=Cut.NEIGHBOURHOOD)
    assert {v.cut_value: v.value for v in by_hood} == {
        "central": pytest.approx(0.7),
        "moor": pytest.approx(0.6),
        "unknown": pytest.approx(1.0),
    }
    passed = force.values("audits.passed", start=MAY, end=MAY, cut=Cut.TEAM)
    assert {v.cut_value: v.value for v in passed} == {
        "response-a": 0.5,
        "investigation-b": 0.5,
        "unknown": 1.0,
    }


def test_audits_sit_under_the_peel_area_of_what_they_audit_and_only_they_cut_by_team() -> None:
    assert definition("audits.contact_score").peel_area == "responding_to_the_public"
    assert definition("audits.crime_score").peel_area == "investigating_crime"
    assert definition("audits.domestic_abuse_assessment_score").peel_area == (
        "protecting_vulnerable_people"
    )
    assert Cut.TEAM in definition("audits.mean_score").cuts
    assert Cut.TEAM not in definition("investigations.charge_rate").cuts
    assert definition("investigations.support_referrals_on_time").peel_area == (
        "service_to_victims_of_crime"
    )
