"""Where the fewest handlers possible (the policy's minimum, or one) decide an interval, the
requirement says so: there more demand changes nothing, and the what-if says why."""

from __future__ import annotations

import numpy as np

from watchhouse.forecasting.staffing import StaffingTarget, requirement

TARGET = StaffingTarget(
    method="erlang_c",
    aht_seconds=240.0,
    shrinkage=0.3,
    target_seconds=10.0,
    service_level=0.9,
    minimum_handlers=2,
)


def test_quiet_intervals_are_decided_by_the_minimum_and_busy_ones_by_demand() -> None:
    contacts = np.array([0.0, 0.5, 1.0, 60.0, 120.0])
    need = requirement(contacts, target=TARGET, interval_minutes=15)
    assert need.handlers[:3].tolist() == [2, 2, 2]
    assert need.floor_decides().tolist() == [True, True, True, False, False]
    more = requirement(contacts * 1.08, target=TARGET, interval_minutes=15)
    assert more.handlers[:3].tolist() == need.handlers[:3].tolist()  # +8% changes nothing there


def test_without_a_minimum_one_handler_is_the_floor() -> None:
    chat = StaffingTarget(
        method="chat",
        aht_seconds=300.0,
        shrinkage=0.3,
        target_seconds=60.0,
        service_level=0.8,
        max_concurrent_chats=3,
    )
    need = requirement(np.array([0.2, 40.0]), target=chat, interval_minutes=15)
    assert need.handlers[0] == 1
    assert need.floor_decides().tolist() == [True, False]
