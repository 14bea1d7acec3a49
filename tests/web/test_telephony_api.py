"""The telephony feed's API: bearer token, clear 422s, and real concurrent posts on both stores."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from watchhouse.db.tables import ContactRow
from watchhouse.db.telephony_tables import TelephonyEventRow
from watchhouse.domain.roles import Role
from watchhouse.services import accounts
from watchhouse.services.context import AppContext

PRESENTED = {
    "call_id": "PBX-0001",
    "event": "presented",
    "at": "2026-03-10T13:58:00+00:00",
    "channel": "999",
    "caller_number": "07700 900456",
    "queue": "999-main",
}
ANSWERED = {
    "call_id": "PBX-0001",
    "event": "answered",
    "at": "2026-03-10T13:58:07Z",
    "handler": "call_handler",
}


@pytest.fixture
def feed_token(ctx: AppContext, actors: Any) -> str:
    """A bearer token of the telephony system's user."""
    return accounts.issue_api_token(ctx, username=Role.TELEPHONY_SYSTEM.value)


@pytest.fixture
def feed(app: Any, feed_token: str) -> TestClient:
    """A client posting as the telephony platform."""
    return TestClient(app, headers={"Authorization": f"Bearer {feed_token}"})


def test_the_feed_needs_a_bearer_token(app: Any, actors: Any) -> None:
    assert TestClient(app).post("/api/telephony/events", json=PRESENTED).status_code == 401
    wrong = TestClient(app, headers={"Authorization": "Bearer not-the-token"})
    assert wrong.post("/api/telephony/events", json=PRESENTED).status_code == 401


def test_only_the_telephony_system_may_post_events(ctx: AppContext, app: Any, actors: Any) -> None:
    token = accounts.issue_api_token(ctx, username=Role.CALL_HANDLER.value)
    handler = TestClient(app, headers={"Authorization": f"Bearer {token}"})
    assert handler.post("/api/telephony/events", json=PRESENTED).status_code == 403


def test_a_presented_then_answered_call_makes_one_contact(feed: TestClient) -> None:
    first = feed.post("/api/telephony/events", json=PRESENTED)
    assert first.status_code == 200
    again = feed.post("/api/telephony/events", json=PRESENTED).json()
    answered = feed.post("/api/telephony/events", json=ANSWERED).json()
    assert first.json()["stored"] is True and again["stored"] is False
    assert first.json()["contact_id"] == again["contact_id"] == answered["contact_id"]


def test_a_time_without_offset_is_refused_with_422_naming_it(feed: TestClient) -> None:
    response = feed.post("/api/telephony/events", json={**PRESENTED, "at": "2026-03-10T13:58:00"})
    assert response.status_code == 422
    assert [p["field"] for p in response.json()["problems"]] == ["at"]
    assert "offset" in response.json()["problems"][0]["reason"]


def test_an_unknown_event_kind_is_refused_naming_it(feed: TestClient) -> None:
    response = feed.post("/api/telephony/events", json={**PRESENTED, "event": "ringing"})
    assert response.status_code == 422
    problem = response.json()["problems"][0]
    assert problem["field"] == "event" and "'ringing'" in problem["reason"]


def test_the_handler_home_page_opens_on_the_answered_call(feed: TestClient, client_as: Any) -> None:
    contact_id = feed.post("/api/telephony/events", json=PRESENTED).json()["contact_id"]
    feed.post("/api/telephony/events", json=ANSWERED)
    handler = client_as(Role.CALL_HANDLER).client
    page = handler.get("/").text
    assert "07700 900456" in page and f'href="/contacts/{contact_id}/complete"' in page
    form = handler.get(f"/contacts/{contact_id}/complete")
    assert form.status_code == 200 and "Answered call" in form.text
    contact = handler.get(f"/contacts/{contact_id}")
    assert contact.status_code == 200 and "+447700900456" in contact.text
    assert "7 s" in contact.text  # answered 7 seconds after it rang
    other = client_as(Role.SUPERVISOR).client.get("/").text
    assert "07700 900456" not in other


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def served(app: Any) -> Iterator[str]:
    """The app served by uvicorn in a thread, so requests really run at the same time."""
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "test server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _events_of(call: int) -> list[dict[str, str]]:
    call_id = f"PBX-{call:04d}"
    number = f"07700 900{call:03d}"
    return [
        {**PRESENTED, "call_id": call_id, "caller_number": number},
        {**ANSWERED, "call_id": call_id},
        {"call_id": call_id, "event": "ended", "at": "2026-03-10T14:03:00+00:00"},
    ]


def test_concurrent_posts_of_the_same_and_different_events_make_one_contact_per_call(
    ctx: AppContext, served: str, feed_token: str
) -> None:
    calls = 4
    # Every event of every call, three times over, all at once: repeats race each other.
    posts = [event for call in range(calls) for event in _events_of(call)] * 3
    gate = threading.Barrier(6)

    def post(body: dict[str, str]) -> int:
        with httpx.Client(headers={"Authorization": f"Bearer {feed_token}"}) as client:
            # Six at a time leave the gate together (36 posts: six full rounds).
            with contextlib.suppress(threading.BrokenBarrierError):
                gate.wait(timeout=10)
            return client.post(f"{served}/api/telephony/events", json=body, timeout=60).status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = list(pool.map(post, posts))
    assert statuses == [200] * len(posts)
    with ctx.db.transaction() as session:
        per_call = session.execute(
            select(ContactRow.external_ref, func.count())
            .where(ContactRow.source == "telephony")
            .group_by(ContactRow.external_ref)
        ).all()
        events = session.scalar(select(func.count()).select_from(TelephonyEventRow))
        answered = session.scalar(
            select(func.count()).where(
                ContactRow.answered_at.is_not(None), ContactRow.ended_at.is_not(None)
            )
        )
    assert sorted(per_call) == [(f"PBX-{c:04d}", 1) for c in range(calls)]
    assert events == calls * 3
    assert answered == calls
