"""Contacts of one period: arrivals, the queue, who called, and how their details were taken."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from watchhouse.synth.arrivals import DemandShape, arrival_times
from watchhouse.synth.names import NICKNAMES, format_mobile, typo
from watchhouse.synth.population import Population
from watchhouse.synth.profile import SynthProfile
from watchhouse.synth.queueing import QueueState, planned_handlers, simulate

CHANNELS = ("999", "101", "live_chat", "online_report", "social_media", "walk_in")
NO_CALLER_ID = ("online_report", "social_media", "walk_in")
NUMBER_NONE, NUMBER_MOBILE, NUMBER_LANDLINE, NUMBER_POOL = 0, 1, 2, 3


def stranger_pool_size(population: Population) -> int:
    """How many numbers callers from outside the population ring from (a bounded pool)."""
    return max(100, population.size // 5)


@dataclass(frozen=True)
class PeriodContacts:
    """Contacts of one period, sorted by presentation time, as parallel arrays."""

    channel: np.ndarray
    presented: np.ndarray
    answered: np.ndarray
    finished: np.ndarray
    person: np.ndarray  # true person index, -1 for none
    telephone: np.ndarray  # object: digits as dialled ('' if none)
    location_household: np.ndarray  # household index or -1
    location_hotspot: np.ndarray  # hotspot index or -1
    number_kind: np.ndarray  # NUMBER_NONE, _MOBILE (owner: person), _LANDLINE (household), _POOL
    number_owner: np.ndarray  # index of the person, household or pool slot the number belongs to

    def __len__(self) -> int:
        """Number of contacts."""
        return len(self.presented)


def _seed_sequence(rng: np.random.Generator) -> np.random.SeedSequence:
    seeds = rng.bit_generator.seed_seq
    assert isinstance(seeds, np.random.SeedSequence)
    return seeds


def simulate_period(
    profile: SynthProfile,
    population: Population,
    shape: DemandShape,
    queues: dict[str, QueueState],
    rng: np.random.Generator,
    *,
    scale: float,
    origin: float,
) -> PeriodContacts:
    """Arrivals on every channel through their queues, with callers drawn from the population.

    The queue always runs at full size (or larger, for scale above 1) and a scaled-down force
    keeps a random share of its contacts, so answer times do not depend on the scale.
    """
    queue_scale = max(scale, 1.0)
    keep_share = scale / queue_scale
    parts = []
    # Pickup times come from a stream of their own (a child of this period's seed), so adding
    # them left every other draw of the force (callers, THRIVE, crimes) as it was.
    pickup_rng = np.random.default_rng(_seed_sequence(rng).spawn(1)[0])
    for channel in CHANNELS:
        spec = profile.channels[channel]
        expected = shape.expected(spec.contacts_per_year * queue_scale, spec.annual_growth, origin)
        presented = arrival_times(rng, shape, expected)
        n = len(presented)
        handling = rng.gamma(2.0, spec.mean_handling_seconds / 2.0, n)
        patience = rng.exponential(spec.mean_patience_seconds, n)
        pickup = (
            pickup_rng.gamma(4.0, spec.mean_pickup_seconds / 4.0, n)
            if spec.mean_pickup_seconds > 0
            else None
        )
        positions = planned_handlers(
            expected,
            mean_handling=spec.mean_handling_seconds,
            occupancy=spec.occupancy,
            minimum=spec.min_handlers,
            concurrency=spec.concurrency,
        )
        outcome = simulate(
            queues[channel], presented, handling, patience, shape.starts, positions, pickup
        )
        keep = rng.random(n) < keep_share
        parts.append((channel, presented[keep], outcome.answered[keep], outcome.finished[keep]))
    channels = np.concatenate([np.full(len(p[1]), p[0], dtype=object) for p in parts])
    presented = np.concatenate([p[1] for p in parts])
    answered = np.concatenate([p[2] for p in parts])
    finished = np.concatenate([p[3] for p in parts])
    order = np.argsort(presented, kind="stable")
    channels, presented, answered, finished = (
        channels[order],
        presented[order],
        answered[order],
        finished[order],
    )
    n = len(presented)
    person = np.searchsorted(population.caller_cdf, rng.random(n), side="right")
    person = np.minimum(person, population.size - 1)
    anonymous = rng.random(n) < profile.anonymous_contact_share
    person = np.where(anonymous, -1, person)
    household = np.where(person >= 0, population.person_household[np.maximum(person, 0)], -1)
    at_home = (rng.random(n) < profile.home_location_share) & (household >= 0)
    n_hot = len(population.hotspot_description)
    hotspot_weights = 1.0 / np.arange(1, n_hot + 1) ** 0.8
    hotspot = rng.choice(n_hot, size=n, p=hotspot_weights / hotspot_weights.sum())
    location_household = np.where(at_home, household, -1)
    location_hotspot = np.where(at_home, -1, hotspot)
    mobile = population.person_mobile[np.maximum(person, 0)]
    landline = population.household_landline[np.maximum(household, 0)]
    use_landline = (rng.random(n) < 0.3) & (landline != "")
    number = np.where(use_landline | (mobile == ""), landline, mobile)
    withheld = rng.random(n) < profile.messiness["telephone_withheld"]
    no_number = np.isin(channels, NO_CALLER_ID) & (rng.random(n) < 0.5)
    stranger = person < 0
    # Callers not in the population (visitors, passers-by) come from a bounded pool of
    # numbers, so the set of known numbers, and memory, stay bounded however long the run.
    pool_index = rng.integers(0, stranger_pool_size(population), n)
    stranger_number = np.array([f"079{v:08d}" for v in pool_index.tolist()], dtype=object)
    from_landline = use_landline | (mobile == "")
    number = np.where(stranger, stranger_number, number)
    number = np.where(withheld | no_number, "", number)
    kind = np.where(stranger, NUMBER_POOL, np.where(from_landline, NUMBER_LANDLINE, NUMBER_MOBILE))
    kind = np.where(number == "", NUMBER_NONE, kind)
    owner = np.where(stranger, pool_index, np.where(from_landline, household, person))
    return PeriodContacts(
        channels,
        presented,
        answered,
        finished,
        person,
        number,
        location_household,
        location_hotspot,
        kind,
        owner,
    )


@dataclass(frozen=True)
class CallerAsRecorded:
    """The caller's details as a handler wrote them down, imperfections included."""

    given: list[str | None]
    family: list[str | None]
    dob: np.ndarray  # datetime64[D], NaT when not recorded
    telephone: list[str | None]
    postcode: list[str | None]


def record_callers(
    profile: SynthProfile,
    population: Population,
    contacts: PeriodContacts,
    rng: np.random.Generator,
) -> CallerAsRecorded:
    """Write down each caller's name, date of birth, number and postcode as a handler might."""
    m = profile.messiness
    n = len(contacts)
    draws = rng.random((n, 10))
    given: list[str | None] = []
    family: list[str | None] = []
    telephone: list[str | None] = []
    postcode: list[str | None] = []
    person = contacts.person.tolist()
    numbers = contacts.telephone.tolist()
    answered = ~np.isnan(contacts.answered)
    households = population.person_household
    for i in range(n):
        p = person[i]
        d = draws[i]
        if p < 0 or not answered[i]:
            given.append(None)
            family.append(None)
            postcode.append(None)
        else:
            g = str(population.person_given[p])
            if d[0] < m["nickname"] and g in NICKNAMES:
                g = NICKNAMES[g]
            elif d[1] < m["given_name_typo"]:
                g = typo(g, rng)
            given.append(None if d[2] < m["given_name_missing"] else g)
            f = str(population.person_family[p])
            family.append(typo(f, rng) if d[3] < m["family_name_typo"] else f)
            if d[4] < m["postcode_missing"]:
                postcode.append(None)
            else:
                pc = str(population.household_postcode[households[p]])
                postcode.append(pc.replace(" ", "") if d[5] < m["postcode_no_space"] else pc)
        raw = numbers[i]
        if not raw:
            telephone.append(None)
        else:
            style = (
                2
                if d[6] < m["telephone_international_format"]
                else (1 if d[7] < m["telephone_no_spaces"] else 0)
            )
            telephone.append(format_mobile(raw, style))
    dob = population.person_dob[np.maximum(contacts.person, 0)].copy()
    missing = (contacts.person < 0) | ~answered | (draws[:, 8] < m["date_of_birth_missing"])
    swapped = draws[:, 9] < m["date_of_birth_swapped"]
    if swapped.any():
        years = dob[swapped].astype("datetime64[Y]")
        months = (dob[swapped].astype("datetime64[M]") - years).astype(np.int64) + 1
        days = (dob[swapped] - dob[swapped].astype("datetime64[M]")).astype(np.int64) + 1
        ok = days <= 12
        swapped_dates = dob[swapped].copy()
        swapped_dates[ok] = (years[ok] + (days[ok] - 1).astype("timedelta64[M]")).astype(
            "datetime64[D]"
        ) + (months[ok] - 1).astype("timedelta64[D]")
        dob[swapped] = swapped_dates
    dob[missing] = np.datetime64("NaT")
    return CallerAsRecorded(given, family, dob, telephone, postcode)
