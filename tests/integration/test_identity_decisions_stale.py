"""Two supervisors open one person's page; the first records a decision about two contacts.
The second's decision about them, made on the page as it was before, is refused with 409 and
a clear message (nothing changed, the decisions as they now stand shown), never stored over
the first's; after reloading, the second can decide. On SQLite and PostgreSQL."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from support import three_calls_from_one_caller
from watchhouse.auth.tokens import new_token, token_digest
from watchhouse.db.repositories import users as user_repo
from watchhouse.db.tables import ContactRow
from watchhouse.domain.records import contact_reference
from watchhouse.domain.roles import Role
from watchhouse.services import identity_views
from watchhouse.services.context import AppContext

pytestmark = pytest.mark.integration

WHY = "justification=supervision&justification_text=identity+review"
SEEN = re.compile(r'name="decisions_seen" value="(\d+)"')


def _signed_in(app, ctx: AppContext, user_id: int) -> tuple[TestClient, str]:  # type: ignore[no-untyped-def]
    client = TestClient(app, follow_redirects=False)
    token, csrf = new_token(), new_token()
    with ctx.db.transaction() as session:
        user_repo.start_session(
            session=session,
            user_id=user_id,
            token_digest=token_digest(token),
            csrf_token=csrf,
            kind="browser",
            now=ctx.now(),
            expires_at=ctx.now() + timedelta(hours=12),
        )
    client.cookies.set("wh_session", token)
    return client, csrf


def _seen(client: TestClient, person_id: int) -> str:
    page = client.get(f"/people/{person_id}?{WHY}")
    assert page.status_code == 200
    found = SEEN.search(page.text)
    assert found is not None, "the decision form carries what the page showed"
    return found.group(1)


def test_a_decision_on_a_stale_page_is_refused_with_409_not_stored_over_another(
    app, ctx, actors, password_hashes
):
    handler = actors[Role.CALL_HANDLER]
    calls = three_calls_from_one_caller(ctx, handler)
    with ctx.db.transaction() as session:
        second_supervisor = user_repo.add_user(
            session=session,
            username="supervisor2",
            display_name="Second supervisor",
            role=Role.SUPERVISOR,
            password_hash=password_hashes[Role.SUPERVISOR],
            now=ctx.now(),
        )
    with ctx.db.transaction() as session:
        person_id = session.scalar(select(ContactRow.person_id).where(ContactRow.id == calls[0]))
    assert person_id is not None
    first, first_csrf = _signed_in(app, ctx, actors[Role.SUPERVISOR].user_id)
    second, second_csrf = _signed_in(app, ctx, second_supervisor.id)
    url = f"/people/{person_id}/identity-decisions?{WHY}"
    left, right = contact_reference(calls[0]), contact_reference(calls[1])

    # Both open the page before either decides.
    first_seen, second_seen = _seen(first, person_id), _seen(second, person_id)
    assert first_seen == second_seen == "0"

    same = first.post(
        url,
        data={
            "csrf_token": first_csrf,
            "decisions_seen": first_seen,
            "left_contact_id": left,
            "right_contact_id": right,
            "same_person": "same",
            "reason": "She confirmed her date of birth on both calls",
        },
    )
    assert same.status_code == 303

    stale = second.post(
        url,
        data={
            "csrf_token": second_csrf,
            "decisions_seen": second_seen,
            "left_contact_id": left,
            "right_contact_id": right,
            "same_person": "different",
            "reason": "Different voices on the recordings",
        },
    )
    assert stale.status_code == 409
    text = html.unescape(stale.text)
    assert (
        f"since this page was loaded, a decision about these contacts was recorded: "
        f"{left} and {right} are the same person. Nothing was changed" in text
    )
    assert "She confirmed her date of birth on both calls" in text, "the decision now shown"
    assert "Different voices on the recordings" in text, "what was typed is kept"
    stored = identity_views.decisions_about(ctx, contact_ids=calls)
    assert [(d.same_person, d.reason) for d in stored] == [
        (True, "She confirmed her date of birth on both calls")
    ]

    # A decision about a contact the other decided on (the third with the second) is stale too.
    touching = second.post(
        url,
        data={
            "csrf_token": second_csrf,
            "decisions_seen": second_seen,
            "left_contact_id": right,
            "right_contact_id": contact_reference(calls[2]),
            "same_person": "same",
            "reason": "Same number",
        },
    )
    assert touching.status_code == 409

    # Reloaded, the second supervisor sees the first's decision and may decide.
    again = _seen(second, person_id)
    assert again != "0"
    decided = second.post(
        url,
        data={
            "csrf_token": second_csrf,
            "decisions_seen": again,
            "left_contact_id": right,
            "right_contact_id": contact_reference(calls[2]),
            "same_person": "same",
            "reason": "Same number",
        },
    )
    assert decided.status_code == 303
    assert len(identity_views.decisions_about(ctx, contact_ids=calls)) == 2
