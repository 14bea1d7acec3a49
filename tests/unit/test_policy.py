"""The force policy: defaults, override files laid over them, invalid files refused."""

from __future__ import annotations

import tomllib
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from watchhouse.domain.accounts import LockoutRule
from watchhouse.domain.answering import AnswerBands
from watchhouse.domain.attendance import GradeTarget
from watchhouse.domain.values import Grade
from watchhouse.policy import Policy, PolicyError, load_policy
from watchhouse.policy import model as policy_model

pytestmark = pytest.mark.unit

DEFAULT = load_policy()


def write(tmp_path: Path, text: str, name: str = "force.toml") -> Path:
    """Write a policy file and return its path."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- the defaults ---------------------------------------------------------------


def test_default_policy_names_the_demo_force_in_london_time() -> None:
    assert DEFAULT.force.name == "Demo Constabulary"
    assert DEFAULT.force.timezone == "Europe/London"


@pytest.mark.parametrize(
    ("grade", "name", "urban", "rural"),
    [
        (Grade.EMERGENCY, "Emergency", 15, 20),
        (Grade.PRIORITY, "Priority", 60, 60),
        (Grade.SCHEDULED, "Scheduled", 2880, 2880),
        (Grade.RESOLUTION_WITHOUT_DEPLOYMENT, "Resolution without deployment", None, None),
    ],
)
def test_default_grades_have_the_national_names_and_targets(
    grade: Grade, name: str, urban: float | None, rural: float | None
) -> None:
    grade_policy = DEFAULT.grades[grade]
    assert grade_policy.name == name
    assert grade_policy.description
    assert grade_policy.target_urban_minutes == urban
    assert grade_policy.target_rural_minutes == rural


def test_default_attendance_targets_as_domain_values() -> None:
    assert DEFAULT.attendance_targets() == {
        Grade.EMERGENCY: GradeTarget(timedelta(minutes=15), timedelta(minutes=20)),
        Grade.PRIORITY: GradeTarget(timedelta(minutes=60), timedelta(minutes=60)),
        Grade.SCHEDULED: GradeTarget(timedelta(hours=48), timedelta(hours=48)),
        Grade.RESOLUTION_WITHOUT_DEPLOYMENT: GradeTarget(None, None),
    }


def test_default_999_standard_is_ninety_percent_within_ten_seconds() -> None:
    answer = DEFAULT.emergency_answer
    assert (answer.standard_seconds, answer.standard_share, answer.long_seconds) == (10, 0.9, 60)
    assert DEFAULT.answer_bands() == AnswerBands(10.0, 60.0)


def test_default_101_targets_are_three_minutes_and_ten_percent_abandoned() -> None:
    answer = DEFAULT.non_emergency_answer
    assert (answer.answer_target_seconds, answer.max_abandonment_share) == (180, 0.10)


def test_default_partner_agencies_and_their_names() -> None:
    assert [(p.code, p.name) for p in DEFAULT.partner_agencies] == [
        ("mental_health", "Mental health services"),
        ("social_care", "Social care"),
        ("ambulance", "Ambulance service"),
        ("housing", "Housing"),
        ("victim_support", "Victim support"),
        ("other", "Other agency"),
    ]
    assert DEFAULT.partner_name("ambulance") == "Ambulance service"
    with pytest.raises(KeyError):
        DEFAULT.partner_name("fire")


def test_default_thrive_guidance_has_a_question_for_every_part() -> None:
    guidance = DEFAULT.thrive_guidance.model_dump()
    assert set(guidance) == {
        "threat",
        "harm",
        "risk",
        "investigation",
        "vulnerability",
        "engagement",
    }
    assert all(text.strip() for text in guidance.values())


def test_default_security_locks_after_five_failures_for_fifteen_minutes() -> None:
    security = DEFAULT.security
    assert (security.max_failed_sign_ins, security.lockout_minutes, security.session_hours) == (
        5,
        15,
        12,
    )
    assert security.lockout_rule() == LockoutRule(5, timedelta(minutes=15))


def test_default_access_log_requires_a_justification() -> None:
    assert DEFAULT.access_log.require_justification is True


def test_default_file_holds_every_key_the_schema_knows() -> None:
    # Every key of the schema appears in default.toml, so docs and defaults stay in step.
    with policy_model.DEFAULT_POLICY_PATH.open("rb") as handle:
        raw = tomllib.load(handle)
    assert set(raw) == set(Policy.model_fields)
    assert set(raw["force"]) == set(policy_model.ForcePolicy.model_fields)
    assert set(raw["emergency_answer"]) == set(policy_model.EmergencyAnswerPolicy.model_fields)
    assert set(raw["non_emergency_answer"]) == set(
        policy_model.NonEmergencyAnswerPolicy.model_fields
    )
    assert set(raw["security"]) == set(policy_model.SecurityPolicy.model_fields)
    assert set(raw["access_log"]) == set(policy_model.AccessLogPolicy.model_fields)
    assert set(raw["thrive_guidance"]) == set(policy_model.ThriveGuidance.model_fields)
    assert set(raw["grades"]["1"]) == set(policy_model.GradePolicy.model_fields)


def test_policy_is_frozen() -> None:
    with pytest.raises(ValidationError):
        DEFAULT.force.name = "Changed"  # type: ignore[misc]


# --- override files ---------------------------------------------------------------


def test_override_file_changes_only_the_keys_it_sets(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
[force]
name = "Northshire Police"

[grades.1]
target_rural_minutes = 25

[security]
lockout_minutes = 30
""",
    )
    policy = load_policy(path)

    want: dict[str, Any] = DEFAULT.model_dump()
    want["force"]["name"] = "Northshire Police"
    want["grades"][Grade.EMERGENCY]["target_rural_minutes"] = 25
    want["security"]["lockout_minutes"] = 30
    assert policy.model_dump() == want
    assert policy.attendance_targets()[Grade.EMERGENCY] == GradeTarget(
        timedelta(minutes=15), timedelta(minutes=25)
    )


def test_an_empty_override_file_gives_the_default_policy(tmp_path: Path) -> None:
    assert load_policy(write(tmp_path, "")) == DEFAULT


def test_an_override_list_of_partner_agencies_replaces_the_whole_list(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
[[partner_agencies]]
code = "street_triage"
name = "Street triage"
""",
    )
    policy = load_policy(path)
    assert [p.code for p in policy.partner_agencies] == ["street_triage"]
    assert policy.grades == DEFAULT.grades


def test_an_override_may_set_a_tighter_target_for_domestic_abuse_style_priority(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, "[grades.2]\ntarget_urban_minutes = 30\ntarget_rural_minutes = 45\n")
    targets = load_policy(path).attendance_targets()
    assert targets[Grade.PRIORITY] == GradeTarget(timedelta(minutes=30), timedelta(minutes=45))
    assert targets[Grade.EMERGENCY] == DEFAULT.attendance_targets()[Grade.EMERGENCY]


def test_an_override_may_turn_off_the_justification_requirement(tmp_path: Path) -> None:
    path = write(tmp_path, "[access_log]\nrequire_justification = false\n")
    assert load_policy(path).access_log.require_justification is False


def test_an_override_may_use_another_time_zone(tmp_path: Path) -> None:
    path = write(tmp_path, '[force]\ntimezone = "Europe/Isle_of_Man"\n')
    assert load_policy(path).force.timezone == "Europe/Isle_of_Man"


# --- invalid files ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key", "reason"),
    [
        pytest.param(
            '[force]\ncolour = "blue"\n',
            "force.colour",
            "Extra inputs are not permitted",
            id="unknown-key",
        ),
        pytest.param(
            "[emergency_answr]\nstandard_seconds = 10\n",
            "emergency_answr",
            "Extra inputs are not permitted",
            id="misspelt-section",
        ),
        pytest.param(
            "[grades.1]\ntarget_urban_minutes = -5\n",
            "grades.1.target_urban_minutes",
            "greater than 0",
            id="negative-target",
        ),
        pytest.param(
            "[grades.3]\ntarget_rural_minutes = 0\n",
            "grades.3.target_rural_minutes",
            "greater than 0",
            id="zero-target",
        ),
        pytest.param(
            "[grades.4]\ntarget_urban_minutes = 60\ntarget_rural_minutes = 60\n",
            "grades",
            "grade 4 is resolution without deployment and can have no target",
            id="grade-four-with-target",
        ),
        pytest.param(
            "[grades.4]\ntarget_urban_minutes = 60\n",
            "grades.4",
            "set both target_urban_minutes and target_rural_minutes, or neither",
            id="grade-four-half-target",
        ),
        pytest.param(
            '[grades.5]\nname = "Extra"\ndescription = "x"\n',
            "grades.5.[key]",
            "Input should be 1, 2, 3 or 4",
            id="unknown-grade",
        ),
        pytest.param(
            '[force]\ntimezone = "Mars/Olympus_Mons"\n',
            "force.timezone",
            "unknown time zone 'Mars/Olympus_Mons'",
            id="bad-time-zone",
        ),
        pytest.param(
            '[force]\ntimezone = "GMT+1 summer"\n',
            "force.timezone",
            "unknown time zone",
            id="bad-time-zone-text",
        ),
        pytest.param(
            '[force]\nname = ""\n',
            "force.name",
            "at least 1 character",
            id="empty-force-name",
        ),
        pytest.param(
            '[[partner_agencies]]\ncode = "housing"\nname = "Housing"\n'
            '[[partner_agencies]]\ncode = "housing"\nname = "Council housing"\n',
            "partner_agencies",
            "partner agency codes must be unique; repeated: ['housing']",
            id="duplicate-partner-codes",
        ),
        pytest.param(
            '[[partner_agencies]]\ncode = "Mental Health"\nname = "Mental health"\n',
            "partner_agencies.0.code",
            "String should match pattern",
            id="partner-code-not-a-code",
        ),
        pytest.param(
            "partner_agencies = []\n",
            "partner_agencies",
            "at least 1 item",
            id="no-partner-agencies",
        ),
        pytest.param(
            "[emergency_answer]\nstandard_seconds = 60\n",
            "emergency_answer",
            "long_seconds must be greater than standard_seconds",
            id="standard-equals-long",
        ),
        pytest.param(
            "[emergency_answer]\nstandard_seconds = 90\n",
            "emergency_answer",
            "long_seconds must be greater than standard_seconds",
            id="standard-above-long",
        ),
        pytest.param(
            "[emergency_answer]\nstandard_share = 1.5\n",
            "emergency_answer.standard_share",
            "less than or equal to 1",
            id="share-above-one",
        ),
        pytest.param(
            "[non_emergency_answer]\nmax_abandonment_share = -0.1\n",
            "non_emergency_answer.max_abandonment_share",
            "greater than or equal to 0",
            id="negative-abandonment-share",
        ),
        pytest.param(
            "[security]\nmax_failed_sign_ins = 0\n",
            "security.max_failed_sign_ins",
            "greater than or equal to 1",
            id="no-failures-allowed",
        ),
        pytest.param(
            "[security]\nsession_hours = 200\n",
            "security.session_hours",
            "less than or equal to 168",
            id="session-over-a-week",
        ),
        pytest.param(
            '[access_log]\nrequire_justification = "sometimes"\n',
            "access_log.require_justification",
            "valid boolean",
            id="not-a-boolean",
        ),
        pytest.param(
            'grades = "all of them"\n',
            "grades",
            "valid dictionary",
            id="grades-not-a-table",
        ),
    ],
)
def test_invalid_policy_file_is_refused_naming_the_key_and_the_reason(
    tmp_path: Path, text: str, key: str, reason: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    lines = str(caught.value).splitlines()
    assert lines[0] == f"policy file {path} is not valid:"
    problems = [line.strip() for line in lines[1:]]
    assert any(line.startswith(f"{key}: ") and reason in line for line in problems), problems


def test_every_problem_in_a_file_is_listed_one_per_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[force]\ntimezone = "Nowhere/Special"\n[security]\nlockout_minutes = -1\nextra = 1\n',
    )
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    problems = str(caught.value).splitlines()[1:]
    assert len(problems) == 3
    assert [p.split(":")[0].strip() for p in problems] == [
        "force.timezone",
        "security.lockout_minutes",
        "security.extra",
    ]


def test_a_policy_error_is_a_value_error() -> None:
    assert issubclass(PolicyError, ValueError)


def test_a_missing_grade_is_refused_by_the_schema() -> None:
    # An override file cannot remove a grade (it is laid over the defaults), so this guards
    # the defaults themselves and any policy built without them.
    data = DEFAULT.model_dump(mode="json")
    del data["grades"]["2"]
    with pytest.raises(ValidationError, match=r"grades \[2\] are missing; define all four grades"):
        Policy.model_validate(data)


def test_a_damaged_default_file_missing_a_grade_is_refused_with_a_policy_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = tomllib.loads(policy_model.DEFAULT_POLICY_PATH.read_text(encoding="utf-8"))
    text = policy_model.DEFAULT_POLICY_PATH.read_text(encoding="utf-8")
    start = text.index("[grades.2]")
    end = text.index("[grades.3]")
    damaged = write(tmp_path, text[:start] + text[end:], name="default.toml")
    assert "2" in raw["grades"]
    monkeypatch.setattr(policy_model, "DEFAULT_POLICY_PATH", damaged)
    with pytest.raises(PolicyError) as caught:
        load_policy()
    assert str(caught.value).splitlines() == [
        f"policy file {damaged} is not valid:",
        "  grades: Value error, grades [2] are missing; define all four grades",
    ]


@pytest.mark.parametrize(("grade", "name"), [(1, "Emergency"), (2, "Priority"), (3, "Scheduled")])
def test_a_grade_that_sends_officers_needs_a_target_in_the_schema(grade: int, name: str) -> None:
    data = DEFAULT.model_dump(mode="json")
    data["grades"][str(grade)] = {"name": name, "description": "x"}
    with pytest.raises(ValidationError, match=f"grade {grade} needs an attendance target"):
        Policy.model_validate(data)


def test_a_file_that_is_not_toml_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "force.name: Northshire Police\n")
    with pytest.raises(PolicyError, match=r"is not valid TOML: .*line 1") as caught:
        load_policy(path)
    assert str(caught.value).startswith(f"policy file {path} is not valid TOML: ")


def test_a_file_that_is_not_utf8_text_is_refused_as_not_toml(tmp_path: Path) -> None:
    # e.g. saved as Windows-1252 with a pound sign, or a spreadsheet saved by mistake
    path = tmp_path / "force.toml"
    path.write_bytes('[force]\nname = "Ynys Môn £"\n'.encode("cp1252"))
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    assert str(caught.value) == f"policy file {path} is not valid TOML: not UTF-8 text"


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "no-such-policy.toml"
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    assert str(caught.value) == f"policy file {path} does not exist"


def test_a_directory_in_place_of_a_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PolicyError) as caught:
        load_policy(tmp_path)
    assert str(caught.value).startswith(f"policy file {tmp_path} cannot be read: ")


def test_a_forces_extra_identifiers_are_read_and_checked(tmp_path: Path) -> None:
    policy = load_policy(
        write(
            tmp_path,
            '[identity]\nextra_identifiers = [{name = "pnc_id", kind = "identifier", '
            'label = "PNC ID"}, {name = "email", kind = "email"}]\n',
        )
    )
    assert [(e.name, e.kind, e.label) for e in policy.identity.extra_identifiers] == [
        ("pnc_id", "identifier", "PNC ID"),
        ("email", "email", ""),
    ]
    assert DEFAULT.identity.extra_identifiers == []
    for text, reason in [
        ('[{name = "PNC ID", kind = "identifier"}]', "lower-case letters"),
        ('[{name = "telephone", kind = "identifier"}]', "already has"),
        ('[{name = "pnc", kind = "barcode"}]', "identifier"),
        ('[{name = "pnc", kind = "identifier"}, {name = "pnc", kind = "email"}]', "repeated"),
    ]:
        with pytest.raises(PolicyError, match=reason):
            load_policy(write(tmp_path, f"[identity]\nextra_identifiers = {text}\n"))


@pytest.mark.parametrize("region", ["XX", "GB-ZZ", "Atlantis"])
def test_an_unknown_forecast_holiday_region_is_refused_when_the_policy_loads(
    tmp_path: Path, region: str
) -> None:
    path = tmp_path / "force.toml"
    path.write_text(f'[planning]\nholiday_region = "{region}"\n')
    with pytest.raises(PolicyError, match=r"planning\.holiday_region.*unknown holiday region"):
        load_policy(path)


@pytest.mark.parametrize("region", ["", "none", "SCT", "GB-NIR", "FR", "US-NY", "de-by"])
def test_a_known_forecast_holiday_region_loads(tmp_path: Path, region: str) -> None:
    path = tmp_path / "force.toml"
    path.write_text(f'[planning]\nholiday_region = "{region}"\n')
    assert load_policy(path).planning.holiday_region == region


def test_the_police_uk_id_is_data_police_uk_s_own_spelling() -> None:
    assert policy_model.ForcePolicy(name="F", police_uk_id="west-yorkshire").police_uk_id
    with pytest.raises(ValidationError, match="police_uk_id"):
        policy_model.ForcePolicy(name="F", police_uk_id="West Yorkshire Police")
