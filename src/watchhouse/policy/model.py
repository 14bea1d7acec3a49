"""Policy schema (pydantic) and loader; every key is documented in docs/policy.md."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from watchhouse.analytics.model import Target
from watchhouse.domain.accounts import LockoutRule
from watchhouse.domain.answering import AnswerBands
from watchhouse.domain.attendance import AttendanceTargets, GradeTarget
from watchhouse.domain.repeats import RepeatRule
from watchhouse.domain.spc import SpcRules
from watchhouse.domain.values import Channel, Grade

DEFAULT_POLICY_PATH = Path(__file__).with_name("default.toml")

PositiveMinutes = Annotated[float, Field(gt=0)]


class PolicyError(ValueError):
    """A policy file that cannot be used, with the key and the reason."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ForcePolicy(_Strict):
    """Who the force is and where it keeps time."""

    name: str = Field(min_length=1)
    timezone: str = "Europe/London"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value


class GradePolicy(_Strict):
    """One grade's name, meaning and attendance target in minutes (none for no attendance)."""

    name: str = Field(min_length=1)
    description: str
    target_urban_minutes: PositiveMinutes | None = None
    target_rural_minutes: PositiveMinutes | None = None

    @model_validator(mode="after")
    def _both_or_neither(self) -> GradePolicy:
        if (self.target_urban_minutes is None) != (self.target_rural_minutes is None):
            raise ValueError("set both target_urban_minutes and target_rural_minutes, or neither")
        return self


class EmergencyAnswerPolicy(_Strict):
    """The 999 answer standard and the published answer-time bands."""

    standard_seconds: float = Field(gt=0)
    standard_share: float = Field(gt=0, le=1)
    long_seconds: float = Field(gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> EmergencyAnswerPolicy:
        if self.long_seconds <= self.standard_seconds:
            raise ValueError("long_seconds must be greater than standard_seconds")
        return self


class NonEmergencyAnswerPolicy(_Strict):
    """The force's own 101 targets (there is no national one)."""

    answer_target_seconds: float = Field(gt=0)
    max_abandonment_share: float = Field(ge=0, le=1)


class PartnerAgency(_Strict):
    """A partner agency a contact can be referred to."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str = Field(min_length=1)


class ThriveGuidance(_Strict):
    """What the handler is asked to consider for each THRIVE part."""

    threat: str
    harm: str
    risk: str
    investigation: str
    vulnerability: str
    engagement: str


class RepeatRulePolicy(_Strict):
    """One repeat-contact threshold."""

    more_than: int = Field(ge=1)
    within_days: int = Field(ge=1, le=366)


class RepeatContactsPolicy(_Strict):
    """Which contacts count towards repeat-caller thresholds, and the thresholds."""

    rules: list[RepeatRulePolicy] = Field(min_length=1)
    channels: list[Channel] = Field(min_length=1)
    count_abandoned: bool

    def domain_rules(self) -> list[RepeatRule]:
        """The thresholds as domain values."""
        return [RepeatRule(r.more_than, timedelta(days=r.within_days)) for r in self.rules]


class ProblemSolvingPolicy(_Strict):
    """Problem-solving plans opened for repeat callers."""

    review_days: int = Field(ge=1, le=365)


class DomesticAbusePolicy(_Strict):
    """Which risk instrument officers use and when a case goes to MARAC."""

    instrument: str = Field(min_length=1)
    marac_escalation_callouts: int = Field(ge=1, le=50)
    repeat_marac_months: int = Field(ge=1, le=60)


class IdentityPolicy(_Strict):
    """Identity resolution: when records are the same person, and what the handler is shown."""

    match_threshold: float = Field(gt=0, lt=1)
    engine: Literal["duckdb", "spark"]
    training_seed: int
    candidates_shown: int = Field(ge=1, le=20)
    minimum_probability_shown: float = Field(ge=0, lt=1)
    records_per_candidate: int = Field(ge=1, le=100)
    candidate_lookup_limit: int = Field(ge=1, le=1000)


class BoardPolicy(_Strict):
    """The performance board and pack: headline measures, chart window and the XmR rules."""

    headline_measures: list[str] = Field(min_length=1)
    history_months: int = Field(ge=13, le=120)
    xmr_baseline_points: int = Field(ge=0, le=120)
    xmr_min_points: int = Field(ge=2, le=60)
    run_length: int = Field(ge=2, le=30)
    trend_length: int = Field(ge=3, le=30)
    two_of_three: bool
    drill_down_limit: int = Field(ge=1, le=5000)

    @field_validator("headline_measures")
    @classmethod
    def _no_repeats(cls, value: list[str]) -> list[str]:
        repeated = sorted({key for key in value if value.count(key) > 1})
        if repeated:
            raise ValueError(f"headline measures are listed more than once: {repeated}")
        return value

    def spc_rules(self) -> SpcRules:
        """The special-cause rules as the domain reads them."""
        return SpcRules(
            run_length=self.run_length,
            trend_length=self.trend_length,
            two_of_three=self.two_of_three,
            min_points=self.xmr_min_points,
        )


class MeasureTargetPolicy(_Strict):
    """One measure's target; `value` may be left out where an existing key sets it (999, 101)."""

    value: float | None = Field(default=None, ge=0)
    approach_margin: float = Field(ge=0)


# Targets that other sections already set: measure key -> where the value comes from.
DERIVED_TARGETS = {
    "contact.999_answered_within_10s": "emergency_answer.standard_share",
    "contact.101_mean_answer_seconds": "non_emergency_answer.answer_target_seconds",
    "contact.101_abandonment_rate": "non_emergency_answer.max_abandonment_share",
}


class MeasuresPolicy(_Strict):
    """The performance measures: the engine, the rules some measures need, and targets."""

    engine: Literal["duckdb", "spark"]
    snapshot_reuse_seconds: float = Field(ge=0, le=86_400)
    first_review_days: int = Field(ge=1, le=365)
    victim_update_working_days: int = Field(ge=1, le=60)
    victim_update_working_days_enhanced: int = Field(ge=1, le=60)
    enhanced_crime_groups: list[str]
    targets: dict[str, MeasureTargetPolicy]

    @field_validator("targets")
    @classmethod
    def _known_measures(
        cls, value: dict[str, MeasureTargetPolicy]
    ) -> dict[str, MeasureTargetPolicy]:
        from watchhouse.analytics.catalogue import catalogue

        known = {d.key: d for d in catalogue()}
        for key, target in value.items():
            if key not in known:
                raise ValueError(f"no measure {key!r} (see `watchhouse measures --list`)")
            if known[key].higher_is_better is None:
                raise ValueError(f"{key} is neither better high nor low, so it has no target")
            if target.value is None and key not in DERIVED_TARGETS:
                raise ValueError(f"{key} needs a value")
        return value


class SecurityPolicy(_Strict):
    """Sign-in lock-out and session lifetime."""

    max_failed_sign_ins: int = Field(ge=1, le=100)
    lockout_minutes: PositiveMinutes
    session_hours: float = Field(gt=0, le=24 * 7)

    def lockout_rule(self) -> LockoutRule:
        """The domain rule these settings describe."""
        return LockoutRule(self.max_failed_sign_ins, timedelta(minutes=self.lockout_minutes))


class AccessLogPolicy(_Strict):
    """DPA 2018 s.62 logging: whether consultations and disclosures need a stated justification."""

    require_justification: bool


class Policy(_Strict):
    """The whole force policy."""

    force: ForcePolicy
    grades: dict[Grade, GradePolicy]
    emergency_answer: EmergencyAnswerPolicy
    non_emergency_answer: NonEmergencyAnswerPolicy
    partner_agencies: list[PartnerAgency] = Field(min_length=1)
    thrive_guidance: ThriveGuidance
    security: SecurityPolicy
    access_log: AccessLogPolicy
    repeat_contacts: RepeatContactsPolicy
    problem_solving: ProblemSolvingPolicy
    domestic_abuse: DomesticAbusePolicy
    identity: IdentityPolicy
    board: BoardPolicy
    measures: MeasuresPolicy

    @field_validator("grades")
    @classmethod
    def _all_grades(cls, value: dict[Grade, GradePolicy]) -> dict[Grade, GradePolicy]:
        missing = sorted(int(g) for g in Grade if g not in value)
        if missing:
            raise ValueError(f"grades {missing} are missing; define all four grades")
        if value[Grade.RESOLUTION_WITHOUT_DEPLOYMENT].target_urban_minutes is not None:
            raise ValueError("grade 4 is resolution without deployment and can have no target")
        for grade in (Grade.EMERGENCY, Grade.PRIORITY, Grade.SCHEDULED):
            if value[grade].target_urban_minutes is None:
                raise ValueError(f"grade {int(grade)} needs an attendance target")
        return value

    @field_validator("partner_agencies")
    @classmethod
    def _unique_codes(cls, value: list[PartnerAgency]) -> list[PartnerAgency]:
        codes = [p.code for p in value]
        duplicates = sorted({c for c in codes if codes.count(c) > 1})
        if duplicates:
            raise ValueError(f"partner agency codes must be unique; repeated: {duplicates}")
        return value

    def attendance_targets(self) -> AttendanceTargets:
        """The grade targets as domain values."""
        return {
            grade: GradeTarget(
                urban=_minutes(p.target_urban_minutes), rural=_minutes(p.target_rural_minutes)
            )
            for grade, p in self.grades.items()
        }

    def answer_bands(self) -> AnswerBands:
        """The 999 answer bands as a domain value."""
        return AnswerBands(
            self.emergency_answer.standard_seconds, self.emergency_answer.long_seconds
        )

    def measure_targets(self, better: Mapping[str, bool | None]) -> dict[str, Target]:
        """Each measure's target; `better` says, per measure, whether higher is better."""
        derived = {
            "contact.999_answered_within_10s": self.emergency_answer.standard_share,
            "contact.101_mean_answer_seconds": self.non_emergency_answer.answer_target_seconds,
            "contact.101_abandonment_rate": self.non_emergency_answer.max_abandonment_share,
        }
        result = {}
        for key, target in self.measures.targets.items():
            value = target.value if target.value is not None else derived[key]
            result[key] = Target(
                measure=key,
                value=value,
                higher_is_better=bool(better.get(key)),
                approach_margin=target.approach_margin,
            )
        return result

    def partner_name(self, code: str) -> str:
        """The display name of a partner agency code."""
        for agency in self.partner_agencies:
            if agency.code == code:
                return agency.name
        raise KeyError(code)


def _minutes(value: float | None) -> timedelta | None:
    return None if value is None else timedelta(minutes=value)


def _deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _describe(error: ValidationError, source: str) -> str:
    lines = [f"policy file {source} is not valid:"]
    for item in error.errors():
        key = ".".join(str(part) for part in item["loc"]) or "(top level)"
        lines.append(f"  {key}: {item['msg']}")
    return "\n".join(lines)


def load_policy(path: Path | None = None) -> Policy:
    """Load the default policy, overlaid with the force's file if given; refuse it if invalid."""
    with DEFAULT_POLICY_PATH.open("rb") as handle:
        data = tomllib.load(handle)
    source = str(DEFAULT_POLICY_PATH)
    if path is not None:
        source = str(path)
        try:
            with Path(path).open("rb") as handle:
                data = _deep_merge(data, tomllib.load(handle))
        except FileNotFoundError as exc:
            raise PolicyError(f"policy file {source} does not exist") from exc
        except tomllib.TOMLDecodeError as exc:
            raise PolicyError(f"policy file {source} is not valid TOML: {exc}") from exc
        except UnicodeDecodeError as exc:
            raise PolicyError(f"policy file {source} is not valid TOML: not UTF-8 text") from exc
        except OSError as exc:
            raise PolicyError(f"policy file {source} cannot be read: {exc.strerror}") from exc
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        raise PolicyError(_describe(exc, source)) from exc
