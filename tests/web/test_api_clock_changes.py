"""The write path through the API across the autumn clock change and with future-dated
contacts, on both databases: contacts presented in the hour that happens twice in
Europe/London are stored as two instants an hour apart and linked to their caller in order;
a contact presented a day ahead is refused naming the field; a contact already stored a day
ahead (the server's clock was a day fast, then put right) does not stop the same caller's
next contact from being taken, retried and read."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from watchhouse.domain.roles import Role
from watchhouse.services import accounts

pytestmark = pytest.mark.web

CALL = {
    "channel": "101",
    "caller_given_name": "Sam",
    "caller_family_name": "Lowe",
    "telephone": "07700 900123",
    "location_description": "High Street",
    "neighbourhood_code": "central",
    "summary": "Noise from next door",
}
READ = {"X-Justification": "current_incident: caller on line"}


@pytest.fixture
def handler_api(app, ctx, actors, neighbourhoods) -> Callable[[], TestClient]:  # type: ignore[no-untyped-def]
    """A telephony system posting as the call handler, with a token issued at the clock's now."""

    def make() -> TestClient:
        token = accounts.issue_api_token(ctx, username=Role.CALL_HANDLER.value)
        return TestClient(app, follow_redirects=False, headers={"Authorization": f"Bearer {token}"})

    return make


def _stored(ctx) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """Every contact's summary and presented_at as the database holds it, as UTC text."""
    with ctx.db.transaction() as session:
        if session.get_bind().dialect.name == "postgresql":
            column = "to_char(presented_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')"
        else:
            column = "substr(presented_at, 1, 19)"
        rows = session.execute(text(f"SELECT summary, {column} FROM contacts ORDER BY id"))
        return [(str(summary), str(moment)) for summary, moment in rows]


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def test_two_contacts_in_the_repeated_autumn_hour_are_an_hour_apart_and_in_order(
    handler_api, ctx, clock
) -> None:
    clock.set(datetime(2026, 10, 25, 2, 0, tzinfo=UTC))  # 02:00 GMT, after the change
    api = handler_api()
    # 01:30 in Europe/London happens twice on 25 October 2026: first BST, then GMT. The later
    # one is sent first, so order cannot come from the order of insertion.
    second = api.post(
        "/api/contacts",
        json={**CALL, "summary": "second", "presented_at": "2026-10-25T01:30:00+00:00"},
        headers={"Idempotency-Key": "fold-second"},
    )
    first = api.post(
        "/api/contacts",
        json={**CALL, "summary": "first", "presented_at": "2026-10-25T01:30:00+01:00"},
        headers={"Idempotency-Key": "fold-first"},
    )
    assert (first.status_code, second.status_code) == (201, 201), (first.text, second.text)
    assert _stored(ctx) == [("second", "2026-10-25 01:30:00"), ("first", "2026-10-25 00:30:00")]

    read_first = api.get(f"/api/contacts/{first.json()['id']}", headers=READ)
    read_second = api.get(f"/api/contacts/{second.json()['id']}", headers=READ)
    assert (read_first.status_code, read_second.status_code) == (200, 200)
    one, two = (_instant(r.json()["presented_at"]) for r in (read_first, read_second))
    assert one == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert two - one == timedelta(hours=1)
    # The same caller: the BST contact is the GMT one's earlier contact, not the other way.
    assert [c["id"] for c in read_second.json()["earlier_contacts"]] == [first.json()["id"]]
    assert read_first.json()["earlier_contacts"] == []
    assert read_first.json()["person_id"] == read_second.json()["person_id"] is not None

    # A retry of the BST contact with its key, sent after the change, is the same contact.
    again = api.post(
        "/api/contacts",
        json={**CALL, "summary": "first", "presented_at": "2026-10-25T01:30:00+01:00"},
        headers={"Idempotency-Key": "fold-first"},
    )
    assert (again.status_code, again.json()["id"]) == (200, first.json()["id"])
    assert len(_stored(ctx)) == 2


def test_a_contact_presented_a_day_ahead_is_refused_naming_the_field(
    handler_api, ctx, clock
) -> None:
    api = handler_api()
    ahead = (clock() + timedelta(days=1)).isoformat()
    response = api.post(
        "/api/contacts",
        json={**CALL, "presented_at": ahead},
        headers={"Idempotency-Key": "a-day-ahead"},
    )
    assert response.status_code == 422
    problems = {p["field"]: p["reason"] for p in response.json()["problems"]}
    assert problems == {"presented_at": "is in the future"}
    assert _stored(ctx) == []


def test_a_contact_stored_a_day_ahead_does_not_stop_the_callers_next_contact(
    handler_api, ctx, clock
) -> None:
    now = clock()
    clock.set(now + timedelta(days=1))  # the server's clock a day fast
    fast = handler_api().post(
        "/api/contacts", json={**CALL, "summary": "fast clock"}, headers={"Idempotency-Key": "a"}
    )
    assert fast.status_code == 201, fast.text
    clock.set(now)  # put right: that contact is now a day in the future
    api = handler_api()
    taken = api.post(
        "/api/contacts", json={**CALL, "summary": "right clock"}, headers={"Idempotency-Key": "b"}
    )
    assert taken.status_code == 201, taken.text
    again = api.post(
        "/api/contacts", json={**CALL, "summary": "right clock"}, headers={"Idempotency-Key": "b"}
    )
    assert (again.status_code, again.json()["id"]) == (200, taken.json()["id"])
    tomorrow = (now + timedelta(days=1)).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    today = now.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    assert _stored(ctx) == [("fast clock", tomorrow), ("right clock", today)]

    read = api.get(f"/api/contacts/{taken.json()['id']}", headers=READ)
    assert read.status_code == 200, read.text
    assert _instant(read.json()["presented_at"]) == now.astimezone(UTC)
    assert read.json()["person_id"] == fast.json()["person_id"] is not None
    # Presented after this one, the future-dated contact is not one of its earlier contacts.
    assert read.json()["earlier_contacts"] == []
    future = api.get(f"/api/contacts/{fast.json()['id']}", headers=READ)
    assert future.status_code == 200, future.text
    assert _instant(future.json()["presented_at"]) == (now + timedelta(days=1)).astimezone(UTC)
