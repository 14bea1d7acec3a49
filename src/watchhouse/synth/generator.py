"""The synthetic force, period by period: each month becomes a set of Arrow tables.

Memory stays flat however long the range: only the population, the queues and a few
look-ups (who has been seen, which numbers exist) are carried from one month to the next.
The same seed, profile, scale and range give the same tables, byte for byte.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import numpy as np
import pyarrow as pa

from watchhouse.synth.arrivals import demand_shape
from watchhouse.synth.contacts import CHANNELS, PeriodContacts, record_callers, simulate_period
from watchhouse.synth.crime import (
    CrimeBatch,
    VictimHistory,
    assess_domestic_abuse,
    record_crimes,
    stop_and_search,
)
from watchhouse.synth.helpers import ids, ts
from watchhouse.synth.incidents import SUMMARIES, attend, grade_contacts
from watchhouse.synth.population import Population, build_population
from watchhouse.synth.profile import SynthProfile
from watchhouse.synth.queueing import QueueState
from watchhouse.synth.schema import SCHEMAS

UNUSABLE_PASSWORD = "!synthetic-account-cannot-sign-in"
DOMESTIC_SUMMARIES = (
    "Domestic: partner shouting and threatening",
    "Domestic: ex-partner at the door",
    "Domestic: caller assaulted by partner",
    "Domestic: argument, items being thrown",
)


@dataclass
class GeneratorState:
    """What the generator carries from one period to the next."""

    next_id: dict[str, int]
    queues: dict[str, QueueState] = field(
        default_factory=lambda: {c: QueueState() for c in CHANNELS}
    )
    person_record: dict[int, int] = field(default_factory=dict)
    duplicate_record: dict[int, int] = field(default_factory=dict)
    household_location: dict[int, int] = field(default_factory=dict)
    hotspot_location: dict[int, int] = field(default_factory=dict)
    number_id: dict[str, int] = field(default_factory=dict)
    person_numbers: set[tuple[int, int]] = field(default_factory=set)
    victims: VictimHistory = field(default_factory=VictimHistory)
    neighbourhood_ids: list[int] = field(default_factory=list)
    handler_ids: list[int] = field(default_factory=list)
    dispatcher_ids: list[int] = field(default_factory=list)

    def take(self, table: str, count: int) -> np.ndarray:
        """Reserve `count` consecutive ids in a table."""
        first = self.next_id.get(table, 1)
        self.next_id[table] = first + count
        return np.arange(first, first + count, dtype=np.int64)


def month_starts(start: date, end: date) -> list[datetime]:
    """Period boundaries: the start, each first of the month inside the range, and the end."""
    points = [datetime(start.year, start.month, start.day, tzinfo=UTC)]
    year, month = start.year, start.month
    while True:
        month += 1
        if month == 13:
            year, month = year + 1, 1
        point = datetime(year, month, 1, tzinfo=UTC)
        if point.date() >= end:
            break
        points.append(point)
    points.append(datetime(end.year, end.month, end.day, tzinfo=UTC))
    return points


def _e164(digits: str) -> str:
    return "+44" + digits[1:]


def _table(name: str, columns: dict[str, object]) -> pa.Table:
    schema = SCHEMAS[name]
    arrays = []
    for f in schema:
        value = columns[f.name]
        arrays.append(value if isinstance(value, pa.Array) else pa.array(value, type=f.type))
    return pa.Table.from_arrays(arrays, schema=schema)


class SyntheticForce:
    """Generates the force's records month by month."""

    def __init__(
        self,
        profile: SynthProfile,
        *,
        seed: int,
        scale: float,
        start: date,
        end: date,
        first_ids: dict[str, int] | None = None,
        settle_incidents: bool = False,
    ) -> None:
        """Prepare the population; nothing is generated until iterated.

        Events after the end are left out (incidents still open, crimes pending), unless
        `settle_incidents` lets every incident run to its close (as the demo wants).
        """
        if end <= start:
            raise ValueError("the end date must be after the start date")
        if scale <= 0:
            raise ValueError("the scale must be positive")
        self.profile, self.seed, self.scale = profile, seed, scale
        self.start, self.end = start, end
        self.settle_incidents = settle_incidents
        self.population: Population = build_population(profile, scale=scale, seed=seed)
        self.state = GeneratorState(next_id=dict(first_ids or {}))

    def _rng(self, period: int, part: int) -> np.random.Generator:
        return np.random.default_rng(np.random.SeedSequence([self.seed, 1000 + period, part]))

    def __iter__(self) -> Iterator[dict[str, pa.Table]]:
        """Yield one dict of tables per period; the first also holds staff and neighbourhoods."""
        bounds = month_starts(self.start, self.end)
        origin = bounds[0].timestamp()
        reference = self._reference(bounds[0])
        for period, (lo, hi) in enumerate(itertools.pairwise(bounds)):
            tables = self._period(period, lo, hi, origin)
            if period == 0:
                tables = {**reference, **tables}
            yield tables

    def _reference(self, at: datetime) -> dict[str, pa.Table]:
        pop, st = self.population, self.state
        n = len(pop.neighbourhood_code)
        hood_ids = st.take("neighbourhoods", n)
        st.neighbourhood_ids = hood_ids.tolist()
        handlers = max(5, round(120 * self.scale))
        dispatchers = max(2, round(25 * self.scale))
        user_ids = st.take("users", handlers + dispatchers)
        st.handler_ids = user_ids[:handlers].tolist()
        st.dispatcher_ids = user_ids[handlers:].tolist()
        names = [f"synth.h{i + 1:03d}" for i in range(handlers)] + [
            f"synth.d{i + 1:03d}" for i in range(dispatchers)
        ]
        created = np.full(len(names), at.timestamp())
        return {
            "neighbourhoods": _table(
                "neighbourhoods",
                {
                    "id": hood_ids,
                    "code": pop.neighbourhood_code.tolist(),
                    "name": pop.neighbourhood_name.tolist(),
                    "settlement": ["urban" if u else "rural" for u in pop.neighbourhood_urban],
                },
            ),
            "users": _table(
                "users",
                {
                    "id": user_ids,
                    "username": names,
                    "display_name": [
                        f"Synthetic {'handler' if n[6] == 'h' else 'dispatcher'} {n[-3:]}"
                        for n in names
                    ],
                    "password_hash": [UNUSABLE_PASSWORD] * len(names),
                    "role_code": ["call_handler"] * handlers + ["dispatcher"] * dispatchers,
                    "active": [True] * len(names),
                    "failed_sign_ins": [0] * len(names),
                    "created_at": ts(created),
                },
            ),
        }

    def _locations(self, contacts: PeriodContacts, at: float) -> tuple[np.ndarray, pa.Table]:
        pop, st = self.population, self.state
        location = np.empty(len(contacts), dtype=np.int64)
        new_ids, descriptions, postcodes, hoods, settlements = [], [], [], [], []
        for i, (h, s) in enumerate(
            zip(
                contacts.location_household.tolist(),
                contacts.location_hotspot.tolist(),
                strict=True,
            )
        ):
            known = st.household_location if h >= 0 else st.hotspot_location
            key = h if h >= 0 else s
            if key not in known:
                known[key] = int(st.take("locations", 1)[0])
                hood = int(
                    pop.household_neighbourhood[h] if h >= 0 else pop.hotspot_neighbourhood[s]
                )
                new_ids.append(known[key])
                descriptions.append(
                    str(pop.household_address[h] if h >= 0 else pop.hotspot_description[s])
                )
                postcodes.append(str(pop.household_postcode[h]) if h >= 0 else None)
                hoods.append(st.neighbourhood_ids[hood])
                settlements.append("urban" if pop.neighbourhood_urban[hood] else "rural")
            location[i] = known[key]
        table = _table(
            "locations",
            {
                "id": np.asarray(new_ids, dtype=np.int64),
                "description": descriptions,
                "postcode": postcodes,
                "neighbourhood_id": np.asarray(hoods, dtype=np.int64),
                "settlement": settlements,
            },
        )
        return location, table

    def _people(
        self,
        contacts: PeriodContacts,
        given: list[str | None],
        family: list[str | None],
        rng: np.random.Generator,
        at: float,
    ) -> tuple[np.ndarray, pa.Table]:
        pop, st = self.population, self.state
        record = np.full(len(contacts), -1, dtype=np.int64)
        rows: dict[str, list[object]] = {
            k: [] for k in ("id", "family_name", "given_name", "date_of_birth", "created_at")
        }
        answered = ~np.isnan(contacts.answered)
        use_duplicate = rng.random(len(contacts)) < 0.35
        for i, p in enumerate(contacts.person.tolist()):
            if p < 0 or not answered[i]:
                continue
            table = st.person_record
            if pop.person_duplicate_record[p] and use_duplicate[i] and p in st.person_record:
                table = st.duplicate_record
            if p not in table:
                table[p] = int(st.take("people", 1)[0])
                rows["id"].append(table[p])
                rows["family_name"].append(family[i] or str(pop.person_family[p]))
                rows["given_name"].append(given[i] or str(pop.person_given[p]))
                rows["date_of_birth"].append(pop.person_dob[p].astype(date))
                rows["created_at"].append(contacts.presented[i])
            record[i] = table[p]
        people = _table(
            "people", {**rows, "created_at": ts(np.asarray(rows["created_at"], dtype=float))}
        )
        return record, people

    def _numbers(
        self, contacts: PeriodContacts, record: np.ndarray
    ) -> tuple[np.ndarray, pa.Table, pa.Table]:
        st = self.state
        number = np.full(len(contacts), -1, dtype=np.int64)
        new_ids, new_numbers, links = [], [], []
        for i, digits in enumerate(contacts.telephone.tolist()):
            if not digits:
                continue
            e164 = _e164(digits)
            if e164 not in st.number_id:
                st.number_id[e164] = int(st.take("telephone_numbers", 1)[0])
                new_ids.append(st.number_id[e164])
                new_numbers.append(e164)
            number[i] = st.number_id[e164]
            r = int(record[i])
            if r >= 0 and (r, number[i]) not in st.person_numbers:
                st.person_numbers.add((r, int(number[i])))
                links.append((r, int(number[i])))
        numbers = _table(
            "telephone_numbers", {"id": np.asarray(new_ids, dtype=np.int64), "number": new_numbers}
        )
        person_telephones = _table(
            "person_telephones",
            {
                "person_id": np.asarray([a for a, _ in links], dtype=np.int64),
                "telephone_number_id": np.asarray([b for _, b in links], dtype=np.int64),
            },
        )
        return number, numbers, person_telephones

    def _period(
        self, period: int, lo: datetime, hi: datetime, origin: float
    ) -> dict[str, pa.Table]:
        profile, pop, st = self.profile, self.population, self.state
        start, end = lo.timestamp(), hi.timestamp()
        shape = demand_shape(profile, lo, hi)
        contacts = simulate_period(
            profile, pop, shape, st.queues, self._rng(period, 1), scale=self.scale, origin=origin
        )
        n = len(contacts)
        caller = record_callers(profile, pop, contacts, self._rng(period, 2))
        rng = self._rng(period, 3)
        location, locations = self._locations(contacts, start)
        record, people = self._people(contacts, caller.given, caller.family, rng, start)
        number, numbers, person_telephones = self._numbers(contacts, record)
        contact_ids = st.take("contacts", n)
        answered = ~np.isnan(contacts.answered)
        handler = np.asarray(st.handler_ids)[rng.integers(0, len(st.handler_ids), n)]
        # Grading of answered contacts.
        graded_idx = np.flatnonzero(answered)
        person_idx = contacts.person[graded_idx]
        ages = pop.age_on(np.maximum(person_idx, 0), lo.date())
        vulnerable = (person_idx >= 0) & (
            pop.person_mental_health[np.maximum(person_idx, 0)] | (ages >= 75)
        )
        graded = grade_contacts(profile, contacts.channel[graded_idx], vulnerable, rng)
        created = np.minimum(
            contacts.answered[graded_idx] + rng.uniform(60, 240, len(graded_idx)),
            contacts.finished[graded_idx],
        )
        loc_settlement = self._settlement_of(location[graded_idx])
        urban = loc_settlement == "urban"
        censor_at = float("inf") if self.settle_incidents else end
        attendance = attend(profile, created, graded.grade, urban, censor_at, rng)
        domestic = (graded.grade <= 3) & (
            rng.random(len(graded_idx)) < profile.domestic_abuse_share
        )
        summaries = np.empty(n, dtype=object)
        summaries[:] = ""
        for k, i in enumerate(graded_idx.tolist()):
            options = DOMESTIC_SUMMARIES if domestic[k] else SUMMARIES[int(graded.grade[k])]
            summaries[i] = options[int(rng.integers(len(options)))]
        incident_ids = st.take("incidents", len(graded_idx))
        g4 = graded.grade == 4
        status = np.where(
            ~np.isnan(attendance.closed),
            "closed",
            np.where(
                ~np.isnan(attendance.arrived),
                "attended",
                np.where(
                    ~np.isnan(attendance.deployed),
                    "deployed",
                    np.where(g4, "awaiting_resolution", "open"),
                ),
            ),
        )
        # Crimes from incidents.
        share = np.asarray(profile.crime_share_by_grade)[graded.grade - 1]
        is_crime = (rng.random(len(graded_idx)) < np.where(domestic, 0.6, share)) & (created < end)
        crime_idx = np.flatnonzero(is_crime)
        crimes = record_crimes(
            profile,
            crime_idx,
            created[crime_idx],
            graded.grade[crime_idx],
            domestic[crime_idx],
            end,
            rng,
        )
        closure = np.where(
            g4,
            np.where(attendance.referred, "referred_to_partner", "resolved_without_deployment"),
            np.where(
                is_crime,
                "crime_recorded",
                np.where(
                    rng.random(len(graded_idx)) < 0.6, "resolved_at_scene", "no_further_action"
                ),
            ),
        )
        closure = np.where(np.isnan(attendance.closed), np.array(None, dtype=object), closure)
        contact_status = np.full(n, "abandoned", dtype=object)
        contact_status[graded_idx] = np.where(
            ~g4,
            "graded",
            np.where(
                np.isnan(attendance.closed),
                "awaiting_resolution",
                np.where(attendance.referred, "referred", "resolved"),
            ),
        )
        dispatcher = np.asarray(st.dispatcher_ids)[
            rng.integers(0, len(st.dispatcher_ids), len(graded_idx))
        ]
        tables: dict[str, pa.Table] = {
            "locations": locations,
            "people": people,
            "telephone_numbers": numbers,
            "person_telephones": person_telephones,
        }
        caller_names = [
            " ".join(x for x in (g, f) if x)
            for g, f in zip(caller.given, caller.family, strict=True)
        ]
        tables["contacts"] = _table(
            "contacts",
            {
                "id": contact_ids,
                "channel": contacts.channel.tolist(),
                "presented_at": ts(contacts.presented),
                "answered_at": ts(contacts.answered),
                "ended_at": ts(contacts.finished),
                "abandoned": ~answered,
                "handler_id": ids(handler, ~answered),
                "person_id": ids(record, record < 0),
                "telephone_number_id": ids(number, number < 0),
                "location_id": ids(location, ~answered),
                "caller_name": caller_names,
                "summary": summaries.tolist(),
                "status": contact_status.tolist(),
                "caller_given_name": caller.given,
                "caller_family_name": caller.family,
                "caller_date_of_birth": pa.array(caller.dob, type=pa.date32()),
                "caller_telephone": caller.telephone,
                "caller_postcode": caller.postcode,
                "source": ["synthetic"] * n,
            },
        )
        known = contacts.person >= 0
        tables["synthetic_ground_truth"] = _table(
            "synthetic_ground_truth",
            {
                "contact_id": contact_ids[known],
                "true_person_id": contacts.person[known] + 1,
            },
        )
        thrive_ids = st.take("thrive_assessments", len(graded_idx))
        indicators = [json.dumps([i]) if i else "[]" for i in graded.indicator.tolist()]
        tables["thrive_assessments"] = _table(
            "thrive_assessments",
            {
                "id": thrive_ids,
                "contact_id": contact_ids[graded_idx],
                "assessed_by": handler[graded_idx],
                "assessed_at": ts(created - 20),
                "threat": graded.threat,
                "harm": graded.harm,
                "risk": graded.risk,
                "investigation": graded.investigation,
                "vulnerability": graded.vulnerability,
                "engagement": graded.engagement.tolist(),
                "indicators": indicators,
                "notes": ["{}"] * len(graded_idx),
                "suggested_grade": graded.suggested,
                "suggestion_reasons": graded.reasons,
            },
        )
        deployed_mask = np.isnan(attendance.deployed)
        arrived_mask = np.isnan(attendance.arrived)
        closed_mask = np.isnan(attendance.closed)
        updated = np.nanmax(
            np.vstack([created, attendance.deployed, attendance.arrived, attendance.closed]), axis=0
        )
        units = np.array(
            [
                f"{'UR' if u else 'RR'}{k:02d}"
                for u, k in zip(
                    urban.tolist(), rng.integers(1, 60, len(graded_idx)).tolist(), strict=True
                )
            ],
            dtype=object,
        )
        tables["incidents"] = _table(
            "incidents",
            {
                "id": incident_ids,
                "contact_id": contact_ids[graded_idx],
                "grade": graded.grade,
                "suggested_grade": graded.suggested,
                "departure_reason": [d or None for d in graded.departure.tolist()],
                "graded_by": handler[graded_idx],
                "location_id": location[graded_idx],
                "settlement": loc_settlement.tolist(),
                "created_at": ts(created),
                "updated_at": ts(updated),
                "status": status.tolist(),
                "deployed_at": ts(attendance.deployed),
                "deployed_unit": [
                    None if m else u
                    for m, u in zip(deployed_mask.tolist(), units.tolist(), strict=True)
                ],
                "deployed_by": ids(dispatcher, deployed_mask),
                "arrived_at": ts(attendance.arrived),
                "body_worn_video": pa.array(attendance.body_worn_video, mask=arrived_mask),
                "arrival_recorded_by": ids(dispatcher, arrived_mask),
                "closed_at": ts(attendance.closed),
                "closure": closure.tolist(),
                "closure_note": [None] * len(graded_idx),
                "closed_by": ids(np.where(g4, handler[graded_idx], dispatcher), closed_mask),
            },
        )
        referred = np.flatnonzero(attendance.referred)
        tables["partner_referrals"] = _table(
            "partner_referrals",
            {
                "id": st.take("partner_referrals", len(referred)),
                "incident_id": incident_ids[referred],
                "agency_code": attendance.agency[referred].tolist(),
                "note": ["Referred at triage"] * len(referred),
                "referred_by": handler[graded_idx][referred],
                "referred_at": ts(attendance.closed[referred]),
                "status": ["made"] * len(referred),
            },
        )
        tables.update(
            self._domestic(
                graded_idx,
                domestic,
                attendance.arrived,
                record,
                contacts.person,
                incident_ids,
                end,
                rng,
            )
        )
        tables.update(
            self._crimes(crimes, incident_ids, record[graded_idx], location[graded_idx], domestic)
        )
        tables.update(self._stops(start, end, period))
        return tables

    def _settlement_of(self, location_ids: np.ndarray) -> np.ndarray:
        pop, st = self.population, self.state
        by_id: dict[int, str] = {}
        for h, lid in st.household_location.items():
            by_id[lid] = (
                "urban" if pop.neighbourhood_urban[pop.household_neighbourhood[h]] else "rural"
            )
        for s, lid in st.hotspot_location.items():
            by_id[lid] = (
                "urban" if pop.neighbourhood_urban[pop.hotspot_neighbourhood[s]] else "rural"
            )
        return np.array([by_id[int(i)] for i in location_ids.tolist()], dtype=object)

    def _domestic(
        self,
        graded_idx: np.ndarray,
        domestic: np.ndarray,
        arrived: np.ndarray,
        record: np.ndarray,
        person: np.ndarray,
        incident_ids: np.ndarray,
        end: float,
        rng: np.random.Generator,
    ) -> dict[str, pa.Table]:
        st = self.state
        which = np.flatnonzero(domestic & ~np.isnan(arrived))
        victims = person[graded_idx][which]
        results = [
            r
            for r in assess_domestic_abuse(
                self.profile, which, arrived[which], victims, st.victims, rng
            )
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

    def _crimes(
        self,
        crimes: CrimeBatch,
        incident_ids: np.ndarray,
        victim_record: np.ndarray,
        location: np.ndarray,
        domestic: np.ndarray,
    ) -> dict[str, pa.Table]:
        st = self.state
        crime_ids = st.take("crimes", len(crimes.incident_index))
        k = crimes.incident_index
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
        tables["victim_contacts"] = _table(
            "victim_contacts",
            {
                "id": st.take("victim_contacts", len(crimes.victim_contacts)),
                "crime_id": np.asarray(
                    [crime_ids[i] for i, _, _, _ in crimes.victim_contacts], dtype=np.int64
                ),
                "event": [e for _, e, _, _ in crimes.victim_contacts],
                "event_at": ts(
                    np.asarray([t for _, _, t, _ in crimes.victim_contacts], dtype=float)
                ),
                "contacted_at": ts(
                    np.asarray([c for _, _, _, c in crimes.victim_contacts], dtype=float)
                ),
            },
        )
        self._pending_arrests = [(int(crime_ids[i]), at) for i, at in crimes.arrests]
        return tables

    def _stops(self, start: float, end: float, period: int) -> dict[str, pa.Table]:
        pop, st = self.population, self.state
        rng = self._rng(period, 4)
        stops = stop_and_search(
            self.profile, start, end, len(st.neighbourhood_ids), pop.size, self.scale, rng
        )
        stop_ids = st.take("stop_searches", len(stops.at))
        hoods = np.asarray(st.neighbourhood_ids, dtype=np.int64)[stops.neighbourhood]
        arrests_from_stops = np.flatnonzero(stops.arrest)
        crime_arrests = [(c, at) for c, at in self._pending_arrests if at < end]
        n_arrests = len(arrests_from_stops) + len(crime_arrests)
        arrest_at = np.concatenate(
            [
                stops.at[arrests_from_stops] + 600,
                np.asarray([at for _, at in crime_arrests], dtype=float),
            ]
        )
        return {
            "stop_searches": _table(
                "stop_searches",
                {
                    "id": stop_ids,
                    "searched_at": ts(stops.at),
                    "neighbourhood_id": hoods,
                    "person_id": ids(
                        np.zeros(len(stop_ids), dtype=np.int64), np.ones(len(stop_ids), dtype=bool)
                    ),
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
                    "person_id": ids(
                        np.zeros(n_arrests, dtype=np.int64), np.ones(n_arrests, dtype=bool)
                    ),
                    "crime_id": ids(
                        np.concatenate(
                            [
                                np.zeros(len(arrests_from_stops), dtype=np.int64),
                                np.asarray([c for c, _ in crime_arrests], dtype=np.int64),
                            ]
                        ),
                        np.concatenate(
                            [
                                np.ones(len(arrests_from_stops), dtype=bool),
                                np.zeros(len(crime_arrests), dtype=bool),
                            ]
                        ),
                    ),
                    "stop_search_id": ids(
                        np.concatenate(
                            [
                                stop_ids[arrests_from_stops],
                                np.zeros(len(crime_arrests), dtype=np.int64),
                            ]
                        ),
                        np.concatenate(
                            [
                                np.zeros(len(arrests_from_stops), dtype=bool),
                                np.ones(len(crime_arrests), dtype=bool),
                            ]
                        ),
                    ),
                    "neighbourhood_id": ids(
                        np.concatenate(
                            [
                                hoods[arrests_from_stops],
                                np.zeros(len(crime_arrests), dtype=np.int64),
                            ]
                        ),
                        np.concatenate(
                            [
                                np.zeros(len(arrests_from_stops), dtype=bool),
                                np.ones(len(crime_arrests), dtype=bool),
                            ]
                        ),
                    ),
                },
            ),
        }
