"""Test data and set-ups shared by several test modules."""

from __future__ import annotations

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
