"""Policy schema (pydantic) and loader; every key is documented in docs/policy.md."""

from __future__ import annotations

import tomllib
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from watchhouse.domain.accounts import LockoutRule
from watchhouse.domain.answering import AnswerBands
from watchhouse.domain.attendance import AttendanceTargets, GradeTarget
from watchhouse.domain.repeats import RepeatRule
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


class PlanningChannelPolicy(_Strict):
    """How one channel's staffing requirement is worked out ([planning.channels.<channel>]).

    erlang_c: queue, no abandonment (999); erlang_a: callers abandon with exponential patience
    (101); chat: Erlang C for concurrent sessions, divided by the chats one handler runs at
    once; workload: no answer target, handlers = load / max_occupancy (online reports).
    Missing targets for 999 and 101 come from [emergency_answer] and [non_emergency_answer].
    """

    method: Literal["erlang_c", "erlang_a", "chat", "workload"]
    target_seconds: float | None = Field(default=None, gt=0)
    service_level: float | None = Field(default=None, gt=0, lt=1)
    max_abandonment: float | None = Field(default=None, gt=0, le=1)
    aht_seconds: float | None = Field(default=None, gt=0)
    patience_seconds: float | None = Field(default=None, gt=0)
    max_concurrent_chats: int = Field(default=1, ge=1, le=10)
    max_occupancy: float = Field(default=1.0, gt=0, le=1)
    shrinkage: float = Field(ge=0, lt=1)
    minimum_handlers: int = Field(default=0, ge=0)


class ShiftPolicy(_Strict):
    """A shift type rosters may use ([[planning.shifts]])."""

    name: str = Field(min_length=1)
    hours: float = Field(gt=0, le=16)
    days_per_week: int = Field(ge=1, le=7)
    break_minutes: int = Field(ge=0, le=120)
    cost_per_hour: float = Field(gt=0)
    earliest_start_hour: int = Field(default=0, ge=0, le=23)
    latest_start_hour: int = Field(default=23, ge=0, le=23)
    start_step_minutes: int = Field(default=60, ge=15, le=240)

    @model_validator(mode="after")
    def _ordered(self) -> ShiftPolicy:
        if self.latest_start_hour < self.earliest_start_hour:
            raise ValueError("latest_start_hour must not be before earliest_start_hour")
        if self.break_minutes >= self.hours * 60:
            raise ValueError("break_minutes must be shorter than the shift")
        return self


class PlanningPolicy(_Strict):
    """Demand forecasts, staffing requirements, simulation checks and rosters ([planning])."""

    interval_minutes: Literal[15, 30]
    horizon_weeks: int = Field(ge=1, le=12)
    history_days: int = Field(ge=56, le=3700)
    prediction_level: int = Field(ge=50, le=99)
    backtest_windows: int = Field(ge=1, le=10)
    profile_weeks: int = Field(ge=1, le=52)
    history_weeks_for_handling: int = Field(ge=1, le=52)
    simulation_replications: int = Field(ge=1, le=500)
    simulation_tolerance: float = Field(gt=0, lt=1)
    simulation_days: int = Field(ge=1, le=14)
    roster_weeks_per_pattern: int = Field(ge=1, le=12)
    roster_time_limit_seconds: float = Field(ge=0, le=600)
    roster_mip_gap: float = Field(gt=0, lt=1)
    min_rest_hours: float = Field(ge=0, le=24)
    max_consecutive_days: int = Field(ge=1, le=7)
    full_time_weekly_hours: float = Field(gt=0, le=60)
    channels: dict[Channel, PlanningChannelPolicy] = Field(min_length=1)
    shifts: list[ShiftPolicy] = Field(min_length=1)

    @model_validator(mode="after")
    def _rest_rule(self) -> PlanningPolicy:
        for shift in self.shifts:
            if 24 - shift.hours < self.min_rest_hours:
                raise ValueError(
                    f"shift {shift.name}: {shift.hours} h leaves less than min_rest_hours rest"
                )
            if shift.days_per_week > self.max_consecutive_days:
                raise ValueError(f"shift {shift.name}: more days than max_consecutive_days")
            if (shift.hours * 60) % self.interval_minutes:
                raise ValueError(f"shift {shift.name}: hours must be whole intervals")
        answer_standards = (Channel.EMERGENCY_999, Channel.NON_EMERGENCY_101)
        for channel, rule in self.channels.items():
            needs_target = rule.method in ("erlang_c", "chat") and channel not in answer_standards
            if needs_target and (rule.target_seconds is None or rule.service_level is None):
                raise ValueError(f"channel {channel}: set target_seconds and service_level")
        return self


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
    planning: PlanningPolicy

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
