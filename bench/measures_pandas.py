"""The baseline for bench/measures.py: the same measures written in plain pandas, one
DataFrame operation after another, from the same prepared tables (analytics/tables.py).

It takes from the catalogue only what each measure is (its kind, unit scale, percentile and
cuts); how each is counted is written again here, by hand, so the two implementations check
each other. Results come out in the engine's RESULT shape."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pyarrow as pa

from watchhouse.analytics.catalogue import Cut, Kind, Period, specs
from watchhouse.analytics.engine import RESULT
from watchhouse.analytics.model import MeasureParams
from watchhouse.analytics.periods import calendar_table, spans, working_days_table

Frames = dict[str, pd.DataFrame]
S, M, D = 1_000_000, 60_000_000, 86_400_000_000


def frames(tables: Mapping[str, pa.Table]) -> Frames:
    """The prepared Arrow tables as pandas frames (nullable booleans made plain)."""
    result = {}
    for name, table in tables.items():
        frame = table.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)
        for column, kind in zip(table.column_names, table.schema.types, strict=True):
            if kind == pa.bool_():
                frame[f"{column}_known"] = frame[column].notna()  # NULL is not False for all
                frame[column] = frame[column].astype("boolean").fillna(False).astype(bool)
        result[name] = frame
    return result


def _facts(f: Frames) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    hoods = f["locations"].merge(
        f["neighbourhoods"][["id", "code"]].rename(columns={"id": "neighbourhood_id"}),
        on="neighbourhood_id",
        how="left",
    )[["id", "code"]]
    c = f["contacts"].merge(
        hoods.rename(columns={"id": "location_id"}), on="location_id", how="left"
    )
    c["hood"] = c["code"].fillna("unknown")
    inc = f["incidents"][["id", "contact_id", "grade"]].rename(columns={"id": "incident_id"})
    c = c.merge(inc, left_on="id", right_on="contact_id", how="left", suffixes=("", "_i"))
    c["grade_text"] = c["grade"].astype("string").fillna("ungraded")
    c["has_thrive"] = c["id"].isin(f["thrive_assessments"]["contact_id"])
    c["has_referral"] = c["incident_id"].isin(f["partner_referrals"]["incident_id"])
    clusters = f["identity_clusters"].rename(columns={"contact_id": "id"})
    c = c.merge(clusters, on="id", how="left")
    c["caller"] = ("c" + c["cluster_id"].astype("string")).fillna(
        "p" + c["person_id"].astype("string")
    )

    i = f["incidents"].merge(
        f["contacts"][["id", "channel", "location_id"]].rename(
            columns={"id": "contact_id", "location_id": "contact_location"}
        ),
        on="contact_id",
    )
    i["place"] = i["location_id"].fillna(i["contact_location"])
    i = i.merge(hoods.rename(columns={"id": "place"}), on="place", how="left")
    i["hood"] = i["code"].fillna("unknown")
    i["grade_text"] = i["grade"].astype("string")
    da = f["domestic_abuse_assessments"]
    crimes = f["crimes"]
    i["domestic_abuse"] = i["id"].isin(da["incident_id"]) | i["id"].isin(
        crimes.loc[crimes["domestic_abuse"], "incident_id"]
    )
    done = da[(da["status"].fillna("complete") == "complete") & ~da["refused"]]
    i["risk_assessed"] = i["id"].isin(done["incident_id"])

    cr = crimes.merge(hoods.rename(columns={"id": "location_id"}), on="location_id", how="left")
    cr["hood"] = cr["code"].fillna("unknown")
    cr = cr.merge(
        f["incidents"][["id", "grade"]].rename(columns={"id": "incident_id"}),
        on="incident_id",
        how="left",
    )
    cr["grade_text"] = cr["grade"].astype("string").fillna("ungraded")
    cr["has_plan"] = cr["id"].isin(f["investigation_plans"]["crime_id"])
    first_plan = f["investigation_plans"].groupby("crime_id")["written_us"].min()
    cr["plan_written_us"] = cr["plan_written_us"].fillna(cr["id"].map(first_plan))
    first = f["supervisor_reviews"].groupby("crime_id")["reviewed_us"].min()
    cr["first_review_us"] = cr["id"].map(first)
    return c, i, cr


def _rec(frame: pd.DataFrame, day: str, cuts: Mapping[str, str], **values: object) -> pd.DataFrame:
    out = pd.DataFrame({"record_id": frame["id"], "day": frame[day]})
    for cut, column in cuts.items():
        out[cut] = frame[column].astype("string")
    for name, value in values.items():
        out[name] = value
    return out


def _window_counts(frame: pd.DataFrame, key: str, within_us: int) -> np.ndarray:
    """Contacts with the same key in (t - within, t], this one and any at the same moment
    included; 0 where the key is missing."""
    result = np.zeros(len(frame), dtype=np.int64)
    present = frame[key].notna().to_numpy()
    keys = pd.factorize(frame.loc[present, key])[0].astype(np.int64)
    times = frame.loc[present, "presented_us"].to_numpy(dtype=np.int64)
    if not len(keys):
        return result
    # Lay every key's contacts on one time line, each key after the last with a gap wider
    # than the window, so one sorted search counts within a key.
    first = np.full(keys.max() + 1, np.iinfo(np.int64).max)
    last = np.full(keys.max() + 1, np.iinfo(np.int64).min)
    np.minimum.at(first, keys, times)
    np.maximum.at(last, keys, times)
    room = (last - first) + within_us + 1
    if room.sum() >= 2**62:
        raise OverflowError("the contacts do not fit one int64 time line")
    offset = np.concatenate(([0], np.cumsum(room)[:-1]))
    line = offset[keys] + (times - first[keys])
    ordered = np.sort(line)
    counts = np.searchsorted(ordered, line, side="right") - np.searchsorted(
        ordered, line - within_us, side="right"
    )
    result[present] = counts
    return result


def records(f: Frames, params: MeasureParams) -> dict[str, pd.DataFrame]:
    """Every measure's records, by key, written in pandas."""
    c, i, cr = _facts(f)
    contact_cuts = {"neighbourhood": "hood", "channel": "channel", "grade": "grade_text"}
    answer_cuts = {"neighbourhood": "hood", "grade": "grade_text"}
    no_grade = {"neighbourhood": "hood", "channel": "channel"}
    crime_cuts = {"neighbourhood": "hood", "grade": "grade_text", "crime_group": "crime_group"}
    standard, long_ = int(params.standard_seconds * S), int(params.long_seconds * S)
    wait = c["answered_us"] - c["presented_us"]
    answered = c["answered_us"].notna()
    finished = answered | c["abandoned"]
    out: dict[str, pd.DataFrame] = {}

    def share(
        key: str, frame: pd.DataFrame, day: str, cuts: Mapping[str, str], num: pd.Series
    ) -> None:
        out[key] = _rec(frame, day, cuts, num=num.fillna(False).astype(int).to_numpy(), den=1)

    def x(
        key: str, frame: pd.DataFrame, day: str, cuts: Mapping[str, str], values: pd.Series
    ) -> None:
        out[key] = _rec(frame, day, cuts, x=values.to_numpy())

    n999 = (c["channel"] == "999") & finished
    a999 = (c["channel"] == "999") & answered
    share(
        "contact.999_answered_within_10s",
        c[n999],
        "presented_day",
        answer_cuts,
        answered[n999] & (wait[n999] < standard),
    )
    for key in ("mean", "median", "p90"):
        x(f"contact.999_{key}_answer_seconds", c[a999], "presented_day", answer_cuts, wait[a999])
    share(
        "contact.999_answered_under_10s",
        c[a999],
        "presented_day",
        answer_cuts,
        wait[a999] < standard,
    )
    share(
        "contact.999_answered_10_to_60s",
        c[a999],
        "presented_day",
        answer_cuts,
        (wait[a999] >= standard) & (wait[a999] < long_),
    )
    share(
        "contact.999_answered_60s_or_more",
        c[a999],
        "presented_day",
        answer_cuts,
        wait[a999] >= long_,
    )
    share(
        "contact.999_abandonment_rate",
        c[n999],
        "presented_day",
        answer_cuts,
        c.loc[n999, "abandoned"],
    )
    a101 = (c["channel"] == "101") & answered
    n101 = (c["channel"] == "101") & finished
    x("contact.101_mean_answer_seconds", c[a101], "presented_day", answer_cuts, wait[a101])
    share(
        "contact.101_abandonment_rate",
        c[n101],
        "presented_day",
        answer_cuts,
        c.loc[n101, "abandoned"],
    )
    chat = (c["channel"] == "live_chat") & answered
    x("contact.live_chat_mean_wait_seconds", c[chat], "presented_day", answer_cuts, wait[chat])
    online = (c["channel"] == "online_report") & answered
    x("contact.online_mean_wait_minutes", c[online], "presented_day", answer_cuts, wait[online])
    out["contact.demand"] = _rec(c, "presented_day", contact_cuts)

    kept = c[~c["abandoned"]]
    share("first_contact.thrive_completed", kept, "presented_day", contact_cuts, kept["has_thrive"])
    incident_no_grade = {"neighbourhood": "hood", "channel": "channel"}
    for g in (1, 2, 3, 4):
        share(
            f"first_contact.grade_{g}_share", i, "created_day", incident_no_grade, i["grade"] == g
        )

    counted = c[c["channel"].isin(params.repeat_channels)]
    if not params.repeat_count_abandoned:
        counted = counted[~counted["abandoned"]]
    counted = counted.reset_index(drop=True)

    def crossed(key: str) -> np.ndarray:
        hit = np.zeros(len(counted), dtype=bool)
        for rule in params.repeat_windows:
            hit |= _window_counts(counted, key, rule.within_days * D) > rule.more_than
        return hit

    repeat = crossed("caller")
    seen = crossed("person_id") | crossed("telephone_number_id")
    share(
        "first_contact.repeat_callers_recognised",
        counted[repeat],
        "presented_day",
        no_grade,
        pd.Series(seen[repeat], index=counted.index[repeat]),
    )

    plans = f["problem_solving_plans"].merge(
        f["neighbourhoods"][["id", "code"]].rename(columns={"id": "neighbourhood_id"}),
        on="neighbourhood_id",
        how="left",
    )
    plans["hood"] = plans["code"].fillna("unknown")
    out["first_contact.plans_opened"] = _rec(plans, "opened_day", {"neighbourhood": "hood"})
    due = plans[plans["review_due_us"] < params.as_of_us]
    share(
        "first_contact.plans_overdue",
        due,
        "review_due_day",
        {"neighbourhood": "hood"},
        due["closed_us"].isna() | (due["closed_us"] > due["review_due_us"]),
    )
    referrals = f["partner_referrals"].merge(
        i[["id", "hood", "channel", "grade_text"]].rename(
            columns={"id": "incident_id", "hood": "h"}
        ),
        on="incident_id",
    )
    referrals["hood"] = referrals["h"]
    out["first_contact.partner_referrals"] = _rec(referrals, "referred_day", contact_cuts)
    calls = c[(c["channel"] == "101") & ~c["abandoned"]]
    share(
        "first_contact.101_resolved_by_referral",
        calls,
        "presented_day",
        {"neighbourhood": "hood"},
        calls["has_referral"],
    )

    target = pd.Series(pd.NA, index=i.index, dtype="Int64")
    for (g, s), minutes in params.grade_targets_minutes.items():
        target[(i["grade"] == g) & (i["settlement"] == s)] = int(minutes * M)
    elapsed = i["arrived_us"] - i["created_us"]
    counts = target.notna() & (
        i["arrived_us"].notna() | (i["created_us"] + target < params.as_of_us)
    )
    met = i["arrived_us"].notna() & (elapsed <= target)
    for key, chosen in (
        ("grade_1_urban", (i["grade"] == 1) & (i["settlement"] == "urban")),
        ("grade_1_rural", (i["grade"] == 1) & (i["settlement"] == "rural")),
        ("grade_2", i["grade"] == 2),
        ("da_grade_2", (i["grade"] == 2) & i["domestic_abuse"]),
    ):
        rows = (chosen & counts).fillna(False)
        share(
            f"attendance.{key}_within_target", i[rows], "created_day", incident_no_grade, met[rows]
        )
    timed = i["grade"].isin([1, 2]) & i["arrived_us"].notna()
    for key in ("median", "p90"):
        x(f"attendance.{key}_minutes", i[timed], "created_day", contact_cuts, elapsed[timed])
    arrived = i[i["arrived_us"].notna()]
    share(
        "attendance.body_worn_video",
        arrived,
        "arrived_day",
        contact_cuts,
        arrived["body_worn_video"],
    )

    da = i[i["domestic_abuse"]]
    share("domestic_abuse.dash_completed", da, "created_day", contact_cuts, da["risk_assessed"])
    assessments = f["domestic_abuse_assessments"].merge(
        i[["id", "hood", "channel", "grade_text"]].rename(columns={"id": "incident_id"}),
        on="incident_id",
    )
    finished_da = assessments[assessments["status"].fillna("complete") == "complete"]
    share(
        "domestic_abuse.dash_refused",
        finished_da,
        "assessed_day",
        contact_cuts,
        finished_da["refused"],
    )
    answered_da = finished_da[~finished_da["refused"]]
    for level in ("high", "medium", "standard"):
        share(
            f"domestic_abuse.{level}_risk_share",
            answered_da,
            "assessed_day",
            contact_cuts,
            answered_da["final_level"] == level,
        )
    marac = f["marac_referrals"].merge(
        assessments[["id", "hood", "channel", "grade_text"]].rename(
            columns={"id": "assessment_id"}
        ),
        on="assessment_id",
    )
    out["domestic_abuse.marac_referrals"] = _rec(marac, "referred_day", contact_cuts)

    given = cr[cr["outcome_code"].between(1, 22) & cr["outcome_us"].notna()]
    groups = {
        "charge_rate": (1,),
        "outcome_out_of_court": (2, 3, 6, 7, 8),
        "outcome_evidential_difficulties": (14, 15, 16),
        "outcome_no_suspect": (18,),
        "outcome_other": (4, 5, 9, 10, 11, 12, 13, 17, 19, 20, 21, 22),
    }
    for key, codes in groups.items():
        share(
            f"investigations.{key}",
            given,
            "outcome_day",
            crime_cuts,
            given["outcome_code"].isin(codes),
        )
    share("investigations.plan_present", cr, "recorded_day", crime_cuts, cr["has_plan"])
    deadline = cr["allocated_us"] + params.first_review_days * D
    allocated = cr["allocated_us"].notna() & (
        cr["first_review_us"].notna() | (deadline < params.as_of_us)
    )
    allocated = allocated.fillna(False)
    share(
        "investigations.first_review_on_time",
        cr[allocated],
        "allocated_day",
        crime_cuts,
        (cr["first_review_us"] <= deadline)[allocated],
    )

    work = working_days_table(date(2000, 1, 1), date(2040, 12, 31)).to_pandas()
    index = pd.Series(work["workday_index"].to_numpy(), index=work["day"].to_numpy())
    vc = f["victim_contacts"].merge(
        cr[["id", "hood", "grade_text", "crime_group", "domestic_abuse"]].rename(
            columns={"id": "crime_id"}
        ),
        on="crime_id",
    )
    by_crime = vc["domestic_abuse"] | vc["crime_group"].isin(params.enhanced_crime_groups)
    enhanced = pd.Series(np.where(vc["enhanced_known"], vc["enhanced"], by_crime), index=vc.index)
    required = ~vc["required_known"] | vc["required"]
    allowed = np.where(
        enhanced, params.victim_update_working_days_enhanced, params.victim_update_working_days
    )
    event = vc["event_day"].map(index)
    told = vc["contacted_day"].map(index)
    today = datetime.fromtimestamp(params.as_of_us / S, UTC).astimezone(ZoneInfo(params.timezone))
    now = index[today.date()]
    stored = vc["due_us"].notna()
    by_days_passed = (now - event > allowed).fillna(False)
    by_days_in_time = (told - event <= allowed).fillna(False)
    passed = np.where(stored, (vc["due_us"] < params.as_of_us).fillna(False), by_days_passed)
    in_time = np.where(stored, (vc["contacted_us"] <= vc["due_us"]).fillna(False), by_days_in_time)
    due_vc = required & (vc["contacted_us"].notna() | passed)
    on_time = vc["contacted_us"].notna() & in_time
    share(
        "investigations.victim_updates_on_time",
        vc[due_vc],
        "event_day",
        crime_cuts,
        on_time[due_vc],
    )
    out.update(_casework(f, cr, crime_cuts, params, vc, due_vc & enhanced, on_time))

    ss = f["stop_searches"].merge(
        f["neighbourhoods"][["id", "code"]].rename(columns={"id": "neighbourhood_id"}),
        on="neighbourhood_id",
        how="left",
    )
    ss["hood"] = ss["code"].fillna("unknown")
    out["proactive.stop_searches"] = _rec(ss, "searched_day", {"neighbourhood": "hood"})
    share(
        "proactive.stop_search_arrest_share",
        ss,
        "searched_day",
        {"neighbourhood": "hood"},
        ss["led_to_arrest"],
    )
    return out


def compute(
    tables: Mapping[str, pa.Table], params: MeasureParams, *, start: date, end: date
) -> pa.Table:
    """Every measure, every period kind and every cut, in the engine's RESULT shape."""
    f = frames(tables)
    recs = records(f, params)
    calendar = calendar_table([s for p in Period for s in spans(p, start, end)]).to_pandas()
    parts = []
    for spec in specs():
        frame = recs[spec.key]
        joined = frame.merge(calendar, on="day")
        for cut in spec.definition.cuts:
            keys = ["period", "period_start"] + ([] if cut == Cut.FORCE else [cut.value])
            grouped = joined.groupby(keys, sort=False, dropna=False)
            if spec.kind == Kind.QUANTILE:
                frame_x = joined.assign(x=joined["x"].astype("float64"))
                g = frame_x.groupby(keys, sort=False)["x"]
                result = pd.DataFrame(
                    {
                        "value": g.quantile(spec.quantile) / spec.scale,
                        "numerator": np.nan,
                        "denominator": g.count().astype(float),
                    }
                )
            elif spec.kind == Kind.COUNT:
                n = grouped.size().astype(float)
                result = pd.DataFrame({"value": n, "numerator": n, "denominator": np.nan})
            else:
                values = "num" if spec.kind == Kind.SHARE else "x"
                sums = joined.assign(v=joined[values].astype("float64")).groupby(keys, sort=False)[
                    "v"
                ]
                num = sums.sum() / spec.scale if spec.scale != 1 else sums.sum()
                den = (
                    joined.groupby(keys, sort=False)["den"].sum().astype(float)
                    if spec.kind == Kind.SHARE
                    else sums.count().astype(float)
                )
                result = pd.DataFrame({"value": num / den, "numerator": num, "denominator": den})
            result = result.reset_index()
            result["measure"] = spec.key
            result["cut"] = cut.value
            result["cut_value"] = None if cut == Cut.FORCE else result[cut.value].astype(object)
            parts.append(result[[f.name for f in RESULT]])
    combined = pd.concat(parts, ignore_index=True)
    combined["period_start"] = pd.to_datetime(combined["period_start"]).dt.date
    return pa.Table.from_pandas(combined, schema=RESULT, preserve_index=False)


def _casework(
    f: Frames,
    cr: pd.DataFrame,
    crime_cuts: Mapping[str, str],
    params: MeasureParams,
    vc: pd.DataFrame,
    enhanced_due: pd.Series,
    on_time: pd.Series,
) -> dict[str, pd.DataFrame]:
    """Plans on time and adequate, enhanced-rights updates, support referrals, the bureau and
    the audits (analytics/measures/casework.py and audits.py), in pandas."""
    out: dict[str, pd.DataFrame] = {}

    def share(
        key: str, frame: pd.DataFrame, day: str, cuts: Mapping[str, str], num: object
    ) -> None:
        flags = pd.Series(num, index=frame.index).fillna(False).astype(bool).astype(int)
        out[key] = _rec(frame, day, cuts, num=flags.to_numpy(), den=1)

    share(
        "investigations.victim_updates_on_time_enhanced",
        vc[enhanced_due],
        "event_day",
        crime_cuts,
        on_time[enhanced_due],
    )
    due = cr["plan_due_us"].fillna(cr["allocated_us"] + round(params.plan_due_hours * 3600 * S))
    written = cr["plan_written_us"]
    pick = (cr["allocated_us"].notna() & (written.notna() | (due < params.as_of_us))).fillna(False)
    share(
        "investigations.plan_on_time",
        cr[pick],
        "allocated_day",
        crime_cuts,
        (written.notna() & (written <= due)).fillna(False)[pick],
    )
    facts = cr[["id", "hood", "grade_text", "crime_group"]].rename(columns={"id": "crime_id"})
    plans = f["investigation_plans"].merge(facts, on="crime_id")
    judged_known = plans["check_adequate_known"] | plans["adequate_known"]
    judged = np.where(plans["check_adequate_known"], plans["check_adequate"], plans["adequate"])
    pick = plans["written_us"].notna() & judged_known
    share("investigations.plan_adequate", plans[pick], "written_day", crime_cuts, judged[pick])
    victims = f["crime_victims"].merge(facts, on="crime_id")
    referred, deadline = victims["support_referred_us"], victims["support_due_us"]
    pick = (
        deadline.notna()
        & ~victims["support_declined"]
        & (referred.notna() | (deadline < params.as_of_us)).fillna(False)
    )
    share(
        "investigations.support_referrals_on_time",
        victims[pick],
        "added_day",
        crime_cuts,
        (referred.notna() & (referred <= deadline)).fillna(False)[pick],
    )
    tasks = f["crime_admin_tasks"].merge(facts, on="crime_id")
    done, due_task = tasks["done_us"], tasks["due_us"]
    pick = due_task.notna() & (done.notna() | (due_task < params.as_of_us)).fillna(False)
    share(
        "investigations.bureau_tasks_on_time",
        tasks[pick],
        "requested_day",
        crime_cuts,
        (done.notna() & (done <= due_task)).fillna(False)[pick],
    )
    finished = tasks[done.notna() & tasks["requested_us"].notna()]
    out["investigations.bureau_median_turnaround_hours"] = _rec(
        finished,
        "done_day",
        crime_cuts,
        x=(finished["done_us"] - finished["requested_us"]).to_numpy(),
    )

    items = f["audit_sample_items"].rename(columns={"id": "item_id"})
    results = f["audit_results"].merge(items, on="item_id")
    results = results.merge(
        f["neighbourhoods"][["id", "code"]].rename(columns={"id": "neighbourhood_id"}),
        on="neighbourhood_id",
        how="left",
    ).merge(
        f["teams"][["id", "code"]].rename(columns={"id": "team_id", "code": "team_code"}),
        on="team_id",
        how="left",
    )
    results["hood"] = results["code"].fillna("unknown")
    results["team"] = results["team_code"].fillna("unknown")
    results = results[results["score"].notna() & results["record_day"].notna()]
    audit_cuts = {"neighbourhood": "hood", "team": "team"}
    score = np.round(results["score"].to_numpy(dtype=float) * 1_000_000).astype(np.int64)
    out["audits.mean_score"] = _rec(results, "record_day", audit_cuts, x=score)
    share("audits.passed", results, "record_day", audit_cuts, results["passed"])
    for kind in ("contact", "incident", "domestic_abuse_assessment", "crime"):
        mine = (results["record_type"] == kind).to_numpy()
        out[f"audits.{kind}_score"] = _rec(results[mine], "record_day", audit_cuts, x=score[mine])
    return out
