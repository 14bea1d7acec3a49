"""CSV exports from the board, the PEEL view and the worklists: each written through
io/spreadsheet.py, each behind its own permission, and the worklists' (personal data) each
logged as a disclosure of every crime in them with the reason the person gave."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from watchhouse.domain.access import AccessQuery, Operation
from watchhouse.domain.investigation_records import BureauTask
from watchhouse.domain.roles import Actor, Role
from watchhouse.services import investigations
from watchhouse.services.access import search_access_log
from watchhouse.services.context import AppContext
from watchhouse.services.synth import SynthRequest, synth_to_database

pytestmark = pytest.mark.web

SMALL_FORCE = SynthRequest(start=date(2024, 4, 1), end=date(2024, 6, 1), scale=0.003, seed=3)


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _disclosures(ctx: AppContext, actors: dict[Role, Actor], username: str) -> list:
    return search_access_log(
        ctx,
        actor=actors[Role.AUDITOR],
        query=AccessQuery(username=username, operation=Operation.DISCLOSURE, limit=5000),
    )


def test_the_board_and_the_peel_view_export_their_figures(ctx, client_as, actors) -> None:
    synth_to_database(ctx, SMALL_FORCE)
    analyst = client_as(Role.ANALYST)
    board_page = analyst.client.get("/board?month=2024-05")
    assert 'href="/board/export?month=2024-05&amp;period=month"' in board_page.text
    board = analyst.client.get("/board/export?month=2024-05&period=month")
    assert board.status_code == 200
    assert board.headers["content-type"].startswith("text/csv")
    assert 'filename="board-month-2024-05.csv"' in board.headers["content-disposition"]
    rows = _rows(board.text)
    assert [r["measure"] for r in rows] == list(ctx.policy.board.headline_measures)
    assert {r["period starts"] for r in rows} == {"2024-05-01"}
    assert any(r["value"] for r in rows)

    peel = analyst.client.get("/board/peel/export?month=2024-05")
    assert peel.status_code == 200
    assert 'filename="peel-2024-05.csv"' in peel.headers["content-disposition"]
    found = _rows(peel.text)
    assert {r["status"] for r in found} <= {"meets", "approaches", "misses", "no data", "no target"}
    assert {r["measure"] for r in rows} <= {r["measure"] for r in found}
    # aggregates only: nothing disclosed
    assert _disclosures(ctx, actors, "analyst") == []


@pytest.mark.parametrize("url", ["/board/export", "/board/peel/export"])
def test_only_who_may_export_the_board_may_export_its_figures(ctx, client_as, url) -> None:
    for role in (Role.CALL_HANDLER, Role.INVESTIGATOR, Role.ADMINISTRATOR):
        assert client_as(role).client.get(url).status_code == 403


def test_a_worklist_exports_as_csv_each_crime_disclosed_with_the_reason(
    ctx, client_as, actors, existing_records
) -> None:
    investigator = client_as(Role.INVESTIGATOR)
    page = investigator.client.get("/investigations")
    assert 'action="/worklists/investigator/export"' in page.text
    response = investigator.client.post(
        "/worklists/investigator/export",
        data={
            "csrf_token": investigator.csrf,
            "justification": "handover to the late shift",
            "recipient": "DC Late Shift",
        },
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = _rows(response.text)
    reference = f"CR{existing_records.crime_id:07d}"
    assert rows and {r["crime"] for r in rows} == {reference}
    assert {"Plans due", "Victim updates due"} <= {r["section"] for r in rows}
    disclosed = _disclosures(ctx, actors, "investigator")
    assert [(e.record_type, e.record_id) for e in disclosed] == [
        ("crime", str(existing_records.crime_id))
    ]
    assert disclosed[0].justification == "handover to the late shift"
    assert disclosed[0].recipient == "DC Late Shift"

    supervisor = client_as(Role.SUPERVISOR)
    reviews = supervisor.client.post(
        "/worklists/supervisor/export",
        data={"csrf_token": supervisor.csrf, "justification": "weekly review"},
    )
    assert reviews.status_code == 200
    assert "Reviews due" in {r["section"] for r in _rows(reviews.text)}
    assert _disclosures(ctx, actors, "supervisor")[0].recipient == "supervisor"


def test_the_bureau_export_keeps_a_formula_from_running_in_a_spreadsheet(
    ctx, client_as, actors, existing_records
) -> None:
    investigations.ask_bureau(
        ctx,
        actor=actors[Role.INVESTIGATOR],
        crime_id=existing_records.crime_id,
        task=BureauTask.OTHER,
        detail='=HYPERLINK("http://evil.example","click")',
    )
    investigator = client_as(Role.INVESTIGATOR)
    response = investigator.client.post(
        "/worklists/bureau/export",
        data={"csrf_token": investigator.csrf, "justification": "=cmd|' /C calc'!A0"},
    )
    assert response.status_code == 200
    details = {r["detail"] for r in _rows(response.text)}
    assert '\'=HYPERLINK("http://evil.example","click")' in details
    assert not any(d.startswith("=") for d in details)
    assert {r["task"] for r in _rows(response.text)} >= {"Records check", "Other"}
    assert len(_disclosures(ctx, actors, "investigator")) == 1  # one crime, logged once


def test_a_worklist_export_needs_a_reason_and_discloses_nothing_without_one(
    ctx, client_as, actors, existing_records
) -> None:
    investigator = client_as(Role.INVESTIGATOR)
    response = investigator.client.post(
        "/worklists/investigator/export", data={"csrf_token": investigator.csrf}
    )
    assert response.status_code == 422
    assert "justification" in response.text
    assert _disclosures(ctx, actors, "investigator") == []


def test_only_who_may_see_a_worklist_may_export_it(ctx, client_as, existing_records) -> None:
    investigator = client_as(Role.INVESTIGATOR)
    refused = investigator.client.post(
        "/worklists/supervisor/export",
        data={"csrf_token": investigator.csrf, "justification": "curious"},
    )
    assert refused.status_code == 403
    for role in (Role.ANALYST, Role.CALL_HANDLER, Role.AUDITOR):
        signed = client_as(role)
        answer = signed.client.post(
            "/worklists/investigator/export",
            data={"csrf_token": signed.csrf, "justification": "curious"},
        )
        assert answer.status_code == 403
    unknown = investigator.client.post(
        "/worklists/everyone/export",
        data={"csrf_token": investigator.csrf, "justification": "curious"},
    )
    assert unknown.status_code == 404
