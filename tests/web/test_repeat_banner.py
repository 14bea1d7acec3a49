"""The handler sees a repeat-caller banner on the contact screen while the caller is on the line."""

from __future__ import annotations

import pytest

from watchhouse.domain.records import NewContact
from watchhouse.domain.roles import Role
from watchhouse.domain.values import Channel
from watchhouse.services import contacts

pytestmark = pytest.mark.web


def _call(ctx, handler, clock):  # type: ignore[no-untyped-def]
    taken = contacts.take_contact(
        ctx,
        actor=handler,
        new=NewContact(
            channel=Channel.NON_EMERGENCY_101, telephone="07700 900777", summary="Noise again"
        ),
    )
    clock.advance(days=1)
    return taken.contact_id


def test_fourth_call_this_week_shows_the_repeat_banner_and_third_does_not(
    ctx, actors, clock, client_as
):
    handler = actors[Role.CALL_HANDLER]
    ids = [_call(ctx, handler, clock) for _ in range(4)]
    browser = client_as(Role.CALL_HANDLER).client
    third = browser.get(f"/contacts/{ids[2]}")
    assert third.status_code == 200
    assert "Repeat caller" not in third.text
    fourth = browser.get(f"/contacts/{ids[3]}")
    assert fourth.status_code == 200
    assert 'id="repeat-banner"' in fourth.text
    assert "This telephone number: 4 contacts in 7 days" in fourth.text


def test_vulnerability_flags_ticked_on_the_form_show_on_the_callers_next_contact(
    ctx, actors, clock, client_as
):
    handler = actors[Role.CALL_HANDLER]
    first = _call(ctx, handler, clock)
    signed_in = client_as(Role.CALL_HANDLER)
    form = {
        "csrf_token": signed_in.csrf,
        "threat": "1",
        "harm": "1",
        "risk": "1",
        "investigation": "0",
        "vulnerability": "2",
        "engagement": "scheduled_attendance",
        "vulnerabilities": ["mental_health", "older_person"],
    }
    posted = signed_in.client.post(f"/contacts/{first}/thrive", data=form)
    assert posted.status_code == 303
    second = _call(ctx, handler, clock)
    signed_in = client_as(Role.CALL_HANDLER)  # a day has passed: a fresh session
    page = signed_in.client.get(f"/contacts/{second}")
    assert "Earlier vulnerability flags" in page.text
    assert "Mental health" in page.text
    assert "Older person" in page.text
    bad = signed_in.client.post(
        f"/contacts/{second}/thrive",
        data={**form, "csrf_token": signed_in.csrf, "vulnerabilities": "x"},
    )
    assert bad.status_code == 422
    assert "unknown flag" in bad.text
