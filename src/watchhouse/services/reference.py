"""Reference data: neighbourhoods."""

from __future__ import annotations

from watchhouse.db.repositories import places
from watchhouse.domain.records import Neighbourhood
from watchhouse.domain.values import Settlement
from watchhouse.services.context import AppContext


def neighbourhoods(ctx: AppContext) -> list[Neighbourhood]:
    """Every neighbourhood, by name."""
    with ctx.db.transaction() as session:
        return places.neighbourhoods(session=session)


def add_neighbourhood(ctx: AppContext, *, code: str, name: str, settlement: Settlement) -> int:
    """Add a neighbourhood (or find the one with that code)."""
    with ctx.db.transaction() as session:
        return places.add_neighbourhood(
            session=session, code=code, name=name, settlement=settlement
        )
