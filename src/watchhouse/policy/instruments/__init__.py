"""Risk assessment instruments (DASH and others) as data files, loaded into domain values."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, model_validator

from watchhouse.domain.risk import Instrument, Question, QuestionGroup, RiskLevel
from watchhouse.policy.files import StrictModel as _Strict
from watchhouse.policy.files import read_checked_file

INSTRUMENTS_DIR = Path(__file__).parent


class InstrumentError(ValueError):
    """An instrument file that cannot be used, with the key and the reason."""


class _Question(_Strict):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    text: str = Field(min_length=1)
    weight: int = Field(1, ge=1, le=10)


class _Group(_Strict):
    title: str = Field(min_length=1)
    questions: list[_Question] = Field(min_length=1)


class _Levels(_Strict):
    standard: int = Field(0, ge=0)
    medium: int = Field(ge=1)
    high: int = Field(ge=1)

    @model_validator(mode="after")
    def _ordered(self) -> _Levels:
        if not self.standard < self.medium < self.high:
            raise ValueError("levels must rise: standard < medium < high")
        return self


class _InstrumentFile(_Strict):
    code: str = Field(pattern=r"^[a-z0-9_]+$")
    name: str = Field(min_length=1)
    levels: _Levels
    groups: list[_Group] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> _InstrumentFile:
        ids = [q.id for g in self.groups for q in g.questions]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"question ids must be unique; repeated: {repeated}")
        return self


def load_instrument(path: Path) -> Instrument:
    """Read and check an instrument file."""
    data = read_checked_file(path, _InstrumentFile, what="instrument", error=InstrumentError)
    return Instrument(
        code=data.code,
        name=data.name,
        groups=tuple(
            QuestionGroup(g.title, tuple(Question(q.id, q.text, q.weight) for q in g.questions))
            for g in data.groups
        ),
        level_from={
            RiskLevel.STANDARD: data.levels.standard,
            RiskLevel.MEDIUM: data.levels.medium,
            RiskLevel.HIGH: data.levels.high,
        },
    )


def shipped_instruments() -> dict[str, Instrument]:
    """The instruments that come with watchhouse, by code."""
    found = [load_instrument(p) for p in sorted(INSTRUMENTS_DIR.glob("*.toml"))]
    return {i.code: i for i in found}
