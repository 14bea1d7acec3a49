"""The audit JSON API: draw by seed (once), open and score a record, feedback, trends."""

from __future__ import annotations

import re

import pytest

from watchhouse.domain.roles import Role
from watchhouse.services import teams

pytestmark = pytest.mark.web


def _json(signed) -> dict[str, str]:
    return {"X-CSRF-Token": signed.csrf}


def test_auditor_draws_opens_and_scores_through_the_api(existing_records, client_as, ctx):
    auditor = client_as(Role.AUDITOR)
    body = {
        "template": "vulnerability_identification",
        "month": ctx.now().strftime("%Y-%m"),
        "seed": 11,
    }
    first = auditor.client.post("/api/audits/samples", json=body, headers=_json(auditor))
    assert first.status_code == 201, first.text
    drawn = first.json()
    assert drawn["created"] is True and drawn["per"] == "handler" and drawn["count"] == 3
    (item,) = drawn["items"]
    assert item["record_id"] == existing_records.contact_id and item["team"] == "Control A"
    again = auditor.client.post("/api/audits/samples", json=body, headers=_json(auditor))
    assert again.status_code == 200
    assert again.json()["id"] == drawn["id"] and again.json()["created"] is False

    url = f"/api/audits/samples/{drawn['id']}/items/{item['id']}"
    opened = auditor.client.get(url)
    assert opened.status_code == 200
    fields = {f["label"]: f["value"] for f in opened.json()["fields"]}
    assert fields["What was reported"] == "Man with a knife in the street"
    assert opened.json()["result"] is None

    bad = auditor.client.post(
        f"{url}/result", json={"answers": {"referral": "maybe"}}, headers=_json(auditor)
    )
    assert bad.status_code == 422
    fields_at_fault = {p["field"] for p in bad.json()["problems"]}
    assert {"referral", "indicators_explored"} <= fields_at_fault

    answers = {
        "indicators_explored": "yes",
        "recorded_correctly": "yes",
        "others_considered": "yes",
        "history_checked": "partly",
        "response_protects": "yes",
        "referral": "not_applicable",
    }
    scored = auditor.client.post(f"{url}/result", json={"answers": answers}, headers=_json(auditor))
    assert scored.status_code == 201
    assert scored.json()["passed"] is True
    assert scored.json()["score"] == pytest.approx(8.5 / 9)
    twice = auditor.client.post(f"{url}/result", json={"answers": answers}, headers=_json(auditor))
    assert twice.status_code == 409


def test_supervisor_reads_and_acknowledges_feedback_through_the_api(existing_records, client_as):
    supervisor = client_as(Role.SUPERVISOR)
    (finding,) = supervisor.client.get("/api/audits/feedback").json()
    assert finding["id"] == existing_records.finding_id and finding["passed"] is True
    done = supervisor.client.post(
        f"/api/audits/feedback/{finding['id']}/acknowledgement",
        json={"response": "well done passed on"},
        headers=_json(supervisor),
    )
    assert done.status_code == 204
    (after,) = supervisor.client.get("/api/audits/feedback").json()
    assert after["acknowledged_by"] == "Supervisor" and after["response"] == "well done passed on"


def test_trends_and_templates_through_the_api(existing_records, client_as):
    analyst = client_as(Role.ANALYST)
    cells = {c["group"]: c for c in analyst.client.get("/api/audits/trends").json()}
    assert (cells["Control A"]["audits"], cells["Control A"]["pass_rate"]) == (1, 1.0)
    auditor = client_as(Role.AUDITOR)
    codes = {t["code"] for t in auditor.client.get("/api/audits/templates").json()}
    assert {"thrive_quality", "body_worn_video", "victims_code_compliance"} <= codes
    assert analyst.client.get("/api/audits/templates").status_code == 403


def test_trends_api_lists_every_team_and_area_with_no_audits_as_n_0(
    existing_records, client_as, ctx, actors
):
    """The trends page showed CID (never audited) as n=0; the API left it out."""
    teams.add_team(
        ctx, actor=actors[Role.ADMINISTRATOR], code="cid", name="CID", kind="investigation"
    )
    analyst = client_as(Role.ANALYST).client
    by_team = {c["group"]: c for c in analyst.get("/api/audits/trends").json()}
    assert by_team["CID"] == {
        "period": by_team["Control A"]["period"],
        "group": "CID",
        "audits": 0,
        "mean_score": None,
        "pass_rate": None,
    }
    assert by_team["Control A"]["audits"] == 1
    page = analyst.get("/audits/trends").text
    rows = re.findall(r'<th scope="row">(.*?)</th>', page)
    assert sorted(by_team) == rows
    areas = {c["group"] for c in analyst.get("/api/audits/trends", params={"by": "area"}).json()}
    assert areas >= {"Central", "Moor"}, areas
