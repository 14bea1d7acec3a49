"""The assumptions behind a synthetic force, as a documented, validated profile (TOML)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from watchhouse.overlay import deep_merge

PROFILES_DIR = Path(__file__).with_name("profiles")


class SynthProfileError(ValueError):
    """A profile that cannot be used, with the key and the reason."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ChannelProfile(_Strict):
    """Volume, handling and queue assumptions for one channel."""

    contacts_per_year: float = Field(ge=0)
    annual_growth: float = Field(0.0, ge=-0.5, le=1.0)
    mean_handling_seconds: float = Field(gt=0)
    mean_patience_seconds: float = Field(gt=0)
    mean_pickup_seconds: float = Field(
        0.0,
        ge=0,
        description="ringing and being put through once a position is free (gamma, shape 4)",
    )
    occupancy: float = Field(gt=0, le=0.99, description="planned handler occupancy")
    min_handlers: int = Field(ge=1)
    concurrency: int = Field(1, ge=1, description="chats one handler carries at once")
    grade_mix: list[float] = Field(min_length=4, max_length=4)


class AttendanceProfile(_Strict):
    """Dispatch and travel assumptions."""

    dispatch_minutes: list[float] = Field(min_length=4, max_length=4)
    travel_minutes_urban: float = Field(gt=0)
    travel_minutes_rural: float = Field(gt=0)
    evening_slowdown: float = Field(ge=1.0)
    body_worn_video_share: float = Field(ge=0, le=1)
    referral_share_of_grade4: float = Field(ge=0, le=1)


class SynthProfile(_Strict):
    """Everything the generator assumes; see docs/synthetic-force.md."""

    name: str
    population: int = Field(gt=0)
    neighbourhoods: int = Field(ge=2)
    urban_share: float = Field(ge=0, le=1)
    people_per_household: float = Field(ge=1)
    mobile_share: float = Field(ge=0, le=1)
    landline_share: float = Field(ge=0, le=1)
    caller_share: float = Field(gt=0, le=1, description="share of residents who ever call")
    caller_tail: float = Field(gt=0, description="lognormal sigma of how often people call")
    frequent_callers: int = Field(ge=0)
    frequent_caller_weight: float = Field(ge=0)
    vulnerable_mental_health_share: float = Field(ge=0, le=1)
    duplicate_person_record_share: float = Field(ge=0, le=1)
    anonymous_contact_share: float = Field(ge=0, le=1)
    home_location_share: float = Field(ge=0, le=1)
    hotspot_locations: int = Field(ge=1)
    messiness: dict[str, float]
    hour_of_day: list[float] = Field(min_length=24, max_length=24)
    day_of_week: list[float] = Field(min_length=7, max_length=7)
    seasonal_amplitude: float = Field(ge=0, lt=1)
    bank_holiday_factor: float = Field(gt=0)
    new_years_eve_factor: float = Field(gt=0)
    summer_weekend_factor: float = Field(gt=0)
    major_incident_days: list[str] = []
    major_incident_factor: float = Field(1.0, gt=0)
    channels: dict[str, ChannelProfile]
    attendance: AttendanceProfile
    domestic_abuse_share: float = Field(ge=0, le=1)
    dash_refusal_share: float = Field(ge=0, le=1)
    dash_risk_mix: list[float] = Field(min_length=3, max_length=3)
    crime_share_by_grade: list[float] = Field(min_length=4, max_length=4)
    charge_rate: float = Field(ge=0, le=1)
    plan_share: float = Field(ge=0, le=1)
    plan_adequate_share: float = Field(ge=0, le=1)
    review_on_time_share: float = Field(ge=0, le=1)
    # Casework (synth/casework.py): deadlines as the default policy sets them, and how often
    # the work is done by them.
    plan_due_hours: float = Field(72, gt=0)
    plan_checked_share: float = Field(0.6, ge=0, le=1)
    plan_check_agrees_share: float = Field(0.9, ge=0, le=1)
    victim_vulnerable_share: float = Field(0.1, ge=0, le=1)
    victim_intimidated_share: float = Field(0.05, ge=0, le=1)
    victim_persistently_targeted_share: float = Field(0.04, ge=0, le=1)
    victim_no_updates_share: float = Field(0.08, ge=0, le=1)
    update_working_days: int = Field(5, ge=0)
    enhanced_update_working_days: int = Field(1, ge=0)
    support_referral_working_days: int = Field(2, ge=0)
    support_declined_share: float = Field(0.3, ge=0, le=1)
    support_on_time_share: float = Field(0.8, ge=0, le=1)
    bureau_task_share: float = Field(0.35, ge=0, le=1)
    bureau_task_working_days: int = Field(3, ge=0)
    bureau_median_turnaround_hours: float = Field(30, gt=0)
    stop_searches_per_year: float = Field(ge=0)
    stop_search_arrest_share: float = Field(ge=0, le=1)


def available_profiles() -> list[str]:
    """Names of the profiles shipped with watchhouse."""
    return sorted(p.stem for p in PROFILES_DIR.glob("*.toml"))


def load_profile(name_or_path: str) -> SynthProfile:
    """Load a shipped profile by name, or a TOML file laid over the default profile."""
    with (PROFILES_DIR / "default.toml").open("rb") as handle:
        data = tomllib.load(handle)
    if name_or_path != "default":
        path = PROFILES_DIR / f"{name_or_path}.toml"
        if not path.exists():
            path = Path(name_or_path)
        if not path.exists():
            raise SynthProfileError(
                f"no profile {name_or_path!r}: choose one of {available_profiles()} or a TOML file"
            )
        try:
            with path.open("rb") as handle:
                data = deep_merge(data, tomllib.load(handle))
        except tomllib.TOMLDecodeError as exc:
            raise SynthProfileError(f"profile {path} is not valid TOML: {exc}") from exc
    try:
        return SynthProfile.model_validate(data)
    except ValidationError as exc:
        lines = [f"profile {name_or_path} is not valid:"]
        for item in exc.errors():
            lines.append(f"  {'.'.join(str(p) for p in item['loc'])}: {item['msg']}")
        raise SynthProfileError("\n".join(lines)) from exc
