"""Reproduction: a request lost without an answer when the server closes an idle keep-alive
connection just as a client reuses it (the dropped connections bench/load.py saw on SQLite).

    uv run python bench/keepalive_race.py [--rounds 3] [--connections 40]

A uvicorn server in this process (a trivial app: the race is in the transport), first with
uvicorn's default `timeout_keep_alive` of 5 s (the baseline: what `watchhouse serve` used),
then with `watchhouse serve`'s `KEEP_ALIVE_SECONDS`. Each round, `--connections` httpx
clients (one pooled connection each, httpx's default idle expiry of 5 s) send one request,
stay idle, and send again at idle times spread from 4.90 to 5.02 s, while the client's event
loop is busy in 5 ms slices (as a load generator's or a proxy's is under load): the client
checks that the pooled connection is still open, and the server's keep-alive timer fires
before the request, sent a few milliseconds later, arrives. Reported: answers and errors per
setting, and whether each answered request reused its connection or opened a new one (httpx
opens a new one itself once its own 5 s have passed).
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import threading
import time
from pathlib import Path

import httpx
import uvicorn

from watchhouse.web.serving import KEEP_ALIVE_SECONDS

UVICORN_DEFAULT = 5


async def app(scope, receive, send):  # type: ignore[no-untyped-def]
    """Answer every request with 200 "ok"."""
    if scope["type"] != "http":
        return
    headers = [(b"content-length", b"2")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b"ok"})


def serve(keep_alive: int) -> tuple[uvicorn.Server, int]:
    """A uvicorn server in a thread on a free loopback port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", timeout_keep_alive=keep_alive
    )
    server = uvicorn.Server(config)
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return server, port


async def one_round(port: int, connections: int) -> dict[str, int]:
    """Reuse `connections` pooled connections near their idle expiry, the loop busy."""
    url = f"http://127.0.0.1:{port}"
    clients = [httpx.AsyncClient(base_url=url) for _ in range(connections)]
    done = []
    for client in clients:
        await client.get("/")
        done.append(time.monotonic())
    start = done[0]

    async def busy() -> None:
        await asyncio.sleep(4.8)
        while time.monotonic() - start < 5.5:
            time.sleep(0.005)
            await asyncio.sleep(0)

    async def again(number: int, client: httpx.AsyncClient) -> str:
        await asyncio.sleep(done[number] + 4.90 + number * 0.12 / connections - time.monotonic())
        opened: list[str] = []

        async def trace(name: str, _info: object) -> None:
            if name.startswith("connection.connect_tcp.complete"):
                opened.append(name)

        try:
            response = await client.get("/", extensions={"trace": trace})
        except httpx.HTTPError as exc:
            return f"no answer ({type(exc).__name__})"
        return f"{response.status_code}, {'new connection' if opened else 'reused'}"

    results = await asyncio.gather(busy(), *(again(n, c) for n, c in enumerate(clients)))
    for client in clients:
        await client.aclose()
    counts: dict[str, int] = {}
    for result in results[1:]:
        assert result is not None
        counts[result] = counts.get(result, 0) + 1
    return counts


def main() -> None:
    """Both settings, `--rounds` rounds each."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=40)
    args = parser.parse_args()
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    print(f"load {load}")
    for label, keep_alive in (
        ("uvicorn's default (baseline)", UVICORN_DEFAULT),
        ("watchhouse serve", KEEP_ALIVE_SECONDS),
    ):
        server, port = serve(keep_alive)
        totals: dict[str, int] = {}
        for _ in range(args.rounds):
            for name, count in asyncio.run(one_round(port, args.connections)).items():
                totals[name] = totals.get(name, 0) + count
        server.should_exit = True
        lost = sum(count for name, count in totals.items() if name.startswith("no answer"))
        print(
            f"timeout_keep_alive={keep_alive} s, {label}: {lost} lost of "
            f"{args.rounds * args.connections}; {dict(sorted(totals.items()))}"
        )


if __name__ == "__main__":
    main()
