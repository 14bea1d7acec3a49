"""`watchhouse serve --workers 2`: two server processes on one port, one store.

A session started through one request works in later ones (whichever worker takes them), and
a change made through one request shows in the live queue's version every later request
reads, on both databases. Each request goes on a new connection, so the kernel hands them to
either worker."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from watchhouse.domain.roles import Actor, Role
from watchhouse.services.context import AppContext

pytestmark = pytest.mark.web

SUPERVISOR = Role.SUPERVISOR
PASSWORD = f"{SUPERVISOR.value}-test-pass"  # conftest.password_for(SUPERVISOR)
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]*)"')
VERSION = re.compile(r'id="queue" data-version="([^"]*)"')
CALL = {
    "channel": "101",
    "caller_given_name": "Ada",
    "caller_family_name": "Lowe",
    "telephone": "07700 900124",
    "summary": "Bicycle stolen from the front garden",
}
THRIVE = {
    "threat": 1,
    "harm": 1,
    "risk": 1,
    "investigation": 2,
    "vulnerability": 0,
    "engagement": "scheduled_attendance",
}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _worker_pids(parent: int) -> set[int]:
    """The server's worker processes (children of the process `serve` started)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == parent:
            found.add(int(entry.name))
    return found


@pytest.fixture
def served(ctx: AppContext, actors: dict[Role, Actor], tmp_path: Path) -> Iterator[str]:
    """`watchhouse serve --workers 2` on a free loopback port against the test's store."""
    port = _free_port()
    env = {
        **os.environ,
        "WATCHHOUSE_ENVIRONMENT": "test",
        "WATCHHOUSE_DATABASE_URL": ctx.db.url,
        "WATCHHOUSE_DATA_DIR": str(tmp_path),
    }
    command = [str(Path(sys.executable).with_name("watchhouse")), "serve"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--workers", "2"]
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 900  # imports take minutes on a loaded machine
    try:
        while True:
            try:
                if httpx.get(f"{url}/login", timeout=30).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"serve --workers 2 did not answer on {url}: {_log(tmp_path)}")
            time.sleep(0.2)
        while len(_worker_pids(server.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(_worker_pids(server.pid)) >= 2, _log(tmp_path)
        yield url
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
        log.close()


def _log(tmp_path: Path) -> str:
    return (tmp_path / "serve.log").read_text()[-3000:]


def _fresh(url: str, cookies: httpx.Cookies | None = None) -> httpx.Client:
    """A client that opens a new connection for every request (no keep-alive)."""
    return httpx.Client(
        base_url=url,
        cookies=cookies,
        timeout=60,
        limits=httpx.Limits(max_keepalive_connections=0),
        follow_redirects=False,
    )


def _queue_version(url: str, cookies: httpx.Cookies) -> str:
    with _fresh(url, cookies) as client:
        page = client.get("/dispatch")
    assert page.status_code == 200, page.status_code
    found = VERSION.search(page.text)
    assert found, page.text[:500]
    return found.group(1)


def test_a_session_and_a_change_made_through_one_worker_hold_on_every_later_request(
    served: str,
) -> None:
    with _fresh(served) as browser:
        form = browser.get("/login")
        csrf = CSRF_FIELD.search(form.text)
        assert csrf
        signed_in = browser.post(
            "/login",
            data={"username": SUPERVISOR.value, "password": PASSWORD, "csrf_token": csrf.group(1)},
        )
        assert signed_in.status_code == 303, signed_in.text[:300]
        cookies = httpx.Cookies()
        cookies.set("wh_session", signed_in.cookies["wh_session"])

    # The session started above is honoured by every later request, on whichever worker.
    versions = {_queue_version(served, cookies) for _ in range(12)}
    assert len(versions) == 1
    before = versions.pop()

    with _fresh(served, cookies) as client:
        page = client.get("/dispatch")
        session_csrf = CSRF_FIELD.search(page.text)
        assert session_csrf
        headers = {"X-CSRF-Token": session_csrf.group(1)}
        contact = client.post("/api/contacts", json=CALL, headers=headers)
        assert contact.status_code == 201, contact.text[:300]
        contact_id = contact.json()["id"]
        assessed = client.post(f"/api/contacts/{contact_id}/thrive", json=THRIVE, headers=headers)
        assert assessed.status_code == 200, assessed.text[:300]

    # The change is seen by every later request, whichever worker reads the queue's version.
    after = [_queue_version(served, cookies) for _ in range(12)]
    assert before not in after
    assert len(set(after)) == 1
    with _fresh(served, cookies) as client:
        again = client.get(
            f"/api/contacts/{contact_id}", headers={"X-Justification": "current_incident"}
        )
    assert again.status_code == 200
    assert again.json()["summary"] == CALL["summary"]
