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
from watchhouse.services import contacts, identity
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
