"""A contact from the first ring to closure, through the services, on a real database."""

from __future__ import annotations

from datetime import timedelta

import pytest

from support import KNIFE
from watchhouse.domain.errors import Conflict, ValidationFailed
from watchhouse.domain.incident_flow import Closure
from watchhouse.domain.records import NewContact
from watchhouse.domain.roles import Role
from watchhouse.domain.thrive import Engagement, Level, ThriveAssessment
from watchhouse.domain.values import Channel, Grade
from watchhouse.services import contacts, incidents

pytestmark = pytest.mark.integration


def _knife_call(neighbourhood: str) -> NewContact:
    return NewContact(
        channel=Channel.EMERGENCY_999,
        caller_given_name="Sam",
        caller_family_name="Lowe",
        telephone="07700 900123",
        location_description="High Street",
        neighbourhood_code=neighbourhood,
        summary="Man with a knife in the street",
    )


def test_knife_call_becomes_grade_one_incident_at_top_of_queue(ctx, actors, neighbourhoods, clock):
    handler, dispatcher = actors[Role.CALL_HANDLER], actors[Role.DISPATCHER]
    scheduled = contacts.take_contact(
        ctx,
        actor=handler,
        new=NewContact(
            channel=Channel.NON_EMERGENCY_101,
            summary="Shed broken into",
            neighbourhood_code="central",
            location_description="Garden Row",
        ),
    )
    contacts.assess_thrive(
        ctx,
        actor=handler,
        contact_id=scheduled.contact_id,
        notes={},
        assessment=ThriveAssessment(
            Level.LOW, Level.LOW, Level.LOW, Level.LOW, Level.LOW, Engagement.SCHEDULED_ATTENDANCE
        ),
    )
    contacts.grade_contact(
        ctx, actor=handler, contact_id=scheduled.contact_id, grade=Grade.SCHEDULED
    )
    clock.advance(minutes=1)
    taken = contacts.take_contact(ctx, actor=handler, new=_knife_call("central"))
    suggestion = contacts.assess_thrive(
        ctx,
        actor=handler,
        contact_id=taken.contact_id,
        assessment=KNIFE,
        notes={"threat": "knife seen"},
    )
    assert suggestion.grade == Grade.EMERGENCY
    incident_id = contacts.grade_contact(
        ctx, actor=handler, contact_id=taken.contact_id, grade=suggestion.grade
    )
    queue = incidents.dispatch_queue(ctx, actor=dispatcher)
    assert queue[0].incident.id == incident_id
    assert queue[0].attendance.target == timedelta(minutes=15)
    incidents.deploy(ctx, actor=dispatcher, incident_id=incident_id, unit="AB12")
    clock.advance(minutes=9)
    incidents.record_arrival(
        ctx,
        actor=dispatcher,
        incident_id=incident_id,
        body_worn_video=True,
        attending_officer_id=actors[Role.OFFICER].user_id,
    )
    entry = incidents.get_incident(
        ctx, actor=dispatcher, incident_id=incident_id, justification="test"
    )
    assert entry.incident.body_worn_video is True
    assert entry.attendance.breached is False
    assert entry.attendance.elapsed == timedelta(minutes=9)
    incidents.close_incident(
        ctx,
        actor=dispatcher,
        incident_id=incident_id,
        closure=Closure.RESOLVED_AT_SCENE,
        reason="offender_dealt_with",
        note="arrested",
    )
    assert incident_id not in [
        e.incident.id for e in incidents.dispatch_queue(ctx, actor=dispatcher)
    ]


def test_second_call_from_same_number_shows_first_as_earlier_contact(
    ctx, actors, neighbourhoods, clock
):
    handler = actors[Role.CALL_HANDLER]
    first = contacts.take_contact(ctx, actor=handler, new=_knife_call("central"))
    clock.advance(hours=2)
    second = contacts.take_contact(
        ctx,
        actor=handler,
        new=NewContact(
            channel=Channel.NON_EMERGENCY_101, telephone="+44 7700 900123", summary="Calling back"
        ),
    )
    view = contacts.get_contact(ctx, actor=handler, contact_id=second.contact_id, justification="t")
    assert [c.id for c in view.earlier_contacts] == [first.contact_id]
    assert "same telephone number" in view.earlier_contacts[0].matched_by


def test_departing_from_suggested_grade_needs_a_reason(ctx, actors, neighbourhoods):
    handler = actors[Role.CALL_HANDLER]
    taken = contacts.take_contact(ctx, actor=handler, new=_knife_call("moor"))
    contacts.assess_thrive(
        ctx, actor=handler, contact_id=taken.contact_id, assessment=KNIFE, notes={}
    )
    with pytest.raises(ValidationFailed) as refused:
        contacts.grade_contact(
            ctx, actor=handler, contact_id=taken.contact_id, grade=Grade.PRIORITY
        )
    assert refused.value.problems[0].field == "departure_reason"
    incident_id = contacts.grade_contact(
        ctx,
        actor=handler,
        contact_id=taken.contact_id,
        grade=Grade.PRIORITY,
        departure_reason="suspect gone",
    )
    entry = incidents.get_incident(ctx, actor=handler, incident_id=incident_id, justification="t")
    assert entry.incident.departure_reason == "suspect gone"
    assert entry.incident.suggested_grade == Grade.EMERGENCY


def test_grade_four_referral_is_recorded_and_logged_as_disclosure(ctx, actors):
    from watchhouse.domain.access import AccessQuery, Operation
    from watchhouse.services.access import search_access_log

    handler = actors[Role.CALL_HANDLER]
    taken = contacts.take_contact(
        ctx,
        actor=handler,
        new=NewContact(
            channel=Channel.LIVE_CHAT, summary="Worried about neighbour's mental health"
        ),
    )
    contacts.assess_thrive(
        ctx,
        actor=handler,
        contact_id=taken.contact_id,
        notes={},
        assessment=ThriveAssessment(
            Level.NONE, Level.LOW, Level.NONE, Level.NONE, Level.LOW, Engagement.PARTNER_AGENCY
        ),
    )
    contacts.grade_contact(
        ctx, actor=handler, contact_id=taken.contact_id, grade=Grade.RESOLUTION_WITHOUT_DEPLOYMENT
    )
    incident_id = contacts.resolve_contact(
        ctx,
        actor=handler,
        contact_id=taken.contact_id,
        outcome=Closure.REFERRED_TO_PARTNER,
        agency_code="mental_health",
        note="crisis team",
    )
    view = contacts.get_contact(ctx, actor=handler, contact_id=taken.contact_id, justification="t")
    assert view.status == "referred"
    assert view.incident is not None and view.incident.id == incident_id
    assert [r.agency_code for r in view.incident.referrals] == ["mental_health"]
    disclosures = search_access_log(
        ctx, actor=handler, query=AccessQuery(operation=Operation.DISCLOSURE)
    )
    assert disclosures[0].recipient == "Mental health services"


def test_arrival_before_deployment_is_refused(ctx, actors, neighbourhoods):
    handler = actors[Role.CALL_HANDLER]
    taken = contacts.take_contact(ctx, actor=handler, new=_knife_call("central"))
    contacts.assess_thrive(
        ctx, actor=handler, contact_id=taken.contact_id, assessment=KNIFE, notes={}
    )
    incident_id = contacts.grade_contact(
        ctx, actor=handler, contact_id=taken.contact_id, grade=Grade.EMERGENCY
    )
    with pytest.raises(Conflict):
        incidents.record_arrival(
            ctx,
            actor=actors[Role.DISPATCHER],
            incident_id=incident_id,
            body_worn_video=False,
            attending_officer_id=actors[Role.OFFICER].user_id,
        )


def test_fourth_call_in_seven_days_from_one_number_shows_a_repeat_finding(
    ctx, actors, neighbourhoods, clock
):
    from watchhouse.domain.repeats import RepeatBasis

    handler = actors[Role.CALL_HANDLER]
    caller = NewContact(
        channel=Channel.NON_EMERGENCY_101,
        telephone="07700 900555",
        summary="Youths outside",
        location_description="14 Mill Lane",
        postcode="WH1 4AB",
        neighbourhood_code="central",
    )
    taken = []
    for _ in range(3):
        taken.append(contacts.take_contact(ctx, actor=handler, new=caller).contact_id)
        clock.advance(days=2)
    third = contacts.get_contact(ctx, actor=handler, contact_id=taken[-1], justification="t")
    assert third.repeat_findings == ()
    clock.advance(hours=1)
    fourth = contacts.take_contact(ctx, actor=handler, new=caller).contact_id
    view = contacts.get_contact(ctx, actor=handler, contact_id=fourth, justification="t")
    found = {(f.basis, f.rule.within.days, f.count) for f in view.repeat_findings}
    assert (RepeatBasis.TELEPHONE, 7, 4) in found
    assert (RepeatBasis.ADDRESS, 7, 4) in found


def test_abandoned_calls_do_not_count_towards_repeats_by_default(ctx, actors, clock):
    handler = actors[Role.CALL_HANDLER]
    for _ in range(4):
        contacts.take_contact(
            ctx,
            actor=handler,
            new=NewContact(channel=Channel.EMERGENCY_999, telephone="07700 900666", abandoned=True),
        )
        clock.advance(hours=3)
    answered = contacts.take_contact(
        ctx,
        actor=handler,
        new=NewContact(
            channel=Channel.EMERGENCY_999, telephone="07700 900666", summary="Sorry, misdial"
        ),
    )
    view = contacts.get_contact(
        ctx, actor=handler, contact_id=answered.contact_id, justification="t"
    )
    assert view.repeat_findings == ()


def test_vulnerability_flags_recorded_with_thrive_show_on_the_next_contact(ctx, actors, clock):
    from watchhouse.domain.thrive import VulnerabilityFlag

    handler = actors[Role.CALL_HANDLER]
    caller = NewContact(
        channel=Channel.NON_EMERGENCY_101, telephone="07700 900888", summary="Neighbour dispute"
    )
    first = contacts.take_contact(ctx, actor=handler, new=caller).contact_id
    flagged = ThriveAssessment(
        Level.LOW,
        Level.LOW,
        Level.LOW,
        Level.NONE,
        Level.MEDIUM,
        Engagement.SCHEDULED_ATTENDANCE,
        vulnerabilities=frozenset({VulnerabilityFlag.MENTAL_HEALTH, VulnerabilityFlag.HOMELESS}),
    )
    contacts.assess_thrive(ctx, actor=handler, contact_id=first, assessment=flagged, notes={})
    stored = contacts.get_contact(ctx, actor=handler, contact_id=first, justification="t")
    assert stored.thrive is not None
    assert stored.thrive.assessment.vulnerabilities == flagged.vulnerabilities
    clock.advance(days=3)
    second = contacts.take_contact(ctx, actor=handler, new=caller).contact_id
    view = contacts.get_contact(ctx, actor=handler, contact_id=second, justification="t")
    assert {(f.flag, f.contact_id) for f in view.earlier_flags} == {
        (VulnerabilityFlag.MENTAL_HEALTH, first),
        (VulnerabilityFlag.HOMELESS, first),
    }


def test_repeats_are_counted_apart_for_the_person_the_number_and_the_address(
    ctx, actors, neighbourhoods, clock
):
    """The live check reads the three bases in one query: each must count only its own."""
    from datetime import date

    from watchhouse.domain.repeats import RepeatBasis

    handler = actors[Role.CALL_HANDLER]

    def call(**given: object) -> int:
        details: dict[str, object] = {"channel": Channel.NON_EMERGENCY_101, "summary": "Noise"}
        details.update(given)
        taken = contacts.take_contact(ctx, actor=handler, new=NewContact(**details))
        clock.advance(hours=5)
        return taken.contact_id

    ann = {
        "caller_given_name": "Ann",
        "caller_family_name": "Lee",
        "date_of_birth": date(1970, 5, 6),
    }
    home = {
        "location_description": "3 Park Road",
        "postcode": "WH1 4AB",
        "neighbourhood_code": "central",
    }
    call(**ann, telephone="07700 900701", **home)
    call(**ann, telephone="07700 900701", **home)
    call(**ann, telephone="07700 900702")  # the person only
    call(caller_given_name="Tom", caller_family_name="Fox", telephone="07700 900701")  # number
    call(telephone="07700 900703", **{**home, "location_description": "3 PARK ROAD"})  # address
    last = call(**ann, telephone="07700 900701", **home)

    view = contacts.get_contact(ctx, actor=handler, contact_id=last, justification="t")
    found = {(f.basis, f.rule.within.days, f.count) for f in view.repeat_findings}
    assert found == {
        (RepeatBasis.PERSON, 7, 4),
        (RepeatBasis.TELEPHONE, 7, 4),
        (RepeatBasis.ADDRESS, 7, 4),
    }
