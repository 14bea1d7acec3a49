"""Offence classification lists (crime types with their groups) as data files."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, model_validator

from watchhouse.domain.offences import Offence, OffenceList
from watchhouse.policy.files import StrictModel as _Strict
from watchhouse.policy.files import read_checked_file

OFFENCES_DIR = Path(__file__).parent


class OffenceListError(ValueError):
    """An offence list file that cannot be used, with the key and the reason."""


class _Offence(_Strict):
    code: str = Field(pattern=r"^[a-z0-9_]+$")
    name: str = Field(min_length=1)
    group: str = Field(min_length=1)


class _OffenceFile(_Strict):
    code: str = Field(pattern=r"^[a-z0-9_]+$")
    name: str = Field(min_length=1)
    offences: list[_Offence] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> _OffenceFile:
        for attribute in ("code", "name"):
            values = [getattr(o, attribute) for o in self.offences]
            repeated = sorted({v for v in values if values.count(v) > 1})
            if repeated:
                raise ValueError(f"offence {attribute}s must be unique; repeated: {repeated}")
        return self


def load_offence_list(path: Path) -> OffenceList:
    """Read and check an offence list file."""
    data = read_checked_file(path, _OffenceFile, what="offence list", error=OffenceListError)
    return OffenceList(
        data.code, data.name, tuple(Offence(o.code, o.name, o.group) for o in data.offences)
    )


def shipped_offence_lists() -> dict[str, OffenceList]:
    """The offence lists that come with watchhouse, by code."""
    found = [load_offence_list(p) for p in sorted(OFFENCES_DIR.glob("*.toml"))]
    return {o.code: o for o in found}
