"""Staff required per interval for one channel, from its forecast and its service target."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from watchhouse.forecasting.erlang import (
    chat_handlers,
    erlang_a,
    offered_load,
    required_handlers_a,
    required_handlers_c,
    required_staff,
    service_level_c,
)

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]
Method = Literal["erlang_c", "erlang_a", "chat", "workload"]


class TargetError(ValueError):
    """A staffing target missing what its method needs."""


@dataclass(frozen=True, slots=True)
class StaffingTarget:
    """What one channel must achieve, and the handling facts the formulas need."""

    method: Method
    aht_seconds: float
    shrinkage: float
    target_seconds: float | None = None
    service_level: float | None = None
    max_abandonment: float | None = None
    patience_seconds: float | None = None
    max_concurrent_chats: int = 1
    max_occupancy: float = 1.0
    minimum_handlers: int = 0

    def describe(self) -> str:
        """The target in words, for screens and reports."""
        if self.method == "workload":
            return f"worked at {self.max_occupancy:.0%} occupancy"
        text = f"{self.service_level:.0%} answered within {self.target_seconds:g} s"
        if self.method == "erlang_a" and self.max_abandonment is not None:
            text += f", under {self.max_abandonment:.0%} abandoned"
        if self.method == "chat":
            text += f", {self.max_concurrent_chats} chats per handler"
        return text


@dataclass(frozen=True, slots=True)
class Requirement:
    """Per interval: handlers on the phones, staff to roster, and what those handlers give."""

    handlers: Ints
    staff: Floats  # handlers grossed up for shrinkage
    service_level: Floats  # NaN for workload channels (no answer target)
    abandonment: Floats
    floored: NDArray[np.bool_] | None = None  # staffed at the fewest possible

    def floor_decides(self) -> NDArray[np.bool_]:
        """Per interval: True where the fewest handlers possible are on, the policy's minimum
        staffing or else one: there a little more (or less) demand changes nothing."""
        if self.floored is None:
            return np.zeros(self.handlers.shape, dtype=bool)
        return self.floored


def _needs(target: StaffingTarget, *fields: str) -> None:
    missing = [f for f in fields if getattr(target, f) is None]
    if missing:
        raise TargetError(f"{target.method} staffing needs {', '.join(missing)}")


def requirement(
    contacts: ArrayLike, *, target: StaffingTarget, interval_minutes: int
) -> Requirement:
    """Handlers and staff each interval needs to meet the target, by the target's method."""
    load = offered_load(
        contacts, interval_seconds=interval_minutes * 60, aht_seconds=target.aht_seconds
    )
    nothing = np.zeros(load.shape)
    if target.method == "workload":
        handlers = np.ceil(load / target.max_occupancy - 1e-9).astype(np.int64)
        level, abandonment = np.full(load.shape, np.nan), nothing
    elif target.method == "erlang_c":
        _needs(target, "target_seconds", "service_level")
        assert target.target_seconds is not None and target.service_level is not None
        handlers = required_handlers_c(
            load,
            aht_seconds=target.aht_seconds,
            target_seconds=target.target_seconds,
            service_level=target.service_level,
            max_occupancy=target.max_occupancy,
        )
        handlers = np.maximum(handlers, target.minimum_handlers)
        level = service_level_c(
            handlers, load, aht_seconds=target.aht_seconds, target_seconds=target.target_seconds
        )
        abandonment = nothing
    elif target.method == "erlang_a":
        _needs(target, "target_seconds", "service_level", "patience_seconds")
        assert target.target_seconds is not None and target.service_level is not None
        assert target.patience_seconds is not None
        handlers = required_handlers_a(
            load,
            aht_seconds=target.aht_seconds,
            patience_seconds=target.patience_seconds,
            target_seconds=target.target_seconds,
            service_level=target.service_level,
            max_abandonment=1.0 if target.max_abandonment is None else target.max_abandonment,
        )
        handlers = np.maximum(handlers, target.minimum_handlers)
        result = erlang_a(
            handlers,
            load,
            aht_seconds=target.aht_seconds,
            patience_seconds=target.patience_seconds,
            target_seconds=target.target_seconds,
        )
        level, abandonment = result.service_level, result.abandonment
    else:  # chat: Erlang C for concurrent sessions, shared out by concurrency
        _needs(target, "target_seconds", "service_level")
        assert target.target_seconds is not None and target.service_level is not None
        sessions = required_handlers_c(
            load,
            aht_seconds=target.aht_seconds,
            target_seconds=target.target_seconds,
            service_level=target.service_level,
        )
        handlers = chat_handlers(sessions, max_concurrent_chats=target.max_concurrent_chats)
        handlers = np.maximum(handlers, target.minimum_handlers)
        level = service_level_c(
            handlers * target.max_concurrent_chats,
            load,
            aht_seconds=target.aht_seconds,
            target_seconds=target.target_seconds,
        )
        abandonment = nothing
    handlers = np.where(load > 0, handlers, np.minimum(handlers, target.minimum_handlers))
    return Requirement(
        handlers=handlers.astype(np.int64),
        staff=required_staff(handlers, shrinkage=target.shrinkage),
        service_level=level,
        abandonment=abandonment,
        floored=handlers <= max(target.minimum_handlers, 1),
    )


def handling_estimates(
    *,
    handling_seconds: float,
    handled: int,
    answered_wait_seconds: float,
    answered_waited: int,
    abandoned: int,
    abandoned_wait_seconds: float | None,
) -> tuple[float | None, float | None]:
    """Mean handling time and mean patience (exponential) from recent contacts' totals.

    Patience by maximum likelihood with censoring: the total time everyone spent in the queue
    (an answered caller's wait is a lower bound of their patience) over the number who
    abandoned. When the store does not say when abandoned callers hung up
    (`abandoned_wait_seconds` None), each is taken to have waited as long as the average
    answered caller who waited at all.
    """
    aht = handling_seconds / handled if handled else None
    if abandoned == 0:
        return aht, None
    if abandoned_wait_seconds is None:
        typical = answered_wait_seconds / answered_waited if answered_waited else 0.0
        abandoned_wait_seconds = abandoned * typical
    exposure = answered_wait_seconds + abandoned_wait_seconds
    return aht, (exposure / abandoned if exposure > 0 else None)
