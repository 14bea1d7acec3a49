"""Arrow tables for domestic abuse, crimes, stop and search and arrests."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from watchhouse.synth.casework import Casework
from watchhouse.synth.crime import CrimeBatch, StopSearches, assess_domestic_abuse
from watchhouse.synth.helpers import ids, table, ts
from watchhouse.synth.profile import SynthProfile
from watchhouse.synth.state import GeneratorState

_table = table


def domestic_tables(
    state: GeneratorState,
    profile: SynthProfile,
    graded_idx: np.ndarray,
    domestic: np.ndarray,
    arrived: np.ndarray,
    record: np.ndarray,
    person: np.ndarray,
    incident_ids: np.ndarray,
    end: float,
    rng: np.random.Generator,
) -> dict[str, pa.Table]:
    """DASH assessments of attended domestic abuse incidents, and the MARAC referrals."""
    st = state
    which = np.flatnonzero(domestic & ~np.isnan(arrived))
    victims = person[graded_idx][which]
    results = [
        r
        for r in assess_domestic_abuse(profile, which, arrived[which], victims, st.victims, rng)
        if r.assessed_at < end
    ]
    assessment_ids = st.take("domestic_abuse_assessments", len(results))
    victim_record = record[graded_idx]
    rows = {
        "id": assessment_ids,
        "incident_id": np.asarray(
            [incident_ids[r.incident_index] for r in results], dtype=np.int64
        ),
        "victim_person_id": ids(
            np.asarray([victim_record[r.incident_index] for r in results], dtype=np.int64),
            np.asarray([victim_record[r.incident_index] < 0 for r in results], dtype=bool),
        ),
        "instrument": ["dash_2009"] * len(results),
        "assessed_at": ts(np.asarray([r.assessed_at for r in results], dtype=float)),
        "refused": [r.refused for r in results],
        "refusal_reason": [r.refusal_reason for r in results],
        "answers": [r.answers for r in results],
        "yes_count": [r.yes_count for r in results],
        "scored_level": [r.scored_level for r in results],
        "final_level": [r.final_level for r in results],
        "judgement_rationale": [r.rationale for r in results],
    }
    marac = [
        (aid, r)
        for aid, r in zip(assessment_ids.tolist(), results, strict=True)
        if r.marac_criterion
    ]
    maracs = {
        "id": st.take("marac_referrals", len(marac)),
        "assessment_id": np.asarray([a for a, _ in marac], dtype=np.int64),
        "victim_person_id": ids(
            np.asarray([victim_record[r.incident_index] for _, r in marac], dtype=np.int64),
            np.asarray([victim_record[r.incident_index] < 0 for _, r in marac], dtype=bool),
        ),
        "referred_at": ts(np.asarray([r.assessed_at + 3600 for _, r in marac], dtype=float)),
        "criterion": [r.marac_criterion for _, r in marac],
        "repeat_case": [r.repeat_case for _, r in marac],
    }
    return {
        "domestic_abuse_assessments": _table("domestic_abuse_assessments", rows),
        "marac_referrals": _table("marac_referrals", maracs),
    }


def crime_tables(
    state: GeneratorState,
    crimes: CrimeBatch,
    incident_ids: np.ndarray,
    victim_record: np.ndarray,
    location: np.ndarray,
    domestic: np.ndarray,
    work: Casework,
) -> tuple[dict[str, pa.Table], list[tuple[int, float]]]:
    """Crimes with their plans, reviews, victims, victim updates and bureau tasks; also the
    arrests they led to."""
    st = state
    crime_ids = st.take("crimes", len(crimes.incident_index))
    k = crimes.incident_index
    plan_crime = np.asarray([i for i, _, _ in crimes.plans], dtype=np.int64)
    plan_checked = np.full(len(k), np.nan)
    plan_checked[plan_crime] = work.plan_checked
    tables = {
        "crimes": _table(
            "crimes",
            {
                "id": crime_ids,
                "incident_id": incident_ids[k],
                "crime_type": crimes.crime_type.tolist(),
                "crime_group": crimes.crime_group.tolist(),
                "recorded_at": ts(crimes.recorded),
                "victim_person_id": ids(victim_record[k], victim_record[k] < 0),
                "location_id": location[k],
                "domestic_abuse": domestic[k],
                "allocated_at": ts(crimes.allocated),
                "allocated_team": crimes.team.tolist(),
                "outcome_code": crimes.outcome,
                "outcome_at": ts(crimes.outcome_at),
                "source": ["synthetic"] * len(k),
                "plan_due_at": ts(work.plan_due),
                "plan_written_at": ts(work.plan_written),
                "plan_checked_at": ts(plan_checked),
            },
        )
    }
    tables["investigation_plans"] = _table(
        "investigation_plans",
        {
            "id": st.take("investigation_plans", len(crimes.plans)),
            "crime_id": np.asarray([crime_ids[i] for i, _, _ in crimes.plans], dtype=np.int64),
            "written_at": ts(np.asarray([t for _, t, _ in crimes.plans], dtype=float)),
            "adequate": [a for _, _, a in crimes.plans],
            "due_at": ts(work.plan_due[plan_crime]),
            "checked_at": ts(work.plan_checked),
            "check_adequate": pa.array(work.plan_check_adequate, type=pa.bool_()),
        },
    )
    tables["supervisor_reviews"] = _table(
        "supervisor_reviews",
        {
            "id": st.take("supervisor_reviews", len(crimes.reviews)),
            "crime_id": np.asarray([crime_ids[i] for i, _ in crimes.reviews], dtype=np.int64),
            "reviewed_at": ts(np.asarray([t for _, t in crimes.reviews], dtype=float)),
        },
    )
    victim_ids = st.take("crime_victims", len(work.victim_crime))
    tables["crime_victims"] = _table(
        "crime_victims",
        {
            "id": victim_ids,
            "crime_id": crime_ids[work.victim_crime],
            "person_id": victim_record[k][work.victim_crime],
            "added_at": ts(work.victim_added),
            "assessed_at": ts(work.victim_assessed),
            "persistently_targeted": work.victim_targeted,
            "vulnerable": work.victim_vulnerable,
            "intimidated": work.victim_intimidated,
            "enhanced": work.victim_enhanced,
            "enhanced_grounds": work.victim_grounds,
            "wants_updates": work.victim_wants_updates,
            "support_due_at": ts(work.support_due),
            "support_referred_at": ts(work.support_referred),
            "support_declined": work.support_declined,
        },
    )
    tables["victim_contacts"] = _table(
        "victim_contacts",
        {
            "id": st.take("victim_contacts", len(crimes.victim_contacts)),
            "crime_id": np.asarray(
                [crime_ids[i] for i, _, _, _ in crimes.victim_contacts], dtype=np.int64
            ),
            "event": [e for _, e, _, _ in crimes.victim_contacts],
            "event_at": ts(np.asarray([t for _, _, t, _ in crimes.victim_contacts], dtype=float)),
            "contacted_at": ts(
                np.asarray([c for _, _, _, c in crimes.victim_contacts], dtype=float)
            ),
            "victim_id": ids(
                victim_ids[np.maximum(work.update_victim, 0)]
                if len(victim_ids)
                else np.zeros(len(work.update_victim), dtype=np.int64),
                work.update_victim < 0,
            ),
            "due_at": ts(work.update_due),
            "enhanced": work.update_enhanced,
            "required": work.update_required,
        },
    )
    tables["crime_admin_tasks"] = _table(
        "crime_admin_tasks",
        {
            "id": st.take("crime_admin_tasks", len(work.task_crime)),
            "crime_id": crime_ids[work.task_crime],
            "task": work.task_kind.tolist(),
            "detail": [""] * len(work.task_crime),
            "requested_at": ts(work.task_requested),
            "due_at": ts(work.task_due),
            "done_at": ts(work.task_done),
        },
    )
    arrests = [(int(crime_ids[i]), at) for i, at in crimes.arrests]
    return tables, arrests


def stop_tables(
    state: GeneratorState,
    profile: SynthProfile,
    stops: StopSearches,
    crime_arrests: list[tuple[int, float]],
) -> dict[str, pa.Table]:
    """Stop and searches, and the arrests from them and from crimes."""
    st = state
    stop_ids = st.take("stop_searches", len(stops.at))
    hoods = np.asarray(st.neighbourhood_ids, dtype=np.int64)[stops.neighbourhood]
    arrests_from_stops = np.flatnonzero(stops.arrest)
    n_arrests = len(arrests_from_stops) + len(crime_arrests)
    arrest_at = np.concatenate(
        [
            stops.at[arrests_from_stops] + 600,
            np.asarray([at for _, at in crime_arrests], dtype=float),
        ]
    )
    n_stop = len(arrests_from_stops)
    crime_ids = np.asarray([c for c, _ in crime_arrests], dtype=np.int64)
    nobody = ids(np.zeros(len(stop_ids), dtype=np.int64), np.ones(len(stop_ids), dtype=bool))
    return {
        "stop_searches": _table(
            "stop_searches",
            {
                "id": stop_ids,
                "searched_at": ts(stops.at),
                "neighbourhood_id": hoods,
                "person_id": nobody,
                "object_of_search": stops.object_of_search.tolist(),
                "outcome": stops.outcome.tolist(),
                "led_to_arrest": stops.arrest,
            },
        ),
        "arrests": _table(
            "arrests",
            {
                "id": st.take("arrests", n_arrests),
                "arrested_at": ts(arrest_at),
                "person_id": _either(
                    np.zeros(0, dtype=np.int64),
                    np.zeros(0, dtype=np.int64),
                    n_stop,
                    len(crime_ids),
                    first=False,
                    second=False,
                ),
                "crime_id": _either(
                    np.zeros(n_stop, dtype=np.int64),
                    crime_ids,
                    n_stop,
                    len(crime_ids),
                    first=False,
                    second=True,
                ),
                "stop_search_id": _either(
                    stop_ids[arrests_from_stops],
                    np.zeros(len(crime_ids), dtype=np.int64),
                    n_stop,
                    len(crime_ids),
                    first=True,
                    second=False,
                ),
                "neighbourhood_id": _either(
                    hoods[arrests_from_stops],
                    np.zeros(len(crime_ids), dtype=np.int64),
                    n_stop,
                    len(crime_ids),
                    first=True,
                    second=False,
                ),
            },
        ),
    }


def _either(
    first_values: np.ndarray,
    second_values: np.ndarray,
    n_first: int,
    n_second: int,
    *,
    first: bool,
    second: bool,
) -> pa.Array:
    """Ids for arrests from stops, then from crimes; `first`/`second` say which part has them."""
    values = np.concatenate(
        [
            first_values if first else np.zeros(n_first, dtype=np.int64),
            second_values if second else np.zeros(n_second, dtype=np.int64),
        ]
    )
    present = np.concatenate([np.full(n_first, first), np.full(n_second, second)])
    return ids(values, ~present)
