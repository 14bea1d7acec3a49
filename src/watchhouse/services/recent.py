"""A small in-process cache of results that never change once made (a stored forecast run's
intervals, a stored plan's, a solved roster week), least recently used dropped first; shared
by the web's worker threads."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class Recent(Generic[V]):
    """At most `size` values by key; `get` counts as a use."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._found: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> V | None:
        """The value kept for the key, or None."""
        with self._lock:
            value = self._found.get(key)
            if value is not None:
                self._found.move_to_end(key)
            return value

    def put(self, key: Hashable, value: V) -> None:
        """Keep a value, dropping the least recently used beyond the size."""
        with self._lock:
            self._found[key] = value
            self._found.move_to_end(key)
            while len(self._found) > self.size:
                self._found.popitem(last=False)

    def clear(self) -> None:
        """Forget everything (tests, and a store replaced under a running process)."""
        with self._lock:
            self._found.clear()
