"""The synthetic force's casework: plan deadlines and checks, victims' enhanced rights and
victim support referrals, the deadline of each victim update, and crime admin bureau tasks."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time
from typing import TYPE_CHECKING

import holidays
import numpy as np
import pytest

from watchhouse.domain.working_days import WorkingCalendar
from watchhouse.synth.casework import working_deadlines

if TYPE_CHECKING:
    from tests.synth.conftest import Generated

pytestmark = pytest.mark.unit

DAY = 86400.0
HOUR = 3600.0
CALENDAR = WorkingCalendar(
    zone="Europe/London",
    day_ends=time(17, 0),
    bank_holidays=holidays.country_holidays("GB", subdiv="ENG", years=range(2023, 2028)),
)


def _domain_deadline(epoch: float, days: int) -> float:
    return CALENDAR.deadline(datetime.fromtimestamp(epoch, UTC), days).timestamp()


def test_vectorised_deadlines_agree_with_the_domain_calendar() -> None:
    # Random moments over two years (both clock changes, Christmas, Easter), plus the edges:
    # exactly 17:00 local on a working day, 16:59:59, a Saturday, the day before Easter.
    rng = np.random.default_rng(3)
    start = datetime(2024, 1, 1, tzinfo=UTC).timestamp()
    moments = start + rng.random(4000) * 2 * 365 * DAY
    edges = [
        datetime(2024, 5, 3, 16, 0, tzinfo=UTC).timestamp(),  # Fri 17:00 BST: next day counts
        datetime(2024, 5, 3, 15, 59, 59, tzinfo=UTC).timestamp(),  # Fri 16:59:59 BST
        datetime(2024, 1, 5, 17, 0, tzinfo=UTC).timestamp(),  # Fri 17:00 GMT
        datetime(2024, 3, 30, 12, 0, tzinfo=UTC).timestamp(),  # Easter Saturday, BST next day
        datetime(2024, 10, 26, 23, 30, tzinfo=UTC).timestamp(),  # the night of the change
        datetime(2024, 12, 24, 16, 30, tzinfo=UTC).timestamp(),  # Christmas Eve after hours
    ]
    moments = np.concatenate([moments, edges])
    days = rng.integers(0, 6, len(moments))
    found = working_deadlines(moments, days)
    expected = np.array(
        [_domain_deadline(m, int(d)) for m, d in zip(moments, days, strict=True)], dtype=float
    )
    assert np.array_equal(found, expected)


def test_missing_events_have_no_deadline() -> None:
    found = working_deadlines(np.array([np.nan, 1714726800.0]), 1)
    assert np.isnan(found[0]) and found[1] == _domain_deadline(1714726800.0, 1)
    assert np.isnan(working_deadlines(np.array([np.nan]), 5)).all()


def _end(force: Generated) -> float:
    end = force.force.end
    return datetime(end.year, end.month, end.day, tzinfo=UTC).timestamp()


def test_plans_fall_due_after_allocation_and_some_are_checked(main_force: Generated) -> None:
    profile = main_force.force.profile
    allocated = main_force.seconds("crimes", "allocated_at")
    due = main_force.seconds("crimes", "plan_due_at")
    has = ~np.isnan(allocated)
    assert np.allclose(due[has] - allocated[has], profile.plan_due_hours * HOUR)
    assert np.isnan(due[~has]).all()
    # The crime's plan_written_at is its plan's written_at.
    ids = main_force.col("crimes", "id").tolist()
    written = dict(zip(ids, main_force.seconds("crimes", "plan_written_at"), strict=True))
    plan_crimes = main_force.col("investigation_plans", "crime_id").tolist()
    plan_written = main_force.seconds("investigation_plans", "written_at")
    assert all(written[c] == w for c, w in zip(plan_crimes, plan_written, strict=True))
    # Checked plans: after writing; the supervisor mostly agrees with the automatic check.
    checked = main_force.seconds("investigation_plans", "checked_at")
    judged = main_force.col("investigation_plans", "check_adequate")
    adequate = main_force.col("investigation_plans", "adequate")
    was = ~np.isnan(checked)
    assert (checked[was] > plan_written[was]).all()
    assert all(j is None for j in judged[~was].tolist())
    agree = np.mean([j == a for j, a in zip(judged[was], adequate[was], strict=True)])
    assert abs(agree - profile.plan_check_agrees_share) < 0.05
    assert abs(was.mean() - profile.plan_checked_share) < 0.06


def test_victims_have_enhanced_rights_and_support_referrals(main_force: Generated) -> None:
    profile = main_force.force.profile
    end = _end(main_force)
    victims = main_force["crime_victims"]
    assert victims.num_rows > 500
    crime_of = main_force.col("crime_victims", "crime_id")
    crimes = dict(
        zip(
            main_force.col("crimes", "id").tolist(),
            zip(
                main_force.col("crimes", "domestic_abuse").tolist(),
                main_force.col("crimes", "crime_group").tolist(),
                main_force.col("crimes", "victim_person_id").tolist(),
                strict=True,
            ),
            strict=True,
        )
    )
    enhanced = main_force.col("crime_victims", "enhanced")
    persons = main_force.col("crime_victims", "person_id")
    grounds = [json.loads(g) for g in main_force.col("crime_victims", "enhanced_grounds")]
    vulnerable = main_force.col("crime_victims", "vulnerable").astype(bool)
    for crime, person, rights, why, frail in zip(
        crime_of.tolist(), persons.tolist(), enhanced, grounds, vulnerable, strict=True
    ):
        domestic, group, victim = crimes[crime]
        assert person == victim
        assert bool(rights) == bool(why)  # enhanced exactly when there is a ground
        assert ("vulnerable" in why) == frail
        if domestic or group == "Sexual offences":
            assert rights and "most_serious_crime" in why
    assert abs(vulnerable.mean() - profile.victim_vulnerable_share) < 0.03
    added = main_force.seconds("crime_victims", "added_at")
    due = main_force.seconds("crime_victims", "support_due_at")
    assert (due > added).all()
    sample = np.arange(0, len(added), 17)
    assert all(due[i] == _domain_deadline(added[i], 2) for i in sample)
    referred = main_force.seconds("crime_victims", "support_referred_at")
    declined = main_force.col("crime_victims", "support_declined").astype(bool)
    assert np.isnan(referred[declined]).all()
    assert abs(declined.mean() - profile.support_declined_share) < 0.05
    settled = ~declined & (due < end - 10 * DAY)
    on_time = ~np.isnan(referred[settled]) & (referred[settled] <= due[settled])
    assert abs(on_time.mean() - profile.support_on_time_share) < 0.05


def test_victim_updates_fall_due_by_the_victims_rights(main_force: Generated) -> None:
    event_at = main_force.seconds("victim_contacts", "event_at")
    due = main_force.seconds("victim_contacts", "due_at")
    enhanced = main_force.col("victim_contacts", "enhanced").astype(bool)
    required = main_force.col("victim_contacts", "required").astype(bool)
    assert np.isnan(due[~required]).all() and (~required).any()
    assert 0.1 < enhanced.mean() < 0.6
    sample = np.flatnonzero(required)[::23]
    for i in sample.tolist():
        assert due[i] == _domain_deadline(event_at[i], 1 if enhanced[i] else 5)
    # An update's victim is the crime's victim.
    victim_crime = dict(
        zip(
            main_force.col("crime_victims", "id").tolist(),
            main_force.col("crime_victims", "crime_id").tolist(),
            strict=True,
        )
    )
    victim = main_force.col("victim_contacts", "victim_id")
    crime = main_force.col("victim_contacts", "crime_id")
    known = ~np.isnan(victim)
    assert known.mean() > 0.5
    assert all(victim_crime[int(v)] == c for v, c in zip(victim[known], crime[known], strict=True))


def test_bureau_tasks_are_due_in_working_days_and_mostly_done(main_force: Generated) -> None:
    profile = main_force.force.profile
    tasks = main_force["crime_admin_tasks"]
    allocated = dict(
        zip(
            main_force.col("crimes", "id").tolist(),
            main_force.seconds("crimes", "allocated_at"),
            strict=True,
        )
    )
    crimes = main_force.col("crime_admin_tasks", "crime_id")
    requested = main_force.seconds("crime_admin_tasks", "requested_at")
    due = main_force.seconds("crime_admin_tasks", "due_at")
    done = main_force.seconds("crime_admin_tasks", "done_at")
    assert all(r > allocated[c] for c, r in zip(crimes.tolist(), requested, strict=True))
    share = tasks.num_rows / sum(1 for a in allocated.values() if not np.isnan(a))
    assert abs(share - profile.bureau_task_share) < 0.05
    for i in range(0, len(due), 11):
        assert due[i] == _domain_deadline(requested[i], profile.bureau_task_working_days)
    finished = ~np.isnan(done)
    assert (done[finished] > requested[finished]).all()
    median = np.median((done[finished] - requested[finished]) / HOUR)
    assert abs(median - profile.bureau_median_turnaround_hours) < 0.2 * (
        profile.bureau_median_turnaround_hours
    )
