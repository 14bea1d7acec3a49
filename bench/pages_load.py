"""Benchmark: the board's first page, the PEEL view and the planning page with ten people using
the demo at once.

    uv run python bench/pages_load.py [--store data/demo/watchhouse.sqlite3] [--sessions 10]
        [--rounds 3] [--baseline-ref main]

The store is a copy of the demo's (`watchhouse demo --no-serve` builds it). The app runs under
uvicorn in this process, on 127.0.0.1 only. `--sessions` analysts are signed in; each, in its
own thread and all at once, asks for the home page (the baseline: the fixed cost of any signed
in page), the board, the PEEL view and the planning page, in that order, `--rounds` times
(bounded: sessions x rounds requests per page). Each request is timed end to end over HTTP
(the whole body read); the median and 95th percentile per page are printed, with the ratio to
the home page's median. Then plotly.js: its one URL, size, cache headers, and that no page
inlines it. Last, each page is asked for ten times one at a time, and the process's CPU
per request (server and client threads together) is printed: a figure the machine's load
changes much less than the wall times.

With `--baseline-ref REF`, the same load runs twice in the same run, each in a fresh process
on its own copy of the store: first against a git worktree of REF (its `src` put first on
the import path), then against this checkout; the medians are printed side by side with the
ratio (baseline / now), each process's CPU seconds, and `uptime` before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import defaultdict
from pathlib import Path

import uvicorn

ROOT = Path(__file__).resolve().parents[1]
SEQUENTIAL = 10  # requests per page, one at a time, after the load: CPU per request
PAGES = {
    "home page (baseline)": "/",
    "board, first page": "/board",
    "PEEL view": "/board/peel",
    "planning page": "/planning",
}


def _serve(ctx: object) -> tuple[str, uvicorn.Server]:
    from watchhouse.web.app import create_app

    config = uvicorn.Config(
        create_app(context=ctx),  # type: ignore[arg-type]
        host="127.0.0.1",
        port=0,
        log_level="warning",
        lifespan="off",
    )
    server = uvicorn.Server(config)
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    return f"http://127.0.0.1:{port}", server


def _get(url: str, cookie: str) -> tuple[float, bytes, dict[str, str]]:
    request = urllib.request.Request(url, headers={"Cookie": f"wh_session={cookie}"})
    began = time.perf_counter()
    with urllib.request.urlopen(request, timeout=600) as response:
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"{url} answered {response.status}")
        headers = dict(response.headers.items())
    return time.perf_counter() - began, body, headers


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=ROOT / "data/demo/watchhouse.sqlite3")
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--baseline-ref", help="also run the load on this git ref, side by side")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)  # one result line
    args = parser.parse_args()
    if args.baseline_ref:
        return _side_by_side(args)
    from watchhouse.config import Settings
    from watchhouse.services import accounts
    from watchhouse.services.context import build_context

    print("command:", " ".join(["uv run python bench/pages_load.py", *sys.argv[1:]]))
    print(f"load before: {Path('/proc/loadavg').read_text().strip()}")
    with tempfile.TemporaryDirectory(prefix="bench-pages-") as scratch:
        store = Path(scratch) / "watchhouse.sqlite3"
        shutil.copy(args.store, store)
        ctx = build_context(
            Settings(environment="test", data_dir=Path(scratch), database_url=f"sqlite:///{store}"),
            migrate=False,
        )
        tokens = [
            accounts.sign_in(ctx, username="analyst", password="analyst-demo-pass").token
            for _ in range(args.sessions)
        ]
        base, server = _serve(ctx)
        times: dict[str, list[float]] = defaultdict(list)
        bodies: dict[str, bytes] = {}
        lock = threading.Lock()
        try:
            for path in PAGES.values():  # one untimed view each: what a first visitor builds
                bodies[path] = _get(base + path, tokens[0])[1]

            def session(token: str) -> None:
                for _ in range(args.rounds):
                    for name, path in PAGES.items():
                        seconds = _get(base + path, token)[0]
                        with lock:
                            times[name].append(seconds)

            threads = [threading.Thread(target=session, args=(t,)) for t in tokens]
            began = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            wall = time.perf_counter() - began
            cpu_ms = {}  # then one at a time: the process's CPU per request (server and client)
            for name, path in PAGES.items():
                cpu = time.process_time()
                for _ in range(SEQUENTIAL):
                    _get(base + path, tokens[0])
                cpu_ms[name] = (time.process_time() - cpu) / SEQUENTIAL * 1000
            plotly_url = next(
                part.split('"')[0]
                for part in bodies["/board"].decode().split('<script src="')[1:]
                if "plotly" in part.split('"')[0]
            )
            seconds, script, headers = _get(base + plotly_url, tokens[0])
        finally:
            server.should_exit = True
    print(f"load after: {Path('/proc/loadavg').read_text().strip()}")
    print(
        f"{args.sessions} sessions x {args.rounds} rounds, {sum(map(len, times.values()))} "
        f"requests in {wall:.1f} s"
    )
    home = statistics.median(times["home page (baseline)"])
    for name in PAGES:
        values = times[name]
        median = statistics.median(values)
        size = len(bodies[PAGES[name]]) / 1024
        print(
            f"{name:<22} median {median * 1000:8.1f} ms  p95 {_p95(values) * 1000:8.1f} ms  "
            f"({median / home:5.1f}x the home page; page {size:,.0f} KiB; "
            f"CPU {cpu_ms[name]:.0f} ms a request alone)"
        )
    inlined = [p for p, b in bodies.items() if b"plotly.js v" in b]
    etag = "etag" in {k.lower() for k in headers}
    print(
        f"plotly.js: {plotly_url}, {len(script) / 1024 / 1024:.1f} MiB in "
        f"{seconds * 1000:.0f} ms, Cache-Control {headers.get('cache-control')!r}, ETag {etag}; "
        f"inlined in: {inlined or 'no page'}"
    )
    worst = max(statistics.median(times[n]) for n in PAGES)
    print(f"target (median < 1 s for every page): {'met' if worst < 1 else 'MISSED'}")
    if args.json:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        result = {
            "medians_ms": {n: statistics.median(times[n]) * 1000 for n in PAGES},
            "p95_ms": {n: _p95(times[n]) * 1000 for n in PAGES},
            "cpu_ms": cpu_ms,
            "wall_s": wall,
            "cpu_s": usage.ru_utime + usage.ru_stime,
        }
        print("RESULT " + json.dumps(result))
    return 0


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def _run(src: Path, args: argparse.Namespace) -> dict[str, object]:
    """This benchmark in a fresh process, with `src` first on the import path."""
    command = [sys.executable, str(Path(__file__).resolve()), "--json"]
    command += ["--store", str(args.store), "--sessions", str(args.sessions)]
    command += ["--rounds", str(args.rounds)]
    env = {**os.environ, "PYTHONPATH": str(src)}
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
    print(done.stdout, end="")
    line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT "))
    found: dict[str, object] = json.loads(line.removeprefix("RESULT "))
    return found


def _side_by_side(args: argparse.Namespace) -> int:
    print("command:", " ".join(["uv run python bench/pages_load.py", *sys.argv[1:]]))
    print(f"uptime before: {_uptime()}")
    with tempfile.TemporaryDirectory(prefix="bench-pages-baseline-") as scratch:
        tree = Path(scratch) / "tree"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), args.baseline_ref],
            check=True,
            capture_output=True,
        )
        try:
            print(f"--- baseline: {args.baseline_ref}")
            before = _run(tree / "src", args)
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=True
            )
    print("--- this checkout")
    after = _run(ROOT / "src", args)
    print(f"uptime after: {_uptime()}")
    for metric, title in (
        ("medians_ms", f"median ms with {args.sessions} sessions"),
        ("cpu_ms", "CPU ms a request, one at a time"),
    ):
        print(f"{title:<40} {args.baseline_ref:>10} {'now':>10} {'ratio':>7}")
        was, now = before[metric], after[metric]
        assert isinstance(was, dict) and isinstance(now, dict)
        for name in PAGES:
            ratio = was[name] / now[name]
            print(f"  {name:<38} {was[name]:10.1f} {now[name]:10.1f} {ratio:6.1f}x")
    print(f"process CPU s: {args.baseline_ref} {before['cpu_s']:.1f}, now {after['cpu_s']:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
