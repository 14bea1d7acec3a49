"""The board's measure page breaks a value down by team and by crime group where the measure
has those cuts, and the audit measures sit under their PEEL areas."""

from __future__ import annotations

import re

import pytest

from watchhouse.domain.roles import Role

pytestmark = pytest.mark.web


def _section(html: str, anchor: str) -> str:
    """The part of the page from the element with this id to the next heading or section."""
    start = html.index(f'id="{anchor}"')
    rest = html[start:]
    ends = [m.start() for m in re.finditer(r"<h2 |</section>", rest[1:])]
    return rest[: ends[0] + 1] if ends else rest


def test_audit_score_is_broken_down_by_the_team_whose_work_it_was(existing_records, client_as, ctx):
    # The set-up scored one of Control A's calls at 100% this month.
    month = ctx.now().strftime("%Y-%m")
    page = client_as(Role.ANALYST).client.get(f"/board/measure?key=audits.mean_score&month={month}")
    assert page.status_code == 200
    by_team = _section(page.text, "by-team")
    assert 'data-team="control-a"' in by_team
    row = re.search(r'<tr data-team="control-a">(.*?)</tr>', by_team, re.S)
    assert row is not None
    assert "Control A" in row.group(1) and "100.0%" in row.group(1)
    assert 'id="by-crime_group"' not in page.text  # audits are not cut by crime group


def test_charge_rate_page_has_a_crime_group_breakdown_but_no_team_one(
    existing_records, client_as, ctx
):
    month = ctx.now().strftime("%Y-%m")
    page = client_as(Role.ANALYST).client.get(
        f"/board/measure?key=investigations.charge_rate&month={month}"
    )
    assert page.status_code == 200
    assert 'id="by-crime_group"' in page.text
    assert 'id="by-team"' not in page.text


def test_peel_view_puts_each_audit_measure_under_its_area(existing_records, client_as, ctx):
    month = ctx.now().strftime("%Y-%m")
    page = client_as(Role.ANALYST).client.get(f"/board/peel?month={month}").text
    leadership = _section(page, "leadership_and_force_management")
    assert 'data-measure="audits.mean_score"' in leadership
    assert 'data-measure="audits.passed"' in leadership
    responding = _section(page, "responding_to_the_public")
    assert 'data-measure="audits.contact_score"' in responding
    victims = _section(page, "service_to_victims_of_crime")
    assert 'data-measure="investigations.support_referrals_on_time"' in victims
    assert 'data-measure="investigations.victim_updates_on_time_enhanced"' in victims
    investigating = _section(page, "investigating_crime")
    for key in ("plan_on_time", "plan_adequate", "bureau_median_turnaround_hours"):
        assert f'data-measure="investigations.{key}"' in investigating
