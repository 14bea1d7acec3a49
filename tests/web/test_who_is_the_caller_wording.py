"""Issue 15, the demo walked as a call handler: a caller already linked to a person on record
(a new person made from the details given) was told "No one on record matches the caller's
details", beside their own linked name, and offered "None of these" with nothing listed."""

from __future__ import annotations

import pytest

from watchhouse.domain.records import NewContact
from watchhouse.domain.roles import Role
from watchhouse.domain.values import Channel
from watchhouse.services import contacts, identity
from watchhouse.services.synth import synth_to_database

from .test_identity_pages import SMALL_FORCE

pytestmark = pytest.mark.web


@pytest.fixture
def linked(ctx, actors):  # type: ignore[no-untyped-def]
    """A small force whose identity model has been trained (the batch linkage has run)."""
    synth_to_database(ctx, SMALL_FORCE)
    identity.link_identities(ctx, actor=actors[Role.ADMINISTRATOR])
    return ctx


def test_a_caller_linked_to_a_new_person_is_not_told_no_one_matches(linked, ctx, actors, client_as):
    taken = contacts.take_contact(
        ctx,
        actor=actors[Role.CALL_HANDLER],
        new=NewContact(
            channel=Channel.EMERGENCY_999,
            caller_given_name="Kerrigan",
            caller_family_name="Doylestone-Quaife",
            telephone="07700 900789",
            summary="Partner shouting, caller frightened",
        ),
    )
    page = client_as(Role.CALL_HANDLER).client.get(f"/contacts/{taken.contact_id}").text
    shown = contacts.get_contact(
        ctx, actor=actors[Role.CALL_HANDLER], contact_id=taken.contact_id, justification=None
    )
    assert shown.person is not None and not shown.likely_matches
    assert "No one on record matches" not in page
    assert "Linked to Kerrigan Doylestone-Quaife; no one else on record matches" in page
    assert "None of these" not in page
    assert "Not Kerrigan Doylestone-Quaife: record the caller as a new person" in page


def test_a_caller_with_no_person_and_no_match_is_told_so(linked, ctx, actors, client_as):
    taken = contacts.take_contact(
        ctx,
        actor=actors[Role.CALL_HANDLER],
        new=NewContact(channel=Channel.EMERGENCY_999, summary="Two cars collided"),
    )
    page = client_as(Role.CALL_HANDLER).client.get(f"/contacts/{taken.contact_id}").text
    assert "No one on record matches the caller's details." in page
    assert "No one on record: record the caller as a new person" in page
