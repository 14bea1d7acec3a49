"""A force's own identifiers in the store, on SQLite and PostgreSQL: declared in policy, taken
with a contact (only those declared, bounded, normalised), and compared by `identity link`, so
that two contacts whose names are spelt differently but who share a PNC ID are one person, and
without the identifier they are not."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import select

from watchhouse.db import bulk
from watchhouse.db.repositories import identity as identity_repo
from watchhouse.db.tables import ContactIdentifierRow, ContactRow, GroundTruthRow
from watchhouse.domain.errors import ValidationFailed
from watchhouse.domain.records import NewContact
from watchhouse.domain.roles import Role
from watchhouse.domain.values import Channel
from watchhouse.policy.model import ExtraIdentifier
from watchhouse.services import contacts, identity, identity_online
from watchhouse.services.context import AppContext
from watchhouse.services.synth import SynthRequest, synth_to_database

pytestmark = pytest.mark.integration

SMALL_FORCE = SynthRequest(start=date(2026, 1, 5), end=date(2026, 2, 2), scale=0.02, seed=5)
PNC = ExtraIdentifier(name="pnc_id", kind="identifier", label="PNC ID")


def _with_identifiers(ctx: AppContext, *extra: ExtraIdentifier) -> AppContext:
    chosen = ctx.policy.identity.model_copy(update={"extra_identifiers": list(extra)})
    return replace(ctx, policy=ctx.policy.model_copy(update={"identity": chosen}))


def _give_pnc_ids(ctx: AppContext, share: float) -> None:
    """A PNC ID on `share` of the synthetic contacts, one per true person (as a force whose
    handlers record it when the caller is known to the police)."""
    chooser = random.Random(3)
    with ctx.db.transaction() as session:
        truth = session.execute(select(GroundTruthRow.contact_id, GroundTruthRow.true_person_id))
        rows = [
            (contact, "pnc_id", f"2019{person:07d}X")
            for contact, person in truth
            if chooser.random() < share
        ]
        bulk.insert_rows(
            session=session,
            table_name="contact_identifiers",
            columns=("contact_id", "name", "value"),
            rows=rows,
        )


def _take(ctx: AppContext, actor, **fields):  # type: ignore[no-untyped-def]
    return contacts.take_contact(
        ctx,
        actor=actor,
        new=NewContact(channel=Channel.NON_EMERGENCY_101, summary="Shed broken into", **fields),
    ).contact_id


def _cluster_of(ctx: AppContext, contact_id: int) -> int | None:
    with ctx.db.transaction() as session:
        return identity_repo.clusters_of(session=session, contact_ids=[contact_id]).get(contact_id)


def test_two_spellings_with_one_pnc_id_are_linked_and_without_it_are_not(ctx, actors):
    synth_to_database(ctx, SMALL_FORCE)
    _give_pnc_ids(ctx, 0.6)
    force = _with_identifiers(ctx, PNC)
    handler, admin = actors[Role.CALL_HANDLER], actors[Role.ADMINISTRATOR]
    never = force.policy.identity.model_copy(update={"join_probability": 1.0})
    taking = replace(force, policy=force.policy.model_copy(update={"identity": never}))
    first = _take(
        taking,
        handler,
        caller_given_name="Siobhan",
        caller_family_name="Mulcahy",
        date_of_birth=date(1979, 4, 2),
        telephone="07700 900111",
        identifiers=(("pnc_id", "19/0045127 K"),),
    )
    second = _take(
        taking,
        handler,
        caller_given_name="Siobahn",
        caller_family_name="Mulcahey",
        identifiers=(("pnc_id", "190045127k"),),
    )
    with ctx.db.transaction() as session:
        assert identity_repo.identifiers_of(session=session, contact_id=first) == {
            "pnc_id": "190045127K"
        }

    identity.link_identities(force, actor=admin)
    assert _cluster_of(ctx, first) == _cluster_of(ctx, second) is not None

    # The same records, the identifier not declared: not compared, the two stay apart.
    identity.link_identities(ctx, actor=admin)
    assert _cluster_of(ctx, first) != _cluster_of(ctx, second)


def test_only_declared_identifiers_are_taken_bounded_and_normalised(ctx, actors):
    handler = actors[Role.CALL_HANDLER]
    email = ExtraIdentifier(name="email", kind="email")
    force = _with_identifiers(ctx, PNC, email)
    with pytest.raises(ValidationFailed) as refused:
        _take(force, handler, identifiers=(("ni_number", "QQ123456C"),))
    assert refused.value.problems[0].field == "identifier_ni_number"
    assert "pnc_id, email" in refused.value.problems[0].reason
    with pytest.raises(ValidationFailed) as too_long:
        _take(force, handler, identifiers=(("pnc_id", "9" * 101),))
    assert "longer than 100" in too_long.value.problems[0].reason
    with ctx.db.transaction() as session:
        assert session.scalar(select(ContactRow.id)) is None, "nothing stored when refused"
    taken = _take(
        force, handler, identifiers=(("email", " Siobhan.M@Example.org "), ("pnc_id", "  "))
    )
    with ctx.db.transaction() as session:
        assert identity_repo.identifiers_of(session=session, contact_id=taken) == {
            "email": "siobhan.m@example.org"
        }
        assert session.scalar(select(ContactIdentifierRow.value)) == "siobhan.m@example.org"


def _person_of(ctx: AppContext, contact_id: int) -> int | None:
    with ctx.db.transaction() as session:
        return session.scalar(select(ContactRow.person_id).where(ContactRow.id == contact_id))


def _known_then_respelt(force: AppContext, handler, *, pnc: bool = True) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """A caller known with a PNC ID, then a call in another spelling of the name giving only
    the PNC ID (no number, no date of birth): joined at once, or not. Without `pnc` (a force
    that keeps none) the same calls without it."""
    first = _take(
        force,
        handler,
        caller_given_name="Siobhan",
        caller_family_name="Mulcahy",
        date_of_birth=date(1979, 4, 2),
        telephone="07700 900111",
        identifiers=(("pnc_id", "19/0045127 K"),) if pnc else (),
    )
    second = _take(
        force,
        handler,
        caller_given_name="Siobahn",
        caller_family_name="Mulcahey",
        identifiers=(("pnc_id", "190045127k"),) if pnc else (),
    )
    return first, second


def test_a_new_contact_with_a_known_pnc_id_joins_that_person_at_once(ctx, actors):
    synth_to_database(ctx, SMALL_FORCE)
    _give_pnc_ids(ctx, 0.6)
    force = _with_identifiers(ctx, PNC)
    identity.link_identities(force, actor=actors[Role.ADMINISTRATOR])
    with ctx.db.transaction() as session:
        model = identity_online.trained_model(force, session)
    assert model is not None and "pnc_id" in model.bayes_factors
    # The trained weight of the same PNC ID, not the rule for an identifier never seen.
    assert 1 < model.bayes_factors["pnc_id"][0] != 2.0**20

    first, second = _known_then_respelt(force, actors[Role.CALL_HANDLER])

    assert _person_of(ctx, first) is not None
    assert _person_of(ctx, second) == _person_of(ctx, first)
    view = contacts.get_contact(
        force, actor=actors[Role.CALL_HANDLER], contact_id=second, justification="t"
    )
    linked = [m for m in view.likely_matches if m.is_linked]
    assert [m.person.family_name for m in linked] == ["Mulcahy"]
    assert ("pnc_id", "same") in {(name, level) for name, level, _weight in linked[0].evidence}


def test_an_identifier_the_model_never_saw_counts_by_the_documented_rule(ctx, actors):
    """Declared after the last run (the model holds no weight for it): the same PNC ID counts
    2^untrained_identifier_match_weight; without the identifier declared, not at all."""
    synth_to_database(ctx, SMALL_FORCE)
    identity.link_identities(ctx, actor=actors[Role.ADMINISTRATOR])
    handler = actors[Role.CALL_HANDLER]
    force = _with_identifiers(ctx, PNC)
    with ctx.db.transaction() as session:
        model = identity_online.trained_model(force, session)
    assert model is not None and model.bayes_factors["pnc_id"] == (2.0**20, 1.0, 1.0, 1.0)

    first, second = _known_then_respelt(force, handler)
    assert _person_of(ctx, second) == _person_of(ctx, first) is not None

    # A force that keeps no PNC ID: the same two calls are two people.
    first, second = _known_then_respelt(ctx, handler, pnc=False)
    assert None is not _person_of(ctx, second) != _person_of(ctx, first)
