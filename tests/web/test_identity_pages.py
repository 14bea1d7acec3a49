"""Who is the caller, on the contact screen: the likely people with their probabilities, the
handler confirming one (or a new person), and a supervisor's same-person decisions."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

import pytest

from watchhouse.domain.access import AccessQuery, Operation
from watchhouse.domain.records import NewContact, contact_reference
from watchhouse.domain.roles import Actor, Role
from watchhouse.domain.values import Channel
from watchhouse.services import access, contacts, identity, identity_views
from watchhouse.services.context import AppContext
from watchhouse.services.synth import SynthRequest, synth_to_database
from watchhouse.web.rendering import percent

pytestmark = pytest.mark.web

# Four weeks of the synthetic force at 2%: some 750 contact records that name their caller,
# enough for the linkage model to learn from. The fake clock starts on 10 March 2026.
SMALL_FORCE = SynthRequest(start=date(2026, 1, 5), end=date(2026, 2, 2), scale=0.02, seed=5)
NUMBER = "07700 900456"
BORN = date(1984, 6, 12)

# A reason from policy's list, as the person pages ask for one (issue 16, item 5).
WHY = "justification=supervision&justification_text=identity+review"


@dataclass(frozen=True)
class OnTheLine:
    """The contact being taken, and the person on record the caller really is."""

    contact_id: int
    known_person_id: int
    new_person_id: int
    earlier: tuple[int, ...]


def _view(ctx: AppContext, actor: Actor, contact_id: int):  # type: ignore[no-untyped-def]
    return contacts.get_contact(ctx, actor=actor, contact_id=contact_id, justification="test")


@pytest.fixture
def on_the_line(ctx: AppContext, actors: dict[Role, Actor], clock) -> OnTheLine:  # type: ignore[no-untyped-def]
    """Joanne Marsh called three times with her full details; the batch linkage has run; now
    'Jo Marsh' calls from the same number without giving her date of birth, to a force whose
    policy leaves every caller to the handler to confirm."""
    synth_to_database(ctx, SMALL_FORCE)
    handler = actors[Role.CALL_HANDLER]
    earlier = []
    for _ in range(3):
        taken = contacts.take_contact(
            ctx,
            actor=handler,
            new=NewContact(
                channel=Channel.NON_EMERGENCY_101,
                caller_given_name="Joanne",
                caller_family_name="Marsh",
                date_of_birth=BORN,
                telephone=NUMBER,
                summary="Neighbour playing loud music",
            ),
        )
        earlier.append(taken.contact_id)
        clock.advance(days=1)
    identity.link_identities(ctx, actor=actors[Role.ADMINISTRATOR])
    # A force whose policy never joins a caller to a person at once: the handler chooses.
    never_join = ctx.policy.identity.model_copy(update={"join_probability": 1.0})
    handler_chooses = replace(ctx, policy=ctx.policy.model_copy(update={"identity": never_join}))
    now = contacts.take_contact(
        handler_chooses,
        actor=handler,
        new=NewContact(
            channel=Channel.NON_EMERGENCY_101,
            caller_given_name="Jo",
            caller_family_name="Marsh",
            telephone=NUMBER,
            summary="The music again",
        ),
    )
    known, new = _view(ctx, handler, earlier[0]).person, _view(ctx, handler, now.contact_id).person
    assert known is not None and new is not None and known.id != new.id
    return OnTheLine(now.contact_id, known.id, new.id, tuple(earlier))


def _panel(html: str) -> str:
    """The 'Who is the caller?' section of a page."""
    match = re.search(r'<section class="caller-match".*?</section>', html, re.S)
    assert match, "the contact screen has no 'Who is the caller?' panel"
    return match.group(0)


def _card(panel: str, person_id: int) -> str:
    """One candidate's card in the panel."""
    (card,) = [
        c for c in panel.split('<li class="candidate')[1:] if f'"candidate-{person_id}"' in c
    ]
    return card


@pytest.mark.parametrize(
    ("probability", "shown"),
    [(0.8734, "87.3%"), (0.99996, "over 99.9%"), (1.0, "100.0%"), (0.0002, "under 0.1%")],
)
def test_probabilities_are_shown_as_percentages_never_rounded_to_certainty(probability, shown):
    assert percent(probability) == shown


# --- the panel -----------------------------------------------------------------------------


def test_without_a_trained_model_the_panel_says_why_no_matches_are_shown(
    existing_records, client_as
):
    page = client_as(Role.CALL_HANDLER).client.get(f"/contacts/{existing_records.contact_id}")
    assert page.status_code == 200
    panel = _panel(page.text)
    assert "Who is the caller?" in panel
    assert "No identity model yet" in panel
    assert "New person" in panel


def test_the_panel_ranks_the_likely_people_with_probabilities_after_a_linkage_run(
    ctx, actors, on_the_line, client_as
):
    matches = _view(ctx, actors[Role.CALL_HANDLER], on_the_line.contact_id).likely_matches
    assert on_the_line.known_person_id in {m.person.id for m in matches}
    page = client_as(Role.CALL_HANDLER).client.get(f"/contacts/{on_the_line.contact_id}")
    assert page.status_code == 200
    panel = _panel(page.text)
    assert "No identity model yet" not in panel
    # Every candidate, in the service's order (most likely first), with its probability.
    headings = re.findall(r'<h3 id="candidate-(\d+)">', panel)
    assert [int(h) for h in headings] == [m.person.id for m in matches]
    assert [m.probability for m in matches] == sorted(
        (m.probability for m in matches), reverse=True
    )
    known = next(m for m in matches if m.person.id == on_the_line.known_person_id)
    card = _card(panel, known.person.id)
    assert "Joanne Marsh" in card
    assert "12 Jun 1984" in card
    assert re.search(r"<strong>(over )?\d+\.\d%</strong> likely the same person", card)
    assert "telephone: same" in card
    assert "family name: same" in card
    assert "given name: same formal name (a nickname)" in card
    assert "Recent contacts</dt><dd>3</dd>" in card
    assert "This is the caller" in card
    # The person made from this very call's details is not offered: the call is no evidence
    # for itself.
    assert on_the_line.new_person_id not in {m.person.id for m in matches}


def test_a_dispatcher_sees_the_likely_people_but_cannot_confirm_one(on_the_line, client_as):
    page = client_as(Role.DISPATCHER).client.get(f"/contacts/{on_the_line.contact_id}?{WHY}")
    assert page.status_code == 200
    panel = _panel(page.text)
    assert "Joanne Marsh" in panel
    assert "This is the caller" not in panel
    assert "New person" not in panel
    assert f'href="/people/{on_the_line.known_person_id}"' not in panel


# --- the handler confirms ------------------------------------------------------------------


def test_confirming_a_candidate_relinks_the_contact_and_is_logged(
    ctx, actors, on_the_line, client_as
):
    handler = client_as(Role.CALL_HANDLER)
    posted = handler.client.post(
        f"/contacts/{on_the_line.contact_id}/caller",
        data={"csrf_token": handler.csrf, "person_id": str(on_the_line.known_person_id)},
    )
    assert posted.status_code == 303
    assert posted.headers["location"] == f"/contacts/{on_the_line.contact_id}#who"
    view = _view(ctx, actors[Role.CALL_HANDLER], on_the_line.contact_id)
    assert view.person is not None and view.person.id == on_the_line.known_person_id
    assert [m.person.id for m in view.likely_matches if m.is_linked] == [
        on_the_line.known_person_id
    ]
    logged = access.search_access_log(
        ctx,
        actor=actors[Role.AUDITOR],
        query=AccessQuery(
            username=Role.CALL_HANDLER.value,
            operation=Operation.COMBINATION,
            record_type="person",
            record_id=str(on_the_line.known_person_id),
        ),
    )
    assert any(
        f"contact {on_the_line.contact_id} confirmed" in (e.justification or "") for e in logged
    )
    page = handler.client.get(f"/contacts/{on_the_line.contact_id}")
    assert "Linked to this contact" in _card(_panel(page.text), on_the_line.known_person_id)


def test_new_person_makes_a_person_from_the_callers_details(
    ctx, actors, existing_records, client_as
):
    handler = client_as(Role.CALL_HANDLER)
    posted = handler.client.post(
        f"/contacts/{existing_records.contact_id}/caller",
        data={"csrf_token": handler.csrf, "person_id": ""},
    )
    assert posted.status_code == 303
    view = _view(ctx, actors[Role.CALL_HANDLER], existing_records.contact_id)
    assert view.person is not None
    assert view.person.id != existing_records.person_id
    assert view.person.full_name == "Sam Lowe"
    logged = access.search_access_log(
        ctx,
        actor=actors[Role.AUDITOR],
        query=AccessQuery(
            operation=Operation.COLLECTION, record_type="person", record_id=str(view.person.id)
        ),
    )
    assert logged


def test_new_person_for_a_caller_who_gave_no_name_shows_the_problem(ctx, actors, client_as):
    taken = contacts.take_contact(
        ctx,
        actor=actors[Role.CALL_HANDLER],
        new=NewContact(channel=Channel.EMERGENCY_999, telephone=NUMBER, summary="Shouting"),
    )
    handler = client_as(Role.CALL_HANDLER)
    refused = handler.client.post(
        f"/contacts/{taken.contact_id}/caller", data={"csrf_token": handler.csrf}
    )
    assert refused.status_code == 422
    assert "no family name to make a new person from" in refused.text
    assert 'id="problems"' in refused.text
    assert _view(ctx, actors[Role.CALL_HANDLER], taken.contact_id).person is None


def test_confirming_a_person_who_does_not_exist_is_not_found(existing_records, client_as):
    handler = client_as(Role.CALL_HANDLER)
    url = f"/contacts/{existing_records.contact_id}/caller"
    missing = handler.client.post(url, data={"csrf_token": handler.csrf, "person_id": "999999"})
    assert missing.status_code == 404
    assert "person 999999 not found" in missing.text
    garbled = handler.client.post(url, data={"csrf_token": handler.csrf, "person_id": "x"})
    assert garbled.status_code == 422
    assert "choose one of the people offered" in garbled.text


def test_confirming_without_the_form_token_is_refused(existing_records, client_as):
    handler = client_as(Role.CALL_HANDLER)
    refused = handler.client.post(f"/contacts/{existing_records.contact_id}/caller", data={})
    assert refused.status_code == 403


# --- supervisors' decisions ----------------------------------------------------------------


@pytest.fixture
def second_contact(ctx, actors, existing_records) -> int:  # type: ignore[no-untyped-def]
    """Another call from Sam Lowe's number, in someone else's name."""
    return contacts.take_contact(
        ctx,
        actor=actors[Role.CALL_HANDLER],
        new=NewContact(
            channel=Channel.NON_EMERGENCY_101,
            caller_given_name="Samuel",
            caller_family_name="Lowe",
            telephone="07700 900123",
            summary="Following up",
        ),
    ).contact_id


def _decision(signed, **fields: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {"csrf_token": signed.csrf, **fields}


def test_a_handler_cannot_record_a_decision_and_a_supervisor_can(
    ctx, existing_records, second_contact, client_as
):
    url = f"/people/{existing_records.person_id}/identity-decisions?{WHY}"
    fields = {
        "left_contact_id": contact_reference(existing_records.contact_id),
        "right_contact_id": str(second_contact),
        "same_person": "same",
        "reason": "Same number and address; she confirmed her name on the call",
    }
    handler = client_as(Role.CALL_HANDLER)
    assert handler.client.post(url, data=_decision(handler, **fields)).status_code == 403
    page = handler.client.get(f"/people/{existing_records.person_id}?{WHY}")
    assert "Record decision" not in page.text
    ids = [existing_records.contact_id, second_contact]
    assert identity_views.decisions_about(ctx, contact_ids=ids) == []

    supervisor = client_as(Role.SUPERVISOR)
    form_page = supervisor.client.get(f"/people/{existing_records.person_id}?{WHY}")
    assert "Same person or not?" in form_page.text
    posted = supervisor.client.post(url, data=_decision(supervisor, **fields))
    assert posted.status_code == 303
    assert posted.headers["location"] == f"/people/{existing_records.person_id}?{WHY}#decisions"
    (stored,) = identity_views.decisions_about(ctx, contact_ids=ids)
    assert (stored.left_contact_id, stored.right_contact_id, stored.same_person) == (
        existing_records.contact_id,
        second_contact,
        True,
    )
    assert stored.reason == fields["reason"]
    page = supervisor.client.get(f"/people/{existing_records.person_id}?{WHY}")
    assert fields["reason"] in page.text
    assert "same person" in page.text
    assert Role.SUPERVISOR.label in page.text


@pytest.mark.parametrize(
    ("fields", "field", "reason"),
    [
        ({"right_contact_id": "LEFT"}, "right_contact_id", "choose two different contacts"),
        ({"reason": ""}, "reason", "say why"),
        ({"right_contact_id": "C9999999"}, "right_contact_id", "no contact C9999999 is on record"),
        ({"left_contact_id": "yesterday"}, "left_contact_id", "is not a contact reference"),
        ({"left_contact_id": ""}, "left_contact_id", "give the first contact&#39;s reference"),
        ({"same_person": ""}, "same_person", "say whether they are the same person or not"),
    ],
    ids=["same contact twice", "no reason", "unknown contact", "garbled", "blank", "no choice"],
)
def test_bad_decision_input_shows_the_field_error_and_stores_nothing(
    ctx, existing_records, second_contact, client_as, fields, field, reason
):
    supervisor = client_as(Role.SUPERVISOR)
    left = contact_reference(existing_records.contact_id)
    typed = {
        "left_contact_id": left,
        "right_contact_id": contact_reference(second_contact),
        "same_person": "different",
        "reason": "Different dates of birth given",
    }
    typed.update({k: left if v == "LEFT" else v for k, v in fields.items()})
    refused = supervisor.client.post(
        f"/people/{existing_records.person_id}/identity-decisions?{WHY}",
        data=_decision(supervisor, **typed),
    )
    assert refused.status_code == 422
    assert 'id="problems"' in refused.text
    assert f'<p class="error" id="{field}-error">' in refused.text
    assert reason in refused.text
    # What was typed is kept for correcting.
    if typed["reason"]:
        assert typed["reason"] in refused.text
    ids = [existing_records.contact_id, second_contact]
    assert identity_views.decisions_about(ctx, contact_ids=ids) == []


def test_a_decision_contradicting_an_earlier_one_is_refused_with_the_reason(
    ctx, existing_records, second_contact, client_as
):
    supervisor = client_as(Role.SUPERVISOR)
    url = f"/people/{existing_records.person_id}/identity-decisions?{WHY}"
    pair = {
        "left_contact_id": contact_reference(existing_records.contact_id),
        "right_contact_id": contact_reference(second_contact),
    }
    same = supervisor.client.post(
        url, data=_decision(supervisor, **pair, same_person="same", reason="Same caller")
    )
    assert same.status_code == 303
    contradicting = supervisor.client.post(
        url,
        data=_decision(supervisor, **pair, same_person="different", reason="Not the same"),
    )
    assert contradicting.status_code == 422
    assert "contradicts earlier decisions" in contradicting.text
    assert '<p class="error" id="same_person-error">' in contradicting.text
    ids = [existing_records.contact_id, second_contact]
    assert [d.same_person for d in identity_views.decisions_about(ctx, contact_ids=ids)] == [True]


def test_on_a_999_call_unlikely_candidates_are_one_line_each_and_say_what_is_missing(
    ctx, actors, on_the_line, client_as
):
    handler = actors[Role.CALL_HANDLER]
    taken = contacts.take_contact(
        ctx,
        actor=handler,
        new=NewContact(
            channel=Channel.EMERGENCY_999,
            caller_given_name="Joan",
            caller_family_name="Marsh",
            telephone="07700 900999",
            summary="Someone is in the garden",
        ),
    )
    matches = _view(ctx, handler, taken.contact_id).likely_matches
    assert matches and not any(m.is_likely or m.is_linked for m in matches)
    page = client_as(Role.CALL_HANDLER).client.get(f"/contacts/{taken.contact_id}")
    panel = _panel(page.text)

    # No full cards: each candidate is one line (name, born, probability, why, confirm).
    assert "candidate-facts" not in panel and "<h3" not in panel
    rows = re.findall(
        r'<li class="candidate compact[^"]*" aria-labelledby="candidate-(\d+)"', panel
    )
    assert [int(r) for r in rows] == [m.person.id for m in matches]
    assert 'id="thrive"' in page.text
    # What is missing is said from the caller's side, never "not recorded".
    row = _card(panel, on_the_line.known_person_id)
    assert "date of birth: not given by the caller" in row
    assert "not recorded" not in panel


def test_on_a_999_call_two_distinct_likely_people_are_one_line_each_and_thrive_follows(
    ctx, actors, clock, client_as
):
    """A father and son of one name share a number; a 999 caller in that name without a date
    of birth is likely either. The screen puts neither first: both are one line, marked
    likely, with a prompt to ask; THRIVE is on the page; no person repeat is claimed."""
    synth_to_database(ctx, SMALL_FORCE)
    identity.link_identities(ctx, actor=actors[Role.ADMINISTRATOR])
    handler = actors[Role.CALL_HANDLER]
    people = []
    for born in (date(1958, 1, 20), date(1989, 11, 3)):
        for _ in range(3):
            taken = contacts.take_contact(
                ctx,
                actor=handler,
                new=NewContact(
                    channel=Channel.NON_EMERGENCY_101,
                    caller_given_name="Aled",
                    caller_family_name="Prydderch",
                    date_of_birth=born,
                    telephone=NUMBER,
                    summary="Car parked across the drive",
                ),
            )
            clock.advance(days=1)
        person = _view(ctx, handler, taken.contact_id).person
        assert person is not None
        people.append(person.id)
    call = contacts.take_contact(
        ctx,
        actor=handler,
        new=NewContact(
            channel=Channel.EMERGENCY_999,
            caller_given_name="Aled",
            caller_family_name="Prydderch",
            telephone=NUMBER,
            summary="Someone is in the house",
        ),
    )
    view = _view(ctx, handler, call.contact_id)
    assert view.person is None
    assert {m.person.id for m in view.likely_matches if m.is_likely} == set(people)
    assert "person" not in {f.basis.value for f in view.repeat_findings}

    page = client_as(Role.CALL_HANDLER).client.get(f"/contacts/{call.contact_id}")
    panel = _panel(page.text)
    assert 'id="several-likely"' in panel
    assert "2 different people on record are each likely" in panel
    # No full card puts one of them first: each is one line, with its probability and why.
    assert "candidate-facts" not in panel and "<h3" not in panel
    rows = re.findall(
        r'<li class="candidate compact[^"]*" aria-labelledby="candidate-(\d+)"', panel
    )
    assert set(people) <= {int(r) for r in rows}
    for person_id in people:
        assert "This is the caller" in _card(panel, person_id)
    # THRIVE follows the short panel on the same page.
    assert page.text.index('id="who"') < page.text.index('id="thrive"')
    assert len(panel) < 12_000
