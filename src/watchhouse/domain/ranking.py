"""Ranking areas "worst first" without putting the smallest on top by chance.

A neighbourhood with one call, missed, has a rate of 0% but says almost nothing. For a share
each area is ranked by the end of its Wilson score interval (at the policy's confidence) that
is most favourable to it: the lower the best it could plausibly be, the surer it is bad. Any
area with fewer records than the policy's minimum is ranked after the others, marked as too
few to rank.
"""

from __future__ import annotations

import math
from statistics import NormalDist


def wilson_interval(successes: float, trials: float, confidence: float) -> tuple[float, float]:
    """The Wilson score interval of a proportion (0, 1 when there are no trials)."""
    if trials <= 0:
        return 0.0, 1.0
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    p = successes / trials
    centre = (p + z * z / (2 * trials)) / (1 + z * z / trials)
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials))
    half /= 1 + z * z / trials
    return max(0.0, centre - half), min(1.0, centre + half)


def rank_value(
    *,
    value: float | None,
    numerator: float | None,
    denominator: float | None,
    higher_is_better: bool,
    is_share: bool,
    confidence: float,
) -> float | None:
    """The figure an area is ranked by, worst first when sorted ascending: a share's most
    favourable plausible value (signed so lower is worse); otherwise the value itself."""
    if value is None:
        return None
    sign = 1.0 if higher_is_better else -1.0
    if is_share and numerator is not None and denominator:
        low, high = wilson_interval(numerator, denominator, confidence)
        return sign * (high if higher_is_better else low)
    return sign * value


def too_few(denominator: float | None, minimum: int) -> bool:
    """Whether an area has too few records to be ranked among the others."""
    return denominator is not None and denominator < minimum
