"""Person records made ready to compare, field by field according to its kind: names cleaned,
dates of birth as YYYY-MM-DD, telephone numbers in E.164 (any country, with a default region),
postcodes normalised (UK postcodes with their sector and district; any other postcode kept as
written, never dropped), emails and identifiers in one canonical form. Then the profile of each
field (how complete, how many pairs share a value) that the linkage plan is chosen from."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date, datetime
from itertools import combinations

import numpy as np
import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc

from watchhouse.domain.identifiers import postcode_or_none
from watchhouse.domain.identity import clean_name, postcode_district, postcode_sector
from watchhouse.linkage.fields import FieldProfile, FieldSpec

SECTOR_SUFFIX = "_sector"
DISTRICT_SUFFIX = "_district"
_NOT_ALNUM = re.compile(r"[^0-9A-Z]")
_SPACES = re.compile(r"\s+")


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def telephone_e164(raw: str | None, region: str) -> str | None:
    """A number in E.164 form (read with `region` when it has no country code); a value that
    is not a possible number is kept as its digits, so it still compares with itself."""
    if not raw:
        return None
    try:
        parsed = phonenumbers.parse(raw, region)
        if phonenumbers.is_possible_number(parsed):
            return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    except phonenumbers.NumberParseException:
        pass
    digits = re.sub(r"\D", "", raw)
    return digits or None


def postcode_text(raw: str | None) -> str | None:
    """A UK postcode normalised ('AB1 2CD'), or any other postcode in capitals with single
    spaces: a foreign postcode is kept, not dropped."""
    if not raw:
        return None
    return postcode_or_none(raw) or (_SPACES.sub(" ", raw.upper()).strip() or None)


def identifier_text(raw: str | None) -> str | None:
    """An identifier (PNC ID, NI number, custody number) in capitals without spaces or
    punctuation."""
    if not raw:
        return None
    return _NOT_ALNUM.sub("", raw.upper()) or None


def email_text(raw: str | None) -> str | None:
    """An email address in lower case, trimmed."""
    return raw.strip().lower() or None if raw else None


def free_text(raw: str | None) -> str | None:
    """Address or other text in lower case with punctuation dropped and single spaces."""
    if not raw:
        return None
    return _SPACES.sub(" ", re.sub(r"[^\w ]", " ", raw.lower())).strip() or None


def date_text(value: object, date_format: str | None) -> str | None:
    """A date of birth as YYYY-MM-DD; a value that is not a date (in `date_format`, or ISO)
    counts as not recorded."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = _text(value)
    if text is None:
        return None
    try:
        if date_format:
            return datetime.strptime(text, date_format).date().isoformat()
        return date.fromisoformat(text[:10]).isoformat()
    except ValueError:
        return None


def _converter(spec: FieldSpec, region: str) -> Callable[[str | None], str | None]:
    kind = spec.kind
    if kind in ("given_name", "family_name", "full_name"):
        return clean_name
    if kind == "telephone":
        return lambda raw: telephone_e164(raw, region)
    if kind == "postcode":
        return postcode_text
    if kind == "identifier":
        return identifier_text
    if kind == "email":
        return email_text
    return free_text


def normalise_value(kind: str, raw: str, region: str = "GB") -> str | None:
    """One value of a field of this kind as compared (None when nothing is left of it)."""
    return _converter(FieldSpec("value", kind, ("value",)), region)(raw)  # type: ignore[arg-type]


def _each_distinct(values: list[str | None], convert: Callable[[str], str | None]) -> pa.Array:
    cache: dict[str, str | None] = {}
    out: list[str | None] = []
    for value in values:
        if value is None:
            out.append(None)
            continue
        if value not in cache:
            cache[value] = convert(value)
        out.append(cache[value])
    return pa.array(out, pa.string())


def _source_values(table: pa.Table, spec: FieldSpec) -> list[str | None]:
    missing = [s for s in spec.sources if s not in table.column_names]
    if missing:
        raise ValueError(
            f"field {spec.name!r} reads the column(s) {missing}, which the records do not have "
            f"(they have: {', '.join(table.column_names)})"
        )
    columns = [table.column(s).to_pylist() for s in spec.sources]
    if len(columns) == 1:
        return [_text(v) for v in columns[0]]
    joined = []
    for parts in zip(*columns, strict=True):
        texts = [t for t in (_text(p) for p in parts) if t]
        joined.append(" ".join(texts) or None)
    return joined


def prepare(table: pa.Table, specs: Sequence[FieldSpec], *, region: str) -> pa.Table:
    """One column per field, normalised for its kind (plus `<postcode>_sector` and
    `<postcode>_district` for postcode fields, null where the postcode is not a UK one)."""
    columns: dict[str, pa.Array] = {}
    for spec in specs:
        values = _source_values(table, spec)
        if spec.kind == "date_of_birth":
            cache: dict[str | None, str | None] = {}
            dates = []
            for value in values:
                if value not in cache:
                    cache[value] = date_text(value, spec.date_format)
                dates.append(cache[value])
            columns[spec.name] = pa.array(dates, pa.string())
            continue
        columns[spec.name] = _each_distinct(values, _converter(spec, region))
        if spec.kind == "postcode":
            normalised = columns[spec.name].to_pylist()
            columns[spec.name + SECTOR_SUFFIX] = pa.array(
                [postcode_sector(postcode_or_none(v)) for v in normalised], pa.string()
            )
            columns[spec.name + DISTRICT_SUFFIX] = pa.array(
                [postcode_district(postcode_or_none(v)) for v in normalised], pa.string()
            )
    return pa.table(columns)


def _value_pairs(column: pa.Array | pa.ChunkedArray) -> tuple[int, int]:
    """Distinct values and pairs of records sharing a value (nulls share nothing)."""
    counts = pc.value_counts(pc.drop_null(column))
    if len(counts) == 0:
        return 0, 0
    n = counts.field("counts").to_numpy().astype(np.int64)
    return len(n), int((n * (n - 1) // 2).sum())


def profile(
    table: pa.Table, specs: Sequence[FieldSpec]
) -> tuple[list[FieldProfile], dict[tuple[str, ...], int]]:
    """Each field's completeness, distinct values and sharing pairs, and the pairs sharing
    each two fields' values together."""
    rows = max(table.num_rows, 1)
    profiles = []
    for spec in specs:
        column = table.column(spec.name)
        distinct, pairs = _value_pairs(column)
        profiles.append(
            FieldProfile(spec.name, spec.kind, 1 - column.null_count / rows, distinct, pairs)
        )
    joint: dict[tuple[str, ...], int] = {}
    for left, right in combinations([p.name for p in profiles], 2):
        both = pc.and_(pc.is_valid(table.column(left)), pc.is_valid(table.column(right)))
        subset = table.filter(both).select([left, right])
        if subset.num_rows < 2:
            joint[(left, right)] = 0
            continue
        grouped = subset.group_by([left, right]).aggregate([([], "count_all")])
        n = grouped.column("count_all").to_numpy().astype(np.int64)
        joint[(left, right)] = int((n * (n - 1) // 2).sum())
    return profiles, joint
