"""THRIVE, grades, incidents, attendance and partner referrals for answered contacts."""

from __future__ import annotations

import json
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np

from watchhouse.domain.thrive import EmergencyIndicator
from watchhouse.synth.helpers import lognormal_minutes
from watchhouse.synth.profile import SynthProfile
from watchhouse.synth.thrive_table import ENGAGEMENTS, combination_index, suggestion_table

LONDON = ZoneInfo("Europe/London")
INDICATORS = [i.value for i in EmergencyIndicator]
AGENCIES = ("mental_health", "social_care", "ambulance", "housing", "victim_support", "other")
AGENCY_WEIGHTS = (0.30, 0.18, 0.10, 0.12, 0.15, 0.15)
DEPARTURE_REASONS = (
    "caller known to be vulnerable; attending sooner",
    "suspect has left the area",
    "units committed; partner agency better placed",
    "caller's account changed during the call",
)
SUMMARIES = {
    1: (
        "Man with a knife in the street",
        "Fight outside the pub, one on the floor",
        "Burglary in progress, offenders inside",
        "Serious collision, driver trapped",
        "Woman screaming, man threatening her",
        "Person on the bridge threatening to jump",
    ),
    2: (
        "Partner shouting and throwing things",
        "Shoplifter detained by security",
        "Elderly man missing from care home",
        "Youths damaging cars, still there",
        "Threats made by ex-partner",
        "Concern for welfare, not answering door",
    ),
    3: (
        "Shed broken into overnight",
        "Car window smashed",
        "Harassment by neighbour",
        "Bike stolen from garden",
        "Graffiti on shop front",
        "Online fraud report",
    ),
    4: (
        "Lost property enquiry",
        "Noise from neighbour's party",
        "Parking dispute",
        "Neighbour's hedge blocks pavement",
        "Advice about a civil matter",
        "Worried about neighbour's mental health",
    ),
}


@dataclass(frozen=True)
class Graded:
    """For each answered contact: THRIVE parts, suggestion and the grade given."""

    threat: np.ndarray
    harm: np.ndarray
    risk: np.ndarray
    investigation: np.ndarray
    vulnerability: np.ndarray
    engagement: np.ndarray
    indicator: np.ndarray  # object: indicator value or ''
    suggested: np.ndarray
    grade: np.ndarray
    departure: np.ndarray  # object: reason or ''
    reasons: list[str]  # JSON text


def grade_contacts(
    profile: SynthProfile, channels: np.ndarray, vulnerable: np.ndarray, rng: np.random.Generator
) -> Graded:
    """Draw THRIVE consistent with each channel's grade mix; the real rule suggests the grade."""
    n = len(channels)
    target = np.empty(n, dtype=np.int64)
    for channel in np.unique(channels).tolist():
        mask = channels == channel
        mix = np.asarray(profile.channels[channel].grade_mix, dtype=float)
        target[mask] = rng.choice(4, size=int(mask.sum()), p=mix / mix.sum()) + 1
    u = rng.integers(0, 2, (n, 5))
    threat = np.select([target == 1, target == 2, target == 3], [3, 1 + u[:, 0], u[:, 0]], 0)
    harm = np.select([target == 1, target == 2, target == 3], [3, 3 - u[:, 1], 1], u[:, 1])
    risk = np.select([target == 1, target == 2, target == 3], [3, 2, 1], 0)
    investigation = np.select([target <= 2, target == 3], [2 + u[:, 2], 1 + u[:, 2]], 0)
    vulnerability = np.where(vulnerable, 2 + u[:, 3], u[:, 3])
    vulnerability = np.where(target == 4, np.minimum(vulnerability, 1), vulnerability)
    engagement = np.select(
        [target == 1, target == 2, target == 3], [0, 1, 2], np.where(u[:, 4] == 1, 4, 3)
    )
    has_indicator = (target == 1) & (rng.random(n) < 0.7)
    indicator = np.where(
        has_indicator, np.array(INDICATORS, dtype=object)[rng.integers(0, len(INDICATORS), n)], ""
    )
    table, reason_table = suggestion_table()
    index = combination_index(
        threat, harm, risk, investigation, vulnerability, engagement, has_indicator
    )
    suggested = table[index]
    depart = rng.random(n) < 0.05
    shift = np.where(rng.random(n) < 0.5, -1, 1)
    grade = np.where(depart, np.clip(suggested + shift, 1, 4), suggested)
    departed = grade != suggested
    departure = np.where(
        departed,
        np.array(DEPARTURE_REASONS, dtype=object)[rng.integers(0, len(DEPARTURE_REASONS), n)],
        "",
    )
    reasons = []
    for k, ind in zip(index.tolist(), indicator.tolist(), strict=True):
        texts = [
            f"emergency indicator: {ind.replace('_', ' ')}"
            if t.startswith("emergency indicator")
            else t
            for t in reason_table[k]
        ]
        reasons.append(json.dumps(texts))
    return Graded(
        threat,
        harm,
        risk,
        investigation,
        vulnerability,
        np.array([ENGAGEMENTS[e].value for e in engagement.tolist()], dtype=object),
        indicator,
        suggested,
        grade,
        departure,
        reasons,
    )


@dataclass(frozen=True)
class Attendance:
    """For each incident: when dispatched, arrived and closed (NaN: not, or not yet)."""

    created: np.ndarray
    deployed: np.ndarray
    arrived: np.ndarray
    closed: np.ndarray
    body_worn_video: np.ndarray
    referred: np.ndarray
    agency: np.ndarray


def local_hours(epoch: np.ndarray) -> np.ndarray:
    """London local hour of each epoch second (DST aware, per whole hour)."""
    hours = np.floor(epoch / 3600.0)
    unique, inverse = np.unique(hours, return_inverse=True)
    from datetime import UTC, datetime

    local = np.array(
        [datetime.fromtimestamp(h * 3600.0, UTC).astimezone(LONDON).hour for h in unique.tolist()]
    )
    return local[inverse]


def attend(
    profile: SynthProfile,
    created: np.ndarray,
    grade: np.ndarray,
    urban: np.ndarray,
    end: float,
    rng: np.random.Generator,
) -> Attendance:
    """Dispatch, travel and on-scene times; grade 4 resolved or referred; nothing after `end`."""
    a = profile.attendance
    n = len(created)
    hour = local_hours(created)
    evening = (hour >= 18) | (hour < 2)
    slow = np.where(evening, a.evening_slowdown, 1.0)
    dispatch_median = np.asarray(a.dispatch_minutes)[grade - 1] * slow
    dispatch = lognormal_minutes(rng, dispatch_median, 0.8, n)
    travel_median = np.where(urban, a.travel_minutes_urban, a.travel_minutes_rural)
    travel = lognormal_minutes(rng, travel_median * np.where(grade == 1, 1.0, 1.3), 0.45, n)
    deployed = created + dispatch
    arrived = deployed + travel
    on_scene = lognormal_minutes(rng, 50.0, 0.6, n)
    closed = arrived + on_scene
    g4 = grade == 4
    deployed[g4] = np.nan
    arrived[g4] = np.nan
    closed[g4] = created[g4] + lognormal_minutes(rng, 8.0, 0.5, int(g4.sum()))
    referred = g4 & (rng.random(n) < a.referral_share_of_grade4)
    agency = np.where(
        referred,
        np.array(AGENCIES, dtype=object)[
            rng.choice(len(AGENCIES), size=n, p=np.asarray(AGENCY_WEIGHTS) / sum(AGENCY_WEIGHTS))
        ],
        "",
    )
    for column in (deployed, arrived, closed):
        column[column >= end] = np.nan
    arrived[np.isnan(deployed)] = np.nan
    closed[~g4 & np.isnan(arrived)] = np.nan
    bwv = rng.random(n) < a.body_worn_video_share
    return Attendance(created, deployed, arrived, closed, bwv, referred & ~np.isnan(closed), agency)
