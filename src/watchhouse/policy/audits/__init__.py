"""Audit templates as data files (TOML), loaded into domain values with clear errors.

The shipped templates live beside this module; auditors add their own in the same format
(docs/user-guide.md shows one). Every error names the file (or upload), the key and why.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, model_validator

from watchhouse.domain.audit import (
    AnswerKind,
    AuditQuestion,
    AuditTemplate,
    RecordType,
    strata_for,
)
from watchhouse.policy.files import StrictModel as _Strict
from watchhouse.policy.files import describe_invalid

TEMPLATES_DIR = Path(__file__).parent
CODE_PATTERN = r"^[a-z][a-z0-9_]{1,59}$"


class AuditTemplateError(ValueError):
    """An audit template that cannot be used, naming where, the key and the reason."""


class _Question(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")
    text: str = Field(min_length=1)
    answer: Literal["yes_no", "scale"] = "yes_no"
    weight: int = Field(1, ge=1, le=10)
    scale_max: int = Field(0, ge=0, le=10)
    critical: bool = False
    not_applicable: bool = True
    guidance: str = ""

    @model_validator(mode="after")
    def _scale(self) -> _Question:
        if self.answer == "scale" and self.scale_max < 1:
            raise ValueError("a scale question needs scale_max, from 1 to 10")
        if self.answer == "yes_no" and self.scale_max:
            raise ValueError("scale_max is only for answer = 'scale'")
        return self


class _Sample(_Strict):
    per: str
    count: int = Field(ge=1, le=1000)


class _TemplateFile(_Strict):
    code: str = Field(pattern=CODE_PATTERN)
    name: str = Field(min_length=1, max_length=120)
    record_type: RecordType
    description: str = ""
    pass_mark: float = Field(gt=0, le=1)
    partly_credit: float = Field(0.5, ge=0, le=1)
    sample: _Sample
    questions: list[_Question] = Field(min_length=1, max_length=60)

    @model_validator(mode="after")
    def _consistent(self) -> _TemplateFile:
        ids = [q.id for q in self.questions]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"question ids must be unique; repeated: {repeated}")
        allowed = strata_for(self.record_type)
        if self.sample.per not in allowed:
            raise ValueError(
                f"sample.per {self.sample.per!r}: {self.record_type.value} records sample per "
                f"{' or '.join(allowed)}"
            )
        return self


def parse_template(text: str, *, source: str) -> AuditTemplate:
    """Read and check a template's TOML text; ``source`` names it in errors."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise AuditTemplateError(f"audit template {source} is not valid TOML: {exc}") from exc
    try:
        data = _TemplateFile.model_validate(raw)
    except ValidationError as exc:
        heading = f"audit template {source} is not valid:"
        raise AuditTemplateError(describe_invalid(exc, heading)) from exc
    return AuditTemplate(
        code=data.code,
        name=data.name,
        record_type=data.record_type,
        description=data.description.strip(),
        pass_mark=data.pass_mark,
        partly_credit=data.partly_credit,
        questions=tuple(
            AuditQuestion(
                id=q.id,
                text=q.text,
                kind=AnswerKind(q.answer),
                weight=q.weight,
                scale_max=q.scale_max,
                critical=q.critical,
                allow_not_applicable=q.not_applicable,
                guidance=q.guidance,
            )
            for q in data.questions
        ),
        sample_per=data.sample.per,
        sample_count=data.sample.count,
    )


def load_template(path: Path) -> AuditTemplate:
    """Read and check a template file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise AuditTemplateError(f"audit template {path} cannot be read: {exc}") from exc
    return parse_template(text, source=str(path))


def shipped_template_texts() -> dict[str, str]:
    """The TOML text of each template that comes with watchhouse, by code."""
    texts = {}
    for path in sorted(TEMPLATES_DIR.glob("*.toml")):
        texts[load_template(path).code] = path.read_text(encoding="utf-8")
    return texts


def shipped_templates() -> dict[str, AuditTemplate]:
    """The templates that come with watchhouse, by code."""
    found = [load_template(p) for p in sorted(TEMPLATES_DIR.glob("*.toml"))]
    return {t.code: t for t in found}
