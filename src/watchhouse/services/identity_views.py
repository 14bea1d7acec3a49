"""Read-only views of identity resolution for the pages: the supervisors' decisions that touch
a person's contacts.

Nothing here writes. The decisions are shown on the person page, whose opening is already
logged as a consultation of the person (services/people.py), so reading them is not logged
again.
"""

from __future__ import annotations

from collections.abc import Collection

from watchhouse.db.repositories import contacts as contact_repo
from watchhouse.db.repositories import identity as repo
from watchhouse.domain.records import DecisionView
from watchhouse.services.context import AppContext

__all__ = ["DecisionView", "decisions_about"]


def decisions_about(ctx: AppContext, *, contact_ids: Collection[int]) -> list[DecisionView]:
    """The decisions naming any of these contacts, newest first."""
    wanted = set(contact_ids)
    if not wanted:
        return []
    with ctx.db.transaction() as session:
        touching = [
            d
            for d in repo.decisions(session=session)
            if d.left_contact_id in wanted or d.right_contact_id in wanted
        ]
        names: dict[int, str] = {}
        for d in touching:
            if d.decided_by not in names:
                names[d.decided_by] = (
                    contact_repo.handler_name(session=session, user_id=d.decided_by)
                    or f"user {d.decided_by}"
                )
    return [
        DecisionView(
            d.id,
            d.left_contact_id,
            d.right_contact_id,
            d.same_person,
            d.reason,
            names[d.decided_by],
            d.decided_at,
        )
        for d in reversed(touching)
    ]
