"""THRIVE, grades and incidents: the suggested grade is the real rule's, the grade mix follows
each channel's profile, and attendance depends on grade, settlement and time of day."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import numpy as np
import pytest

from watchhouse.domain.thrive import (
    EmergencyIndicator,
    Engagement,
    Level,
    ThriveAssessment,
    suggest_grade,
)
from watchhouse.synth.incidents import local_hours

if TYPE_CHECKING:
    from tests.synth.conftest import Generated

pytestmark = pytest.mark.unit


def _channel_of_incidents(force: Generated) -> np.ndarray:
    row = {c: i for i, c in enumerate(force.col("contacts", "id").tolist())}
    channels = force.col("contacts", "channel")
    return channels[[row[c] for c in force.col("incidents", "contact_id").tolist()]]


def test_suggested_grade_is_the_thrive_rule(main_force: Generated) -> None:
    thrive = main_force["thrive_assessments"]
    rng = np.random.default_rng(0)
    sample = rng.choice(thrive.num_rows, size=min(3000, thrive.num_rows), replace=False)
    rows = thrive.take(sample).to_pylist()
    with_indicators = 0
    for row in rows:
        indicators = json.loads(row["indicators"])
        with_indicators += bool(indicators)
        assessment = ThriveAssessment(
            threat=Level(row["threat"]),
            harm=Level(row["harm"]),
            risk=Level(row["risk"]),
            investigation=Level(row["investigation"]),
            vulnerability=Level(row["vulnerability"]),
            engagement=Engagement(row["engagement"]),
            indicators=frozenset(EmergencyIndicator(i) for i in indicators),
        )
        suggestion = suggest_grade(assessment)
        assert row["suggested_grade"] == int(suggestion.grade), row
        assert json.loads(row["suggestion_reasons"]) == list(suggestion.reasons), row
    assert with_indicators > 100
    # Every grade occurs, and the incident carries the same suggestion.
    assert set(main_force.col("thrive_assessments", "suggested_grade").tolist()) == {1, 2, 3, 4}
    by_contact = dict(
        zip(
            main_force.col("thrive_assessments", "contact_id").tolist(),
            main_force.col("thrive_assessments", "suggested_grade").tolist(),
            strict=True,
        )
    )
    incident_suggested = main_force.col("incidents", "suggested_grade")
    contacts = main_force.col("incidents", "contact_id")
    assert all(
        by_contact[c] == s
        for c, s in zip(contacts.tolist(), incident_suggested.tolist(), strict=True)
    )


def test_handlers_depart_from_the_suggestion_now_and_then_with_a_reason(
    main_force: Generated,
) -> None:
    grade = main_force.col("incidents", "grade")
    suggested = main_force.col("incidents", "suggested_grade")
    reason = main_force.col("incidents", "departure_reason")
    departed = grade != suggested
    assert 0.02 < departed.mean() < 0.07
    assert all(reason[departed])
    assert not any(reason[~departed])
    assert (np.abs(grade - suggested)[departed] == 1).all()


def test_grade_mix_follows_each_channel(main_force: Generated) -> None:
    grade = main_force.col("incidents", "grade")
    channels = _channel_of_incidents(main_force)
    for channel in ("999", "101", "online_report"):
        mine = channels == channel
        shares = np.bincount(grade[mine], minlength=5)[1:] / mine.sum()
        expected = np.asarray(main_force.force.profile.channels[channel].grade_mix)
        assert np.abs(shares - expected / expected.sum()).max() < 0.05, (channel, shares)


def test_body_worn_video_on_about_80_percent_of_attendances(main_force: Generated) -> None:
    arrived = ~np.isnan(main_force.seconds("incidents", "arrived_at"))
    video = main_force.col("incidents", "body_worn_video")
    assert arrived.sum() > 5000
    share = np.mean(video[arrived].astype(bool))
    assert abs(share - main_force.force.profile.attendance.body_worn_video_share) < 0.02
    assert all(v is None for v in video[~arrived])


def test_grade_1_urban_arrivals_mostly_within_15_minutes_rural_slower(
    main_force: Generated,
) -> None:
    grade = main_force.col("incidents", "grade")
    settlement = main_force.col("incidents", "settlement")
    minutes = (
        main_force.seconds("incidents", "arrived_at")
        - main_force.seconds("incidents", "created_at")
    ) / 60
    arrived = ~np.isnan(minutes)
    urban = minutes[(grade == 1) & (settlement == "urban") & arrived]
    rural = minutes[(grade == 1) & (settlement == "rural") & arrived]
    assert len(urban) > 500 and len(rural) > 200
    assert np.mean(urban <= 15) > 0.70
    assert np.mean(rural <= 15) < np.mean(urban <= 15) - 0.2
    assert np.median(rural) > np.median(urban) + 3
    # Grade 2 much slower than grade 1, most still within the hour.
    priority = minutes[(grade == 2) & arrived]
    assert np.median(priority) > 2 * np.median(urban)
    assert np.mean(priority <= 60) > 0.8


def test_evenings_are_slower_to_dispatch(main_force: Generated) -> None:
    grade = main_force.col("incidents", "grade")
    created = main_force.seconds("incidents", "created_at")
    dispatch = main_force.seconds("incidents", "deployed_at") - created
    hour = local_hours(created)
    evening = (hour >= 18) | (hour < 2)
    mine = (grade == 2) & ~np.isnan(dispatch)
    ratio = np.median(dispatch[mine & evening]) / np.median(dispatch[mine & ~evening])
    assert ratio == pytest.approx(main_force.force.profile.attendance.evening_slowdown, rel=0.15)


def test_incident_timeline_is_in_order_and_inside_the_range(main_force: Generated) -> None:
    created = main_force.seconds("incidents", "created_at")
    deployed = main_force.seconds("incidents", "deployed_at")
    arrived = main_force.seconds("incidents", "arrived_at")
    closed = main_force.seconds("incidents", "closed_at")
    status = main_force.col("incidents", "status")
    grade = main_force.col("incidents", "grade")
    force = main_force.force
    end = datetime(force.end.year, force.end.month, force.end.day, tzinfo=UTC).timestamp()
    assert ((deployed >= created) | np.isnan(deployed)).all()
    assert ((arrived > deployed) | np.isnan(arrived)).all()
    assert np.isnan(arrived[np.isnan(deployed)]).all()
    assert (np.nan_to_num(closed, nan=0) < end).all()
    assert np.isnan(deployed[grade == 4]).all()  # resolved without deployment
    assert set(status[~np.isnan(closed)].tolist()) == {"closed"}
    closure = main_force.col("incidents", "closure")
    # Never deployed: still open, or cancelled before anyone was sent.
    undeployed = np.isnan(deployed) & (grade < 4)
    assert set(status[undeployed & np.isnan(closed)].tolist()) == {"open"}
    assert set(closure[undeployed & ~np.isnan(closed)].tolist()) <= {"cancelled"}
    assert all(c is None for c in closure[np.isnan(closed)])


def test_some_grade_4_incidents_are_referred_to_partners(main_force: Generated) -> None:
    grade = main_force.col("incidents", "grade")
    closed = ~np.isnan(main_force.seconds("incidents", "closed_at"))
    referrals = main_force["partner_referrals"].num_rows
    share = referrals / ((grade == 4) & closed).sum()
    assert share == pytest.approx(
        main_force.force.profile.attendance.referral_share_of_grade4, abs=0.04
    )
    referred = set(main_force.col("partner_referrals", "incident_id").tolist())
    incident_ids = main_force.col("incidents", "id")
    assert referred <= set(incident_ids[grade == 4].tolist())
