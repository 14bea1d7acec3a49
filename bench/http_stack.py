"""Benchmark: the server CPU a contact write costs under each HTTP stack uvicorn can run,
side by side in one run.

    uv run python bench/http_stack.py [--database sqlite|POSTGRES_URL] [--writes 600]
                                      [--rounds 3] [--concurrency 8]

uvicorn parses HTTP with h11 (pure Python) or httptools (C), and runs asyncio's own event loop
or uvloop; it takes the faster ones when they are installed (`http="auto"`, `loop="auto"`).
For each stack in turn (alternating for `--rounds` rounds) a server process serves a fresh
store, `--writes` contacts are posted (`POST /api/contacts`, `Prefer: return=minimal`, each
with its own Idempotency-Key, from 20 call handlers' tokens, `--concurrency` at a time) after
a warm-up of 100, and the server process's CPU time (user + system, from /proc) is divided by
the writes. Medians of the rounds, the ratio to h11 + asyncio, and the load average are
printed. Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import HOST, body_for, free_port, fresh_store, loadavg, prepare

STACKS = (("h11", "asyncio"), ("httptools", "uvloop"))
SERVER = (
    "import uvicorn, sys; "
    "uvicorn.run('watchhouse.web.app:create_worker_app', factory=True, host=sys.argv[1], "
    "port=int(sys.argv[2]), http=sys.argv[3], loop=sys.argv[4], log_level='warning')"
)


def cpu_seconds(pid: int) -> float:
    """User plus system CPU seconds of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def post_writes(url: str, tokens: list[str], count: int, concurrency: int) -> int:
    """Post `count` contacts, `concurrency` at a time; how many were acknowledged."""
    rng = random.Random(count)
    gate = asyncio.Semaphore(concurrency)
    acknowledged = 0
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:

        async def one(number: int) -> None:
            nonlocal acknowledged
            key = uuid.uuid4().hex
            headers = {
                "Authorization": f"Bearer {tokens[number % len(tokens)]}",
                "Idempotency-Key": key,
                "Prefer": "return=minimal",
            }
            async with gate:
                response = await client.post(
                    "/api/contacts", json=body_for(rng, number, key), headers=headers
                )
            if response.status_code in (200, 201):
                acknowledged += 1

        await asyncio.gather(*(one(number) for number in range(count)))
    return acknowledged


def measure(
    database: str, scratch: Path, stack: tuple[str, str], label: str, args: argparse.Namespace
) -> float:
    """Server CPU milliseconds per acknowledged write for one stack on a fresh store."""
    store = fresh_store(database, scratch, label)
    tokens, _ = prepare(store, 0)
    port = free_port()
    env = {
        **os.environ,
        "WATCHHOUSE_ENVIRONMENT": "test",
        "WATCHHOUSE_DATABASE_URL": store.url,
        "WATCHHOUSE_DATA_DIR": str(store.data_dir),
    }
    command = [sys.executable, "-c", SERVER, HOST, str(port), *stack]
    server = subprocess.Popen(command, env=env)
    url = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/login", timeout=30).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.3)
        asyncio.run(post_writes(url, tokens, 100, args.concurrency))
        before = cpu_seconds(server.pid)
        acknowledged = asyncio.run(post_writes(url, tokens, args.writes, args.concurrency))
        spent = cpu_seconds(server.pid) - before
    finally:
        server.terminate()
        server.wait(timeout=60)
        store.drop()
    if acknowledged != args.writes:
        raise SystemExit(f"{label}: {args.writes - acknowledged} writes not acknowledged")
    return spent * 1000 / acknowledged


def main() -> int:
    """Run the stacks side by side and print the medians and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="sqlite")
    parser.add_argument("--writes", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    print(f"load before: {loadavg()}")
    costs: dict[tuple[str, str], list[float]] = {stack: [] for stack in STACKS}
    with tempfile.TemporaryDirectory() as scratch:
        for round_number in range(args.rounds):
            for stack in STACKS:
                label = f"{stack[0]}-{round_number}"
                costs[stack].append(measure(args.database, Path(scratch), stack, label, args))
                print(
                    f"round {round_number + 1}, {stack[0]} + {stack[1]}: {costs[stack][-1]:.2f} ms"
                )
    baseline = statistics.median(costs[STACKS[0]])
    for stack in STACKS:
        median = statistics.median(costs[stack])
        print(
            f"{stack[0]} + {stack[1]}: server CPU {median:.2f} ms per write (median), "
            f"{baseline / median:.2f}x h11 + asyncio"
        )
    print(f"load after: {loadavg()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
