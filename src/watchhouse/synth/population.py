"""People and places of the synthetic force: neighbourhoods, households, residents, phones."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from watchhouse.synth.names import FAMILY, GIVEN_FEMALE, GIVEN_MALE, STREETS
from watchhouse.synth.profile import SynthProfile

NEIGHBOURHOOD_NAMES = [
    "Central",
    "Riverside",
    "Northfield",
    "Southgate",
    "Eastbrook",
    "Westmoor",
    "Hillside",
    "Parkview",
    "Old Town",
    "Harbour",
    "Castle Hill",
    "St Anne's",
    "Brookfield",
    "Kingsmead",
    "Fairfield",
    "Millbank",
    "Ashton",
    "Bramley",
    "Oakwood",
    "Elmwood",
    "Greenbank",
    "Redhill",
    "Stonebridge",
    "Waterside",
    "Highfield",
    "Lowmoor",
    "Newlands",
    "Marsh Vale",
    "High Moor",
    "Fenwick",
    "Ditton",
    "Hollowell",
    "Kirkby Dale",
    "Thornton",
    "Coldwater",
    "Ravensby",
    "Ashby Fields",
    "Wolds End",
    "Crossmoor",
    "Lynford",
    "Birchley",
    "Heathcote",
    "Sandholme",
    "Morwick",
    "Langdale",
]
HOTSPOT_KINDS = [
    "outside the supermarket",
    "town centre car park",
    "bus station",
    "railway station",
    "retail park",
    "nightclub",
    "pub",
    "park",
    "school gates",
    "shopping centre",
    "petrol station",
    "takeaway",
    "hospital A&E",
    "sports ground",
    "canal towpath",
    "market square",
]


@dataclass(frozen=True)
class Population:
    """Columnar arrays describing everyone and everywhere in the force area."""

    neighbourhood_code: np.ndarray
    neighbourhood_name: np.ndarray
    neighbourhood_urban: np.ndarray
    household_neighbourhood: np.ndarray
    household_postcode: np.ndarray
    household_address: np.ndarray
    household_landline: np.ndarray
    person_household: np.ndarray
    person_given: np.ndarray
    person_family: np.ndarray
    person_dob: np.ndarray
    person_mobile: np.ndarray
    person_mental_health: np.ndarray
    person_duplicate_record: np.ndarray
    caller_cdf: np.ndarray
    hotspot_neighbourhood: np.ndarray
    hotspot_description: np.ndarray

    @property
    def size(self) -> int:
        """Number of residents."""
        return len(self.person_household)

    @property
    def households(self) -> int:
        """Number of households."""
        return len(self.household_neighbourhood)

    def age_on(self, people: np.ndarray, day: date) -> np.ndarray:
        """Ages in whole years on a day."""
        days: np.ndarray = (np.datetime64(day, "D") - self.person_dob[people]).astype(np.int64)
        return days // 365


LANDLINE_SPACE = 10**6


def _digits(
    rng: np.random.Generator, count: int, prefix: str, width: int, below: int | None = None
) -> np.ndarray:
    """Distinct numbers (while there are enough), so nobody shares a number by chance."""
    space = below or 10**width
    numbers = rng.choice(space, size=count, replace=count > space)
    return np.array([f"{prefix}{n:0{width}d}" for n in numbers.tolist()], dtype=object)


def build_population(profile: SynthProfile, *, scale: float, seed: int) -> Population:
    """Draw the force's residents and places; the same seed gives the same population."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 1]))
    people = max(50, round(profile.population * scale))
    n_hoods = min(profile.neighbourhoods, len(NEIGHBOURHOOD_NAMES))
    n_urban = max(1, min(n_hoods - 1, round(n_hoods * 0.6)))
    urban = np.arange(n_hoods) < n_urban
    weight = np.where(
        urban, profile.urban_share / n_urban, (1 - profile.urban_share) / (n_hoods - n_urban)
    )
    weight = weight * rng.uniform(0.7, 1.3, n_hoods)
    weight = weight / weight.sum()
    codes = np.array(
        [name.lower().replace(" ", "_").replace("'", "") for name in NEIGHBOURHOOD_NAMES[:n_hoods]],
        dtype=object,
    )
    households = max(20, round(people / profile.people_per_household))
    hh_hood = rng.choice(n_hoods, size=households, p=weight)
    sector = rng.integers(1, 10, households)
    unit = rng.integers(0, 26 * 26, households)
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    postcodes = np.array(
        [
            f"WH{h + 1} {s}{letters[u % 20]}{letters[(u // 20) % 20]}"
            for h, s, u in zip(hh_hood.tolist(), sector.tolist(), unit.tolist(), strict=True)
        ],
        dtype=object,
    )
    street = rng.integers(0, len(STREETS), households)
    house = rng.integers(1, 240, households)
    addresses = np.array(
        [f"{n} {STREETS[s]}" for n, s in zip(house.tolist(), street.tolist(), strict=True)],
        dtype=object,
    )
    # Ofcom's drama area 01632 has a million six-digit numbers; a bigger force (above about
    # scale 2.1) takes seven-digit numbers after 0163 so no two households share one.
    if households <= LANDLINE_SPACE:
        landline = _digits(rng, households, "01632", 6)
    else:
        landline = _digits(rng, households, "0163", 7)
    landline[rng.random(households) >= profile.landline_share] = ""
    household = rng.integers(0, households, people)
    household_family = rng.integers(0, len(FAMILY), households)
    own_family = rng.integers(0, len(FAMILY), people)
    family_index = np.where(rng.random(people) < 0.8, household_family[household], own_family)
    family = np.array(FAMILY, dtype=object)[family_index]
    female = rng.random(people) < 0.51
    given = np.where(
        female,
        np.array(GIVEN_FEMALE, dtype=object)[rng.integers(0, len(GIVEN_FEMALE), people)],
        np.array(GIVEN_MALE, dtype=object)[rng.integers(0, len(GIVEN_MALE), people)],
    )
    age_days = (rng.beta(1.3, 1.9, people) * 95 * 365.25).astype(np.int64)
    dob = np.datetime64("2025-01-01", "D") - age_days
    # Residents' mobiles never start 079: that range is kept for callers from outside.
    mobile = _digits(rng, people, "07", 9, below=9 * 10**8)
    mobile[(rng.random(people) >= profile.mobile_share) | (age_days < 11 * 365)] = ""
    adult = age_days >= 16 * 365
    propensity = np.where(
        (rng.random(people) < profile.caller_share) & adult,
        rng.lognormal(0.0, profile.caller_tail, people),
        0.0,
    )
    mental_health = rng.random(people) < profile.vulnerable_mental_health_share
    propensity = np.where(mental_health & adult, propensity * 3 + 0.5, propensity)
    frequent = rng.choice(
        np.flatnonzero(adult),
        size=min(round(profile.frequent_callers * scale), int(adult.sum())),
        replace=False,
    )
    propensity[frequent] = propensity[frequent] + profile.frequent_caller_weight
    cdf = np.cumsum(propensity)
    cdf = cdf / cdf[-1]
    n_hot = max(5, round(profile.hotspot_locations * min(1.0, scale * 4)))
    hot_hood = rng.choice(n_hoods, size=n_hot, p=weight)
    hot_kind = rng.integers(0, len(HOTSPOT_KINDS), n_hot)
    hot_street = rng.integers(0, len(STREETS), n_hot)
    hotspots = np.array(
        [
            f"{HOTSPOT_KINDS[k].capitalize()}, {STREETS[s]}"
            for k, s in zip(hot_kind.tolist(), hot_street.tolist(), strict=True)
        ],
        dtype=object,
    )
    return Population(
        neighbourhood_code=codes,
        neighbourhood_name=np.array(NEIGHBOURHOOD_NAMES[:n_hoods], dtype=object),
        neighbourhood_urban=urban,
        household_neighbourhood=hh_hood,
        household_postcode=postcodes,
        household_address=addresses,
        household_landline=landline,
        person_household=household,
        person_given=given,
        person_family=family,
        person_dob=dob,
        person_mobile=mobile,
        person_mental_health=mental_health,
        person_duplicate_record=rng.random(people) < profile.duplicate_person_record_share,
        caller_cdf=cdf,
        hotspot_neighbourhood=hot_hood,
        hotspot_description=hotspots,
    )
