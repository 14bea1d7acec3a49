"""The synthetic force, period by period: each month becomes a set of Arrow tables.

Memory stays flat however long the range: only the population, the queues and a few
look-ups (who has been seen, which numbers exist) are carried from one month to the next.
The same seed, profile, scale and range give the same tables, byte for byte.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime

import numpy as np
import pyarrow as pa

from watchhouse.synth.arrivals import demand_shape
from watchhouse.synth.casework import casework
from watchhouse.synth.contacts import (
    NUMBER_LANDLINE,
    NUMBER_MOBILE,
    NUMBER_NONE,
    NUMBER_POOL,
    PeriodContacts,
    record_callers,
    simulate_period,
    stranger_pool_size,
)
from watchhouse.synth.crime import record_crimes, stop_and_search
from watchhouse.synth.crime_tables import crime_tables, domestic_tables, stop_tables
from watchhouse.synth.helpers import ids, lognormal_minutes, table, ts
from watchhouse.synth.incidents import SUMMARIES, attend, grade_contacts
from watchhouse.synth.population import Population, build_population
from watchhouse.synth.profile import SynthProfile
from watchhouse.synth.state import GeneratorState

UNUSABLE_PASSWORD = "!synthetic-account-cannot-sign-in"
DOMESTIC_SUMMARIES = (
    "Domestic: partner shouting and threatening",
    "Domestic: ex-partner at the door",
    "Domestic: caller assaulted by partner",
    "Domestic: argument, items being thrown",
)


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


# The reason code (policy [closure]) each synthetic closure gives; grade 4 resolutions have none.
SYNTH_CLOSURE_REASONS = {
    "resolved_at_scene": "advice_given",
    "no_further_action": "no_offence",
    "crime_recorded": "crime_recorded",
}


# A share of incidents is cancelled before anyone arrives, with a reason from policy [closure]
# and, for grades 1 and 2, a supervisor's authority or the dispatcher's rationale.
CANCELLED_SHARE = 0.06
CANCEL_REASONS = ("caller_withdrew", "duplicate", "dealt_with_by_partner", "no_trace")
CANCEL_RATIONALES = (
    "Caller rang back: the person was found safe",
    "Same incident already being attended under another reference",
    "Ambulance service confirmed they are dealing",
)


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
        self.horizon = datetime(end.year, end.month, end.day, tzinfo=UTC).timestamp()
        self.population: Population = build_population(profile, scale=scale, seed=seed)
        self.state = GeneratorState(next_id=dict(first_ids or {}))
        pop = self.population
        self.state.size_for(
            pop.size, pop.households, len(pop.hotspot_description), stranger_pool_size(pop)
        )

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
        officers = max(3, round(60 * self.scale))
        user_ids = st.take("users", handlers + dispatchers + officers)
        st.handler_ids = user_ids[:handlers].tolist()
        st.dispatcher_ids = user_ids[handlers : handlers + dispatchers].tolist()
        st.officer_ids = user_ids[handlers + dispatchers :].tolist()
        names = (
            [f"synth.h{i + 1:03d}" for i in range(handlers)]
            + [f"synth.d{i + 1:03d}" for i in range(dispatchers)]
            + [f"synth.o{i + 1:03d}" for i in range(officers)]
        )
        kinds = {"h": "handler", "d": "dispatcher", "o": "officer"}
        roles = {"h": "call_handler", "d": "dispatcher", "o": "officer"}
        created = np.full(len(names), at.timestamp())
        return {
            "neighbourhoods": table(
                "neighbourhoods",
                {
                    "id": hood_ids,
                    "code": pop.neighbourhood_code.tolist(),
                    "name": pop.neighbourhood_name.tolist(),
                    "settlement": ["urban" if u else "rural" for u in pop.neighbourhood_urban],
                },
            ),
            "users": table(
                "users",
                {
                    "id": user_ids,
                    "username": names,
                    "display_name": [f"Synthetic {kinds[n[6]]} {n[-3:]}" for n in names],
                    "password_hash": [UNUSABLE_PASSWORD] * len(names),
                    "role_code": [roles[n[6]] for n in names],
                    "active": [True] * len(names),
                    "failed_sign_ins": [0] * len(names),
                    "created_at": ts(created),
                },
            ),
        }

    def _locations(self, contacts: PeriodContacts) -> tuple[np.ndarray, pa.Table]:
        pop, st = self.population, self.state
        location = np.empty(len(contacts), dtype=np.int64)
        new_ids, descriptions, postcodes, hoods, settlements = [], [], [], [], []
        households = contacts.location_household.tolist()
        hotspots = contacts.location_hotspot.tolist()
        for i, (h, s) in enumerate(zip(households, hotspots, strict=True)):
            known, key = (st.household_location, h) if h >= 0 else (st.hotspot_location, s)
            if known[key] < 0:
                known[key] = int(st.take("locations", 1)[0])
                hood = int(
                    pop.household_neighbourhood[h] if h >= 0 else pop.hotspot_neighbourhood[s]
                )
                new_ids.append(int(known[key]))
                descriptions.append(
                    str(pop.household_address[h] if h >= 0 else pop.hotspot_description[s])
                )
                postcodes.append(str(pop.household_postcode[h]) if h >= 0 else None)
                hoods.append(st.neighbourhood_ids[hood])
                settlements.append("urban" if pop.neighbourhood_urban[hood] else "rural")
            location[i] = known[key]
        locations = table(
            "locations",
            {
                "id": np.asarray(new_ids, dtype=np.int64),
                "description": descriptions,
                "postcode": postcodes,
                "neighbourhood_id": np.asarray(hoods, dtype=np.int64),
                "settlement": settlements,
            },
        )
        return location, locations

    def _people(
        self,
        contacts: PeriodContacts,
        given: list[str | None],
        family: list[str | None],
        rng: np.random.Generator,
    ) -> tuple[np.ndarray, np.ndarray, pa.Table]:
        """Person records for answered contacts: the record id, and 0/1 for primary/duplicate."""
        pop, st = self.population, self.state
        record = np.full(len(contacts), -1, dtype=np.int64)
        which = np.zeros(len(contacts), dtype=np.int64)
        rows: dict[str, list[object]] = {
            k: [] for k in ("id", "family_name", "given_name", "date_of_birth", "created_at")
        }
        answered = ~np.isnan(contacts.answered)
        use_duplicate = rng.random(len(contacts)) < 0.35
        for i, p in enumerate(contacts.person.tolist()):
            if p < 0 or not answered[i]:
                continue
            records, kind = st.person_record, 0
            if pop.person_duplicate_record[p] and use_duplicate[i] and st.person_record[p] >= 0:
                records, kind = st.duplicate_record, 1
            if records[p] < 0:
                records[p] = int(st.take("people", 1)[0])
                rows["id"].append(int(records[p]))
                rows["family_name"].append(family[i] or str(pop.person_family[p]))
                rows["given_name"].append(given[i] or str(pop.person_given[p]))
                rows["date_of_birth"].append(pop.person_dob[p].astype(date))
                rows["created_at"].append(contacts.presented[i])
            record[i] = records[p]
            which[i] = kind
        people = table(
            "people", {**rows, "created_at": ts(np.asarray(rows["created_at"], dtype=float))}
        )
        return record, which, people

    def _numbers(
        self, contacts: PeriodContacts, record: np.ndarray, which: np.ndarray
    ) -> tuple[np.ndarray, pa.Table, pa.Table]:
        st = self.state
        number = np.full(len(contacts), -1, dtype=np.int64)
        new_ids, new_numbers, links = [], [], []
        by_kind = {
            NUMBER_MOBILE: st.mobile_number,
            NUMBER_LANDLINE: st.landline_number,
            NUMBER_POOL: st.pool_number,
        }
        for i, (digits, kind, owner) in enumerate(
            zip(
                contacts.telephone.tolist(),
                contacts.number_kind.tolist(),
                contacts.number_owner.tolist(),
                strict=True,
            )
        ):
            if kind == NUMBER_NONE:
                continue
            known = by_kind[kind]
            if known[owner] < 0:
                known[owner] = int(st.take("telephone_numbers", 1)[0])
                new_ids.append(int(known[owner]))
                new_numbers.append(_e164(digits))
            number[i] = known[owner]
            r = int(record[i])
            if r >= 0 and kind != NUMBER_POOL:
                person = int(contacts.person[i])
                slot = (person, int(which[i]), 0 if kind == NUMBER_MOBILE else 1)
                if not st.linked[slot]:
                    st.linked[slot] = True
                    links.append((r, int(number[i])))
        numbers = table(
            "telephone_numbers", {"id": np.asarray(new_ids, dtype=np.int64), "number": new_numbers}
        )
        person_telephones = table(
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
        st.victims.forget_before(start)
        shape = demand_shape(profile, lo, hi)
        contacts = simulate_period(
            profile, pop, shape, st.queues, self._rng(period, 1), scale=self.scale, origin=origin
        )
        n = len(contacts)
        caller = record_callers(profile, pop, contacts, self._rng(period, 2))
        rng = self._rng(period, 3)
        location, locations = self._locations(contacts)
        record, which, people = self._people(contacts, caller.given, caller.family, rng)
        number, numbers, person_telephones = self._numbers(contacts, record, which)
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
        loc_settlement = self._settlement_of(
            contacts.location_household[graded_idx], contacts.location_hotspot[graded_idx]
        )
        urban = loc_settlement == "urban"
        # Events after the end of the whole range have not happened yet.
        horizon = self.horizon
        attendance = attend(
            profile,
            created,
            graded.grade,
            urban,
            float("inf") if self.settle_incidents else horizon,
            rng,
        )
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
        # Cancelled before arrival (own random stream, so the rest of the force is unchanged).
        cancel_rng = self._rng(period, 7)
        cancelled = (
            ~g4
            & ~np.isnan(attendance.closed)
            & (cancel_rng.random(len(graded_idx)) < CANCELLED_SHARE)
        )
        cancel_at = created + lognormal_minutes(cancel_rng, 12.0, 0.5, len(graded_idx))
        # Nothing happens after the range's end (unless incidents are settled).
        cancelled &= cancel_at < (float("inf") if self.settle_incidents else horizon)
        attendance.closed[cancelled] = cancel_at[cancelled]
        attendance.arrived[cancelled] = np.nan
        late_deploy = cancelled & (attendance.deployed >= attendance.closed)
        attendance.deployed[late_deploy] = np.nan
        cancel_reason = np.array(CANCEL_REASONS, dtype=object)[
            cancel_rng.integers(len(CANCEL_REASONS), size=len(graded_idx))
        ]
        urgent_cancel = cancelled & (graded.grade <= 2)
        by_supervisor = cancel_rng.random(len(graded_idx)) < 0.7
        authority = np.where(
            urgent_cancel,
            np.where(by_supervisor, "supervisor", "rationale"),
            np.array(None, dtype=object),
        )
        rationale = np.where(
            urgent_cancel & ~by_supervisor,
            np.array(CANCEL_RATIONALES, dtype=object)[
                cancel_rng.integers(len(CANCEL_RATIONALES), size=len(graded_idx))
            ],
            np.array(None, dtype=object),
        )
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
        is_crime = (
            (rng.random(len(graded_idx)) < np.where(domestic, 0.6, share))
            & (created < end)
            & ~cancelled
        )
        crime_idx = np.flatnonzero(is_crime)
        crimes = record_crimes(
            profile,
            crime_idx,
            created[crime_idx],
            graded.grade[crime_idx],
            domestic[crime_idx],
            horizon,
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
        closure = np.where(cancelled, "cancelled", closure)
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
        tables["contacts"] = table(
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
        tables["synthetic_ground_truth"] = table(
            "synthetic_ground_truth",
            {
                "contact_id": contact_ids[known],
                "true_person_id": contacts.person[known] + 1,
            },
        )
        thrive_ids = st.take("thrive_assessments", len(graded_idx))
        indicators = [json.dumps([i]) if i else "[]" for i in graded.indicator.tolist()]
        tables["thrive_assessments"] = table(
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
                # The handler flags domestic abuse in THRIVE from the start.
                "vulnerability_flags": ['["domestic_abuse"]' if d else "[]" for d in domestic],
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
        tables["incidents"] = table(
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
                "domestic_abuse": domestic,
                "closure_reason": [
                    r if c == "cancelled" else SYNTH_CLOSURE_REASONS.get(c)
                    for c, r in zip(closure.tolist(), cancel_reason.tolist(), strict=True)
                ],
                "closure_rationale": rationale.tolist(),
                "closure_authority": authority.tolist(),
                # Set once the crimes have their ids (below).
                "closure_crime_id": pa.nulls(len(graded_idx), pa.int64()),
                # The officer who attended (the dispatcher only recorded it): spread evenly.
                "attending_officer_id": ids(
                    np.asarray(st.officer_ids)[incident_ids % len(st.officer_ids)], arrived_mask
                ),
            },
        )
        referred = np.flatnonzero(attendance.referred)
        tables["partner_referrals"] = table(
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
            domestic_tables(
                st,
                profile,
                graded_idx,
                domestic,
                attendance.arrived,
                record,
                contacts.person,
                incident_ids,
                horizon,
                rng,
            )
        )
        work = casework(
            profile,
            crimes,
            record[graded_idx][crimes.incident_index] >= 0,
            domestic[crimes.incident_index],
            horizon,
            self._rng(period, 5),
        )
        crime_part, crime_arrests = crime_tables(
            st, crimes, incident_ids, record[graded_idx], location[graded_idx], domestic, work
        )
        tables.update(crime_part)
        # "Crime recorded" closures link the crime they recorded.
        linked = np.full(len(graded_idx), -1, dtype=np.int64)
        linked[crimes.incident_index] = crime_part["crimes"]["id"].to_numpy()
        no_link = (linked < 0) | (np.asarray(closure.tolist(), dtype=object) != "crime_recorded")
        incidents_table = tables["incidents"]
        tables["incidents"] = incidents_table.set_column(
            incidents_table.schema.get_field_index("closure_crime_id"),
            "closure_crime_id",
            pa.array(linked, type=pa.int64(), mask=no_link),
        )
        stops = stop_and_search(
            profile,
            start,
            end,
            len(st.neighbourhood_ids),
            pop.size,
            self.scale,
            self._rng(period, 4),
        )
        tables.update(
            stop_tables(st, profile, stops, [(c, at) for c, at in crime_arrests if at < horizon])
        )
        return tables

    def _settlement_of(self, households: np.ndarray, hotspots: np.ndarray) -> np.ndarray:
        pop = self.population
        hood = np.where(
            households >= 0,
            pop.household_neighbourhood[np.maximum(households, 0)],
            pop.hotspot_neighbourhood[np.maximum(hotspots, 0)],
        )
        return np.where(pop.neighbourhood_urban[hood], "urban", "rural").astype(object)
