"""How `watchhouse serve` runs uvicorn: the transport settings shared by one process and by
`--workers N`."""

from __future__ import annotations

from typing import Any

# How long an idle keep-alive connection stays open. It must be longer than any client's or
# proxy's own idle limit, so that the client closes an idle connection, never the server:
# when the server closes one at the moment a client sends a request on it, the request is
# lost without an answer (the client sees "server disconnected" or a connection reset). At
# uvicorn's default of 5 s that race was with httpx's own default of 5 s (bench/load.py: 1 to
# 7 requests a minute under load; bench/keepalive_race.py reproduces it); browsers keep idle
# connections for minutes and nginx's upstream keep-alive default is 60 s. An idle
# connection costs a file descriptor and a few kB.
KEEP_ALIVE_SECONDS = 75


def uvicorn_options(*, host: str, port: int) -> dict[str, Any]:
    """The keyword arguments of `uvicorn.run` / `uvicorn.Config` for serving the app."""
    return {
        "host": host,
        "port": port,
        "log_level": "info",
        "proxy_headers": True,
        "timeout_keep_alive": KEEP_ALIVE_SECONDS,
    }
