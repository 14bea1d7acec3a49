"""Test data and set-ups shared by several test modules."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.dialects import postgresql, sqlite

from watchhouse.domain.investigation_records import NewSuspect
from watchhouse.domain.records import NewContact
from watchhouse.domain.roles import Actor
from watchhouse.domain.thrive import (
    EmergencyIndicator,
    Engagement,
    Level,
    ThriveAssessment,
    VulnerabilityFlag,
)
from watchhouse.domain.values import Channel, Grade
from watchhouse.services import contacts
from watchhouse.services.context import AppContext
from watchhouse.services.demo_crimes import crime_from_incident

# A man with a knife in the street: the assessment every grade 1 test starts from.
KNIFE = ThriveAssessment(
    threat=Level.HIGH,
    harm=Level.HIGH,
    risk=Level.HIGH,
    investigation=Level.MEDIUM,
    vulnerability=Level.LOW,
    engagement=Engagement.IMMEDIATE_ATTENDANCE,
    indicators=frozenset({EmergencyIndicator.VIOLENCE}),
)


def graded_incident(
    ctx: AppContext,
    handler: Actor,
    new: NewContact,
    *,
    assessment: ThriveAssessment = KNIFE,
    grade: Grade = Grade.EMERGENCY,
) -> int:
    """A contact taken, assessed and graded by the call handler; the new incident's id."""
    taken = contacts.take_contact(ctx, actor=handler, new=new)
    contacts.assess_thrive(
        ctx, actor=handler, contact_id=taken.contact_id, assessment=assessment, notes={}
    )
    return contacts.grade_contact(ctx, actor=handler, contact_id=taken.contact_id, grade=grade)


def knife_incident(ctx: AppContext, handler: Actor, where: str, summary: str = "Knife") -> int:
    """A 999 call from High Street in the neighbourhood `where`, assessed KNIFE and graded 1."""
    new = NewContact(
        channel=Channel.EMERGENCY_999,
        summary=summary,
        location_description="High Street",
        neighbourhood_code=where,
    )
    return graded_incident(ctx, handler, new)


def partner_shouting_incident(
    ctx: AppContext, handler: Actor, where: str, summary: str, flags: frozenset[VulnerabilityFlag]
) -> int:
    """A 101 call from Canal Row with the vulnerabilities `flags`, graded 2 (priority)."""
    new = NewContact(
        channel=Channel.NON_EMERGENCY_101,
        summary=summary,
        location_description="Canal Row",
        neighbourhood_code=where,
    )
    assessment = ThriveAssessment(
        Level.MEDIUM,
        Level.MEDIUM,
        Level.HIGH,
        Level.LOW,
        Level.HIGH,
        Engagement.PROMPT_ATTENDANCE,
        vulnerabilities=flags,
    )
    return graded_incident(ctx, handler, new, assessment=assessment, grade=Grade.PRIORITY)


def three_calls_from_one_caller(ctx: AppContext, handler: Actor) -> list[int]:
    """Three 101 calls from Sam Lowe on one number: the contacts the identity-decision tests
    decide about (same person or not); their ids."""
    return [
        contacts.take_contact(
            ctx,
            actor=handler,
            new=NewContact(
                channel=Channel.NON_EMERGENCY_101,
                caller_given_name="Sam",
                caller_family_name="Lowe",
                telephone="07700 900123",
                summary="Noise next door",
            ),
        ).contact_id
        for _ in range(3)
    ]


def domestic_abuse_crime(
    ctx: AppContext, handler: Actor, recorder: Actor, *, neighbourhood: str = "central"
) -> int:
    """Dana Reid's 999 call (her partner hit her and left), assessed KNIFE and graded 1, and the
    crime `recorder` recorded from it: assault with injury, domestic abuse, the caller the
    victim, her partner Lee Reid the identified suspect; the crime's id."""
    incident_id = graded_incident(
        ctx,
        handler,
        NewContact(
            channel=Channel.EMERGENCY_999,
            caller_given_name="Dana",
            caller_family_name="Reid",
            date_of_birth=date(1990, 4, 2),
            telephone="07700 900456",
            location_description="14 Mill Lane",
            neighbourhood_code=neighbourhood,
            summary="Partner hit her and left",
        ),
    )
    return crime_from_incident(
        ctx,
        recorder,
        incident_id,
        "assault_with_injury",
        "Punched in the face by her partner",
        domestic_abuse=True,
        suspects=(NewSuspect(given_name="Lee", family_name="Reid", identified=True),),
    )


# Every question of the THRIVE quality audit answered yes: a passing score sheet.
ALL_YES_THRIVE_AUDIT = {
    "threat": "yes",
    "harm": "yes",
    "risk": "yes",
    "investigation": "yes",
    "vulnerability": "yes",
    "engagement": "yes",
    "grade_departure": "not_applicable",
    "repeat_check": "yes",
    "overall": "4",
}


def query_plan(session: Any, statement: Any, params: dict[str, Any]) -> list[str]:
    """The plan the store's database chooses for a statement, one line a step: SQLite's
    `EXPLAIN QUERY PLAN`; on PostgreSQL `EXPLAIN ANALYZE` with sequential and bitmap scans off
    (so an index the statement cannot use shows as a plan without it, with actual row counts)."""
    if session.get_bind().dialect.name == "sqlite":
        expanded = statement.compile(dialect=sqlite.dialect()).construct_expanded_state(params)
        return [
            str(row[-1])
            for row in session.connection().exec_driver_sql(
                "EXPLAIN QUERY PLAN " + expanded.statement,
                tuple(str(value) for value in expanded.positional_parameters),
            )
        ]
    session.execute(text("SET LOCAL enable_seqscan = off"))
    session.execute(text("SET LOCAL enable_bitmapscan = off"))
    sql = str(
        statement.params(**params).compile(
            dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}
        )
    )
    return [row[0] for row in session.execute(text("EXPLAIN (ANALYZE, FORMAT TEXT) " + sql))]


def rows_read(plan_line: str) -> int:
    """The actual rows of one step of a PostgreSQL `EXPLAIN ANALYZE` plan."""
    return int(plan_line.split("actual time=")[1].split("rows=")[1].split()[0])
