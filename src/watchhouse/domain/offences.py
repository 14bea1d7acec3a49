"""The offence classification: crime types, each in a group (Home Office groups by default)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Offence:
    """One crime type a crime can be recorded as."""

    code: str
    name: str
    group: str


@dataclass(frozen=True)
class OffenceList:
    """A force's offence classification, in the order screens list it."""

    code: str
    name: str
    offences: tuple[Offence, ...]

    def find(self, code: str) -> Offence | None:
        """The offence with this code, or None."""
        for offence in self.offences:
            if offence.code == code:
                return offence
        return None

    def groups(self) -> tuple[str, ...]:
        """The groups, each once, in list order."""
        return tuple(dict.fromkeys(o.group for o in self.offences))
