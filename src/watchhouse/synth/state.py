"""What the generator carries from one month to the next."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from watchhouse.synth.contacts import CHANNELS
from watchhouse.synth.crime import VictimHistory
from watchhouse.synth.queueing import QueueState


@dataclass
class GeneratorState:
    """What the generator carries from one period to the next."""

    next_id: dict[str, int]
    queues: dict[str, QueueState] = field(
        default_factory=lambda: {c: QueueState() for c in CHANNELS}
    )
    # Ids already given, indexed by population position (-1: not yet). Arrays rather than
    # dictionaries, so memory is fixed at the start however long the run.
    person_record: np.ndarray = field(default_factory=lambda: _unset(0))
    duplicate_record: np.ndarray = field(default_factory=lambda: _unset(0))
    household_location: np.ndarray = field(default_factory=lambda: _unset(0))
    hotspot_location: np.ndarray = field(default_factory=lambda: _unset(0))
    mobile_number: np.ndarray = field(default_factory=lambda: _unset(0))
    landline_number: np.ndarray = field(default_factory=lambda: _unset(0))
    pool_number: np.ndarray = field(default_factory=lambda: _unset(0))
    # Whether a person record (primary 0 / duplicate 1) is linked to its mobile / landline.
    linked: np.ndarray = field(default_factory=lambda: np.zeros((0, 2, 2), dtype=bool))
    victims: VictimHistory = field(default_factory=VictimHistory)
    neighbourhood_ids: list[int] = field(default_factory=list)
    handler_ids: list[int] = field(default_factory=list)
    dispatcher_ids: list[int] = field(default_factory=list)
    officer_ids: list[int] = field(default_factory=list)

    def size_for(self, people: int, households: int, hotspots: int, pool: int) -> None:
        """Allocate the look-ups for a population of this size."""
        self.person_record = _unset(people)
        self.duplicate_record = _unset(people)
        self.household_location = _unset(households)
        self.hotspot_location = _unset(hotspots)
        self.mobile_number = _unset(people)
        self.landline_number = _unset(households)
        self.pool_number = _unset(pool)
        self.linked = np.zeros((people, 2, 2), dtype=bool)

    def take(self, table: str, count: int) -> np.ndarray:
        """Reserve `count` consecutive ids in a table."""
        first = self.next_id.get(table, 1)
        self.next_id[table] = first + count
        return np.arange(first, first + count, dtype=np.int64)


def _unset(size: int) -> np.ndarray:
    return np.full(size, -1, dtype=np.int64)
