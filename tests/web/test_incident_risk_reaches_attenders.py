"""Issue 15, point 14: vulnerability and risk reach the people who attend."""

from __future__ import annotations

import pytest

from support import partner_shouting_incident
from watchhouse.domain.roles import Role
from watchhouse.domain.thrive import VulnerabilityFlag
from watchhouse.services import risk

pytestmark = pytest.mark.web


def _flagged_incident(ctx, actors, where: str) -> int:  # type: ignore[no-untyped-def]
    flags = frozenset({VulnerabilityFlag.DOMESTIC_ABUSE, VulnerabilityFlag.MENTAL_HEALTH})
    return partner_shouting_incident(
        ctx, actors[Role.CALL_HANDLER], where, "Partner shouting and throwing things", flags
    )


def test_the_queue_shows_the_thrive_flags_of_each_incident(
    ctx, actors, neighbourhoods, client_as
) -> None:
    _flagged_incident(ctx, actors, neighbourhoods["urban"])
    row = client_as(Role.DISPATCHER).client.get("/dispatch").text
    row = row[row.index("Partner shouting") :].split("</tr>")[0]
    assert "Domestic abuse" in row
    assert "Risk high" in row and "Vulnerable" in row
    assert "Mental health" in row


def test_the_incident_page_shows_the_flags_the_dash_result_and_the_marac_referral(
    ctx, actors, neighbourhoods, client_as
) -> None:
    incident_id = _flagged_incident(ctx, actors, neighbourhoods["urban"])
    officer = client_as(Role.OFFICER)
    before = officer.client.get(f"/incidents/{incident_id}").text
    assert "Domestic abuse" in before
    assert "THRIVE: risk high, vulnerability high" in before
    assert "none yet" in before
    opened = risk.open_assessment(ctx, actor=actors[Role.OFFICER], incident_id=incident_id)
    risk.save_answers(
        ctx,
        actor=actors[Role.OFFICER],
        assessment_id=opened.id,
        answers={f"q{i:02d}": "yes" for i in range(1, 15)},
    )
    risk.complete(
        ctx, actor=actors[Role.OFFICER], assessment_id=opened.id, judged=None, rationale=""
    )
    after = officer.client.get(f"/incidents/{incident_id}").text
    result = after[after.index('id="risk-result"') :].split("</dd>")[0]
    assert "risk <strong>high</strong>" in result
    assert "referred to MARAC" in result and "visible high risk" in result
