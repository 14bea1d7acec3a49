"""What the generator carries from month to month stays bounded however long the run."""

from __future__ import annotations

from datetime import date

import pytest

from watchhouse.synth.crime import DAY
from watchhouse.synth.generator import SyntheticForce, month_starts
from watchhouse.synth.profile import load_profile

pytestmark = pytest.mark.unit

START, END = date(2023, 1, 1), date(2024, 3, 1)


def test_carried_state_holds_only_what_can_still_matter() -> None:
    force = SyntheticForce(load_profile("default"), seed=3, scale=0.02, start=START, end=END)
    people = force.population.size
    period_starts = [moment.timestamp() for moment in month_starts(START, END)[:-1]]
    ever_seen: set[int] = set()
    for started, _ in zip(period_starts, force, strict=True):
        victims = force.state.victims
        ever_seen |= victims.incidents.keys()
        # Victims are remembered for a year after their last call-out (repeat and MARAC rules).
        assert all(times[-1] > started - 365 * DAY for times in victims.incidents.values())
        assert all(times == sorted(times) for times in victims.incidents.values())
        assert all(at > started - 365 * DAY for at in victims.last_marac.values())
    assert len(force.state.victims.incidents) < len(ever_seen)
    # The look-ups are sized by the population at the start and never grow.
    assert force.state.person_record.shape == (people,)
    assert force.state.linked.shape == (people, 2, 2)
