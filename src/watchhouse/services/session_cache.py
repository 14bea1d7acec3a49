"""A server process's short memory of the sessions it looked up (issue 16, Load).

Every request looked its token's session up in the database: a thread hop and a round trip,
about a tenth of a contact write's CPU. A live session found is remembered for a few seconds
(`Settings.session_cache_seconds`), never past its own expiry. What ends or changes a session
(signing out, a revoked token, a deactivated account, a new role or password) must not wait
for that: such a change empties this process's memory at once and touches a marker file in
the data directory, and every process that sees the marker changed (one `stat` a request)
forgets all it remembered. So on one machine a change is honoured at the next request; a
process on another machine, or with another data directory, honours it within
`session_cache_seconds`. Only live sessions are remembered: an unknown, expired or revoked
token is looked up every time, as before.
"""

from __future__ import annotations

import os
import time
from datetime import datetime
from pathlib import Path
from typing import Generic, TypeVar

MARKER_NAME = "sessions-changed"
MOST_REMEMBERED = 10_000  # a process never holds more; past it, it starts again empty

Remembered = TypeVar("Remembered")
Marker = tuple[int, int] | None


def marker_path(data_dir: Path) -> Path:
    """The file whose change tells every process on this machine to forget its sessions."""
    return data_dir / MARKER_NAME


def read_marker(path: Path) -> Marker:
    """The marker's state (None when there is none yet)."""
    try:
        found = os.stat(path)
    except OSError:
        return None
    return (found.st_mtime_ns, found.st_ino)


def touch_marker(path: Path) -> None:
    """Change the marker, so other processes on this machine forget their sessions. A data
    directory that cannot be written leaves only the time bound."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        before = read_marker(path)
        # Never the time it had: some file systems keep coarse times.
        moment = max(time.time_ns(), (before[0] + 1) if before else 0)
        path.touch()
        os.utime(path, ns=(moment, moment))
    except OSError:
        return


class SessionCache(Generic[Remembered]):
    """Live sessions by token digest, each until a moment, for one process."""

    def __init__(self) -> None:
        """Start empty."""
        self._entries: dict[str, tuple[Remembered, datetime]] = {}
        self._marker: Marker = None
        self._generation = 0

    def stamp(self, marker: Marker) -> tuple[Marker, int]:
        """Bring the memory up to the marker's state (forgetting all if it changed) and say
        which state a look-up starting now belongs to."""
        if marker != self._marker:
            self._entries.clear()
            self._marker = marker
            self._generation += 1
        return (self._marker, self._generation)

    def recall(self, digest: str, *, now: datetime, marker: Marker) -> Remembered | None:
        """The session remembered for a token, if still fresh and nothing changed since."""
        self.stamp(marker)
        found = self._entries.get(digest)
        if found is None:
            return None
        if now >= found[1]:
            self._entries.pop(digest, None)
            return None
        return found[0]

    def remember(
        self,
        digest: str,
        value: Remembered,
        *,
        until: datetime,
        stamp: tuple[Marker, int],
    ) -> None:
        """Keep a live session until a moment, if nothing changed since `stamp` was taken
        (before it was looked up)."""
        if stamp != (self._marker, self._generation):
            return
        if len(self._entries) >= MOST_REMEMBERED:
            self._entries.clear()
        self._entries[digest] = (value, until)

    def forget_all(self) -> None:
        """Forget every session (a session ended or changed in this process)."""
        self._entries.clear()
        self._generation += 1
