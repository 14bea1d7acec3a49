"""People and places: neighbourhoods, addresses, residents recorded as messily as real
records are, a ground-truth person kept aside, and repeat and vulnerable callers."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

import numpy as np
import pytest

from watchhouse.synth import population as population_module
from watchhouse.synth.names import NICKNAMES
from watchhouse.synth.population import build_population
from watchhouse.synth.profile import load_profile

if TYPE_CHECKING:
    from tests.synth.conftest import Generated

pytestmark = pytest.mark.unit

POSTCODE = re.compile(r"^[A-Z]{1,2}\d{1,2} ?\d[A-Z]{2}$")
WEEK = 7 * 86400.0


class Callers:
    """For each contact with a known caller: its row in contacts, the true person (0-based
    index into the population) and when it was presented."""

    def __init__(self, force: Generated) -> None:
        row = {c: i for i, c in enumerate(force.col("contacts", "id").tolist())}
        contact_ids = force.col("synthetic_ground_truth", "contact_id")
        self.row = np.array([row[c] for c in contact_ids.tolist()], dtype=np.int64)
        self.person = force.col("synthetic_ground_truth", "true_person_id") - 1
        self.presented = force.seconds("contacts", "presented_at")[self.row]
        self.answered = ~force.col("contacts", "abandoned")[self.row]


@pytest.fixture(scope="module")
def callers(main_force: Generated) -> Callers:
    return Callers(main_force)


# --- ground truth ----------------------------------------------------------------------------


def test_ground_truth_covers_every_contact_with_a_person(
    main_force: Generated, callers: Callers
) -> None:
    contact_ids = main_force.col("contacts", "id")
    person_ids = main_force.col("contacts", "person_id")
    with_person = set(contact_ids[~np.isnan(person_ids)].tolist())
    truth = set(main_force.col("synthetic_ground_truth", "contact_id").tolist())
    assert with_person <= truth
    assert truth <= set(contact_ids.tolist())
    # Every answered contact from a known caller was linked to a person record.
    assert not np.isnan(person_ids[callers.row[callers.answered]]).any()
    # The rest are anonymous: about a quarter of contacts, as the profile says.
    anonymous = 1 - len(truth) / len(contact_ids)
    assert abs(anonymous - main_force.force.profile.anonymous_contact_share) < 0.03
    assert ((callers.person >= 0) & (callers.person < main_force.force.population.size)).all()


def test_a_person_record_never_mixes_two_true_people(
    main_force: Generated, callers: Callers
) -> None:
    records = main_force.col("contacts", "person_id")[callers.row]
    true_of_record: dict[int, set[int]] = defaultdict(set)
    records_of_person: dict[int, set[int]] = defaultdict(set)
    for record, person in zip(records.tolist(), callers.person.tolist(), strict=True):
        if not np.isnan(record):
            true_of_record[int(record)].add(person)
            records_of_person[person].add(int(record))
    assert all(len(people) == 1 for people in true_of_record.values())
    # Some people were recorded twice (the duplicate records a matcher must find), not many.
    duplicated = sum(len(r) > 1 for r in records_of_person.values()) / len(records_of_person)
    assert 0.002 < duplicated < 0.05
    assert set(true_of_record) == set(main_force.col("people", "id").tolist())


# --- repeat and vulnerable callers -----------------------------------------------------------


def test_calls_per_person_are_heavy_tailed(callers: Callers) -> None:
    first_quarter = callers.presented < datetime(2024, 4, 1, tzinfo=UTC).timestamp()
    _, per_person = np.unique(callers.person[first_quarter], return_counts=True)
    assert np.mean(per_person == 1) > 0.5  # most callers call once
    assert (per_person >= 10).sum() >= 5  # a few call ten times or more in three months
    busiest = np.sort(per_person)[::-1][: len(per_person) // 100]
    assert busiest.sum() / per_person.sum() > 0.05


def _repeat_share(callers: Callers, calls: int, days: float) -> float:
    """Share of known callers' contacts that are their `calls`-th or later within `days`."""
    flagged = 0
    order = np.lexsort((callers.presented, callers.person))
    person, presented = callers.person[order], callers.presented[order]
    starts = np.flatnonzero(np.r_[True, person[1:] != person[:-1]])
    for lo, hi in zip(starts.tolist(), [*starts[1:].tolist(), len(person)], strict=True):
        times = presented[lo:hi]
        earlier = np.searchsorted(times, times - days * 86400, side="right")
        flagged += int(np.sum(np.arange(len(times)) - earlier + 1 >= calls))
    return flagged / len(person)


def test_some_callers_meet_the_repeat_caller_rule(callers: Callers) -> None:
    # More than three calls within seven days: a small but real share of contacts (0.5% to
    # 1% across seeds; a force without a heavy tail of callers has almost none).
    weekly = _repeat_share(callers, 4, 7)
    assert 0.002 < weekly < 0.05, weekly
    monthly = _repeat_share(callers, 6, 30)
    assert 0.005 < monthly < 0.15, monthly


def test_vulnerable_people_call_more_often(main_force: Generated, callers: Callers) -> None:
    population = main_force.force.population
    calls = np.bincount(callers.person, minlength=population.size)
    mental_health = population.person_mental_health
    assert calls[mental_health].mean() > 2 * calls[~mental_health].mean()


def test_the_frequent_callers_share_does_not_depend_on_scale() -> None:
    """The group of very frequent callers scales with the force, so at 2% it still makes about
    the same share of calls as in the full force (not most of them)."""
    profile = load_profile("default")
    shares = []
    for scale in (0.02, 0.2):
        population = build_population(profile, scale=scale, seed=3)
        weight = np.diff(np.r_[0.0, population.caller_cdf])
        # Ordinary callers' propensity is lognormal with median 1: the median sets the unit.
        unit = np.median(weight[weight > 0])
        frequent = weight / unit > 0.8 * profile.frequent_caller_weight
        assert frequent.sum() >= profile.frequent_callers * scale
        shares.append(weight[frequent].sum())
    # About 3% of calls in the full force (250 people of 1.1 million).
    assert all(0.015 < s < 0.06 for s in shares), shares
    assert abs(shares[0] - shares[1]) < 0.015, shares


# --- messiness -------------------------------------------------------------------------------


def test_names_are_mostly_right_with_nicknames_typos_and_gaps(
    main_force: Generated, callers: Callers
) -> None:
    population = main_force.force.population
    answered = callers.row[callers.answered]
    person = callers.person[callers.answered]
    given = main_force.col("contacts", "caller_given_name")[answered]
    true_given = population.person_given[person]
    differs = given != true_given
    assert 0.05 < differs.mean() < 0.25  # most are right
    nicknames = np.array([g == NICKNAMES.get(t) for g, t in zip(given, true_given, strict=True)])
    missing = np.array([g is None for g in given])
    typos = differs & ~nicknames & ~missing
    assert nicknames.mean() > 0.02
    assert 0.02 < missing.mean() < 0.07
    assert typos.mean() > 0.01
    family = main_force.col("contacts", "caller_family_name")[answered]
    assert 0.01 < np.mean(family != population.person_family[person]) < 0.06


def test_dates_of_birth_are_often_missing_and_sometimes_swapped(
    main_force: Generated, callers: Callers
) -> None:
    population = main_force.force.population
    answered = callers.row[callers.answered]
    recorded = main_force.col("contacts", "caller_date_of_birth")[answered]
    true = population.person_dob[callers.person[callers.answered]].astype(object)
    missing = np.array([d is None for d in recorded])
    assert abs(missing.mean() - main_force.force.profile.messiness["date_of_birth_missing"]) < 0.04
    right = np.array([r == t for r, t in zip(recorded[~missing], true[~missing], strict=True)])
    assert 0.97 < right.mean() < 1.0  # day and month swapped now and then


def test_telephone_numbers_come_in_several_formats(main_force: Generated) -> None:
    given = [t for t in main_force.col("contacts", "caller_telephone").tolist() if t]
    international = np.mean([t.startswith("+44 ") for t in given])
    spaced = np.mean([t.startswith("0") and " " in t for t in given])
    run_together = np.mean([re.fullmatch(r"0\d{10}", t) is not None for t in given])
    assert abs(international - 0.25) < 0.04
    assert spaced > 0.3
    assert run_together > 0.15
    assert international + spaced + run_together == pytest.approx(1.0)
    # The store keeps one canonical form.
    stored = main_force.col("telephone_numbers", "number")
    assert all(re.fullmatch(r"\+44\d{10}", n) for n in stored)
    assert len(set(stored.tolist())) == len(stored)


def test_household_members_share_a_landline(main_force: Generated, callers: Callers) -> None:
    population = main_force.force.population
    records = main_force.col("contacts", "person_id")[callers.row]
    true_of_record = {
        int(r): p
        for r, p in zip(records.tolist(), callers.person.tolist(), strict=True)
        if not np.isnan(r)
    }
    people_on_number: dict[int, set[int]] = defaultdict(set)
    for record, number in zip(
        main_force.col("person_telephones", "person_id").tolist(),
        main_force.col("person_telephones", "telephone_number_id").tolist(),
        strict=True,
    ):
        people_on_number[number].add(true_of_record[record])
    shared = [people for people in people_on_number.values() if len(people) > 1]
    assert len(shared) >= 10
    households = population.person_household
    assert all(len({households[p] for p in people}) == 1 for people in shared)


def test_no_two_households_share_a_number_by_chance() -> None:
    population = build_population(load_profile("default"), scale=0.2, seed=5)
    landlines = population.household_landline[population.household_landline != ""]
    assert len(landlines) > 20_000
    assert len(set(landlines.tolist())) == len(landlines)
    mobiles = population.person_mobile[population.person_mobile != ""]
    assert len(set(mobiles.tolist())) == len(mobiles)


def test_postcodes_are_uk_shaped_and_sometimes_missing(main_force: Generated) -> None:
    recorded = main_force.col("contacts", "caller_postcode")
    recorded = recorded[main_force.col("contacts", "caller_family_name") != None]  # noqa: E711
    present = [p for p in recorded.tolist() if p]
    assert all(POSTCODE.match(p) for p in present)
    assert 0.25 < 1 - len(present) / len(recorded) < 0.35
    assert 0.2 < np.mean([" " not in p for p in present]) < 0.3
    stored = [p for p in main_force.col("locations", "postcode").tolist() if p]
    assert stored and all(POSTCODE.match(p) and " " in p for p in stored)


# --- places ----------------------------------------------------------------------------------


def test_neighbourhoods_mix_urban_and_rural(main_force: Generated) -> None:
    profile = main_force.force.profile
    population = main_force.force.population
    settlements = main_force.col("neighbourhoods", "settlement")
    assert len(settlements) == profile.neighbourhoods
    assert {"urban", "rural"} == set(settlements.tolist())
    urban_households = population.neighbourhood_urban[population.household_neighbourhood]
    assert abs(urban_households.mean() - profile.urban_share) < 0.05
    locations = main_force.col("locations", "settlement")
    assert 0.6 < np.mean(locations == "urban") < 0.9


def test_population_size_and_ages(main_force: Generated) -> None:
    force = main_force.force
    population = force.population
    assert population.size == round(force.profile.population * force.scale)
    ages = population.age_on(np.arange(population.size), force.start)
    assert ages.max() <= 96
    assert 0.15 < np.mean(ages < 18) < 0.35
    # Callers are adults: 16 or over on 1 January 2025, the date ages are drawn against.
    callers = np.unique(main_force.col("synthetic_ground_truth", "true_person_id") - 1)
    assert population.age_on(callers, date(2025, 1, 1)).min() >= 16
    assert np.mean(population.person_mobile != "") > 0.7


def test_landlines_stay_distinct_when_households_outnumber_the_drama_range():
    """Above a million households (about scale 2.1) no two households share a landline."""
    profile = load_profile("default")
    scale = (
        1.05 * population_module.LANDLINE_SPACE * profile.people_per_household / profile.population
    )
    population = build_population(profile, scale=scale, seed=3)
    numbers = population.household_landline[population.household_landline != ""]
    assert population.households > population_module.LANDLINE_SPACE
    assert len(numbers) == len(set(numbers.tolist()))
    assert all(len(n) == 11 for n in numbers[:1000].tolist())
