"""The catalogue of measures: every measure's definition, looked up by key (pure: no I/O)."""

from __future__ import annotations

from functools import cache

from watchhouse.analytics.measures import (
    attendance,
    audits,
    casework,
    contact,
    domestic_abuse,
    investigations,
    police_uk,
    proactive,
    quality,
)
from watchhouse.analytics.model import (
    Cut,
    Kind,
    MeasureDefinition,
    MeasureSpec,
    MeasureValue,
    Period,
    Target,
    Unit,
    target_status,
)

__all__ = [
    "GROUPS",
    "PEEL_AREAS",
    "Cut",
    "Kind",
    "MeasureDefinition",
    "MeasureValue",
    "Period",
    "Target",
    "Unit",
    "UnknownMeasure",
    "catalogue",
    "definition",
    "spec",
    "specs",
    "target_status",
]

GROUPS = (
    "Contact",
    "First contact quality",
    "Attendance",
    "Domestic abuse",
    "Investigations and outcomes",
    "Proactive policing",
    "Quality audits",
    police_uk.GROUP,
)

PEEL_AREAS = {
    "service_to_victims_of_crime": "Service to victims of crime",
    "police_powers_and_treating_the_public_fairly": "Police powers and treating the public fairly",
    "preventing_and_deterring_crime": "Preventing and deterring crime",
    "responding_to_the_public": "Responding to the public",
    "investigating_crime": "Investigating crime",
    "protecting_vulnerable_people": "Protecting vulnerable people",
    "managing_offenders_and_suspects": "Managing offenders and suspects",
    "building_the_workforce": "Building the workforce",
    "leadership_and_force_management": "Leadership and force management",
}


class UnknownMeasure(KeyError):
    """A measure key that is not in the catalogue."""

    def __str__(self) -> str:
        """Name the key and where to find the known ones."""
        return f"no measure {self.args[0]!r} (see `watchhouse measures --list`)"


@cache
def specs() -> tuple[MeasureSpec, ...]:
    """Every measure with how it is computed, in catalogue order."""
    found = (
        *contact.MEASURES,
        *quality.MEASURES,
        *attendance.MEASURES,
        *domestic_abuse.MEASURES,
        *investigations.MEASURES,
        *casework.MEASURES,
        *proactive.MEASURES,
        *audits.MEASURES,
        *police_uk.MEASURES,
    )
    keys = [s.key for s in found]
    if len(keys) != len(set(keys)):
        raise RuntimeError("measure keys must be unique")
    return found


def catalogue() -> tuple[MeasureDefinition, ...]:
    """Every measure's definition, in catalogue order."""
    return tuple(s.definition for s in specs())


def spec(key: str) -> MeasureSpec:
    """One measure's specification, or UnknownMeasure."""
    for found in specs():
        if found.key == key:
            return found
    raise UnknownMeasure(key)


def definition(key: str) -> MeasureDefinition:
    """One measure's definition, or UnknownMeasure (a KeyError) naming the key."""
    return spec(key).definition
