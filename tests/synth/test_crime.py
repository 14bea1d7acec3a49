"""Domestic abuse (DASH coherent with risk, refusals, MARAC), crimes and their investigations
(allocation, plans, reviews, victim contacts, Home Office outcomes) and proactive policing."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import numpy as np
import pytest

from watchhouse.synth.crime import DASH_QUESTIONS, VictimHistory, assess_domestic_abuse
from watchhouse.synth.profile import load_profile

if TYPE_CHECKING:
    from tests.synth.conftest import Generated

pytestmark = pytest.mark.unit

DAY = 86400.0
BANDS = {"standard": (1, 9), "medium": (10, 13), "high": (14, 27)}
HOME_OFFICE_OUTCOMES = set(range(23))


def _end(force: Generated) -> float:
    end = force.force.end
    return datetime(end.year, end.month, end.day, tzinfo=UTC).timestamp()


# --- domestic abuse --------------------------------------------------------------------------


def test_dash_refusal_rate_is_the_profiles(main_force: Generated) -> None:
    refused = main_force.col("domestic_abuse_assessments", "refused")
    assert len(refused) > 500
    assert abs(refused.mean() - main_force.force.profile.dash_refusal_share) < 0.05
    reasons = main_force.col("domestic_abuse_assessments", "refusal_reason")
    assert all(reasons[refused]) and not any(reasons[~refused])


def test_dash_refusal_rate_follows_the_setting() -> None:
    profile = load_profile("default").model_copy(update={"dash_refusal_share": 0.10})
    n = 3000
    results = assess_domestic_abuse(
        profile,
        np.arange(n),
        np.arange(n) * 3600.0,
        np.arange(n),
        VictimHistory(),
        np.random.default_rng(1),
    )
    assert abs(np.mean([r.refused for r in results]) - 0.10) < 0.02


def test_completed_dash_answers_agree_with_the_risk_level(main_force: Generated) -> None:
    table = main_force["domestic_abuse_assessments"].to_pylist()
    completed = [row for row in table if not row["refused"]]
    assert len(completed) > 300
    for row in completed:
        answers = json.loads(row["answers"])
        assert len(answers) == DASH_QUESTIONS
        assert set(answers.values()) <= {"yes", "no", "not_known"}
        yes = sum(a == "yes" for a in answers.values())
        assert yes == row["yes_count"]
        low, high = BANDS[row["scored_level"]]
        assert low <= yes <= high, row
        # The officer may raise the level, never lower it, and says why.
        order = list(BANDS)
        assert order.index(row["final_level"]) >= order.index(row["scored_level"])
        assert (row["final_level"] != row["scored_level"]) == bool(row["judgement_rationale"])
    levels = [row["scored_level"] for row in completed]
    mix = main_force.force.profile.dash_risk_mix
    for level, expected in zip(BANDS, mix, strict=True):
        assert abs(levels.count(level) / len(levels) - expected) < 0.05
    for row in table:
        if row["refused"]:
            assert row["yes_count"] is None and row["scored_level"] is None
            # A refusal still has the officer's judged level and what it rests on.
            assert row["final_level"] in BANDS and row["judgement_rationale"]


def test_every_high_risk_victim_is_referred_to_marac(main_force: Generated) -> None:
    assessments = main_force["domestic_abuse_assessments"].to_pylist()
    referrals = main_force["marac_referrals"].to_pylist()
    criterion = {r["assessment_id"]: r["criterion"] for r in referrals}
    assert len(criterion) == len(referrals)  # one referral per assessment at most
    high = [a for a in assessments if a["final_level"] == "high"]
    assert len(high) > 30
    for a in high:
        expected = "visible_high_risk" if a["scored_level"] == "high" else "professional_judgement"
        assert criterion.get(a["id"]) == expected
    # Other referrals are for escalation (three or more call-outs in a year).
    by_id = {a["id"]: a for a in assessments}
    for r in referrals:
        if r["criterion"] == "potential_escalation":
            assert by_id[r["assessment_id"]]["final_level"] != "high"
            assert r["victim_person_id"] is not None


def test_domestic_abuse_incidents_are_assessed_after_attendance(main_force: Generated) -> None:
    incident_ids = main_force.col("incidents", "id")
    arrived = dict(
        zip(incident_ids.tolist(), main_force.seconds("incidents", "arrived_at"), strict=True)
    )
    assessed = main_force.seconds("domestic_abuse_assessments", "assessed_at")
    for incident, at in zip(
        main_force.col("domestic_abuse_assessments", "incident_id").tolist(), assessed, strict=True
    ):
        assert arrived[incident] < at < arrived[incident] + 3 * 3600
    crimes_da = main_force.col("crimes", "domestic_abuse")
    assert 0.05 < crimes_da.mean() < 0.3
    teams = main_force.col("crimes", "allocated_team")
    assert set(teams[crimes_da].tolist()) == {"Safeguarding team"}


# --- crimes and investigations ---------------------------------------------------------------


def test_charge_rate_is_the_profiles(main_force: Generated) -> None:
    outcome = main_force.col("crimes", "outcome_code")
    assert set(outcome.tolist()) <= HOME_OFFICE_OUTCOMES
    given = outcome > 0
    assert given.sum() > 1000
    charge_rate = np.mean(outcome[given] == 1)
    assert abs(charge_rate - main_force.force.profile.charge_rate) < 0.03, charge_rate


def test_outcomes_come_with_realistic_delays(main_force: Generated) -> None:
    outcome = main_force.col("crimes", "outcome_code")
    recorded = main_force.seconds("crimes", "recorded_at")
    outcome_at = main_force.seconds("crimes", "outcome_at")
    given = outcome > 0
    assert np.isnan(outcome_at[~given]).all()
    assert (outcome_at[given] > recorded[given]).all()
    assert (outcome_at[given] < _end(main_force)).all()
    days = (outcome_at - recorded)[given] / DAY
    assert 7 < np.median(days) < 60
    charged_days = (outcome_at - recorded)[outcome == 1] / DAY
    assert np.median(charged_days) > 14
    # Crimes recorded in the last weeks mostly have no outcome yet.
    late = recorded > _end(main_force) - 14 * DAY
    assert np.mean(outcome[late] == 0) > 0.7


def test_crimes_are_allocated_planned_and_reviewed(main_force: Generated) -> None:
    profile = main_force.force.profile
    end = _end(main_force)
    crime_ids = main_force.col("crimes", "id")
    recorded = main_force.seconds("crimes", "recorded_at")
    allocated = main_force.seconds("crimes", "allocated_at")
    assert ((allocated > recorded) | np.isnan(allocated)).all()
    assert np.mean(~np.isnan(allocated)) > 0.95
    allocated_at = dict(zip(crime_ids.tolist(), allocated, strict=True))
    # Plans: the profile's share of crimes allocated long enough ago.
    plans = main_force.col("investigation_plans", "crime_id")
    settled = crime_ids[allocated < end - 30 * DAY]
    planned = np.isin(settled, plans)
    assert abs(planned.mean() - profile.plan_share) < 0.05
    adequate = main_force.col("investigation_plans", "adequate")
    assert abs(adequate.mean() - profile.plan_adequate_share) < 0.05
    written = main_force.seconds("investigation_plans", "written_at")
    assert all(written[i] > allocated_at[c] for i, c in enumerate(plans.tolist()))
    # Supervisor reviews: the first within 7 days of allocation for the profile's share.
    first_review: dict[int, float] = {}
    for crime, at in zip(
        main_force.col("supervisor_reviews", "crime_id").tolist(),
        main_force.seconds("supervisor_reviews", "reviewed_at"),
        strict=True,
    ):
        assert at > allocated_at[crime]
        first_review[crime] = min(first_review.get(crime, np.inf), at)
    on_time = [
        first_review.get(c, np.inf) - allocated_at[c] <= 7 * DAY
        for c in crime_ids[allocated < end - 40 * DAY].tolist()
    ]
    assert abs(np.mean(on_time) - profile.review_on_time_share) < 0.06


def test_victims_are_told_of_key_decisions(main_force: Generated) -> None:
    events = main_force.col("victim_contacts", "event")
    assert {"allocated", "arrest", "charge", "outcome"} <= set(events.tolist())
    event_at = main_force.seconds("victim_contacts", "event_at")
    contacted = main_force.seconds("victim_contacts", "contacted_at")
    told = ~np.isnan(contacted)
    assert 0.6 < told.mean() < 0.95  # some victims are never told
    assert (contacted[told] > event_at[told]).all()
    charged = set(
        main_force.col("crimes", "id")[main_force.col("crimes", "outcome_code") == 1].tolist()
    )
    charge_events = main_force.col("victim_contacts", "crime_id")[events == "charge"]
    assert set(charge_events.tolist()) == charged


# --- proactive policing ----------------------------------------------------------------------


def test_stop_and_search_volume_and_arrests(main_force: Generated) -> None:
    force = main_force.force
    years = (force.end - force.start).days / 365.25
    expected = force.profile.stop_searches_per_year * force.scale * years
    stops = main_force["stop_searches"].num_rows
    assert abs(stops - expected) < 4 * np.sqrt(expected)
    led = main_force.col("stop_searches", "led_to_arrest")
    assert abs(led.mean() - force.profile.stop_search_arrest_share) < 0.06
    outcomes = main_force.col("stop_searches", "outcome")
    assert set(outcomes[led].tolist()) == {"Arrest"}
    # Arrests: one per stop that led to one, and one per charged crime.
    stop_ids = main_force.col("arrests", "stop_search_id")
    crime_ids = main_force.col("arrests", "crime_id")
    from_stops = ~np.isnan(stop_ids)
    assert from_stops.sum() == led.sum()
    assert np.isnan(crime_ids[from_stops]).all() and not np.isnan(crime_ids[~from_stops]).any()
    charged = main_force.col("crimes", "outcome_code") == 1
    assert (~from_stops).sum() == charged.sum()
