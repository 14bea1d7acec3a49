"""A hand-built force for measure tests: rows added one by one, handed to the engine as the
Parquet snapshot's tables would be (Arrow, same columns), so each expected value can be worked
out by hand in the test."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pyarrow as pa

from watchhouse.analytics import tables
from watchhouse.analytics.catalogue import Cut, MeasureValue, Period, spec, specs
from watchhouse.analytics.engine import MeasureEngine
from watchhouse.analytics.model import MeasureParams

TS = pa.timestamp("us", tz="UTC")
_TYPES = {
    tables.INT: pa.int64(),
    tables.TEXT: pa.string(),
    tables.BOOL: pa.bool_(),
    tables.TS: TS,
    tables.FLOAT: pa.float64(),
}


def utc(*parts: int) -> datetime:
    """An aware UTC datetime."""
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


class Force:
    """Rows for every input table; ids are handed out in order from 1."""

    def __init__(self) -> None:
        self.rows: dict[str, list[dict[str, Any]]] = defaultdict(list)

    def _add(self, table: str, **values: Any) -> int:
        rows = self.rows[table]
        values.setdefault("id", len(rows) + 1)
        rows.append(values)
        return int(values["id"])

    def neighbourhood(self, code: str, settlement: str = "urban") -> int:
        """A neighbourhood and one location in it; returns the location id."""
        hood = self._add("neighbourhoods", code=code, settlement=settlement)
        return self._add("locations", neighbourhood_id=hood, settlement=settlement)

    def contact(
        self,
        at: datetime,
        *,
        channel: str = "999",
        wait: float | None = None,
        abandoned: bool = False,
        place: int | None = None,
        person: int | None = None,
        phone: int | None = None,
        source: str = "watchhouse",
        origin: str = "public",
    ) -> int:
        """A contact presented at `at`, answered `wait` seconds later (None: not answered);
        `source` other than watchhouse makes it imported, `origin` says who started it."""
        return self._add(
            "contacts",
            channel=channel,
            presented_at=at,
            answered_at=None if wait is None else at + timedelta(seconds=wait),
            abandoned=abandoned,
            location_id=place,
            person_id=person,
            telephone_number_id=phone,
            status="closed",
            source=source,
            origin=origin,
        )

    def thrive(self, contact_id: int, at: datetime) -> int:
        """A THRIVE assessment of a contact."""
        return self._add("thrive_assessments", contact_id=contact_id, assessed_at=at)

    def incident(
        self,
        contact_id: int,
        *,
        grade: int,
        created: datetime,
        arrived_after_minutes: float | None = None,
        settlement: str = "urban",
        place: int | None = None,
        body_worn_video: bool | None = None,
        domestic_abuse: bool | None = None,
    ) -> int:
        """An incident created at `created`, attended that many minutes later (or never);
        `domestic_abuse` is the call handler's THRIVE flag stored on the incident."""
        arrived = (
            None
            if arrived_after_minutes is None
            else created + timedelta(minutes=arrived_after_minutes)
        )
        return self._add(
            "incidents",
            contact_id=contact_id,
            grade=grade,
            settlement=settlement,
            location_id=place,
            created_at=created,
            arrived_at=arrived,
            body_worn_video=body_worn_video,
            status="attended" if arrived else "open",
            domestic_abuse=domestic_abuse,
        )

    def referral(self, incident_id: int, at: datetime, agency: str = "mental_health") -> int:
        """A referral of an incident to a partner agency."""
        return self._add(
            "partner_referrals", incident_id=incident_id, agency_code=agency, referred_at=at
        )

    def assessment(
        self,
        incident_id: int,
        at: datetime,
        *,
        refused: bool = False,
        level: str | None = None,
        status: str = "complete",
    ) -> int:
        """A domestic abuse risk assessment (or a refusal) for an incident."""
        return self._add(
            "domestic_abuse_assessments",
            incident_id=incident_id,
            assessed_at=at,
            refused=refused,
            final_level=level,
            status=status,
        )

    def marac(self, assessment_id: int, at: datetime) -> int:
        """A MARAC referral from an assessment."""
        return self._add(
            "marac_referrals", assessment_id=assessment_id, referred_at=at, repeat_case=False
        )

    def crime(
        self,
        recorded: datetime,
        *,
        group: str = "Theft offences",
        outcome: int = 0,
        outcome_at: datetime | None = None,
        allocated: datetime | None = None,
        incident_id: int | None = None,
        place: int | None = None,
        domestic_abuse: bool = False,
        plan_due: datetime | None = None,
        plan_written: datetime | None = None,
    ) -> int:
        """A recorded crime with its outcome code (0: not yet assigned)."""
        return self._add(
            "crimes",
            incident_id=incident_id,
            crime_group=group,
            recorded_at=recorded,
            location_id=place,
            domestic_abuse=domestic_abuse,
            allocated_at=allocated,
            outcome_code=outcome,
            outcome_at=outcome_at,
            plan_due_at=plan_due,
            plan_written_at=plan_written,
        )

    def plan(
        self,
        crime_id: int,
        at: datetime,
        *,
        adequate: bool | None = None,
        checked_adequate: bool | None = None,
    ) -> int:
        """An investigation plan for a crime, with the automatic and the supervisor's check."""
        return self._add(
            "investigation_plans",
            crime_id=crime_id,
            written_at=at,
            adequate=adequate,
            check_adequate=checked_adequate,
        )

    def review(self, crime_id: int, at: datetime) -> int:
        """A supervisor's review of a crime."""
        return self._add("supervisor_reviews", crime_id=crime_id, reviewed_at=at)

    def victim_update(
        self,
        crime_id: int,
        event: datetime,
        told: datetime | None,
        *,
        due: datetime | None = None,
        enhanced: bool | None = None,
        required: bool | None = None,
    ) -> int:
        """A key decision in a crime, and when the victim was told (None: not yet); `due`,
        `enhanced` and `required` as watchhouse stores them when it makes an update due."""
        return self._add(
            "victim_contacts",
            crime_id=crime_id,
            event_at=event,
            contacted_at=told,
            due_at=due,
            enhanced=enhanced,
            required=required,
        )

    def victim(
        self,
        crime_id: int,
        added: datetime,
        *,
        support_due: datetime | None,
        referred: datetime | None = None,
        declined: bool | None = None,
        enhanced: bool = False,
    ) -> int:
        """A victim of a crime with the victim support referral's deadline and when it went."""
        return self._add(
            "crime_victims",
            crime_id=crime_id,
            added_at=added,
            enhanced=enhanced,
            support_due_at=support_due,
            support_referred_at=referred,
            support_declined=declined,
        )

    def bureau_task(
        self, crime_id: int, requested: datetime, *, due: datetime, done: datetime | None
    ) -> int:
        """A crime admin bureau task, when it was due and when it was done (None: not yet)."""
        return self._add(
            "crime_admin_tasks",
            crime_id=crime_id,
            task="cctv_request",
            requested_at=requested,
            due_at=due,
            done_at=done,
        )

    def team(self, code: str) -> int:
        """A team."""
        return self._add("teams", code=code)

    def audit(
        self,
        record_at: datetime,
        *,
        score: float,
        passed: bool,
        record_type: str = "contact",
        team: int | None = None,
        hood: int | None = None,
    ) -> int:
        """A sampled record and the auditor's score of it; returns the result's id."""
        item = self._add(
            "audit_sample_items",
            record_type=record_type,
            record_at=record_at,
            team_id=team,
            neighbourhood_id=hood,
        )
        return self._add(
            "audit_results", item_id=item, score=score, passed=passed, audited_at=record_at
        )

    def problem_plan(
        self, opened: datetime, review_due: datetime, closed: datetime | None = None
    ) -> int:
        """A problem-solving plan."""
        return self._add(
            "problem_solving_plans",
            basis="person",
            opened_at=opened,
            status="closed" if closed else "open",
            review_due_at=review_due,
            closed_at=closed,
        )

    def stop_search(self, at: datetime, *, arrest: bool, hood: int | None = None) -> int:
        """A stop and search."""
        return self._add(
            "stop_searches", searched_at=at, neighbourhood_id=hood, led_to_arrest=arrest
        )

    def cluster(self, contact_id: int, cluster_id: int) -> None:
        """The identity linkage's person (cluster) for a contact."""
        self.rows["identity_clusters"].append({"contact_id": contact_id, "cluster_id": cluster_id})

    def raw_tables(self) -> dict[str, pa.Table]:
        """The tables as a snapshot holds them."""
        result = {}
        for name, columns in tables.INPUT_COLUMNS.items():
            rows = self.rows.get(name, [])
            result[name] = pa.table(
                {
                    column: pa.array([row.get(column) for row in rows], _TYPES[kind])
                    for column, kind in columns.items()
                }
            )
        return result

    def engine(self, engine: str = "duckdb", timezone: str = "Europe/London") -> MeasureEngine:
        """An engine with these tables loaded, their local days in `timezone`."""
        prepared = tables.from_tables(self.raw_tables(), timezone=timezone)
        return MeasureEngine(prepared, engine=engine)  # type: ignore[arg-type]

    def values(
        self,
        key: str,
        *,
        start: date,
        end: date,
        period: Period = Period.MONTH,
        cut: Cut = Cut.FORCE,
        as_of: datetime | None = None,
        params: MeasureParams | None = None,
    ) -> list[MeasureValue]:
        """One measure's values, computed on DuckDB."""
        moment = as_of or utc(2030, 1, 1)
        chosen = params or MeasureParams(as_of_us=int(moment.timestamp() * 1_000_000))
        with self.engine(timezone=chosen.timezone) as engine:
            return engine.compute(
                [spec(key)], chosen, periods=[period], cuts=[cut], start=start, end=end
            )

    def value(self, key: str, month: date, **kwargs: Any) -> float | None:
        """One measure's value for one calendar month, for the force."""
        (found,) = self.values(key, start=month, end=month, **kwargs)
        return found.value

    def all_values(
        self,
        *,
        start: date,
        end: date,
        engine: str,
        as_of: datetime,
        published_force: str | None = None,
    ) -> list[MeasureValue]:
        """Every measure, period and cut (the published data of one force, when given)."""
        params = MeasureParams(
            as_of_us=int(as_of.timestamp() * 1_000_000), published_force=published_force
        )
        with self.engine(engine) as runner:
            return runner.compute(
                specs(), params, periods=list(Period), cuts=list(Cut), start=start, end=end
            )
