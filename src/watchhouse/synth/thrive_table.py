"""Every THRIVE combination's suggested grade, computed once by the real domain rule."""

from __future__ import annotations

from functools import cache
from itertools import product

import numpy as np

from watchhouse.domain.thrive import (
    EmergencyIndicator,
    Engagement,
    Level,
    ThriveAssessment,
    suggest_grade,
)

ENGAGEMENTS = list(Engagement)


def combination_index(
    threat: np.ndarray,
    harm: np.ndarray,
    risk: np.ndarray,
    investigation: np.ndarray,
    vulnerability: np.ndarray,
    engagement: np.ndarray,
    has_indicator: np.ndarray,
) -> np.ndarray:
    """Index of each combination in the suggestion table."""
    index = threat
    for part, base in (
        (harm, 4),
        (risk, 4),
        (investigation, 4),
        (vulnerability, 4),
        (engagement, 5),
        (has_indicator.astype(np.int64), 2),
    ):
        index = index * base + part
    return np.asarray(index, dtype=np.int64)


@cache
def suggestion_table() -> tuple[np.ndarray, tuple[tuple[str, ...], ...]]:
    """Suggested grade and reasons for every combination (indicator present or not)."""
    grades, reasons = [], []
    for t, h, r, i, v, e, ind in product(
        range(4), range(4), range(4), range(4), range(4), range(5), range(2)
    ):
        indicators = frozenset({EmergencyIndicator.VIOLENCE}) if ind else frozenset()
        suggestion = suggest_grade(
            ThriveAssessment(
                Level(t), Level(h), Level(r), Level(i), Level(v), ENGAGEMENTS[e], indicators
            )
        )
        grades.append(int(suggestion.grade))
        reasons.append(suggestion.reasons)
    return np.array(grades, dtype=np.int64), tuple(reasons)
