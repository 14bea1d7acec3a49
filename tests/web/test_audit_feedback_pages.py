"""The supervisor's audit feedback with more findings than fit a page: paged by policy,
failures first, nothing cut off, and passes acknowledged a page or all at once."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from watchhouse.db.audit_tables import AuditFindingRow, AuditResultRow, AuditSampleItemRow
from watchhouse.domain.roles import Role

pytestmark = pytest.mark.web

EXTRA = 620  # more than the 500 rows the page used to stop at, silently


@pytest.fixture
def many_findings(existing_records, ctx) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """The fixture's one finding plus 620 more for the same supervisor: every third a
    failure, raised over the last weeks."""
    with ctx.db.transaction() as session:
        finding = session.get(AuditFindingRow, existing_records.finding_id)
        result = session.get(AuditResultRow, finding.result_id)
        item = session.get(AuditSampleItemRow, result.item_id)
        failures = 0
        for n in range(EXTRA):
            failed = n % 3 == 0
            failures += failed
            new_item = AuditSampleItemRow(
                sample_id=item.sample_id,
                record_type=item.record_type,
                record_id=item.record_id + 1000 + n,
                record_at=item.record_at,
                stratum=item.stratum,
                subject_user_id=item.subject_user_id,
                team_id=item.team_id,
                neighbourhood_id=item.neighbourhood_id,
            )
            session.add(new_item)
            session.flush()
            new_result = AuditResultRow(
                item_id=new_item.id,
                answers=result.answers,
                points=result.points,
                available=result.available,
                score=0.4 if failed else 0.9,
                passed=not failed,
                failed_critical=[],
                auditor_id=result.auditor_id,
                audited_at=result.audited_at,
            )
            session.add(new_result)
            session.flush()
            session.add(
                AuditFindingRow(
                    result_id=new_result.id,
                    record_type=finding.record_type,
                    record_id=new_item.record_id,
                    subject_user_id=finding.subject_user_id,
                    team_id=finding.team_id,
                    text=f"finding {n}",
                    raised_at=finding.raised_at - timedelta(hours=n),
                )
            )
    return {"failures": failures, "passes": EXTRA - failures + 1, "total": EXTRA + 1}


def _rows(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr.*?</tr>", body, flags=re.DOTALL)


def _counts(html: str) -> tuple[int, int, int]:
    found = re.search(
        r"<strong>(\d+)</strong> failures waiting, <strong>(\d+)</strong> passes waiting, "
        r"(\d+) acknowledged",
        html,
    )
    assert found, html
    failures, passes, done = found.groups()
    return int(failures), int(passes), int(done)


def test_feedback_is_paged_failures_first_and_every_finding_can_be_reached(
    many_findings, client_as, ctx
):
    supervisor = client_as(Role.SUPERVISOR)
    size = ctx.policy.audit_feedback.page_size
    first = supervisor.client.get("/audits/feedback").text
    assert _counts(first) == (many_findings["failures"], many_findings["passes"], 0)
    rows = _rows(first)
    assert len(rows) == size
    assert all("FAIL" in row for row in rows)  # failures first
    pages = -(-many_findings["total"] // size)
    assert f"Findings 1 to {size} of {many_findings['total']} (page 1 of {pages})" in first
    seen = len(rows)
    for page in range(2, pages + 1):
        seen += len(_rows(supervisor.client.get(f"/audits/feedback?page={page}").text))
    assert seen == many_findings["total"]  # nothing cut off


def test_passes_are_acknowledged_a_page_at_a_time_or_all_at_once(many_findings, client_as, ctx):
    supervisor = client_as(Role.SUPERVISOR)
    size = ctx.policy.audit_feedback.page_size
    failure_pages = many_findings["failures"] // size
    page = failure_pages + 2  # a page of passes only
    shown = supervisor.client.get(f"/audits/feedback?page={page}").text
    on_page = re.findall(r'name="finding" value="(\d+)"', shown)
    assert len(on_page) == size
    done = supervisor.client.post(
        "/audits/feedback/passes/acknowledgement",
        data={
            "csrf_token": supervisor.csrf,
            "page": str(page),
            "finding": on_page,
            "scope": "page",
        },
    )
    assert done.status_code == 303
    after = supervisor.client.get(done.headers["location"]).text
    assert f"{size} passes acknowledged." in after
    assert _counts(after) == (
        many_findings["failures"],
        many_findings["passes"] - size,
        size,
    )
    everything = supervisor.client.post(
        "/audits/feedback/passes/acknowledgement",
        data={"csrf_token": supervisor.csrf, "page": "1", "scope": "all"},
    )
    final = supervisor.client.get(everything.headers["location"]).text
    assert _counts(final) == (many_findings["failures"], 0, many_findings["passes"])
    with ctx.db.transaction() as session:
        failures_open = session.scalars(
            select(AuditFindingRow.id)
            .join(AuditResultRow, AuditResultRow.id == AuditFindingRow.result_id)
            .where(AuditResultRow.passed.is_(False), AuditFindingRow.acknowledged_at.is_not(None))
        ).all()
    assert failures_open == []  # failures are never acknowledged in bulk


def test_a_failed_critical_question_is_named_by_its_words(existing_records, ctx, client_as):
    """Issue 15, the demo walked as a supervisor: feedback read "(critical:
    recorded_correctly)", the question's id."""
    with ctx.db.transaction() as session:
        finding = session.get(AuditFindingRow, existing_records.finding_id)
        result = session.get(AuditResultRow, finding.result_id)
        result.failed_critical = ["risk"]
        result.passed = False
        result.score = 0.5
    words = "Was the likelihood of harm before officers could arrive weighed"
    feedback = client_as(Role.SUPERVISOR).client.get("/audits/feedback").text
    assert f"(critical question failed: {words}" in feedback
    assert "critical: risk" not in feedback
    item = (
        client_as(Role.AUDITOR)
        .client.get(
            f"/audits/samples/{existing_records.sample_id}/items/{existing_records.item_id}"
        )
        .text
    )
    assert f"Critical questions failed: {words}" in item
