"""The daily repeat-contact batch: everyone who crossed a threshold on a day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from watchhouse.db.repositories import repeats
from watchhouse.domain.access import Operation
from watchhouse.domain.repeats import RepeatBasis, RepeatRule
from watchhouse.domain.roles import Actor
from watchhouse.services.access import log_access
from watchhouse.services.context import AppContext


@dataclass(frozen=True)
class RepeatCrossing:
    """A person, number or address over at least one threshold at the end of the day."""

    basis: RepeatBasis
    key: int | str
    last_contact: datetime
    crossed: tuple[tuple[RepeatRule, int], ...]


def daily_repeats(ctx: AppContext, *, actor: Actor, day: date) -> list[RepeatCrossing]:
    """Everyone with a contact on the (local) day who is over a threshold at its end.

    Listing people is a consultation of personal data and is logged once for the batch.
    """
    policy = ctx.policy.repeat_contacts
    rules = policy.domain_rules()
    zone = ZoneInfo(ctx.policy.force.timezone)
    day_start = datetime.combine(day, time(), zone)
    day_end = datetime.combine(day + timedelta(days=1), time(), zone)
    found: list[RepeatCrossing] = []
    with ctx.db.transaction() as session:
        for basis in RepeatBasis:
            for count in repeats.repeat_counts(
                session=session,
                basis=basis,
                day_start=day_start,
                day_end=day_end,
                windows=[rule.within for rule in rules],
                channels=policy.channels,
                include_abandoned=policy.count_abandoned,
            ):
                crossed = tuple(
                    (rule, n)
                    for rule, n in zip(rules, count.counts, strict=True)
                    if n > rule.more_than
                )
                if crossed:
                    found.append(RepeatCrossing(basis, count.key, count.last_contact, crossed))
        log_access(
            ctx,
            session=session,
            actor=actor,
            operation=Operation.CONSULTATION,
            record_type="repeat_batch",
            record_id=day.isoformat(),
            justification=f"daily repeat-contact batch for {day.isoformat()}",
        )
    return sorted(found, key=lambda c: (c.basis.value, str(c.key)))
