"""The synthetic crimes' casework: plan deadlines and supervisors' checks, victims with their
needs assessment, enhanced rights and victim support referral, the deadline of each victim
update, and tasks for the crime admin bureau.

Deadlines are counted in working days exactly as domain/working_days.py counts them (the
counting day, then the end of the working day N working days on, in London local time, with
England's bank holidays), but vectorised with numpy's business-day functions, so a year of
crimes costs a few array operations rather than a loop (tests/synth/test_casework.py checks
them against the domain's calendar).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from zoneinfo import ZoneInfo

import holidays
import numpy as np

from watchhouse.synth.crime import CrimeBatch
from watchhouse.synth.helpers import pick
from watchhouse.synth.profile import SynthProfile

DAY = 86400.0
HOUR = 3600.0
LONDON = ZoneInfo("Europe/London")
WORKING_DAY_ENDS = 17 * HOUR  # local time, as the default policy's [victims_code]
# The default policy's most serious crime ([victims_code]): these groups and types, and
# domestic abuse.
MOST_SERIOUS_GROUPS = frozenset({"Sexual offences"})
MOST_SERIOUS_TYPES = frozenset(
    {"Murder", "Attempted murder", "Stalking", "Controlling or coercive behaviour"}
)
GROUNDS = ("most_serious_crime", "persistently_targeted", "vulnerable", "intimidated")
# Index b3 b2 b1 b0 (serious, targeted, vulnerable, intimidated) -> the JSON list of grounds.
GROUND_LISTS = np.array(
    [
        json.dumps([g for bit, g in zip((8, 4, 2, 1), GROUNDS, strict=True) if n & bit])
        for n in range(16)
    ],
    dtype=object,
)
BUREAU_TASKS = ("file_preparation", "cctv_request", "statement_typing", "records_check")
BUREAU_TASK_WEIGHTS = (0.35, 0.3, 0.2, 0.15)


@cache
def _bank_holidays(first_year: int, last_year: int) -> np.ndarray:
    """England's bank holidays in these years, as numpy days."""
    found = holidays.country_holidays("GB", subdiv="ENG", years=range(first_year, last_year + 1))
    return np.array(sorted(found), dtype="datetime64[D]")


def utc_offsets(epoch: np.ndarray) -> np.ndarray:
    """London's offset from UTC (seconds) at each epoch second (clock changes fall on the
    hour, so one look-up per distinct hour)."""
    hours, inverse = np.unique(np.floor(epoch / HOUR), return_inverse=True)
    offsets = np.zeros(len(hours))
    for n, hour in enumerate(hours.tolist()):
        offset = datetime.fromtimestamp(hour * HOUR, UTC).astimezone(LONDON).utcoffset()
        offsets[n] = offset.total_seconds() if offset is not None else 0.0
    return offsets[inverse] if len(hours) else np.zeros(0)


def working_deadlines(events: np.ndarray, working_days: np.ndarray | int) -> np.ndarray:
    """For each event (epoch seconds, NaN for none), the end of the working day that many
    working days after its counting day, as epoch seconds (NaN stays NaN)."""
    events = np.asarray(events, dtype=float)
    result = np.full(len(events), np.nan)
    present = ~np.isnan(events)
    if not present.any():
        return result
    moments = events[present]
    counts = np.broadcast_to(np.asarray(working_days, dtype=np.int64), events.shape)[present]
    local = moments + utc_offsets(moments)
    local_days = np.floor(local / DAY)
    day = local_days.astype(np.int64).astype("datetime64[D]")
    years = day.astype("datetime64[Y]").astype(int) + 1970
    bank = _bank_holidays(int(years.min()), int(years.max()) + 1)
    working = np.is_busday(day, holidays=bank)
    before_end = (local - local_days * DAY) < WORKING_DAY_ENDS
    # Its own day if a working day before the day ends; else the next working day.
    step = np.where(working & ~before_end, 1, 0)
    counting = np.busday_offset(day, step, roll="forward", holidays=bank)
    target = np.busday_offset(counting, counts, roll="forward", holidays=bank)
    local_end = target.astype(np.int64).astype(float) * DAY + WORKING_DAY_ENDS
    # 17:00 is never within an hour of a clock change, so the offset an hour earlier holds.
    result[present] = local_end - utc_offsets(local_end - HOUR)
    return result


@dataclass(frozen=True)
class Casework:
    """Per crime, per plan, per victim, per victim update and per bureau task."""

    plan_due: np.ndarray  # per crime
    plan_written: np.ndarray  # per crime: its first plan (NaN: none)
    plan_checked: np.ndarray  # per plan (NaN: not yet checked)
    plan_check_adequate: list[bool | None]  # per plan
    victim_crime: np.ndarray  # per victim: the crime's index
    victim_added: np.ndarray
    victim_assessed: np.ndarray
    victim_grounds: list[str]  # JSON lists of enhanced-rights grounds
    victim_enhanced: np.ndarray
    victim_vulnerable: np.ndarray
    victim_intimidated: np.ndarray
    victim_targeted: np.ndarray
    victim_wants_updates: np.ndarray
    support_due: np.ndarray
    support_referred: np.ndarray
    support_declined: np.ndarray
    update_due: np.ndarray  # per victim update
    update_enhanced: np.ndarray
    update_required: np.ndarray
    update_victim: np.ndarray  # per victim update: the victim's index (-1: no victim)
    task_crime: np.ndarray  # per bureau task: the crime's index
    task_kind: np.ndarray
    task_requested: np.ndarray
    task_due: np.ndarray
    task_done: np.ndarray


def casework(
    profile: SynthProfile,
    crimes: CrimeBatch,
    has_victim: np.ndarray,
    domestic: np.ndarray,
    end: float,
    rng: np.random.Generator,
) -> Casework:
    """Deadlines and the work done against them for one period's crimes (nothing after `end`)."""
    n = len(crimes.incident_index)
    allocated = crimes.allocated
    plan_due = allocated + profile.plan_due_hours * HOUR
    plan_crime = np.asarray([i for i, _, _ in crimes.plans], dtype=np.int64)
    plan_at = np.asarray([t for _, t, _ in crimes.plans], dtype=float)
    plan_adequate = np.asarray([a for _, _, a in crimes.plans], dtype=bool)
    plan_written = np.full(n, np.nan)
    plan_written[plan_crime] = plan_at
    checked = plan_at + rng.lognormal(np.log(2.0), 0.7, len(plan_at)) * DAY
    checked = np.where(
        (rng.random(len(plan_at)) < profile.plan_checked_share) & (checked < end), checked, np.nan
    )
    agrees = rng.random(len(plan_at)) < profile.plan_check_agrees_share
    judged = np.where(agrees, plan_adequate, ~plan_adequate)
    check_adequate = [
        None if np.isnan(c) else bool(j) for c, j in zip(checked.tolist(), judged, strict=True)
    ]

    # Victims: one per crime with a known victim, recorded with the crime.
    victim_crime = np.flatnonzero(has_victim)
    m = len(victim_crime)
    added = crimes.recorded[victim_crime]
    assessed = added + rng.uniform(0.1, 3.0, m) * HOUR
    serious = (
        domestic[victim_crime]
        | np.isin(crimes.crime_group[victim_crime], list(MOST_SERIOUS_GROUPS))
        | np.isin(crimes.crime_type[victim_crime], list(MOST_SERIOUS_TYPES))
    )
    vulnerable = rng.random(m) < profile.victim_vulnerable_share
    intimidated = rng.random(m) < profile.victim_intimidated_share
    targeted = rng.random(m) < profile.victim_persistently_targeted_share
    # The grounds as JSON lists: one of 16 combinations, looked up rather than written per victim.
    combination = (
        serious.astype(np.int64) * 8 + targeted * 4 + vulnerable.astype(np.int64) * 2 + intimidated
    )
    grounds = GROUND_LISTS[combination].tolist()
    enhanced = serious | vulnerable | intimidated | targeted
    wants_updates = rng.random(m) >= profile.victim_no_updates_share
    support_due = working_deadlines(added, profile.support_referral_working_days)
    declined = rng.random(m) < profile.support_declined_share
    on_time = rng.random(m) < profile.support_on_time_share
    # On time: some time before the deadline; late: up to a week after it.
    referred = np.where(
        on_time,
        added + rng.random(m) * np.maximum(support_due - added, 0),
        support_due + rng.uniform(0.05, 7, m) * DAY,
    )
    referred = np.where(declined | (referred >= end), np.nan, referred)

    # Each victim update is due by the Victims' Code deadline of the crime's victim.
    update_crime = np.asarray([i for i, _, _, _ in crimes.victim_contacts], dtype=np.int64)
    update_at = np.asarray([t for _, _, t, _ in crimes.victim_contacts], dtype=float)
    victim_of = np.full(n, -1, dtype=np.int64)
    victim_of[victim_crime] = np.arange(m)
    update_victim = victim_of[update_crime] if len(update_crime) else np.zeros(0, np.int64)
    by_crime = domestic | np.isin(crimes.crime_group, list(MOST_SERIOUS_GROUPS))
    update_enhanced = np.where(
        update_victim >= 0,
        enhanced[np.maximum(update_victim, 0)] if m else False,
        by_crime[update_crime] if len(update_crime) else False,
    ).astype(bool)
    update_required = np.where(
        update_victim >= 0, wants_updates[np.maximum(update_victim, 0)] if m else True, True
    ).astype(bool)
    days = np.where(
        update_enhanced,
        profile.enhanced_update_working_days,
        profile.update_working_days,
    )
    update_due = np.where(update_required, working_deadlines(update_at, days), np.nan)

    # Bureau tasks: asked for some of the allocated crimes, a few days after allocation.
    asked = np.flatnonzero(~np.isnan(allocated) & (rng.random(n) < profile.bureau_task_share))
    requested = allocated[asked] + rng.lognormal(np.log(2.0), 0.8, len(asked)) * DAY
    keep = requested < end
    asked, requested = asked[keep], requested[keep]
    task_due = working_deadlines(requested, profile.bureau_task_working_days)
    turnaround = rng.lognormal(np.log(profile.bureau_median_turnaround_hours), 0.8, len(asked))
    done = requested + turnaround * HOUR
    done = np.where(done < end, done, np.nan)
    return Casework(
        plan_due=plan_due,
        plan_written=plan_written,
        plan_checked=checked,
        plan_check_adequate=check_adequate,
        victim_crime=victim_crime,
        victim_added=added,
        victim_assessed=np.where(assessed < end, assessed, np.nan),
        victim_grounds=grounds,
        victim_enhanced=enhanced,
        victim_vulnerable=vulnerable,
        victim_intimidated=intimidated,
        victim_targeted=targeted,
        victim_wants_updates=wants_updates,
        support_due=support_due,
        support_referred=referred,
        support_declined=declined,
        update_due=update_due,
        update_enhanced=update_enhanced,
        update_required=update_required,
        update_victim=update_victim,
        task_crime=asked,
        task_kind=pick(rng, BUREAU_TASKS, BUREAU_TASK_WEIGHTS, len(asked)),
        task_requested=requested,
        task_due=task_due,
        task_done=done,
    )
