"""Queueing formulas for control-room staffing: Erlang B, Erlang C, Erlang A (M/M/n+M), live-chat
concurrency and shrinkage, vectorised over intervals with numpy.

Conventions. ``load`` is the offered traffic in Erlangs (arrival rate x mean handling time);
``handlers`` are agents on the phones (integers); times are seconds. Every function takes
scalars or arrays and broadcasts them, so one call covers thousands of intervals.

Stability. Erlang B is computed by its recursion ``B(k) = A B(k-1) / (k + A B(k-1))``, whose
values stay in [0, 1] (no factorials, no overflow at hundreds of handlers). Erlang C has no
steady state when handlers <= load: there the probability of waiting is 1, the service level 0,
the average speed of answer infinite (``is_stable`` says which intervals those are). Erlang A
is always stable; it uses the Kummer function ``M(1, x+1, z)`` in log space (the regularised
incomplete gamma from scipy where that does not underflow, a summed series where it does).

Service level means the share of all offered contacts answered within the target time: for
Erlang C ``1 - P(wait) exp(-(n - A) t / AHT)`` (the usual definition, which gives the reference
values in shared/domain.md section 10); for Erlang A an abandoned contact counts as not answered.

No well-kept library offers these vectorised and stable at extreme loads (pyworkforce loops in
Python and has no Erlang A), so they are written here; bench/erlang.py compares with it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import gammainc, gammaincc, gammaln

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]

_TINY_GAMMA = 1e-280  # below this the regularised gamma is summed as a series instead
_SERIES_BLOCK = 64
_SERIES_MAX_TERMS = 5_000_000


class StaffingInputError(ValueError):
    """Inputs to a staffing formula that cannot be used, naming which and why."""


def _floats(name: str, value: ArrayLike, *, positive: bool = False) -> Floats:
    array = np.asarray(value, dtype=np.float64)
    if not np.all(np.isfinite(array)):
        raise StaffingInputError(f"{name} must be finite numbers")
    if positive and np.any(array <= 0):
        raise StaffingInputError(f"{name} must be greater than 0")
    if np.any(array < 0):
        raise StaffingInputError(f"{name} cannot be negative")
    return array


def _handlers(value: ArrayLike) -> Floats:
    array = np.asarray(value)
    if np.any(np.asarray(array, dtype=np.float64) != np.round(np.asarray(array, dtype=float))):
        raise StaffingInputError("handlers must be whole numbers")
    return _floats("handlers", array)


def _share(name: str, value: float, *, upper_open: bool = False) -> float:
    if not 0 <= value <= 1 or (upper_open and value >= 1):
        bound = "[0, 1)" if upper_open else "[0, 1]"
        raise StaffingInputError(f"{name} must be in {bound}, got {value}")
    return float(value)


def offered_load(contacts: ArrayLike, *, interval_seconds: float, aht_seconds: float) -> Floats:
    """Offered traffic in Erlangs: contacts per interval x handling time / interval length."""
    counts = _floats("contacts", contacts)
    if interval_seconds <= 0 or aht_seconds <= 0:
        raise StaffingInputError("interval_seconds and aht_seconds must be greater than 0")
    return counts * (aht_seconds / interval_seconds)


def _erlang_b_at_or_above_load(n: Floats, a: Floats) -> Floats:
    """Erlang B for n >= A > 0 in log space: Poisson(A) pmf(n) / cdf(n), with the cdf as the
    regularised upper gamma Q(n+1, A), which is at least about 1/2 here (no underflow)."""
    log_b = n * np.log(a) - a - gammaln(n + 1.0) - np.log(gammaincc(n + 1.0, a))
    blocking: Floats = np.exp(log_b)
    return blocking


def erlang_b(handlers: ArrayLike, load: ArrayLike) -> Floats:
    """Blocking probability of n handlers with no queue (Erlang B), with no factorials.

    In log space where n >= A (the staffing range); below it by the stable recursion
    B(k) = A B(k-1) / (k + A B(k-1)), whose values stay in [0, 1].
    """
    n, a = np.broadcast_arrays(_handlers(handlers), _floats("load", load))
    shape = n.shape
    n, a = n.ravel(), a.ravel()
    blocking = np.where(a > 0, 1.0, np.where(n > 0, 0.0, 1.0))
    high = (a > 0) & (n >= a)
    blocking[high] = _erlang_b_at_or_above_load(n[high], a[high])
    low = np.flatnonzero((a > 0) & (n < a))
    if low.size:
        nl, al = n[low], a[low]
        value = np.ones(low.size)
        for k in range(1, int(nl.max()) + 1):
            step = al * value
            value = np.where(k <= nl, step / (k + step), value)
        blocking[low] = value
    return blocking.reshape(shape)


def is_stable(handlers: ArrayLike, load: ArrayLike) -> NDArray[np.bool_]:
    """True where an Erlang C queue has a steady state (more handlers than Erlangs, or no load)."""
    n, a = np.broadcast_arrays(_handlers(handlers), _floats("load", load))
    stable: NDArray[np.bool_] = (n > a) | (a == 0)
    return stable


def _erlang_c_from_b(n: Floats, a: Floats, blocking: Floats) -> Floats:
    with np.errstate(divide="ignore", invalid="ignore"):
        waiting = blocking / (1.0 - (a / n) * (1.0 - blocking))
    waiting = np.where(n > a, waiting, 1.0)
    return np.where(a == 0, 0.0, waiting)


def erlang_c(handlers: ArrayLike, load: ArrayLike) -> Floats:
    """Probability that a contact waits (Erlang C); 1 where handlers <= load (no steady state)."""
    n, a = np.broadcast_arrays(_handlers(handlers), _floats("load", load))
    return _erlang_c_from_b(n, a, erlang_b(n, a))


def _service_level_c(
    n: Floats, a: Floats, waiting: Floats, aht_seconds: Floats, target_seconds: Floats
) -> Floats:
    with np.errstate(over="ignore", invalid="ignore"):
        level = 1.0 - waiting * np.exp(-(n - a) * target_seconds / aht_seconds)
    level = np.where(n > a, level, 0.0)
    return np.clip(np.where(a == 0, 1.0, level), 0.0, 1.0)


def service_level_c(
    handlers: ArrayLike, load: ArrayLike, *, aht_seconds: ArrayLike, target_seconds: ArrayLike
) -> Floats:
    """Share answered within the target (Erlang C): 1 - P(wait) e^(-(n-A) t/AHT); 0 if unstable."""
    n, a, aht, t = np.broadcast_arrays(
        _handlers(handlers),
        _floats("load", load),
        _floats("aht_seconds", aht_seconds, positive=True),
        _floats("target_seconds", target_seconds),
    )
    return _service_level_c(n, a, _erlang_c_from_b(n, a, erlang_b(n, a)), aht, t)


def average_speed_of_answer(
    handlers: ArrayLike, load: ArrayLike, *, aht_seconds: ArrayLike
) -> Floats:
    """Mean wait in seconds (Erlang C): P(wait) x AHT / (n - A); infinite where unstable."""
    n, a, aht = np.broadcast_arrays(
        _handlers(handlers),
        _floats("load", load),
        _floats("aht_seconds", aht_seconds, positive=True),
    )
    waiting = _erlang_c_from_b(n, a, erlang_b(n, a))
    with np.errstate(divide="ignore", invalid="ignore"):
        speed = waiting * aht / (n - a)
    speed = np.where(n > a, speed, np.inf)
    return np.where(a == 0, 0.0, speed)


def occupancy(handlers: ArrayLike, load: ArrayLike) -> Floats:
    """Share of handlers' time spent handling: A / n, capped at 1 (0 with no handlers)."""
    n, a = np.broadcast_arrays(_handlers(handlers), _floats("load", load))
    with np.errstate(divide="ignore", invalid="ignore"):
        busy = np.where(n > 0, a / n, 0.0)
    return np.minimum(busy, 1.0)


def required_handlers_c(
    load: ArrayLike,
    *,
    aht_seconds: ArrayLike,
    target_seconds: ArrayLike,
    service_level: float,
    max_occupancy: float = 1.0,
) -> Ints:
    """Fewest handlers giving the service level (Erlang C) and occupancy at most max_occupancy."""
    target_share = _share("service_level", service_level, upper_open=True)
    occupancy_cap = _share("max_occupancy", max_occupancy)
    if occupancy_cap == 0:
        raise StaffingInputError("max_occupancy must be greater than 0")
    a, aht, t = np.broadcast_arrays(
        _floats("load", load),
        _floats("aht_seconds", aht_seconds, positive=True),
        _floats("target_seconds", target_seconds),
    )
    shape = a.shape
    a, aht, t = a.ravel(), aht.ravel(), t.ravel()
    required = np.zeros(a.shape, dtype=np.int64)
    active = np.flatnonzero(a > 0)
    # Start at the first stable size (and the occupancy cap), then add handlers one at a time.
    n = np.maximum(np.floor(a[active]) + 1.0, np.ceil(a[active] / occupancy_cap - 1e-12))
    blocking = _erlang_b_at_or_above_load(n, a[active])
    while active.size:
        la = a[active]
        waiting = _erlang_c_from_b(n, la, blocking)
        level = _service_level_c(n, la, waiting, aht[active], t[active])
        met = level >= target_share
        required[active[met]] = n[met]
        active, n, blocking = active[~met], n[~met] + 1.0, blocking[~met]
        step = a[active] * blocking
        blocking = step / (n + step)
    return required.reshape(shape)


# --- Erlang A (M/M/n+M, exponential patience) ------------------------------------------------


def _log_kummer(x: Floats, z: Floats) -> tuple[Floats, Floats]:
    """log M(1, x+1, z) and log(M(1, x+1, z) - 1), for x > 0, z >= 0 (arrays of one shape).

    M(1, x+1, z) = 1 + sum_j z^j / ((x+1)...(x+j)) = x e^z z^-x gamma_lower(x, z).
    """
    log_m = np.zeros(x.shape)
    log_m1 = np.full(x.shape, -np.inf)
    positive = z > 0
    with np.errstate(divide="ignore", invalid="ignore", under="ignore"):
        regularised = np.where(positive, gammainc(x, np.where(positive, z, 1.0)), 0.0)
        by_gamma = positive & (regularised > _TINY_GAMMA)
        xg, zg = x[by_gamma], z[by_gamma]
        lg = zg - xg * np.log(zg) + gammaln(xg + 1.0) + np.log(regularised[by_gamma])
        lg = np.maximum(lg, 0.0)
        log_m[by_gamma] = lg
        log_m1[by_gamma] = lg + np.log(-np.expm1(-lg))
    by_series = np.flatnonzero(positive & ~by_gamma)
    if by_series.size:
        total = _kummer_tail(x[by_series], z[by_series])
        log_m[by_series] = np.log1p(total)
        log_m1[by_series] = np.log(total)
    return log_m, log_m1


def _kummer_tail(x: Floats, z: Floats) -> Floats:
    """sum_{j>=1} prod_{i<=j} z/(x+i), summed in blocks of terms in log space until negligible."""
    total = np.zeros(x.shape)
    log_term = np.zeros(x.shape)
    rows = np.arange(x.size)
    start = 0
    with np.errstate(under="ignore"):
        while rows.size:
            if start > _SERIES_MAX_TERMS:
                raise StaffingInputError(
                    "Erlang A series did not converge; check patience and load"
                )
            j = start + np.arange(1, _SERIES_BLOCK + 1, dtype=np.float64)
            xs, zs = x[rows, None], z[rows, None]
            logs = log_term[rows, None] + np.cumsum(np.log(zs) - np.log(xs + j), axis=1)
            total[rows] += np.exp(logs).sum(axis=1)
            log_term[rows] = logs[:, -1]
            start += _SERIES_BLOCK
            done = (zs[:, 0] < xs[:, 0] + start) & (logs[:, -1] < np.log(total[rows]) - 40.0)
            rows = rows[~done]
    return total


@dataclass(frozen=True, slots=True)
class ErlangAResult:
    """Erlang A measures per interval: every array has the inputs' broadcast shape."""

    waiting: Floats  # probability that a contact waits at all
    abandonment: Floats  # share of offered contacts that abandon
    service_level: Floats  # share of offered contacts answered within the target
    mean_wait_seconds: Floats  # mean time in queue over all offered contacts


def _erlang_a_core(
    n: Floats, a: Floats, blocking: Floats, aht: Floats, patience: Floats, t: Floats
) -> tuple[Floats, Floats, Floats]:
    """P(wait), P(abandon), service level for arrays of one shape (n >= 1, a > 0)."""
    x = n * patience / aht
    y = a * patience / aht
    one_minus_s = -np.expm1(-t / patience)
    log_a, log_a1 = _log_kummer(x, y)
    _, log_s1 = _log_kummer(x, y * (1.0 - one_minus_s))
    with np.errstate(divide="ignore", over="ignore", under="ignore", invalid="ignore"):
        ratio = np.exp(np.log1p(-blocking) - log_a - np.log(blocking))
        waiting = 1.0 / (1.0 + ratio)
        answered = (x / y) * np.exp(log_a1 - log_a)
        log_d = -n * t / aht + y * one_minus_s
        answered_in_time = (x / y) * (np.exp(log_a1 - log_a) - np.exp(log_d + log_s1 - log_a))
    abandonment = waiting * np.clip(1.0 - answered, 0.0, 1.0)
    level = 1.0 - waiting * (1.0 - np.clip(answered_in_time, 0.0, 1.0))
    return waiting, abandonment, np.clip(level, 0.0, 1.0)


def erlang_a(
    handlers: ArrayLike,
    load: ArrayLike,
    *,
    aht_seconds: ArrayLike,
    patience_seconds: ArrayLike,
    target_seconds: ArrayLike,
) -> ErlangAResult:
    """Erlang A (Palm's M/M/n+M): waiting, abandonment and service level, exponential patience."""
    n, a, aht, patience, t = np.broadcast_arrays(
        _handlers(handlers),
        _floats("load", load),
        _floats("aht_seconds", aht_seconds, positive=True),
        _floats("patience_seconds", patience_seconds, positive=True),
        _floats("target_seconds", target_seconds),
    )
    shape = n.shape
    n, a, aht, patience, t = (v.ravel() for v in (n, a, aht, patience, t))
    waiting = np.where(a > 0, 1.0, 0.0)
    abandonment = waiting.copy()
    level = 1.0 - waiting
    busy = (n > 0) & (a > 0)
    if busy.any():
        w, ab, sl = _erlang_a_core(
            n[busy], a[busy], erlang_b(n[busy], a[busy]), aht[busy], patience[busy], t[busy]
        )
        waiting[busy], abandonment[busy], level[busy] = w, ab, sl
    return ErlangAResult(
        waiting=waiting.reshape(shape),
        abandonment=abandonment.reshape(shape),
        service_level=level.reshape(shape),
        mean_wait_seconds=(abandonment * patience).reshape(shape),
    )


def required_handlers_a(
    load: ArrayLike,
    *,
    aht_seconds: ArrayLike,
    patience_seconds: ArrayLike,
    target_seconds: ArrayLike,
    service_level: float,
    max_abandonment: float = 1.0,
) -> Ints:
    """Fewest handlers meeting the service level and the abandonment limit (Erlang A)."""
    target_share = _share("service_level", service_level, upper_open=True)
    abandon_cap = _share("max_abandonment", max_abandonment)
    a, aht, patience, t = np.broadcast_arrays(
        _floats("load", load),
        _floats("aht_seconds", aht_seconds, positive=True),
        _floats("patience_seconds", patience_seconds, positive=True),
        _floats("target_seconds", target_seconds),
    )
    shape = a.shape
    a, aht, patience, t = a.ravel(), aht.ravel(), patience.ravel(), t.ravel()
    # Start from Erlang C's answer for the same target (usually within a few), then walk.
    n = np.maximum(
        required_handlers_c(a, aht_seconds=aht, target_seconds=t, service_level=target_share), 1
    ).astype(np.float64)
    n[a == 0] = 0
    live = np.flatnonzero(a > 0)
    blocking = np.ones(a.shape)
    blocking[live] = erlang_b(n[live], a[live])

    def meets(rows: Ints, n_rows: Floats, b_rows: Floats) -> NDArray[np.bool_]:
        _, ab, sl = _erlang_a_core(n_rows, a[rows], b_rows, aht[rows], patience[rows], t[rows])
        return (sl >= target_share) & (ab <= abandon_cap)

    ok = np.zeros(a.shape, dtype=bool)
    ok[live] = meets(live, n[live], blocking[live])
    rising = live[~ok[live]]
    while rising.size:  # too few: add one handler at a time until the targets are met
        n[rising] += 1
        step = a[rising] * blocking[rising]
        blocking[rising] = step / (n[rising] + step)
        met = meets(rising, n[rising], blocking[rising])
        rising = rising[~met]
    falling = live[ok[live] & (n[live] > 1)]
    while falling.size:  # enough: try one fewer while the targets still hold
        fewer = n[falling] - 1
        b = blocking[falling]
        lower = np.where(fewer > 0, (fewer + 1) * b / (a[falling] * (1.0 - b)), 1.0)
        lower = np.clip(lower, 0.0, 1.0)
        met = meets(falling, fewer, lower)
        keep = falling[met]
        n[keep] -= 1
        blocking[keep] = lower[met]
        falling = keep[n[keep] > 1]
    return n.astype(np.int64).reshape(shape)


# --- live chat and shrinkage -----------------------------------------------------------------


def chat_handlers(sessions: ArrayLike, *, max_concurrent_chats: int) -> Ints:
    """Handlers for live chat: concurrent sessions needed / chats one handler runs at once."""
    if max_concurrent_chats < 1:
        raise StaffingInputError("max_concurrent_chats must be at least 1")
    needed = _floats("sessions", sessions)
    return np.ceil(needed / max_concurrent_chats - 1e-9).astype(np.int64)


def required_staff(handlers: ArrayLike, *, shrinkage: float) -> Floats:
    """Staff to roster so that enough are on the phones: handlers / (1 - shrinkage)."""
    lost = _share("shrinkage", shrinkage, upper_open=True)
    return _floats("handlers", handlers) / (1.0 - lost)
