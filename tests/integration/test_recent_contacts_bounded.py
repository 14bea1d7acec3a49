"""The caller check reads each candidate's newest few contacts and no more (issue 16, Load):
a person's contacts grow with the store, and reading them all made every write dearer."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.dialects import postgresql, sqlite

from watchhouse.db.repositories import identity
from watchhouse.domain.records import NewContact
from watchhouse.domain.roles import Role
from watchhouse.domain.values import Channel
from watchhouse.services import contacts

pytestmark = pytest.mark.integration

CONTACTS = 30
PER_PERSON = 3


def _grown(ctx, actors, clock) -> int:  # type: ignore[no-untyped-def]
    """A caller with CONTACTS contacts, an hour apart; their person's id."""
    handler = actors[Role.CALL_HANDLER]
    ids = []
    for _ in range(CONTACTS):
        ids.append(
            contacts.take_contact(
                ctx,
                actor=handler,
                new=NewContact(
                    channel=Channel.NON_EMERGENCY_101,
                    caller_given_name="Ada",
                    caller_family_name="Lowe",
                    date_of_birth=date(1980, 1, 2),
                    telephone="07700 900123",
                    summary="Again",
                ),
            ).contact_id
        )
        clock.advance(hours=1)
    with ctx.db.transaction() as session:
        person = session.execute(
            text("SELECT person_id FROM contacts WHERE id = :id"), {"id": ids[-1]}
        ).scalar_one()
    return int(person)


def test_newest_contacts_of_each_person_by_index_and_limit(ctx, actors, clock) -> None:  # type: ignore[no-untyped-def]
    person = _grown(ctx, actors, clock)
    with ctx.db.transaction() as session:
        found = identity.recent_contact_records(
            session=session, person_ids=[person, person + 1000], per_person=PER_PERSON
        )
        assert len(found) == PER_PERSON
        newest = session.execute(
            text("SELECT id FROM contacts WHERE person_id = :p ORDER BY presented_at DESC LIMIT 3"),
            {"p": person},
        ).scalars()
        assert [r.contact_id for r in found] == list(newest)
        statement = identity._recent_contacts_statement(2)
        params = {"person_0": person, "person_1": person + 1000, "per_person": PER_PERSON}
        if ctx.db.engine.dialect.name == "sqlite":
            compiled = statement.compile(dialect=sqlite.dialect())
            values = compiled.construct_params(params)
            plan = " | ".join(
                str(row[-1])
                for row in session.connection().exec_driver_sql(
                    "EXPLAIN QUERY PLAN " + str(compiled),
                    tuple(values[k] for k in compiled.positiontup or ()),
                )
            )
            assert "ix_contacts_person_presented" in plan, plan
            assert "TEMP B-TREE" not in plan, plan  # no sort of a person's contacts
        else:
            session.execute(text("SET LOCAL enable_seqscan = off"))
            session.execute(text("SET LOCAL enable_bitmapscan = off"))
            sql = str(
                statement.params(**params).compile(
                    dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}
                )
            )
            plan = [
                row[0] for row in session.execute(text("EXPLAIN (ANALYZE, FORMAT TEXT) " + sql))
            ]
            scans = [line for line in plan if "on contacts" in line]
            assert scans and all("ix_contacts_person_presented" in line for line in scans), plan
            # Each person's index range is read for at most PER_PERSON rows, not CONTACTS.
            assert all(
                int(line.split("actual time=")[1].split("rows=")[1].split()[0]) <= PER_PERSON
                for line in scans
            ), plan
