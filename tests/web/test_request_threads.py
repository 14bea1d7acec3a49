"""A server process runs at most `request_threads` requests in its thread pool at once; the
others wait their turn without a thread (issue 16, Load: 40 threads contending for one
interpreter under overload cost more CPU per request)."""

from __future__ import annotations

import threading
import time

import anyio
import anyio.from_thread
import httpx

from watchhouse.services.context import AppContext
from watchhouse.web.app import create_app


def test_no_more_requests_run_at_once_than_the_setting_allows(ctx: AppContext) -> None:
    settings = ctx.settings.model_copy(update={"request_threads": 2})
    app = create_app(
        context=AppContext(settings=settings, db=ctx.db, policy=ctx.policy, clock=ctx.clock)
    )
    running = 0
    most = 0
    lock = threading.Lock()

    @app.get("/test-busy")
    def busy() -> dict[str, int]:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.05)
        with lock:
            running -= 1
        return {"ok": 1}

    async def main() -> list[int]:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                answers: list[int] = []

                async def one() -> None:
                    answers.append((await client.get("/test-busy")).status_code)

                async with anyio.create_task_group() as group:
                    for _ in range(8):
                        group.start_soon(one)
                return answers

    # A loop of its own in a thread of its own: Playwright's sync API (the browser tests, run
    # earlier in the same process) leaves this thread looking as if it ran one.
    with anyio.from_thread.start_blocking_portal() as portal:
        assert portal.call(main) == [200] * 8
    assert most == 2
