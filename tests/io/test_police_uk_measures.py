"""The data.police.uk measures (issue 14) on files in the published column layout, imported
through `import police-uk` and measured from the store, each value worked out by hand.

Layouts as data.police.uk publishes them (https://data.police.uk/about/#columns): street
files `Crime ID, Month, Reported by, Falls within, Longitude, Latitude, Location, LSOA code,
LSOA name, Crime type, Last outcome category, Context`; outcomes files `Crime ID, Month,
Reported by, Falls within, Longitude, Latitude, Location, LSOA code, LSOA name, Outcome type`;
stop and search files (named YYYY-MM-<force>-stop-and-search.csv) `Type, Date, Part of a
policing operation, Policing operation, Latitude, Longitude, Gender, Age range, Self-defined
ethnicity, Officer-defined ethnicity, Legislation, Object of search, Outcome, Outcome linked to
object of search, Removal of more than just outer clothing` (see tests/io/conftest.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from watchhouse.analytics.catalogue import Cut
from watchhouse.domain.roles import Role
from watchhouse.services import imports, measures

JAN, FEB = "2024-01", "2024-02"


def _search(samples, when: str, outcome: str, linked: str) -> list[str]:
    row = samples.stop_search(date=when, linked=linked)
    row[12] = outcome
    return row


def test_published_crimes_outcomes_and_stop_and_search_are_measured_as_worked_by_hand(
    ctx, actors, clock, samples, write_csv, admin
):
    clock.moment = datetime(2024, 4, 1, tzinfo=UTC)
    street_jan = write_csv(
        "2024-01-avon-and-somerset-street.csv",
        samples.street_header,
        [
            samples.street("c1", JAN, crime_type="Burglary"),
            samples.street("c2", JAN, crime_type="Burglary"),
            samples.street("c3", JAN, crime_type="Vehicle crime"),
            samples.asb(),
        ],
    )
    street_feb = write_csv(
        "2024-02-avon-and-somerset-street.csv",
        samples.street_header,
        [
            samples.street("c4", FEB, crime_type="Violence and sexual offences"),
            samples.street("c5", FEB, crime_type="Burglary"),
        ],
    )
    outcomes = write_csv(  # every outcome row is in February 2024
        "2024-02-avon-and-somerset-outcomes.csv",
        samples.outcome_header,
        [
            samples.outcome("c1", "Suspect charged"),
            samples.outcome("c2", "Investigation complete; no suspect identified"),
            samples.outcome("c3", "Offender given a caution"),
            samples.outcome("c4", "Unable to prosecute suspect"),
            samples.outcome("cX", "Offender sent to prison"),  # a crime of an earlier file
        ],
    )
    searches = write_csv(
        "2024-01-avon-and-somerset-stop-and-search.csv",
        samples.stop_search_header,
        [
            _search(samples, "2024-01-05T13:20:00+00:00", "Arrest", "True"),  # find, arrest
            _search(samples, "2024-01-06T13:20:00+00:00", "Arrest", "False"),  # arrest only
            _search(samples, "2024-01-07T13:20:00+00:00", "A no further action disposal", "True"),
            _search(samples, "2024-01-08T13:20:00+00:00", "Community resolution", "True"),  # find
            _search(samples, "2024-01-09T13:20:00+00:00", "Summons / charged by post", ""),
            _search(samples, "2024-02-01T00:30:00+00:00", "Arrest", "True"),  # February
        ],
    )
    for path in (street_jan, street_feb, outcomes, searches):
        assert imports.import_police_uk(ctx, actor=admin, path=path).rows_rejected == 0

    analyst = actors[Role.ANALYST]
    keys = [
        "police_uk.street_crimes",
        "police_uk.outcome_charged",
        "police_uk.outcome_out_of_court",
        "police_uk.outcome_no_suspect",
        "police_uk.outcome_unable_to_prosecute",
        "police_uk.stop_searches",
        "police_uk.stop_search_find_rate",
        "police_uk.stop_search_arrest_rate",
    ]
    found = {
        (v.measure, v.period_label): (v.value, v.denominator)
        for v in measures.compute_measures(
            ctx, actor=analyst, measures=keys, start=date(2024, 1, 1), end=date(2024, 2, 29)
        )
    }
    assert found[("police_uk.street_crimes", JAN)][0] == 4  # anti-social behaviour included
    assert found[("police_uk.street_crimes", FEB)][0] == 2
    # Five outcomes in February, one in each part of the mix but the court result.
    for part in ("charged", "out_of_court", "no_suspect", "unable_to_prosecute"):
        assert found[(f"police_uk.outcome_{part}", FEB)] == (pytest.approx(1 / 5), 5)
    assert found[("police_uk.outcome_charged", JAN)][0] is None
    assert found[("police_uk.stop_searches", JAN)][0] == 5
    assert found[("police_uk.stop_searches", FEB)][0] == 1
    # Find rate: the linked flag given for 4 searches in January; finds: the arrest and the
    # community resolution linked to the object (the linked no further action is no find).
    assert found[("police_uk.stop_search_find_rate", JAN)] == (pytest.approx(2 / 4), 4)
    # Arrest rate: 2 arrests of the 5 searches with an outcome.
    assert found[("police_uk.stop_search_arrest_rate", JAN)] == (pytest.approx(2 / 5), 5)

    by_type = {
        (v.measure, v.period_label, v.cut_value): v.value
        for v in measures.compute_measures(
            ctx,
            actor=analyst,
            measures=["police_uk.street_crimes", "police_uk.outcome_charged"],
            cut=Cut.CRIME_GROUP,
            start=date(2024, 1, 1),
            end=date(2024, 2, 29),
        )
        if v.value is not None
    }
    assert {k: v for k, v in by_type.items() if k[0] == "police_uk.street_crimes"} == {
        ("police_uk.street_crimes", JAN, "Burglary"): 2,
        ("police_uk.street_crimes", JAN, "Vehicle crime"): 1,
        ("police_uk.street_crimes", JAN, "Anti-social behaviour"): 1,
        ("police_uk.street_crimes", FEB, "Violence and sexual offences"): 1,
        ("police_uk.street_crimes", FEB, "Burglary"): 1,
    }
    # Outcomes cut by the crime's published type, found by Crime ID: c1 and c2 are burglaries.
    assert by_type[("police_uk.outcome_charged", FEB, "Burglary")] == pytest.approx(1 / 2)
    assert by_type[("police_uk.outcome_charged", FEB, "unknown")] == 0


def test_the_board_shows_the_published_data_once_files_are_imported(
    ctx, clock, samples, write_csv, admin, client_as
):
    clock.moment = datetime(2024, 4, 1, tzinfo=UTC)
    analyst = client_as(Role.ANALYST).client
    before = analyst.get("/board?month=2024-02")
    assert before.status_code == 200
    assert 'id="published"' not in before.text  # nothing imported: no section
    street = write_csv(
        "2024-02-avon-and-somerset-street.csv",
        samples.street_header,
        [samples.street(f"c{n}", FEB, crime_type="Burglary") for n in range(3)],
    )
    imports.import_police_uk(ctx, actor=admin, path=street)
    measures.take_snapshot(ctx, force=True)  # the web board serves the snapshot taken,
    measures.forget_engines()  # once loaded again
    html = analyst.get("/board?month=2024-02").text
    assert 'id="published"' in html
    row = html[html.index('<tr data-measure="police_uk.street_crimes">') :]
    row = row[: row.index("</tr>")]
    assert "Published street-level crimes" in row
    assert '<td class="value">3</td>' in row
    assert "every force&#39;s together" in html or "every force's together" in html


def test_each_force_keeps_its_published_rows_and_the_board_shows_its_own(
    ctx, actors, clock, samples, write_csv, admin
):
    """Two forces' files (named as data.police.uk names them), one file renamed with its force
    given on import, and one whose force nobody said: counted per force, by force, and the
    board's published section shows the policy's own force only."""
    from dataclasses import replace

    from watchhouse.services import board

    clock.moment = datetime(2024, 4, 1, tzinfo=UTC)
    files = [
        ("2024-01-avon-and-somerset-street.csv", [samples.street(f"a{n}", JAN) for n in range(3)]),
        ("2024-01-west-yorkshire-street.csv", [samples.street(f"w{n}", JAN) for n in range(2)]),
        ("street-extract.csv", [samples.street("w9", JAN, crime_type="Vehicle crime")]),
        ("renamed.csv", [samples.street("x1", JAN)]),
    ]
    forced = {"street-extract.csv": "west-yorkshire"}
    for name, rows in files:
        path = write_csv(name, samples.street_header, rows)
        imports.import_police_uk(ctx, actor=admin, path=path, force=forced.get(name))
    outcomes = write_csv(
        "2024-02-west-yorkshire-outcomes.csv",
        samples.outcome_header,
        [samples.outcome("w0", "Suspect charged"), samples.outcome("w1", "Local resolution")],
    )
    imports.import_police_uk(ctx, actor=admin, path=outcomes)
    searches = write_csv(
        "2024-01-west-yorkshire-stop-and-search.csv",
        samples.stop_search_header,
        [_search(samples, "2024-01-05T13:20:00+00:00", "Arrest", "True")],
    )
    imports.import_police_uk(ctx, actor=admin, path=searches)

    analyst = actors[Role.ANALYST]
    keys = ["police_uk.street_crimes", "police_uk.outcome_charged", "police_uk.stop_searches"]
    # Crimes and searches in January; the outcomes file's rows are February's.
    months = dict(start=date(2024, 1, 1), end=date(2024, 2, 29))
    by_force = {
        (v.measure, v.cut_value): v.value
        for v in measures.compute_measures(
            ctx, actor=analyst, measures=keys, cut=Cut.PUBLISHED_FORCE, **months
        )
        if v.value is not None
    }
    assert by_force == {
        ("police_uk.street_crimes", "avon-and-somerset"): 3,
        ("police_uk.street_crimes", "west-yorkshire"): 3,  # two by file name, one by --force
        ("police_uk.street_crimes", "unknown"): 1,
        ("police_uk.outcome_charged", "west-yorkshire"): pytest.approx(1 / 2),
        ("police_uk.stop_searches", "west-yorkshire"): 1,
    }
    # One force asked for: its rows only, under the force cut and the crime group cut alike.
    own = {
        v.measure: v.value
        for v in measures.compute_measures(
            ctx, actor=analyst, measures=keys, published_force="west-yorkshire", **months
        )
        if v.value is not None
    }
    assert own == {
        "police_uk.street_crimes": 3,
        "police_uk.outcome_charged": pytest.approx(1 / 2),
        "police_uk.stop_searches": 1,
    }
    by_type = {
        v.cut_value: v.value
        for v in measures.compute_measures(
            ctx,
            actor=analyst,
            measures=["police_uk.street_crimes"],
            cut=Cut.CRIME_GROUP,
            published_force="west-yorkshire",
            **months,
        )
        if v.value is not None
    }
    assert by_type == {"Burglary": 2, "Vehicle crime": 1}

    def published(police_uk_id: str) -> dict[str, float | None]:
        force = ctx.policy.force.model_copy(update={"police_uk_id": police_uk_id})
        chosen = replace(ctx, policy=ctx.policy.model_copy(update={"force": force}))
        found = board.published_trends(chosen, actor=analyst, month=date(2024, 1, 1))
        return {t.key: t.current for t in found}

    assert published("avon-and-somerset")["police_uk.street_crimes"] == 3
    assert published("west-yorkshire")["police_uk.street_crimes"] == 3
    assert published("west-yorkshire")["police_uk.stop_searches"] == 1
    assert published("avon-and-somerset")["police_uk.stop_searches"] is None
    assert published("")["police_uk.street_crimes"] == 7  # not set: every force imported


def test_a_file_imported_without_its_force_gets_it_when_imported_again_with_force(
    ctx, actors, clock, samples, write_csv, admin
):
    clock.moment = datetime(2024, 4, 1, tzinfo=UTC)
    path = write_csv("crime.csv", samples.street_header, [samples.asb(), samples.street("c1")])

    def counted() -> dict[str | None, float | None]:
        return {
            v.cut_value: v.value
            for v in measures.compute_measures(
                ctx,
                actor=actors[Role.ANALYST],
                measures=["police_uk.street_crimes"],
                cut=Cut.PUBLISHED_FORCE,
                start=date(2024, 1, 1),
                end=date(2024, 1, 31),
            )
            if v.value is not None
        }

    assert imports.import_police_uk(ctx, actor=admin, path=path).rows_added == 2
    assert counted() == {"unknown": 2}
    again = imports.import_police_uk(ctx, actor=admin, path=path, force="avon-and-somerset")
    assert (again.rows_added, again.rows_duplicate) == (0, 2)
    assert counted() == {"avon-and-somerset": 2}
    # A force given later for another file's rows never moves rows that have one.
    other = imports.import_police_uk(ctx, actor=admin, path=path, force="wiltshire")
    assert other.rows_added == 0
    assert counted() == {"avon-and-somerset": 2}
