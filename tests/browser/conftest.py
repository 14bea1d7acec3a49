"""Browser fixtures: a live uvicorn server on a real-clock SQLite context, and Debian's Chromium.

The live server must run on the real clock (the browser counts down in real time), so these
fixtures build their own context instead of the shared, parametrized `database`/`ctx`.
"""

from __future__ import annotations

import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from watchhouse.config import Settings
from watchhouse.db.engine import Database
from watchhouse.db.migrate import upgrade
from watchhouse.domain.roles import Actor, Role
from watchhouse.domain.values import Settlement
from watchhouse.policy import load_policy
from watchhouse.services import accounts, reference
from watchhouse.services.context import AppContext, system_clock
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
REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO_ROOT / "artifacts" / "screenshots"

HANDLER = ("handler", "handler-pass-123")
DISPATCHER = ("dispatcher", "dispatcher-pass-123")


@dataclass(frozen=True)
class LiveApp:
    """A running server, the context behind it, and the users it knows."""

    url: str
    ctx: AppContext
    handler: Actor
    dispatcher: Actor

    def context_with_clock(self, clock: Callable[[], datetime]) -> AppContext:
        """The same store and policy read through another clock (to make past records)."""
        return AppContext(
            settings=self.ctx.settings, db=self.ctx.db, policy=self.ctx.policy, clock=clock
        )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _actor(ctx: AppContext, username: str, password: str, role: Role, name: str) -> Actor:
    user = accounts.add_user(
        ctx, username=username, display_name=name, role=role, password=password
    )
    return Actor(user.id, user.username, user.display_name, user.role)


@contextmanager
def open_live_ctx(tmp_path: Path, force: SynthRequest | None = None) -> Iterator[AppContext]:
    """A migrated SQLite file, the default policy and the REAL clock; with `force`, a small
    synthetic force is loaded first (it brings its own neighbourhoods, 'central' among them)."""
    url = f"sqlite:///{tmp_path / 'browser.sqlite3'}"
    upgrade(url)
    db = Database(url)
    settings = Settings(environment="test", data_dir=tmp_path, database_url=url)
    ctx = AppContext(settings=settings, db=db, policy=load_policy(), clock=system_clock)
    if force is not None:
        synth_to_database(ctx, force)
    known = {n.code for n in reference.neighbourhoods(ctx)}
    for code, name, settlement in (
        ("central", "Central", Settlement.URBAN),
        ("moor", "Moor", Settlement.RURAL),
    ):
        if code not in known:
            reference.add_neighbourhood(ctx, code=code, name=name, settlement=settlement)
    try:
        yield ctx
    finally:
        db.dispose()


@pytest.fixture
def live_ctx(tmp_path: Path) -> Iterator[AppContext]:
    """A migrated SQLite file, the default policy and the REAL clock."""
    with open_live_ctx(tmp_path) as ctx:
        yield ctx


@pytest.fixture
def live_app(live_ctx: AppContext) -> Iterator[LiveApp]:
    """The app served by uvicorn in a background thread on a free local port."""
    from watchhouse.web.app import create_app

    handler = _actor(live_ctx, *HANDLER, Role.CALL_HANDLER, "Hana Handler")
    dispatcher = _actor(live_ctx, *DISPATCHER, Role.DISPATCHER, "Dev Dispatcher")
    port = _free_port()
    config = uvicorn.Config(
        create_app(context=live_ctx),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="off",
        timeout_graceful_shutdown=2,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn-browser-test", daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 15
    while True:
        try:
            with urllib.request.urlopen(f"{url}/login", timeout=1) as response:
                if response.status == 200:
                    break
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            pytest.fail(f"the test server did not answer on {url}")
        time.sleep(0.05)
    try:
        yield LiveApp(url=url, ctx=live_ctx, handler=handler, dispatcher=dispatcher)
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright (never a downloaded browser)."""
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need Debian's Chromium at {CHROMIUM} (apt install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def new_page(browser: Any, live_app: LiveApp) -> Iterator[Callable[[], Any]]:
    """Open a page in a fresh browser context (its own cookies: one person at one desk)."""
    contexts: list[Any] = []

    def make() -> Any:
        context = browser.new_context(
            base_url=live_app.url, viewport={"width": 1366, "height": 900}, locale="en-GB"
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Callable[[Any, str], Path]:
    """Save a full-page PNG under artifacts/screenshots/ as evidence of what the user saw."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page: Any, step: str) -> Path:
        path = SCREENSHOTS / f"{request.node.name}--{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
