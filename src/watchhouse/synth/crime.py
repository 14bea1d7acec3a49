"""Domestic abuse assessments, crimes and their investigations, stop and search, arrests."""

from __future__ import annotations

import bisect
import json
from dataclasses import dataclass, field

import numpy as np

from watchhouse.synth.helpers import lognormal_minutes, pick
from watchhouse.synth.profile import SynthProfile

DAY = 86400.0
DASH_QUESTIONS = 27
# How often each DASH question is answered yes among victims who answer (roughly).
DASH_PREVALENCE = np.array(
    [
        0.35,
        0.55,
        0.40,
        0.30,
        0.25,
        0.45,
        0.20,
        0.35,
        0.12,
        0.25,
        0.10,
        0.15,
        0.45,
        0.40,
        0.55,
        0.20,
        0.15,
        0.18,
        0.12,
        0.15,
        0.12,
        0.08,
        0.30,
        0.40,
        0.20,
        0.25,
        0.45,
    ]
)
BANDS = {"standard": (1, 9), "medium": (10, 13), "high": (14, 27)}
REFUSAL_REASONS = (
    "victim did not want to answer",
    "victim feared the abuser would find out",
    "abuser present",
    "victim intoxicated; to revisit",
    "victim said it was not needed",
)
CRIME_TYPES = {
    "Violence against the person": (
        "Assault with injury",
        "Common assault",
        "Stalking",
        "Harassment",
        "Malicious communications",
    ),
    "Sexual offences": ("Sexual assault", "Rape"),
    "Robbery": ("Robbery of personal property",),
    "Theft offences": ("Shoplifting", "Theft from the person", "Bicycle theft", "Other theft"),
    "Burglary": ("Residential burglary", "Business burglary"),
    "Vehicle offences": ("Theft of a motor vehicle", "Theft from a vehicle"),
    "Criminal damage and arson": ("Criminal damage", "Arson"),
    "Drug offences": ("Possession of drugs", "Trafficking of drugs"),
    "Public order offences": ("Public fear, alarm or distress",),
    "Possession of weapons offences": ("Possession of an article with a blade",),
    "Fraud": ("Online fraud",),
}
GROUP_WEIGHTS_BY_GRADE = {
    1: (0.45, 0.05, 0.12, 0.05, 0.12, 0.05, 0.05, 0.02, 0.04, 0.05, 0.0),
    2: (0.38, 0.05, 0.05, 0.15, 0.08, 0.06, 0.10, 0.03, 0.08, 0.02, 0.0),
    3: (0.15, 0.02, 0.02, 0.25, 0.14, 0.14, 0.16, 0.02, 0.04, 0.01, 0.05),
    4: (0.20, 0.01, 0.00, 0.25, 0.03, 0.10, 0.08, 0.00, 0.03, 0.00, 0.30),
}
CHARGE_LIKELIHOOD = {  # relative to the force's charge rate
    "Violence against the person": 1.0,
    "Sexual offences": 0.5,
    "Robbery": 1.0,
    "Theft offences": 1.2,
    "Burglary": 0.6,
    "Vehicle offences": 0.5,
    "Criminal damage and arson": 0.7,
    "Drug offences": 4.0,
    "Public order offences": 1.3,
    "Possession of weapons offences": 4.0,
    "Fraud": 0.3,
}
OTHER_OUTCOMES = (2, 3, 8, 14, 15, 16, 18, 21)
OTHER_OUTCOME_WEIGHTS = (0.01, 0.04, 0.07, 0.22, 0.10, 0.18, 0.33, 0.05)
TEAMS = ("CID", "Local investigation team", "Safeguarding team", "Crime admin bureau", "Response")
STOP_OBJECTS = (
    "Controlled drugs",
    "Offensive weapons",
    "Stolen goods",
    "Article for use in theft",
    "Evidence of offences under the Act",
    "Firearms",
    "Fireworks",
)
STOP_OBJECT_WEIGHTS = (0.60, 0.15, 0.10, 0.08, 0.04, 0.01, 0.02)
STOP_OUTCOMES = (
    "A no further action disposal",
    "Community resolution",
    "Khat or Cannabis warning",
    "Penalty Notice for Disorder",
    "Summons / charged by post",
)
STOP_OUTCOME_WEIGHTS = (0.80, 0.08, 0.07, 0.02, 0.03)


@dataclass
class VictimHistory:
    """Domestic abuse call-outs and MARAC referrals per victim, carried across periods."""

    incidents: dict[int, list[float]] = field(default_factory=dict)
    last_marac: dict[int, float] = field(default_factory=dict)

    def forget_before(self, moment: float) -> None:
        """Drop victims with nothing in the last year before `moment` (keeps memory bounded)."""
        cutoff = moment - 365 * DAY
        self.incidents = {k: v for k, v in self.incidents.items() if v and v[-1] > cutoff}
        self.last_marac = {k: v for k, v in self.last_marac.items() if v > cutoff}


@dataclass(frozen=True)
class DashResult:
    """One DASH assessment (or refusal) and any MARAC referral it led to."""

    incident_index: int
    assessed_at: float
    refused: bool
    refusal_reason: str | None
    answers: str
    yes_count: int | None
    scored_level: str | None
    final_level: str | None
    rationale: str | None
    marac_criterion: str | None
    repeat_case: bool


def assess_domestic_abuse(
    profile: SynthProfile,
    incident_index: np.ndarray,
    arrived: np.ndarray,
    victim: np.ndarray,
    history: VictimHistory,
    rng: np.random.Generator,
) -> list[DashResult]:
    """A DASH per attended domestic abuse incident, coherent with its risk level."""
    results = []
    levels = list(BANDS)
    for k, at, who in zip(incident_index.tolist(), arrived.tolist(), victim.tolist(), strict=True):
        assessed = at + float(rng.uniform(20, 120)) * 60
        past = history.incidents.setdefault(who, []) if who >= 0 else []
        past[:] = [t for t in past if t > at - 365 * DAY]
        # Kept in time order: incidents come in contact order, and a later call can be
        # attended first (`forget_before` reads the last as the latest).
        bisect.insort(past, at)
        mix = np.asarray(profile.dash_risk_mix, dtype=float)
        if rng.random() < profile.dash_refusal_share:
            reason = REFUSAL_REASONS[int(rng.integers(len(REFUSAL_REASONS)))]
            # A refusal does not end the safeguarding: the officer judges the level.
            judged = levels[int(rng.choice(3, p=mix / mix.sum()))]
            criterion = (
                "professional_judgement"
                if judged == "high"
                else _escalation(past, who, history, assessed)
            )
            results.append(
                DashResult(
                    k,
                    assessed,
                    True,
                    reason,
                    "{}",
                    None,
                    None,
                    judged,
                    "officer's judgement after the victim declined: what was seen at the scene",
                    criterion,
                    _repeat(criterion, who, history, assessed),
                )
            )
            continue
        level = levels[int(rng.choice(3, p=mix / mix.sum()))]
        low, high = BANDS[level]
        yes = int(rng.integers(low, high + 1))
        weights = DASH_PREVALENCE / DASH_PREVALENCE.sum()
        chosen = set(rng.choice(DASH_QUESTIONS, size=yes, replace=False, p=weights).tolist())
        unknown = set(rng.choice(DASH_QUESTIONS, size=2, replace=False).tolist()) - chosen
        answers = {
            f"q{q + 1:02d}": "yes" if q in chosen else ("not_known" if q in unknown else "no")
            for q in range(DASH_QUESTIONS)
        }
        final, rationale = level, None
        if level != "high" and rng.random() < 0.05:
            final = "high" if level == "medium" else "medium"
            rationale = "officer's judgement: escalating coercive control"
        criterion = None
        if final == "high":
            criterion = "visible_high_risk" if level == "high" else "professional_judgement"
        else:
            criterion = _escalation(past, who, history, assessed)
        repeat = _repeat(criterion, who, history, assessed)
        results.append(
            DashResult(
                k,
                assessed,
                False,
                None,
                json.dumps(answers),
                yes,
                level,
                final,
                rationale,
                criterion,
                repeat,
            )
        )
    return results


def _repeat(criterion: str | None, who: int, history: VictimHistory, at: float) -> bool:
    """Whether a referral is a repeat MARAC case, remembering it for the victim's next."""
    repeat = (
        criterion is not None
        and who in history.last_marac
        and (at - history.last_marac[who] < 365 * DAY)
    )
    if criterion is not None and who >= 0:
        history.last_marac[who] = at
    return repeat


def _escalation(past: list[float], who: int, history: VictimHistory, at: float) -> str | None:
    return "potential_escalation" if who >= 0 and len(past) >= 3 else None


@dataclass(frozen=True)
class CrimeBatch:
    """Crimes of a period with their investigation timelines."""

    incident_index: np.ndarray
    crime_type: np.ndarray
    crime_group: np.ndarray
    recorded: np.ndarray
    allocated: np.ndarray
    team: np.ndarray
    outcome: np.ndarray
    outcome_at: np.ndarray
    plans: list[tuple[int, float, bool]]
    reviews: list[tuple[int, float]]
    victim_contacts: list[tuple[int, str, float, float]]
    arrests: list[tuple[int, float]]


def record_crimes(
    profile: SynthProfile,
    incident_index: np.ndarray,
    created: np.ndarray,
    grade: np.ndarray,
    domestic: np.ndarray,
    end: float,
    rng: np.random.Generator,
) -> CrimeBatch:
    """Crimes from incidents, allocated, planned, reviewed, updated and given outcomes."""
    n = len(incident_index)
    groups = list(CRIME_TYPES)
    group = np.empty(n, dtype=object)
    for g in (1, 2, 3, 4):
        mask = grade == g
        group[mask] = pick(rng, groups, GROUP_WEIGHTS_BY_GRADE[g], int(mask.sum()))
    group[domestic] = "Violence against the person"
    crime_type = np.array(
        [CRIME_TYPES[g][int(rng.integers(len(CRIME_TYPES[g])))] for g in group.tolist()],
        dtype=object,
    )
    recorded = created + rng.uniform(0.5, 24, n) * 3600
    allocated = recorded + lognormal_minutes(rng, 18 * 60, 0.9, n)
    team = pick(rng, TEAMS, (0.2, 0.4, 0.15, 0.1, 0.15), n)
    team[domestic] = "Safeguarding team"
    likelihood = np.array([CHARGE_LIKELIHOOD[g] for g in group.tolist()])
    mean_likelihood = likelihood.mean() if n else 1.0
    p_charge = np.clip(profile.charge_rate * likelihood / mean_likelihood, 0, 0.95)
    charged = rng.random(n) < p_charge
    other = np.array(OTHER_OUTCOMES)[
        rng.choice(
            len(OTHER_OUTCOMES),
            size=n,
            p=np.asarray(OTHER_OUTCOME_WEIGHTS) / sum(OTHER_OUTCOME_WEIGHTS),
        )
    ]
    outcome = np.where(charged, 1, other)
    delay_days = np.where(charged, 35.0, np.where(outcome == 18, 12.0, 40.0))
    outcome_at = allocated + delay_days * DAY * np.exp(rng.normal(0, 0.7, n))
    pending = outcome_at >= end
    outcome = np.where(pending, 0, outcome)
    outcome_at = np.where(pending, np.nan, outcome_at)
    allocated = np.where(allocated >= end, np.nan, allocated)
    plans, reviews, contacts, arrests = [], [], [], []
    for i in range(n):
        alloc = allocated[i]
        if np.isnan(alloc):
            continue
        if rng.random() < profile.plan_share:
            written = alloc + float(rng.lognormal(np.log(1.5), 0.8)) * DAY
            if written < end:
                plans.append((i, written, bool(rng.random() < profile.plan_adequate_share)))
        stop = outcome_at[i] if not np.isnan(outcome_at[i]) else end
        first = (
            2 + 5 * rng.random()
            if rng.random() < profile.review_on_time_share
            else (8 + 25 * rng.random())
        )
        review = alloc + first * DAY
        while review < stop:
            reviews.append((i, review))
            review += (22 + 12 * rng.random()) * DAY
        events = [("allocated", alloc)]
        if outcome[i] == 1:
            arrest_at = alloc + float(rng.uniform(0.2, 0.8)) * (outcome_at[i] - alloc)
            arrests.append((i, arrest_at))
            events.append(("arrest", arrest_at))
            events.append(("charge", outcome_at[i]))
        elif outcome[i] != 0:
            events.append(("outcome", outcome_at[i]))
        for event, at in events:
            delay = float(rng.lognormal(np.log(2.0), 0.9)) * DAY
            done = at + delay if rng.random() > 0.15 and at + delay < end else np.nan
            contacts.append((i, event, at, done))
    return CrimeBatch(
        incident_index,
        crime_type,
        group,
        recorded,
        allocated,
        team,
        outcome,
        outcome_at,
        plans,
        reviews,
        contacts,
        arrests,
    )


@dataclass(frozen=True)
class StopSearches:
    """Stop and searches of a period."""

    at: np.ndarray
    neighbourhood: np.ndarray
    person: np.ndarray
    object_of_search: np.ndarray
    outcome: np.ndarray
    arrest: np.ndarray


def stop_and_search(
    profile: SynthProfile,
    start: float,
    end: float,
    n_neighbourhoods: int,
    population_size: int,
    scale: float,
    rng: np.random.Generator,
) -> StopSearches:
    """Stop and searches in the period, heavier in the evening, some leading to arrest."""
    expected = profile.stop_searches_per_year * scale * (end - start) / (365.25 * DAY)
    n = int(rng.poisson(expected))
    at = np.sort(start + rng.random(n) * (end - start))
    evening_shift = rng.random(n) < 0.4
    at = np.where(evening_shift, np.floor(at / DAY) * DAY + rng.uniform(17, 23.9, n) * 3600, at)
    at = np.clip(at, start, end - 1)
    arrest = rng.random(n) < profile.stop_search_arrest_share
    outcome = pick(rng, STOP_OUTCOMES, STOP_OUTCOME_WEIGHTS, n)
    outcome[arrest] = "Arrest"
    return StopSearches(
        at,
        rng.integers(0, n_neighbourhoods, n),
        rng.integers(0, population_size, n),
        pick(rng, STOP_OBJECTS, STOP_OBJECT_WEIGHTS, n),
        outcome,
        arrest,
    )
