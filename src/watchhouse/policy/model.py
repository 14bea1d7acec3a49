"""Policy schema (pydantic) and loader; every key is documented in docs/policy.md."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from datetime import time, timedelta
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from watchhouse.analytics.model import Target
from watchhouse.domain.access import JustificationReason
from watchhouse.domain.accounts import LockoutRule
from watchhouse.domain.answering import AnswerBands
from watchhouse.domain.attendance import AttendanceTargets, GradeTarget
from watchhouse.domain.incident_flow import DISPATCH_CLOSURES, Closure, ClosureReason
from watchhouse.domain.investigations import PlanRules, ReviewRules
from watchhouse.domain.outcomes import OutcomeRules, OutcomeType
from watchhouse.domain.repeats import RepeatRule
from watchhouse.domain.spc import SpcRules
from watchhouse.domain.values import Channel, Grade
from watchhouse.domain.victims import VictimsCodeRules
from watchhouse.overlay import deep_merge
from watchhouse.policy.files import describe_invalid

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
    # The force's id on data.police.uk (e.g. "west-yorkshire"): the board's published data
    # shows this force's own rows; empty shows every force imported.
    police_uk_id: str = Field(default="", pattern=r"^([a-z0-9]+(-[a-z0-9]+)*)?$")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class ReportingPolicy(_Strict):
    """The reporting calendar: the zone whose local days, weeks and months the measures and
    the board count in (None: the force's own time zone), and the first day of the week."""

    time_zone: str | None = None
    week_starts: str = "monday"

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(
                f"unknown time zone {value!r}: give an IANA name such as Europe/London"
            ) from exc
        return value

    @field_validator("week_starts")
    @classmethod
    def _weekday(cls, value: str) -> str:
        day = value.strip().lower()
        if day not in WEEKDAYS:
            raise ValueError(
                f"{value!r} is not a day of the week: give one of {', '.join(WEEKDAYS)}"
            )
        return day

    @property
    def week_start(self) -> int:
        """The first day of the week as Python counts weekdays: 0 Monday ... 6 Sunday."""
        return WEEKDAYS.index(self.week_starts)


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
    grade_2_attendance_minutes: PositiveMinutes | None = None


class ClosureReasonPolicy(_Strict):
    """One reason an incident may be closed, and the closures it may explain."""

    label: str = Field(min_length=1)
    closures: list[Closure] = Field(min_length=1)


class ClosurePolicy(_Strict):
    """Why incidents are closed, and which grades' cancellation needs authority."""

    cancel_needs_authority_grades: list[Grade]
    reasons: dict[str, ClosureReasonPolicy] = Field(min_length=1)

    @field_validator("reasons")
    @classmethod
    def _every_closure_has_a_reason(
        cls, value: dict[str, ClosureReasonPolicy]
    ) -> dict[str, ClosureReasonPolicy]:
        bad = sorted(c for c in value if not re.fullmatch(r"[a-z][a-z0-9_]*", c))
        if bad:
            raise ValueError(f"reason codes must be lower_snake_case; not {bad}")
        covered = {c for r in value.values() for c in r.closures}
        missing = sorted(c.value for c in DISPATCH_CLOSURES if c not in covered)
        if missing:
            raise ValueError(f"closures {missing} have no reason; give each at least one")
        return value

    def closure_reasons(self) -> dict[str, ClosureReason]:
        """The reasons as domain values, by code."""
        return {
            code: ClosureReason(code, r.label, frozenset(r.closures))
            for code, r in self.reasons.items()
        }


_IDENTIFIER_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_CORE_IDENTITY_FIELDS = {
    "given_name",
    "family_name",
    "date_of_birth",
    "date_text",
    "telephone",
    "record_id",
    "unique_id",
    "given_forms",
}


class ExtraIdentifier(_Strict):
    """One of a force's own identifiers kept with each contact and compared by the linkage:
    its name (a lower-case word), how it is compared (docs/identity.md) and its label on the
    handler's form."""

    name: str
    kind: Literal["identifier", "email", "address", "text"]
    label: str = Field(default="", max_length=60)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _IDENTIFIER_NAME.match(value):
            raise ValueError(
                f"{value!r}: use lower-case letters, digits and _ (up to 40), "
                "starting with a letter"
            )
        if value in _CORE_IDENTITY_FIELDS or value.startswith("postcode"):
            raise ValueError(f"{value!r} is one of the fields every contact already has")
        return value


class IdentityPolicy(_Strict):
    """Identity resolution: when records are the same person, and what the handler is shown."""

    match_threshold: float = Field(gt=0, lt=1)
    engine: Literal["duckdb", "spark"]
    training_seed: int
    candidates_shown: int = Field(ge=1, le=20)
    minimum_probability_shown: float = Field(ge=0, lt=1)
    records_per_candidate: int = Field(ge=1, le=100)
    candidate_lookup_limit: int = Field(ge=1, le=1000)
    prior_recall: float = Field(default=0.8, gt=0, le=1)
    u_sample_pairs: int = Field(default=2_000_000, ge=1000)
    training_max_pairs: int = Field(default=1_000_000, ge=1000)
    training_sample_records: int = Field(default=500_000, ge=100)
    blocking_max_pairs: int = Field(default=5_000_000, ge=1)
    blocking_pairs_per_record: float = Field(default=50, gt=0)
    blocking_max_rules: int = Field(default=8, ge=1, le=50)
    blocking_min_completeness: float = Field(default=0.2, ge=0, le=1)
    training_min_pairs: int = Field(default=20, ge=1)
    training_m_floor: float = Field(default=1e-6, gt=0, lt=0.01)
    date_of_birth_different_m_max: float = Field(default=1e-3, gt=0, le=1)
    telephone_region: str = Field(default="GB", min_length=2, max_length=2)
    join_probability: float = Field(default=0.99, gt=0, le=1)
    untrained_identifier_match_weight: float = Field(default=20, gt=0, le=60)
    extra_identifiers: list[ExtraIdentifier] = Field(default_factory=list, max_length=20)

    @field_validator("extra_identifiers")
    @classmethod
    def _distinct_identifiers(cls, value: list[ExtraIdentifier]) -> list[ExtraIdentifier]:
        names = [e.name for e in value]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"each identifier is declared once; repeated: {', '.join(repeated)}")
        return value


OutcomeCode = Annotated[int, Field(ge=1, le=22)]


class InvestigationsPolicy(_Strict):
    """Investigation plans, supervisor reviews, the crime admin bureau and outcome rules."""

    offence_list: str = Field(min_length=1)
    plan_due_hours: float = Field(gt=0, le=24 * 90)
    min_lines_of_enquiry: int = Field(ge=0, le=20)
    min_evidence_items: int = Field(ge=0, le=20)
    min_text_length: int = Field(ge=1, le=500)
    require_victim_needs: bool
    first_review_days: float = Field(gt=0, le=365)
    review_interval_days: float = Field(gt=0, le=365)
    bureau_task_working_days: int = Field(ge=0, le=60)
    worklist_limit: int = Field(ge=1, le=1000)
    outcomes_needing_rationale: list[OutcomeCode]
    outcomes_needing_override_for_domestic_abuse: list[OutcomeCode]

    def plan_rules(self) -> PlanRules:
        """When a plan is due and what makes it adequate, as a domain value."""
        return PlanRules(
            due_hours=self.plan_due_hours,
            min_lines_of_enquiry=self.min_lines_of_enquiry,
            min_evidence_items=self.min_evidence_items,
            min_text_length=self.min_text_length,
            require_victim_needs=self.require_victim_needs,
        )

    def review_rules(self) -> ReviewRules:
        """Supervisor review intervals as a domain value."""
        return ReviewRules(self.first_review_days, self.review_interval_days)

    def outcome_rules(self) -> OutcomeRules:
        """Outcome rules as a domain value."""
        return OutcomeRules(
            rationale_required=frozenset(OutcomeType(c) for c in self.outcomes_needing_rationale),
            domestic_abuse_needs_override=frozenset(
                OutcomeType(c) for c in self.outcomes_needing_override_for_domestic_abuse
            ),
        )


class VictimsCodePolicy(_Strict):
    """The Victims' Code deadlines in working days, the working day, and enhanced rights."""

    update_working_days: int = Field(ge=0, le=60)
    enhanced_update_working_days: int = Field(ge=0, le=60)
    support_referral_working_days: int = Field(ge=0, le=60)
    vps_offer_working_days: int = Field(ge=0, le=60)
    working_day_ends: time
    bank_holiday_region: Literal["ENG", "WLS", "SCT", "NIR"]
    most_serious_crime_groups: list[str]
    most_serious_crime_types: list[str]
    domestic_abuse_is_most_serious: bool
    hate_crime_is_most_serious: bool
    adult_age: int = Field(ge=1, le=25)

    @model_validator(mode="after")
    def _enhanced_no_slower(self) -> VictimsCodePolicy:
        if self.enhanced_update_working_days > self.update_working_days:
            raise ValueError(
                "enhanced_update_working_days must not be more than update_working_days"
            )
        return self

    def rules(self) -> VictimsCodeRules:
        """The Victims' Code rules as a domain value."""
        return VictimsCodeRules(
            update_working_days=self.update_working_days,
            enhanced_update_working_days=self.enhanced_update_working_days,
            support_referral_working_days=self.support_referral_working_days,
            vps_offer_working_days=self.vps_offer_working_days,
            most_serious_crime_groups=frozenset(self.most_serious_crime_groups),
            most_serious_crime_types=frozenset(self.most_serious_crime_types),
            domestic_abuse_is_most_serious=self.domestic_abuse_is_most_serious,
            hate_crime_is_most_serious=self.hate_crime_is_most_serious,
            adult_age=self.adult_age,
        )


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
    # "Worst first": areas with fewer records go after the others; shares are ranked by the
    # end of their Wilson interval at this confidence most favourable to them.
    ranking_min_records: int = Field(ge=1)
    ranking_confidence: float = Field(gt=0, lt=1)

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


UK_NATIONS = ("ENG", "WLS", "SCT", "NIR")


def check_holiday_region(region: str) -> None:
    """Raise ValueError unless the region is empty, "none", a UK nation (ENG, WLS, SCT, NIR) or
    a country (with an optional subdivision) the `holidays` package knows, as
    forecasting.day_effects.region_holidays reads it."""
    code = region.strip().upper()
    if code in ("", "NONE", *UK_NATIONS):
        return
    import holidays  # only here: loading the default policy must not import it

    country, _, subdivision = code.partition("-")
    try:
        holidays.country_holidays(country, subdiv=subdivision or None, years=2000)
    except NotImplementedError as exc:
        raise ValueError(
            f"unknown holiday region {region!r}: use ENG, WLS, SCT, NIR, a country code the "
            "holidays package knows (e.g. FR) with an optional subdivision (GB-SCT, US-NY), "
            "or none"
        ) from exc


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
    # What roster costs are counted in: the shifts' cost_per_hour is in this unit per hour
    # (e.g. "GBP" with cost_per_hour the hourly rate; by default relative, "standard hours").
    cost_unit: str = Field(default="standard hours", min_length=1, max_length=30)
    simulation_days: int = Field(ge=1, le=14)
    roster_weeks_per_pattern: int = Field(ge=1, le=12)
    roster_time_limit_seconds: float = Field(ge=0, le=600)
    roster_mip_gap: float = Field(gt=0, lt=1)
    min_rest_hours: float = Field(ge=0, le=24)
    max_consecutive_days: int = Field(ge=1, le=7)
    full_time_weekly_hours: float = Field(gt=0, le=60)
    # forecasts' holidays: "" = victims_code.bank_holiday_region; else any `holidays` region
    # ("GB-SCT", "US-NY", "FR") or "none"
    holiday_region: str = ""
    channels: dict[Channel, PlanningChannelPolicy] = Field(min_length=1)
    shifts: list[ShiftPolicy] = Field(min_length=1)

    @field_validator("holiday_region")
    @classmethod
    def _known_region(cls, value: str) -> str:
        """Refuse a region the `holidays` package does not know when the policy loads, not
        when the first forecast runs."""
        check_holiday_region(value)
        return value

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
    sign_in_failures_per_source: int = Field(ge=1, le=10_000)
    min_password_length: int = Field(ge=10, le=128)
    min_password_strength: int = Field(ge=0, le=4)
    api_token_days: int = Field(ge=1, le=366)
    source_window_minutes: PositiveMinutes

    def lockout_rule(self) -> LockoutRule:
        """The domain rule these settings describe."""
        return LockoutRule(self.max_failed_sign_ins, timedelta(minutes=self.lockout_minutes))


DEFAULT_JUSTIFICATION_REASONS = {
    "current_incident": "Handling a current contact or incident",
    "safeguarding": "Safeguarding or welfare concern",
    "investigation": "Investigation of a crime",
    "supervision": "Supervision or quality review",
    "data_request": "Data protection or disclosure request",
}


class AccessLogPolicy(_Strict):
    """DPA 2018 s.62 logging: whether consultations and disclosures need a stated justification."""

    require_justification: bool
    # The reasons people choose from before viewing personal data outside their own work
    # (search results, person pages, others' contacts); code -> label. They add free text.
    justification_reasons: dict[str, str] = Field(
        default_factory=lambda: dict(DEFAULT_JUSTIFICATION_REASONS), min_length=1
    )

    @field_validator("justification_reasons")
    @classmethod
    def _reason_codes(cls, value: dict[str, str]) -> dict[str, str]:
        bad = sorted(c for c in value if not re.fullmatch(r"[a-z][a-z0-9_]{0,39}", c))
        if bad:
            raise ValueError(f"reason codes must be lower_snake_case, at most 40; not {bad}")
        empty = sorted(c for c, label in value.items() if not label.strip())
        if empty:
            raise ValueError(f"reasons {empty} have no label")
        return value

    def reasons(self) -> list[JustificationReason]:
        """The reasons as domain values, in the policy's order."""
        return [
            JustificationReason(code, label) for code, label in self.justification_reasons.items()
        ]


class AuditFeedbackPolicy(_Strict):
    """The supervisor's audit feedback page."""

    page_size: int = Field(ge=5, le=500)


class SearchPolicy(_Strict):
    """The search box and the home page's own-work lists."""

    result_limit: int = Field(default=50, ge=5, le=500)
    recent_contacts: int = Field(default=10, ge=1, le=100)
    my_incidents: int = Field(default=20, ge=1, le=200)


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
    closure: ClosurePolicy
    identity: IdentityPolicy
    investigations: InvestigationsPolicy
    victims_code: VictimsCodePolicy
    board: BoardPolicy
    measures: MeasuresPolicy
    planning: PlanningPolicy
    audit_feedback: AuditFeedbackPolicy
    search: SearchPolicy = SearchPolicy()
    reporting: ReportingPolicy = ReportingPolicy()

    @property
    def reporting_zone(self) -> str:
        """The zone the measures' local days, weeks and months are in."""
        return self.reporting.time_zone or self.force.timezone

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

    def domestic_abuse_targets(self) -> dict[Grade, timedelta]:
        """Attendance targets for domestic abuse that are tighter than the grade's."""
        minutes = self.domestic_abuse.grade_2_attendance_minutes
        return {} if minutes is None else {Grade.PRIORITY: timedelta(minutes=minutes)}

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


def load_policy(path: Path | None = None) -> Policy:
    """Load the default policy, overlaid with the force's file if given; refuse it if invalid."""
    with DEFAULT_POLICY_PATH.open("rb") as handle:
        data = tomllib.load(handle)
    source = str(DEFAULT_POLICY_PATH)
    if path is not None:
        source = str(path)
        try:
            with Path(path).open("rb") as handle:
                data = deep_merge(data, tomllib.load(handle))
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
        raise PolicyError(describe_invalid(exc, f"policy file {source} is not valid:")) from exc
