"""Benchmark: the performance board's first page with a year of data.

    uv run python bench/board.py [--store PATH] [--scale 1.0] [--runs 7] [--cold-runs N]
                                 [--no-browser]

Target (issue 5): the board's first page renders in under 1 s with a year of data.

The store is one year (2024) of the default synthetic force in SQLite (`--scale 1.0`: about
780,000 contacts; `--store PATH` keeps it and measures it again). The app runs under uvicorn
in this process; an analyst's browser session is opened once. Then, side by side, each
`--runs` times (median reported):

- **board, snapshot built**: `GET /board?month=2024-12` end to end over HTTP (session check,
  the eight headline measures over 24 months from the measures engine, XmR charts, commentary,
  Plotly figures, the page), the store unchanged since the last view, so the measures
  snapshot and its engine are reused;
- **board, cold**: the same request right after a new 101 call was taken (untimed): the store
  has changed, so the snapshot is written again and loaded before the measures run; this is
  what the first view after any change costs;
- **home page (baseline)**: `GET /` end to end, the fixed cost of any signed-in page;
- **board drawn in Chromium**: Debian's Chromium (headless) opens the board until every chart
  is drawn (`<html data-charts-drawn>`), plotly.js already in its cache, snapshot built.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from datetime import date
from pathlib import Path

import uvicorn

from watchhouse.config import Settings
from watchhouse.db.migrate import upgrade
from watchhouse.domain.records import NewContact
from watchhouse.domain.roles import Actor, Role
from watchhouse.domain.values import Channel
from watchhouse.services import accounts, contacts
from watchhouse.services.context import AppContext, build_context
from watchhouse.services.synth import SynthRequest, synth_to_database

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
MONTH = "2024-12"
ANALYST = ("bench_analyst", "bench-analyst-pass")
HANDLER = ("bench_handler", "bench-handler-pass")


def _store(path: Path, scale: float) -> AppContext:
    url = f"sqlite:///{path}"
    fresh = not path.exists()
    upgrade(url)
    ctx = build_context(
        Settings(environment="test", data_dir=path.parent, database_url=url), migrate=False
    )
    if fresh:
        began = time.perf_counter()
        synth_to_database(
            ctx, SynthRequest(start=date(2024, 1, 1), end=date(2025, 1, 1), scale=scale)
        )
        print(f"store: one year at scale {scale} written in {time.perf_counter() - began:.1f} s")
    known = {u.username for u in accounts.list_users(ctx)}
    for (username, password), role in ((ANALYST, Role.ANALYST), (HANDLER, Role.CALL_HANDLER)):
        if username not in known:
            accounts.add_user(
                ctx, username=username, display_name=username, role=role, password=password
            )
    return ctx


def _serve(ctx: AppContext) -> tuple[str, uvicorn.Server]:
    from watchhouse.web.app import create_app

    config = uvicorn.Config(
        create_app(context=ctx), host="127.0.0.1", port=0, log_level="warning", lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    return f"http://127.0.0.1:{port}", server


def _get(url: str, cookie: str) -> float:
    request = urllib.request.Request(url, headers={"Cookie": f"wh_session={cookie}"})
    began = time.perf_counter()
    with urllib.request.urlopen(request, timeout=600) as response:
        body = response.read()
        status = response.status
    elapsed = time.perf_counter() - began
    if status != 200 or (b"Performance board" not in body and b"Good to see you" not in body):
        raise RuntimeError(f"{url} answered {status}")
    return elapsed


def _times(
    runs: int, measure: Callable[[], float], before: Callable[[], None] | None = None
) -> list[float]:
    found = []
    for _ in range(runs):
        if before is not None:
            before()
        found.append(measure())
    return found


def _new_call(ctx: AppContext, handler: Actor) -> Callable[[], None]:
    def take() -> None:
        contacts.take_contact(
            ctx,
            actor=handler,
            new=NewContact(
                channel=Channel.NON_EMERGENCY_101,
                caller_given_name="Bench",
                caller_family_name="Caller",
                telephone="07700 900999",
                summary="Bench: a new call changes the store",
            ),
        )

    return take


def _browser_times(base: str, username: str, password: str, runs: int) -> list[float]:
    from playwright.sync_api import sync_playwright

    found = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(base_url=base, viewport={"width": 1366, "height": 900})
        page.goto("/login")
        page.fill("#username", username)
        page.fill("#password", password)
        page.press("#password", "Enter")
        page.wait_for_url(f"{base}/")
        page.goto(f"/board?month={MONTH}")  # plotly.js into the cache
        page.wait_for_function("document.documentElement.dataset.chartsDrawn", timeout=120_000)
        for _ in range(runs):
            began = time.perf_counter()
            page.goto(f"/board?month={MONTH}")
            page.wait_for_function("document.documentElement.dataset.chartsDrawn", timeout=120_000)
            found.append(time.perf_counter() - began)
        browser.close()
    return found


def _line(name: str, values: list[float], baseline: float | None = None) -> str:
    median = statistics.median(values)
    ratio = "" if baseline is None else f" ({median / baseline:.1f}x the home page)"
    runs = ", ".join(f"{v * 1000:.0f}" for v in values)
    return f"{name:<28} median {median * 1000:8.1f} ms{ratio}   runs (ms): {runs}"


def main() -> int:
    """Build or reuse the store, serve it, and time the board side by side with the home page."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="SQLite file to build once and reuse")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--cold-runs", type=int, help="runs of the cold board (default --runs)")
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    print("command:", " ".join(["uv run python bench/board.py", *sys.argv[1:]]))
    print(
        f"machine: {platform.processor() or platform.machine()}, python {platform.python_version()}"
    )
    with tempfile.TemporaryDirectory(prefix="bench-board-") as scratch:
        path = args.store or Path(scratch) / "board.sqlite3"
        ctx = _store(path, args.scale)
        from sqlalchemy import text

        with ctx.db.engine.connect() as connection:
            count = connection.execute(text("SELECT count(*) FROM contacts")).scalar_one()
        print(f"store: {path} with {count:,} contacts")
        session = accounts.sign_in(ctx, username=ANALYST[0], password=ANALYST[1])
        handler = accounts.sign_in(ctx, username=HANDLER[0], password=HANDLER[1]).actor
        base, server = _serve(ctx)
        board_url = f"{base}/board?month={MONTH}"
        try:
            first = _get(board_url, session.token)
            print(f"first request (snapshot written if missing or stale): {first * 1000:.0f} ms")
            home = _times(args.runs, lambda: _get(f"{base}/", session.token))
            warm = _times(args.runs, lambda: _get(board_url, session.token))
            cold = _times(
                args.runs if args.cold_runs is None else args.cold_runs,
                lambda: _get(board_url, session.token),
                before=_new_call(ctx, handler),
            )
            _get(board_url, session.token)
            drawn = (
                []
                if args.no_browser or not CHROMIUM.exists()
                else _browser_times(base, *ANALYST, args.runs)
            )
        finally:
            server.should_exit = True
        base_median = statistics.median(home)
        print(_line("home page (baseline)", home))
        print(_line("board, snapshot built", warm, base_median))
        if cold:
            print(_line("board, cold (store changed)", cold, base_median))
        if drawn:
            print(_line("board drawn in Chromium", drawn, base_median))
        target = statistics.median(warm) < 1.0
        print(f"target (< 1 s, snapshot built): {'met' if target else 'MISSED'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
