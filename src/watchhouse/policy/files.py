"""Reading the policy's TOML data files into checked pydantic models, with errors that name
the file, the key and the reason."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

Model = TypeVar("Model", bound=BaseModel)


class StrictModel(BaseModel):
    """A file's shape: unknown keys are refused and values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def describe_invalid(error: ValidationError, heading: str) -> str:
    """The heading, then one line per problem: the dotted key and what is wrong with it."""
    lines = [heading]
    for item in error.errors():
        key = ".".join(str(part) for part in item["loc"]) or "(top level)"
        lines.append(f"  {key}: {item['msg']}")
    return "\n".join(lines)


def read_checked_file(
    path: Path, model: type[Model], *, what: str, error: type[ValueError]
) -> Model:
    """Read the TOML file at ``path`` as ``model``; raise ``error`` naming ``what`` it is."""
    try:
        with path.open("rb") as handle:
            raw = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise error(f"{what} {path} cannot be read: {exc}") from exc
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise error(describe_invalid(exc, f"{what} {path} is not valid:")) from exc
