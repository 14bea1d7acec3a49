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
    person_record: dict[int, int] = field(default_factory=dict)
    duplicate_record: dict[int, int] = field(default_factory=dict)
    household_location: dict[int, int] = field(default_factory=dict)
    hotspot_location: dict[int, int] = field(default_factory=dict)
    number_id: dict[str, int] = field(default_factory=dict)
    person_numbers: set[tuple[int, int]] = field(default_factory=set)
    victims: VictimHistory = field(default_factory=VictimHistory)
    neighbourhood_ids: list[int] = field(default_factory=list)
    handler_ids: list[int] = field(default_factory=list)
    dispatcher_ids: list[int] = field(default_factory=list)

    def take(self, table: str, count: int) -> np.ndarray:
        """Reserve `count` consecutive ids in a table."""
        first = self.next_id.get(table, 1)
        self.next_id[table] = first + count
        return np.arange(first, first + count, dtype=np.int64)
