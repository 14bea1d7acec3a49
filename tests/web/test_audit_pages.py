"""The auditor's, supervisor's and administrator's audit pages, used through the forms."""

from __future__ import annotations

import re

import pytest

from watchhouse.db.tables import CrimeRow
from watchhouse.domain.access import AccessQuery, Operation
from watchhouse.domain.roles import Role
from watchhouse.services import teams
from watchhouse.services.access import search_access_log

pytestmark = pytest.mark.web

PLAN_ANSWERS = {
    "plan_in_time": "yes",
    "lines_of_enquiry": "yes",
    "evidence_secured": "partly",
    "safeguarding": "yes",
    "suspect_strategy": "not_applicable",
    "victim_needs": "yes",
    "supervisor_review": "no",
    "overall": "3",
}

VULNERABILITY_ANSWERS = {
    "a_indicators_explored": "yes",
    "a_recorded_correctly": "no",
    "a_others_considered": "partly",
    "a_history_checked": "yes",
    "a_response_protects": "yes",
    "a_referral": "not_applicable",
}


def _draw(auditor, month: str, template: str = "vulnerability_identification", seed: str = "7"):
    return auditor.client.post(
        "/audits/samples",
        data={"csrf_token": auditor.csrf, "template": template, "period": month, "seed": seed},
    )


def test_auditor_draws_opens_and_scores_a_record_through_the_forms(
    existing_records, client_as, ctx
):
    auditor = client_as(Role.AUDITOR)
    month = ctx.now().strftime("%Y-%m")
    drawn = _draw(auditor, month)
    assert drawn.status_code == 303
    sample_url = drawn.headers["location"]
    again = _draw(auditor, month)
    assert again.headers["location"] == sample_url  # the same draw is not stored twice
    sample = auditor.client.get(sample_url)
    assert sample.status_code == 200
    assert f"C{existing_records.contact_id:07d}" in sample.text
    assert "3 per handler" in sample.text and "to do" in sample.text
    (item_url,) = re.findall(rf'href="({sample_url}/items/\d+)"', sample.text)

    page = auditor.client.get(item_url)
    assert page.status_code == 200
    assert "Man with a knife in the street" in page.text  # the record beside the questions
    assert "Was each vulnerability found recorded with the right flag?" in page.text
    assert "Other audits of this record" in page.text  # the THRIVE quality audit
    logged = search_access_log(
        ctx,
        actor=None,
        query=AccessQuery(
            username="auditor", operation=Operation.CONSULTATION, record_type="contact"
        ),
    )
    assert [e.record_id for e in logged] == [str(existing_records.contact_id)]

    missing = auditor.client.post(
        item_url, data={"csrf_token": auditor.csrf, "a_indicators_explored": "yes"}
    )
    assert missing.status_code == 422
    assert "answer this question" in missing.text
    assert 'value="yes" checked' in missing.text  # what was ticked is kept

    no_finding = auditor.client.post(
        item_url, data={"csrf_token": auditor.csrf, **VULNERABILITY_ANSWERS}
    )
    assert no_finding.status_code == 422
    assert "say what fell short" in no_finding.text

    scored = auditor.client.post(
        item_url,
        data={"csrf_token": auditor.csrf, **VULNERABILITY_ANSWERS, "finding": "flag missing"},
    )
    assert scored.status_code == 303 and scored.headers["location"] == sample_url
    done = auditor.client.get(item_url)
    assert "fail" in done.text and "flag missing" in done.text
    assert (
        "Critical questions failed: Was each vulnerability found recorded with the right flag?"
        in (done.text)
    )  # the critical question that failed, in its words


def test_bad_draws_are_refused_with_each_field_named(existing_records, client_as):
    auditor = client_as(Role.AUDITOR)
    bad = auditor.client.post(
        "/audits/samples",
        data={
            "csrf_token": auditor.csrf,
            "template": "thrive_quality",
            "period": "May",
            "seed": "x",
        },
    )
    assert bad.status_code == 422
    assert "give a whole number" in bad.text
    wrong = _draw(auditor, "13-2024", template="thrive_quality")
    assert wrong.status_code == 422 and "YYYY-MM" in wrong.text
    assert 'value="13-2024"' in wrong.text


def test_auditor_defines_a_template_from_toml_and_a_bad_one_says_where(existing_records, client_as):
    auditor = client_as(Role.AUDITOR)
    definition = auditor.client.get("/audits/templates/thrive_quality/definition")
    assert definition.status_code == 200
    text = definition.text.replace('"thrive_quality"', '"thrive_quality_v2"').replace(
        'name = "THRIVE quality"', 'name = "THRIVE quality (2025)"'
    )
    saved = auditor.client.post(
        "/audits/templates", data={"csrf_token": auditor.csrf, "definition": text}
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == "/audits/templates/thrive_quality_v2"
    page = auditor.client.get(saved.headers["location"])
    assert "THRIVE quality (2025)" in page.text and "auditor" in page.text

    broken = text.replace("pass_mark = 0.8", "pass_mark = 8")
    refused = auditor.client.post(
        "/audits/templates", data={"csrf_token": auditor.csrf, "definition": broken}
    )
    assert refused.status_code == 422
    assert "pass_mark" in refused.text and "less than or equal to 1" in refused.text
    assert "pass_mark = 8" in refused.text  # the text is kept to correct


def test_supervisor_sees_the_finding_for_their_team_and_acknowledges_it(
    existing_records, client_as
):
    supervisor = client_as(Role.SUPERVISOR)
    page = supervisor.client.get("/audits/feedback")
    assert page.status_code == 200
    assert f"C{existing_records.contact_id:07d}" in page.text
    assert "THRIVE quality" in page.text and "meets the standard" in page.text
    done = supervisor.client.post(
        f"/audits/feedback/{existing_records.finding_id}/acknowledgement",
        data={"csrf_token": supervisor.csrf, "response": "praised at briefing"},
    )
    assert done.status_code == 303
    after = supervisor.client.get("/audits/feedback").text
    assert "praised at briefing" in after and "Acknowledge</button>" not in after


def test_trends_show_scores_by_team_per_month(existing_records, client_as, ctx):
    analyst = client_as(Role.ANALYST)
    page = analyst.client.get("/audits/trends")
    assert page.status_code == 200
    month = ctx.now().strftime("%Y-%m")
    assert f">{month}<" in page.text
    assert "Control A" in page.text and "100% · pass 100% · n=1" in page.text
    by_area = analyst.client.get("/audits/trends", params={"by": "area"})
    assert "Central" in by_area.text
    assert analyst.client.get("/audits/trends", params={"by": "shoe"}).status_code == 422


def test_trends_show_every_team_and_area_with_no_audits_as_n_0(
    existing_records, client_as, ctx, actors
):
    """Walking the demo: CID's records were never audited, so the trends by team had no CID
    row at all, as if the page did not cover it."""
    teams.add_team(
        ctx, actor=actors[Role.ADMINISTRATOR], code="cid", name="CID", kind="investigation"
    )
    analyst = client_as(Role.ANALYST).client
    by_team = analyst.get("/audits/trends").text
    row = re.search(r'<tr><th scope="row">CID</th>(.*?)</tr>', by_team)
    assert row is not None, "no CID row"
    assert re.findall(r"<td>(.*?)</td>", row.group(1)) == ["n=0"]
    assert re.search(r'<th scope="row">Control A</th><td>100% · pass 100% · n=1</td>', by_team)
    by_area = analyst.get("/audits/trends", params={"by": "area"}).text
    areas = re.findall(r'<th scope="row">(.*?)</th>', by_area)
    assert set(areas) >= {"Central", "Moor"}, areas


def test_administrator_adds_a_team_and_moves_a_user_into_it(existing_records, client_as):
    admin = client_as(Role.ADMINISTRATOR)
    token = {"csrf_token": admin.csrf}
    added = admin.client.post(
        "/admin/teams",
        data={
            **token,
            "code": "resp-1",
            "name": "Response 1",
            "kind": "response",
            "supervisor": "",
        },
    )
    assert added.status_code == 303
    moved = admin.client.post(
        "/admin/teams/members", data={**token, "username": "officer", "member_team": "resp-1"}
    )
    assert moved.status_code == 303
    named = admin.client.post(
        "/admin/teams/supervisor", data={**token, "team": "resp-1", "supervisor": "supervisor"}
    )
    assert named.status_code == 303
    page = admin.client.get("/admin/teams").text
    assert re.search(r"<td>officer</td><td>Officer</td><td>resp-1</td>", page)
    assert re.search(r"<td>analyst</td><td>Analyst</td><td>no team</td>", page)
    refused = admin.client.post(
        "/admin/teams", data={**token, "code": "resp-1", "name": "Again", "kind": "response"}
    )
    assert refused.status_code == 422 and "already taken" in refused.text
    bad_kind = admin.client.post(
        "/admin/teams", data={**token, "code": "x", "name": "X", "kind": "cavalry"}
    )
    assert bad_kind.status_code == 422 and "one of control_room" in bad_kind.text


def test_a_sampled_crime_links_to_the_crime_page_and_opening_it_is_logged(
    existing_records, client_as, ctx, actors
):
    auditor = client_as(Role.AUDITOR)
    drawn = _draw(auditor, ctx.now().strftime("%Y-%m"), template="investigation_plan_quality")
    assert drawn.status_code == 303
    sample_url = drawn.headers["location"]
    sample = auditor.client.get(sample_url).text
    assert "5 per investigator" in sample and "investigator" in sample
    (item_url,) = re.findall(rf'href="({sample_url}/items/\d+)"', sample)
    page = auditor.client.get(item_url)
    crime_url = f"/crimes/{existing_records.crime_id}"
    sample_id, item_id = re.findall(r"/audits/samples/(\d+)/items/(\d+)", item_url)[0]
    from_audit = f"{crime_url}?audit_sample={sample_id}&audit_item={item_id}"
    assert f'<a href="{from_audit.replace("&", "&amp;")}">Open the full record</a>' in page.text

    def consulted():
        return search_access_log(
            ctx,
            actor=None,
            query=AccessQuery(
                username="auditor", operation=Operation.CONSULTATION, record_type="crime"
            ),
        )

    assert len(consulted()) == 1  # opened for audit
    crime = auditor.client.get(from_audit)
    assert crime.status_code == 200 and "Threatened with a knife" in crime.text
    assert [e.record_id for e in consulted()] == [str(existing_records.crime_id)] * 2
    # The crime page's consultation is logged as the audit's, naming the sample.
    reason = max(consulted(), key=lambda e: e.id).justification or ""
    assert reason.startswith("Auditor duty: audit consultation: quality audit AS")
    assert f"AS{int(sample_id):06d} (Investigation plan quality), crime" in reason
    assert "investigating" not in reason

    # The crime's own supervisor gets the finding, with the crime linked.
    with ctx.db.transaction() as session:
        row = session.get(CrimeRow, existing_records.crime_id)
        row.supervisor_id = actors[Role.SUPERVISOR].user_id
    answers = {f"a_{q}": a for q, a in PLAN_ANSWERS.items()}
    scored = auditor.client.post(
        item_url, data={"csrf_token": auditor.csrf, **answers, "finding": "no review yet"}
    )
    assert scored.status_code == 303
    supervisor = client_as(Role.SUPERVISOR)
    feedback = supervisor.client.get("/audits/feedback").text
    (finding_id,) = re.findall(rf'<a href="{crime_url}\?audit_finding=(\d+)">CR', feedback)
    assert f">CR{existing_records.crime_id:07d}</a>" in feedback

    # Opened from the feedback, the supervisor's consultation names the finding; a finding
    # that is not about this crime leaves the supervisor's usual reason.
    def supervisor_reason() -> str:
        found = search_access_log(
            ctx,
            actor=None,
            query=AccessQuery(
                username="supervisor", operation=Operation.CONSULTATION, record_type="crime"
            ),
        )
        return max(found, key=lambda e: e.id).justification or ""

    assert supervisor.client.get(f"{crime_url}?audit_finding={finding_id}").status_code == 200
    assert supervisor_reason() == (
        f"Supervisor duty: audit feedback: finding {finding_id} (Investigation plan quality), "
        f"crime {existing_records.crime_id}"
    )
    supervisor.client.get(f"{crime_url}?audit_finding={existing_records.finding_id}")
    assert supervisor_reason() == (
        f"Supervisor duty: investigating crime {existing_records.crime_id}"
    )
    # Nor does a finding that is for someone else: the investigator keeps their own reason.
    investigator = client_as(Role.INVESTIGATOR)
    investigator.client.get(f"{crime_url}?audit_finding={finding_id}")
    opened = search_access_log(
        ctx,
        actor=None,
        query=AccessQuery(
            username="investigator", operation=Operation.CONSULTATION, record_type="crime"
        ),
    )
    assert max(opened, key=lambda e: e.id).justification == (
        f"Investigator duty: investigating crime {existing_records.crime_id}"
    )


def test_crime_page_reason_is_an_audit_consultation_only_for_a_sample_that_holds_it(
    existing_records, client_as, ctx
):
    """A sample and item that do not hold this crime (or none at all) do not make the
    auditor's reason an audit's; an auditor's reason still says it is an audit consultation,
    and an investigator's says they are investigating."""
    auditor = client_as(Role.AUDITOR)
    crime_id = existing_records.crime_id
    drawn = _draw(auditor, ctx.now().strftime("%Y-%m"), template="investigation_plan_quality")
    sample_id = int(drawn.headers["location"].rsplit("/", 1)[1])

    def last_reason(username: str) -> str:
        found = search_access_log(
            ctx,
            actor=None,
            query=AccessQuery(
                username=username, operation=Operation.CONSULTATION, record_type="crime"
            ),
        )
        return max(found, key=lambda e: e.id).justification or ""

    wrong_item = auditor.client.get(
        f"/crimes/{crime_id}?audit_sample={sample_id}&audit_item=999999"
    )
    assert wrong_item.status_code == 200
    assert last_reason("auditor") == f"Auditor duty: audit consultation of crime {crime_id}"
    auditor.client.get(f"/crimes/{crime_id}")
    assert last_reason("auditor") == f"Auditor duty: audit consultation of crime {crime_id}"
    investigator = client_as(Role.INVESTIGATOR)
    assert investigator.client.get(f"/crimes/{crime_id}").status_code == 200
    assert last_reason("investigator") == f"Investigator duty: investigating crime {crime_id}"
