"""`watchhouse serve` keeps an idle keep-alive connection open longer than clients and proxies
keep theirs, so a request sent on a pooled connection is always answered.

When the server closes an idle connection at the moment a client reuses it, the client's
request is lost without an answer (bench/load.py saw it as "server disconnected" and
connection resets under load: uvicorn closed idle connections after 5 s, httpx keeps them 5 s).
Here several clients each send a request, stay idle past uvicorn's old 5 s, then all send
again at once on the same connections, against a real uvicorn server started with the serve
command's own settings."""

from __future__ import annotations

import http.client
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import uvicorn

from watchhouse.domain.roles import Actor, Role
from watchhouse.web.serving import KEEP_ALIVE_SECONDS, uvicorn_options

pytestmark = pytest.mark.web

CLIENTS = 8
IDLE_SECONDS = 6.0  # past uvicorn's default of 5 s; well inside what clients and proxies keep


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def served(app, actors: dict[Role, Actor]) -> Iterator[int]:  # type: ignore[no-untyped-def]
    """The test app served by uvicorn with `watchhouse serve`'s settings; yields the port."""
    port = _free_port()
    options = uvicorn_options(host="127.0.0.1", port=port) | {"log_level": "warning"}
    server = uvicorn.Server(uvicorn.Config(app, lifespan="off", **options))
    thread = threading.Thread(target=server.run, name="uvicorn-keep-alive-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            pytest.fail("the test server did not start")
        time.sleep(0.05)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _ask(connection: http.client.HTTPConnection) -> int:
    """GET the sign-in page on this connection (kept alive); the status."""
    connection.request("GET", "/login")
    response = connection.getresponse()
    response.read()
    assert not response.will_close
    return response.status


def test_idle_keep_alive_connections_reused_together_are_all_answered(served: int) -> None:
    assert KEEP_ALIVE_SECONDS > 60  # longer than nginx's upstream default and httpx's 5 s
    connections = [
        http.client.HTTPConnection("127.0.0.1", served, timeout=30) for _ in range(CLIENTS)
    ]
    try:
        with ThreadPoolExecutor(CLIENTS) as pool:
            assert list(pool.map(_ask, connections)) == [200] * CLIENTS
            sockets = [c.sock for c in connections]
            time.sleep(IDLE_SECONDS)

            def again(connection: http.client.HTTPConnection) -> str:
                try:
                    return str(_ask(connection))
                except (http.client.HTTPException, OSError) as exc:
                    return f"no answer: {type(exc).__name__}"

            assert list(pool.map(again, connections)) == ["200"] * CLIENTS
        # Answered on the very connections kept alive, not on new ones.
        assert [c.sock for c in connections] == sockets
    finally:
        for connection in connections:
            connection.close()
