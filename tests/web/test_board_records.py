"""The records behind a board value: references that open the record, only the records that
missed, and an export logged as a disclosure."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest

from watchhouse.domain.access import AccessQuery, Operation
from watchhouse.domain.roles import Role
from watchhouse.services.access import search_access_log
from watchhouse.services.synth import SynthRequest, synth_to_database

pytestmark = pytest.mark.web

SMALL_FORCE = SynthRequest(start=date(2024, 4, 1), end=date(2024, 6, 1), scale=0.003, seed=3)
KEY = "contact.999_answered_within_10s"
RECORDS = f"/board/records?key={KEY}&period=month&start=2024-05-01"


@pytest.fixture
def force(ctx):
    synth_to_database(ctx, SMALL_FORCE)
    return ctx


def _cells(html: str, column: str) -> list[str]:
    head = html.split("<thead>", 1)[1].split("</thead>", 1)[0]
    names = re.findall(r'<th scope="col">([^<]*)</th>', head)
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)
    index = names.index(column)
    return [re.findall(r"<td>(.*?)</td>", row, flags=re.S)[index] for row in rows]


def test_each_record_behind_a_value_links_to_its_page_by_reference(force, client_as):
    page = client_as(Role.ANALYST).client.get(RECORDS).text
    references = _cells(page, "Reference")
    assert references
    assert all(re.fullmatch(r'<a href="/contacts/\d+">C\d{7}</a>', r) for r in references)


def test_only_the_records_that_missed_can_be_shown(force, client_as):
    analyst = client_as(Role.ANALYST)
    every = analyst.client.get(RECORDS).text
    assert 'id="only-missed"' in every
    missed = analyst.client.get(RECORDS + "&missed=1").text
    answered_in_time = _cells(missed, "Met the measure")
    assert answered_in_time and set(answered_in_time) == {"no"}
    assert set(_cells(every, "Met the measure")) == {"no", "yes"}


def test_the_records_export_as_csv_and_each_is_logged_as_a_disclosure(force, client_as, actors):
    analyst = client_as(Role.ANALYST)
    response = analyst.client.post(
        "/board/records/export",
        data={
            "csrf_token": analyst.csrf,
            "key": KEY,
            "period": "month",
            "start": "2024-05-01",
            "missed": "1",
            "justification": "=review of slow answers",
            "recipient": "Control room inspector",
        },
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert rows and all(r["reference"].startswith("C") and r["num"] == "0" for r in rows)
    disclosed = search_access_log(
        force,
        actor=actors[Role.AUDITOR],
        query=AccessQuery(username="analyst", operation=Operation.DISCLOSURE, limit=5000),
    )
    assert len(disclosed) == len(rows)
    assert {e.recipient for e in disclosed} == {"Control room inspector"}


def test_the_records_name_their_neighbourhood_and_columns_in_words(force, client_as):
    """Issue 15 (the demo walked as an analyst): the drill-down said "neighbourhood
    riverside" and had columns "cut value", "num" and "den"."""
    from watchhouse.services import reference

    analyst = client_as(Role.ANALYST).client
    every = analyst.get(RECORDS).text
    assert "Neighbourhood</th>" not in every  # force-wide: no neighbourhood column
    names = {n.code: n.name for n in reference.neighbourhoods(force)}
    measure = analyst.get(f"/board/measure?key={KEY}&month=2024-05&period=month").text
    code = next(c for c in names if f'data-neighbourhood="{c}"' in measure)
    name = names[code]
    one = analyst.get(RECORDS + f"&neighbourhood={code}").text
    assert f"Month starting 01 May 2024, {name}." in one
    assert set(_cells(one, "Neighbourhood")) == {name}
    assert set(_cells(one, "Counted in the value")) == {"yes"}
    assert '<th scope="col">num</th>' not in one and "cut value" not in one


def test_a_measure_page_calls_records_without_a_neighbourhood_so(force, client_as):
    page = (
        client_as(Role.ANALYST)
        .client.get(f"/board/measure?key={KEY}&month=2024-05&period=month")
        .text
    )
    assert 'data-neighbourhood="unknown"><td>unknown' not in page
    if 'data-neighbourhood="unknown"' in page:
        assert 'data-neighbourhood="unknown"><td>no neighbourhood recorded' in page
