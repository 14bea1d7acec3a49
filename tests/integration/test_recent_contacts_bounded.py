"""The caller check reads each candidate's newest few contacts and no more (issue 16, Load):
a person's contacts grow with the store, and reading them all made every write dearer."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import or_, select, text
from sqlalchemy.dialects import postgresql, sqlite

from support import query_plan, rows_read
from watchhouse.db.repositories import identity
from watchhouse.db.tables import ContactRow
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


def _call(ctx, handler, given: str, family: str, born: date, telephone: str) -> int:  # type: ignore[no-untyped-def]
    return contacts.take_contact(
        ctx,
        actor=handler,
        new=NewContact(
            channel=Channel.NON_EMERGENCY_101,
            caller_given_name=given,
            caller_family_name=family,
            date_of_birth=born,
            telephone=telephone,
            summary="Again",
        ),
    ).contact_id


def test_earlier_contacts_are_the_newest_by_person_or_number_each_read_by_its_index(
    ctx, actors, clock
) -> None:  # type: ignore[no-untyped-def]
    handler = actors[Role.CALL_HANDLER]
    ada, household, elsewhere = "07700 900123", "07700 900123", "07700 900777"
    for n in range(12):  # the caller, from home and from another phone, between others' calls
        _call(ctx, handler, "Ada", "Lowe", date(1980, 1, 2), ada if n % 3 else elsewhere)
        clock.advance(minutes=10)
        _call(ctx, handler, f"Other{n}", "Caller", date(1970, 5, n + 1), f"07700 901{n:03d}")
        clock.advance(minutes=10)
    _call(ctx, handler, "Bo", "Lowe", date(2005, 3, 4), household)  # same number, other person
    clock.advance(minutes=10)
    viewed = _call(ctx, handler, "Ada", "Lowe", date(1980, 1, 2), ada)
    clock.advance(minutes=10)
    _call(ctx, handler, "Ada", "Lowe", date(1980, 1, 2), ada)  # later: never "earlier"
    with ctx.db.transaction() as session:
        person, number, before = session.execute(
            select(
                ContactRow.person_id, ContactRow.telephone_number_id, ContactRow.presented_at
            ).where(ContactRow.id == viewed)
        ).one()

        def expected(limit: int) -> list[int]:
            """The old single query's answer: either key, newest first."""
            return list(
                session.execute(
                    select(ContactRow.id)
                    .where(
                        or_(
                            ContactRow.person_id == person, ContactRow.telephone_number_id == number
                        ),
                        ContactRow.id != viewed,
                        ContactRow.presented_at <= before,
                    )
                    .order_by(ContactRow.presented_at.desc(), ContactRow.id.desc())
                    .limit(limit)
                ).scalars()
            )

        for limit in (50, 5):
            found = contacts.contacts.earlier_contacts(
                session=session,
                contact_id=viewed,
                person_id=person,
                telephone_number_id=number,
                before=before,
                limit=limit,
            )
            assert [c.id for c in found] == expected(limit)
        everything = expected(50)
        assert len(everything) == 13  # Ada's 12 (both phones) and Bo's on the household number
        statement = contacts.contacts._earlier_statement(True, True, PER_PERSON)
        params = {
            "person_id": person,
            "number_id": number,
            "contact_id": viewed,
            "before": before,
        }
        plan = query_plan(session, statement, params)
        if ctx.db.engine.dialect.name == "sqlite":
            assert any("ix_contacts_person_presented" in line for line in plan), plan
            assert any("ix_contacts_number_presented" in line for line in plan), plan
            assert not any("ix_contacts_presented_at" in line for line in plan), plan
        else:
            scans = [line for line in plan if "on contacts" in line and "Scan" in line]
            keyed = [line for line in scans if "_presented " in line or "_presented on" in line]
            assert any("ix_contacts_person_presented" in line for line in keyed), plan
            assert any("ix_contacts_number_presented" in line for line in keyed), plan
            assert not any("ix_contacts_presented_at" in line for line in scans), plan
            # Each key's index range is read for at most PER_PERSON rows, not all 13.
            assert all(rows_read(line) <= PER_PERSON for line in keyed), plan
