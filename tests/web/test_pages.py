"""The server-rendered pages: forms that keep what was typed, THRIVE, history, queue, headers."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from watchhouse.domain.records import NewContact
from watchhouse.domain.roles import Role
from watchhouse.domain.thrive import Engagement, Level, ThriveAssessment
from watchhouse.domain.values import Channel, Grade
from watchhouse.services import contacts

pytestmark = pytest.mark.web

KNIFE_FORM = {
    "threat": "3",
    "harm": "3",
    "risk": "3",
    "investigation": "2",
    "vulnerability": "1",
    "engagement": "immediate_attendance",
    "indicators": ["violence"],
    "threat_notes": "knife seen",
}
PRIORITY = ThriveAssessment(
    threat=Level.MEDIUM,
    harm=Level.MEDIUM,
    risk=Level.MEDIUM,
    investigation=Level.LOW,
    vulnerability=Level.LOW,
    engagement=Engagement.PROMPT_ATTENDANCE,
)
EMERGENCY = ThriveAssessment(
    threat=Level.HIGH,
    harm=Level.HIGH,
    risk=Level.HIGH,
    investigation=Level.LOW,
    vulnerability=Level.LOW,
    engagement=Engagement.IMMEDIATE_ATTENDANCE,
)


@pytest.fixture
def handler(client_as: Callable, neighbourhoods):
    """A call handler signed in to the pages."""
    return client_as(Role.CALL_HANDLER)


def _take_contact_by_form(handler, **fields: str) -> int:
    form = {"csrf_token": handler.csrf, "channel": "999", "summary": "Shouting next door"}
    response = handler.client.post("/contacts", data={**form, **fields})
    assert response.status_code == 303, response.text
    found = re.fullmatch(r"/contacts/(\d+)", response.headers["location"])
    assert found
    return int(found.group(1))


def _graded_incident(ctx, actors, summary: str, assessment: ThriveAssessment) -> int:
    actor = actors[Role.CALL_HANDLER]
    taken = contacts.take_contact(
        ctx,
        actor=actor,
        new=NewContact(
            channel=Channel.EMERGENCY_999,
            summary=summary,
            location_description="Mill Lane",
            neighbourhood_code="central",
        ),
    )
    suggestion = contacts.assess_thrive(
        ctx, actor=actor, contact_id=taken.contact_id, assessment=assessment, notes={}
    )
    return contacts.grade_contact(
        ctx, actor=actor, contact_id=taken.contact_id, grade=suggestion.grade
    )


def test_new_contact_form_with_bad_postcode_and_no_summary_keeps_what_was_typed(handler, ctx):
    response = handler.client.post(
        "/contacts",
        data={
            "csrf_token": handler.csrf,
            "channel": "101",
            "caller_given_name": "Ann",
            "caller_family_name": "Hale",
            "telephone": "01632 960001",
            "location_description": "12 Mill Lane",
            "postcode": "NOT A CODE",
            "neighbourhood_code": "central",
            "summary": "",
        },
    )
    assert response.status_code == 422
    page = response.text
    assert "is not a UK postcode" in page
    assert "say what is happening" in page
    assert 'name="caller_given_name" value="Ann"' in page
    assert 'name="caller_family_name" value="Hale"' in page
    assert 'name="telephone" type="tel" value="01632 960001"' in page
    assert 'name="location_description" value="12 Mill Lane"' in page
    assert 'name="postcode" value="NOT A CODE"' in page
    assert re.search(r'value="101"\s+checked', page)
    assert re.search(r'<option value="central"\s+selected', page)
    assert re.search(r'name="summary"[^>]*aria-invalid="true"', page)
    with ctx.db.transaction() as session:
        assert session.execute(text("SELECT count(*) FROM contacts")).scalar_one() == 0


def test_thrive_form_stores_the_assessment_and_the_page_shows_the_suggested_grade(handler):
    contact_id = _take_contact_by_form(handler, neighbourhood_code="central")
    response = handler.client.post(
        f"/contacts/{contact_id}/thrive", data={"csrf_token": handler.csrf, **KNIFE_FORM}
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/contacts/{contact_id}#grade"
    page = handler.client.get(f"/contacts/{contact_id}").text
    assert re.search(r'class="suggested-grade">\s*1 · Emergency', page)
    assert "emergency indicator: violence" in page
    assert "knife seen" in page


def test_thrive_form_missing_a_level_re_renders_422(handler):
    contact_id = _take_contact_by_form(handler)
    incomplete = {k: v for k, v in KNIFE_FORM.items() if k != "harm"}
    response = handler.client.post(
        f"/contacts/{contact_id}/thrive", data={"csrf_token": handler.csrf, **incomplete}
    )
    assert response.status_code == 422
    assert "choose one of the options" in response.text


def test_grading_away_from_suggestion_without_reason_re_renders_422_with_message(handler):
    contact_id = _take_contact_by_form(handler)
    handler.client.post(
        f"/contacts/{contact_id}/thrive", data={"csrf_token": handler.csrf, **KNIFE_FORM}
    )
    response = handler.client.post(
        f"/contacts/{contact_id}/grade",
        data={"csrf_token": handler.csrf, "grade": "2", "departure_reason": ""},
    )
    assert response.status_code == 422
    assert "say why you depart from the suggested grade 1" in response.text
    assert re.search(r'name="departure_reason"[^>]*aria-invalid="true"', response.text)
    assert re.search(r'name="grade" value="2"\s+checked', response.text)
    accepted = handler.client.post(
        f"/contacts/{contact_id}/grade",
        data={"csrf_token": handler.csrf, "grade": "2", "departure_reason": "suspect gone"},
    )
    assert accepted.status_code == 303
    page = handler.client.get(f"/contacts/{contact_id}").text
    assert "Departed from suggested grade 1: suspect gone" in page


def test_contact_page_shows_an_earlier_contact_from_the_same_telephone_number(handler, clock):
    first = _take_contact_by_form(handler, telephone="07700 900123", summary="Car broken into")
    clock.advance(hours=2)
    second = _take_contact_by_form(handler, telephone="+44 7700 900123", summary="Calling back")
    page = handler.client.get(f"/contacts/{second}").text
    history = page[page.index('id="history-h"') :]
    assert f'href="/contacts/{first}"' in history
    assert f"C{first:07d}" in history
    assert "Car broken into" in history
    assert "same telephone number" in history
    first_page = handler.client.get(f"/contacts/{first}").text
    assert "No earlier contacts" in first_page


QUEUE_ROW = re.compile(r'<tr[^>]*data-incident="(\d+)"')


def _queue_rows(page: str) -> list[tuple[int, str]]:
    """(incident id, the row's markup) of each queue row, in page order."""
    starts = [(m.start(), int(m.group(1))) for m in QUEUE_ROW.finditer(page)]
    ends = [start for start, _ in starts[1:]] + [page.index("</tbody>", starts[-1][0])]
    return [
        (incident, page[start:end]) for (start, incident), end in zip(starts, ends, strict=True)
    ]


def _opening_tag(row: str) -> str:
    return row[: row.index(">") + 1]


def test_dispatch_queue_puts_grade_one_above_grade_two_and_flags_a_breach(
    client_as: Callable, ctx, actors, neighbourhoods, clock
):
    priority = _graded_incident(ctx, actors, "Shop theft, suspect detained", PRIORITY)
    clock.advance(minutes=1)
    emergency = _graded_incident(ctx, actors, "Fight in the street", EMERGENCY)
    dispatcher = client_as(Role.DISPATCHER).client

    before = _queue_rows(dispatcher.get("/dispatch").text)
    assert [incident for incident, _ in before] == [emergency, priority]
    assert not any("breach" in row.lower() for _, row in before)

    clock.advance(minutes=16)  # past the 15 minute urban grade 1 target; grade 2 has 60
    response = dispatcher.get("/dispatch")
    assert response.status_code == 200
    rows = _queue_rows(response.text)
    assert [incident for incident, _ in rows] == [emergency, priority]
    (_, first), (_, second) = rows
    assert "G1" in first
    assert "G2" in second
    assert "breached" in _opening_tag(first)
    assert "BREACHED" in first
    assert "breach" not in second.lower()


@pytest.mark.parametrize("path", ["/login", "/", "/contacts/new", "/dispatch"])
def test_pages_send_security_headers_and_load_nothing_from_other_hosts(
    client_as: Callable, path: str
):
    response = client_as(Role.SUPERVISOR).client.get(path)
    assert response.status_code == 200
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert not re.search(r"https?:|\*|//|'unsafe-inline'|'unsafe-eval'", policy), policy
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"
    assert not re.search(r'(src|href|action)="(https?:)?//', response.text)


@pytest.mark.parametrize(
    ("presented", "shown"),
    [
        (datetime(2026, 7, 1, 12, 0, tzinfo=UTC), "Recorded 01 Jul 2026 13:00:00 BST"),
        (datetime(2026, 12, 1, 12, 0, tzinfo=UTC), "Recorded 01 Dec 2026 12:00:00 GMT"),
    ],
    ids=["summer-bst", "winter-gmt"],
)
def test_times_are_shown_in_london_time(
    client_as: Callable, neighbourhoods, clock, presented: datetime, shown: str
):
    clock.set(presented)  # before signing in, so the session starts then too
    # typed in without "Presented at": the time shown is when it was recorded
    handler = client_as(Role.CALL_HANDLER)
    contact_id = _take_contact_by_form(handler)
    page = handler.client.get(f"/contacts/{contact_id}").text
    assert shown in page


def test_grade_four_is_not_queued_for_dispatch(client_as: Callable, ctx, actors, neighbourhoods):
    actor = actors[Role.CALL_HANDLER]
    taken = contacts.take_contact(
        ctx, actor=actor, new=NewContact(channel=Channel.LIVE_CHAT, summary="Lost wallet")
    )
    contacts.assess_thrive(
        ctx,
        actor=actor,
        contact_id=taken.contact_id,
        notes={},
        assessment=ThriveAssessment(
            Level.NONE,
            Level.LOW,
            Level.NONE,
            Level.NONE,
            Level.NONE,
            Engagement.RESOLVE_WITHOUT_DEPLOYMENT,
        ),
    )
    contacts.grade_contact(
        ctx,
        actor=actor,
        contact_id=taken.contact_id,
        grade=Grade.RESOLUTION_WITHOUT_DEPLOYMENT,
    )
    page = client_as(Role.DISPATCHER).client.get("/dispatch").text
    assert "No open incidents." in page
