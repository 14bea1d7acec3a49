"""Small person-record files made for the linkage tests: people with one to three records
each, typos in names, some details missing, and (as asked) no telephone numbers or foreign
postcodes. Seeded, so every run makes the same files."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

GIVEN = [
    "amelie",
    "lucas",
    "chloe",
    "hugo",
    "lea",
    "louis",
    "manon",
    "jules",
    "camille",
    "adam",
    "ines",
    "gabriel",
    "sarah",
    "arthur",
    "emma",
    "paul",
    "jade",
    "nathan",
    "louise",
    "tom",
]
FAMILY = [
    "martin",
    "bernard",
    "dubois",
    "thomas",
    "robert",
    "richard",
    "petit",
    "durand",
    "leroy",
    "moreau",
    "simon",
    "laurent",
    "lefebvre",
    "michel",
    "garcia",
    "david",
    "bertrand",
    "roux",
    "vincent",
    "fournier",
    "morel",
    "girard",
    "andre",
    "mercier",
]
POSTCODES = [f"{n:05d}" for n in range(75001, 75021)] + ["69001", "69002", "13001", "13008"]


def _typo(rng: np.random.Generator, word: str) -> str:
    i = int(rng.integers(0, len(word)))
    return word[:i] + word[i + 1 :] if len(word) > 3 else word


def people(seed: int, persons: int = 300, *, start_id: int = 0) -> list[dict[str, object]]:
    """Records of `persons` people (truth column `person`), foreign postcodes, no telephone."""
    rng = np.random.default_rng(seed)
    rows = []
    for person in range(persons):
        given = GIVEN[int(rng.integers(0, len(GIVEN)))]
        family = FAMILY[int(rng.integers(0, len(FAMILY)))]
        year, month, day = rng.integers(1940, 2005), rng.integers(1, 13), rng.integers(1, 29)
        born = f"{year}{month:02d}{day:02d}"
        postcode = POSTCODES[int(rng.integers(0, len(POSTCODES)))]
        for copy in range(int(rng.integers(1, 4))):
            row = {"given": given, "family": family, "born": born, "postcode": postcode}
            if copy and rng.random() < 0.3:
                row["family"] = _typo(rng, family)
            if copy and rng.random() < 0.2:
                row["given"] = _typo(rng, given)
            if rng.random() < 0.1:
                row["postcode"] = None
            rows.append({"id": f"r{start_id + len(rows)}", "person": f"p{person}", **row})
    return rows


def table(rows: list[dict[str, object]]) -> pa.Table:
    """The rows as a table of text columns."""
    return pa.Table.from_pylist(rows)
