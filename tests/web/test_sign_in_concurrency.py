"""Sign-in under attack: real concurrent requests against a served app on both databases.

Wrong passwords sent in parallel must all count (the lock-out cannot be raced past), and one
source address that keeps failing is slowed down without telling it which usernames exist."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import uvicorn

from watchhouse.db.repositories import users as user_repo
from watchhouse.domain.errors import SignInRefused, SignInThrottled
from watchhouse.domain.roles import Actor, Role
from watchhouse.services import accounts
from watchhouse.services.context import AppContext

pytestmark = pytest.mark.web

HANDLER = Role.CALL_HANDLER
RIGHT_PASSWORD = f"{HANDLER.value}-test-pass"  # conftest.password_for(HANDLER)
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]*)"')


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _relax_source_limit(ctx: AppContext, failures: int) -> None:
    security = ctx.policy.security.model_copy(update={"sign_in_failures_per_source": failures})
    ctx.policy = ctx.policy.model_copy(update={"security": security})


@pytest.fixture
def served(app, actors: dict[Role, Actor]) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The test app served by uvicorn on a free loopback port; yields its base URL."""
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn-sign-in-test", daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 15
    while True:
        try:
            if httpx.get(f"{url}/login", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            pytest.fail(f"the test server did not answer on {url}")
        time.sleep(0.05)
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _ready_form(url: str) -> tuple[httpx.Client, str]:
    """A browser of its own (own cookies) holding a fresh sign-in form's CSRF token."""
    client = httpx.Client(base_url=url, timeout=60)
    page = client.get("/login")
    found = CSRF_FIELD.search(page.text)
    assert found
    return client, found.group(1)


def _post_in_parallel(url: str, attempts: list[tuple[str, str]], at_once: int) -> list[int]:
    """Send the sign-ins `at_once` at a time, each batch released together; the statuses."""
    statuses: list[int] = []
    for start in range(0, len(attempts), at_once):
        batch = attempts[start : start + at_once]
        forms = [_ready_form(url) for _ in batch]
        barrier = threading.Barrier(len(batch))

        def post(index: int, forms=forms, batch=batch, barrier=barrier) -> int:  # type: ignore[no-untyped-def]
            client, csrf = forms[index]
            username, password = batch[index]
            barrier.wait()
            response = client.post(
                "/login", data={"username": username, "password": password, "csrf_token": csrf}
            )
            client.close()
            return response.status_code

        with ThreadPoolExecutor(max_workers=len(batch)) as pool:
            statuses.extend(pool.map(post, range(len(batch))))
    return statuses


def test_thirty_wrong_passwords_ten_at_a_time_lock_the_account_and_the_right_one_is_refused(
    served: str, ctx: AppContext, actors: dict[Role, Actor]
) -> None:
    _relax_source_limit(ctx, 1000)  # this test is about the account's lock, not the source's
    wrong = [(HANDLER.value, f"wrong-password-{n}") for n in range(30)]
    statuses = _post_in_parallel(served, wrong, at_once=10)
    assert statuses == [401] * 30
    with ctx.db.transaction() as session:
        stored = user_repo.credentials(session=session, username=HANDLER.value)
    assert stored is not None and stored.locked_until is not None, "parallel failures were lost"
    client, csrf = _ready_form(served)
    refused = client.post(
        "/login", data={"username": HANDLER.value, "password": RIGHT_PASSWORD, "csrf_token": csrf}
    )
    assert refused.status_code == 401
    assert "wh_session" not in refused.cookies


def test_a_source_that_failed_too_often_is_refused_even_the_right_password_for_another_account(
    served: str, ctx: AppContext, actors: dict[Role, Actor]
) -> None:
    _relax_source_limit(ctx, 12)
    # Different, mostly unknown usernames: no single account reaches its own lock.
    spray = [(f"guess{n}", "Winter2026!") for n in range(12)]
    assert set(_post_in_parallel(served, spray, at_once=6)) == {401}
    client, csrf = _ready_form(served)
    throttled = client.post(
        "/login",
        data={
            "username": Role.DISPATCHER.value,
            "password": "dispatcher-test-pass",
            "csrf_token": csrf,
        },
    )
    assert throttled.status_code == 429
    assert "too many failed sign-ins from this address" in throttled.text
    # The dispatcher's own account is not locked: from another address they still sign in.
    signed_in = accounts.sign_in(
        ctx, username=Role.DISPATCHER.value, password="dispatcher-test-pass", source="10.1.2.3"
    )
    assert signed_in.actor.role is Role.DISPATCHER


def test_parallel_failures_from_one_source_all_count_towards_its_limit(
    ctx: AppContext, actors: dict[Role, Actor]
) -> None:
    _relax_source_limit(ctx, 20)
    barrier = threading.Barrier(10)

    def fail(n: int) -> None:
        barrier.wait() if n < 10 else None
        with pytest.raises(SignInRefused):
            accounts.sign_in(ctx, username=f"nobody{n}", password="guess-guess", source="10.9.9.9")

    with ThreadPoolExecutor(max_workers=10) as pool:
        list(pool.map(fail, range(20)))
    with pytest.raises(SignInThrottled):
        accounts.sign_in(ctx, username=HANDLER.value, password=RIGHT_PASSWORD, source="10.9.9.9")


def test_unknown_username_wrong_password_and_locked_account_get_the_same_answer(
    ctx: AppContext, actors: dict[Role, Actor]
) -> None:
    answers = set()
    for attempt in range(5):
        with pytest.raises(SignInRefused) as wrong:
            accounts.sign_in(ctx, username=HANDLER.value, password=f"wrong-{attempt}", source="a")
        answers.add(str(wrong.value))
    with pytest.raises(SignInRefused) as locked:
        accounts.sign_in(ctx, username=HANDLER.value, password=RIGHT_PASSWORD, source="b")
    with pytest.raises(SignInRefused) as unknown:
        accounts.sign_in(ctx, username="nobody-at-all", password=RIGHT_PASSWORD, source="c")
    answers |= {str(locked.value), str(unknown.value)}
    assert answers == {accounts.SIGN_IN_REFUSED}
