"""A mapping file says which column of a person-record file is which kind of identifier.

id = "rec_id"                       # each record's id (written out with its cluster)
telephone_region = "AU"             # optional: numbers without a country code
[fields]
given_name = { kind = "given_name", column = "given_name" }
date_of_birth = { kind = "date_of_birth", column = "dob", format = "%Y%m%d" }
address = { kind = "address", columns = ["street_number", "address_1"] }
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from watchhouse.linkage.fields import FIELD_KINDS, FieldKind, FieldSpec


@dataclass(frozen=True)
class Mapping:
    """The id column, the fields to compare, and the telephone region (None: the policy's)."""

    id_column: str
    fields: tuple[FieldSpec, ...]
    telephone_region: str | None = None


class MappingProblem(ValueError):
    """A mapping that cannot be used: the message names the entry and what is wrong."""


def _kind(name: str, value: object) -> FieldKind:
    for kind in FIELD_KINDS:
        if kind == value:
            return kind
    raise MappingProblem(
        f"fields.{name}.kind: {value!r} is not a kind; choose one of {', '.join(FIELD_KINDS)}"
    )


def mapping_from_dict(data: dict[str, Any]) -> Mapping:
    """The mapping in a parsed TOML document (see the module's docstring)."""
    id_column = data.get("id")
    if not isinstance(id_column, str) or not id_column.strip():
        raise MappingProblem("id: name the column that holds each record's id")
    fields = data.get("fields")
    if not isinstance(fields, dict) or not fields:
        raise MappingProblem("[fields]: map at least one column to a kind of identifier")
    specs = []
    for name, entry in fields.items():
        if not isinstance(entry, dict):
            raise MappingProblem(
                f"fields.{name}: give a table such as {{ kind = ..., column = ... }}"
            )
        kind = _kind(name, entry.get("kind"))
        columns = entry.get("columns", [entry["column"]] if "column" in entry else [])
        if not columns or not all(isinstance(c, str) and c for c in columns):
            raise MappingProblem(f"fields.{name}: say which column (column = ...) or columns")
        date_format = entry.get("format")
        if date_format is not None and not isinstance(date_format, str):
            raise MappingProblem(f"fields.{name}.format: give a strftime format such as '%d/%m/%Y'")
        specs.append(FieldSpec(name, kind, tuple(columns), date_format))
    region = data.get("telephone_region")
    if region is not None and (not isinstance(region, str) or len(region) != 2):
        raise MappingProblem("telephone_region: give a two-letter country code such as 'GB'")
    return Mapping(id_column.strip(), tuple(specs), region.upper() if region else None)
