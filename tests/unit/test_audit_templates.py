"""Audit templates as data files: the shipped ones load, bad ones say where and why."""

from __future__ import annotations

from pathlib import Path

import pytest

from watchhouse.domain.audit import AnswerKind, RecordType, score_audit
from watchhouse.policy.audits import (
    AuditTemplateError,
    load_template,
    parse_template,
    shipped_template_texts,
    shipped_templates,
)

pytestmark = pytest.mark.unit

GOOD = """
code = "my_audit"
name = "My audit"
record_type = "contact"
pass_mark = 0.5
[sample]
per = "handler"
count = 2
[[questions]]
id = "q1"
text = "Was it done?"
[[questions]]
id = "q2"
text = "How well?"
answer = "scale"
scale_max = 3
weight = 2
"""


def test_every_template_the_issue_names_is_shipped():
    found = shipped_templates()
    assert {
        "thrive_quality",
        "vulnerability_identification",
        "body_worn_video",
        "crime_recording",
        "investigation_plan_quality",
        "victims_code_compliance",
    } <= set(found)
    assert found["thrive_quality"].record_type == RecordType.CONTACT
    assert (found["thrive_quality"].sample_per, found["thrive_quality"].sample_count) == (
        "handler",
        3,
    )
    assert found["body_worn_video"].record_type == RecordType.INCIDENT
    assert found["victims_code_compliance"].record_type == RecordType.CRIME
    # Plans and victims' updates are the investigator's work; recording is the team's.
    assert {c: found[c].sample_per for c in found if found[c].record_type == RecordType.CRIME} == {
        "crime_recording": "team",
        "investigation_plan_quality": "investigator",
        "victims_code_compliance": "investigator",
    }
    assert set(shipped_template_texts()) == set(found)


@pytest.mark.parametrize("code", sorted(shipped_templates()))
def test_a_shipped_template_answered_yes_throughout_passes(code):
    template = shipped_templates()[code]
    answers = {
        q.id: str(q.scale_max) if q.kind == AnswerKind.SCALE else "yes" for q in template.questions
    }
    result = score_audit(template, answers)
    assert (result.score, result.passed) == (1.0, True)


def test_a_good_template_loads_with_its_defaults():
    template = parse_template(GOOD, source="upload")
    assert template.partly_credit == 0.5
    assert [q.kind for q in template.questions] == [AnswerKind.YES_NO, AnswerKind.SCALE]
    assert template.question("q2").answers() == ("0", "1", "2", "3", "not_applicable")


@pytest.mark.parametrize(
    ("change", "where", "reason"),
    [
        (("pass_mark = 0.5", "pass_mark = 1.5"), "pass_mark", "less than or equal to 1"),
        (('per = "handler"', 'per = "team"'), "(top level)", "contact records sample per handler"),
        (('id = "q2"', 'id = "q1"'), "(top level)", "repeated: ['q1']"),
        (("scale_max = 3", "scale_max = 0"), "questions.1", "needs scale_max"),
        (('record_type = "contact"', 'record_type = "car"'), "record_type", "Input should be"),
        (
            ('text = "Was it done?"', 'text = "Was it done?"\ncolour = "red"'),
            "questions.0.colour",
            "Extra",
        ),
    ],
)
def test_a_bad_template_names_the_source_the_key_and_the_reason(change, where, reason):
    bad = GOOD.replace(*change)
    with pytest.raises(AuditTemplateError) as caught:
        parse_template(bad, source="upload by auditor")
    message = str(caught.value)
    assert "audit template upload by auditor is not valid" in message
    assert where in message and reason in message


def test_broken_toml_is_reported_with_the_file_name(tmp_path: Path):
    path = tmp_path / "broken.toml"
    path.write_text('code = "x\n', encoding="utf-8")
    with pytest.raises(AuditTemplateError, match=r"broken\.toml is not valid TOML"):
        load_template(path)


def test_a_missing_file_is_reported_with_its_name(tmp_path: Path):
    with pytest.raises(AuditTemplateError, match="cannot be read"):
        load_template(tmp_path / "nowhere.toml")
