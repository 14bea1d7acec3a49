"""The audit regime on real databases: samples by rule and seed, records opened for audit are
logged consultations, results reach the right supervisor, trends by team."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from support import ALL_YES_THRIVE_AUDIT as ALL_YES
from watchhouse.db.audit_tables import AuditSampleRow
from watchhouse.db.repositories import users as user_repo
from watchhouse.db.tables import (
    ContactRow,
    CrimeRow,
    DomesticAbuseAssessmentRow,
    IncidentRow,
)
from watchhouse.domain.access import AccessQuery, Operation
from watchhouse.domain.audit import Candidate, SampleRule, draw_sample
from watchhouse.domain.errors import Conflict, NotFound, ValidationFailed
from watchhouse.domain.roles import Actor, Role
from watchhouse.domain.teams import NO_TEAM
from watchhouse.services import audit_feedback, audits, teams
from watchhouse.services.access import search_access_log

pytestmark = pytest.mark.integration

MAY = datetime(2024, 5, 10, 12, 0, tzinfo=UTC)
JUNE = datetime(2024, 6, 10, 12, 0, tzinfo=UTC)


def _user(ctx, hashes, username: str, role: Role) -> Actor:
    with ctx.db.transaction() as session:
        user = user_repo.add_user(
            session=session,
            username=username,
            display_name=username.title(),
            role=role,
            password_hash=hashes[role],
            now=ctx.now(),
        )
    return Actor(user.id, user.username, user.display_name, role)


def _contacts(ctx, handler: Actor, count: int, at: datetime = MAY) -> list[int]:
    with ctx.db.transaction() as session:
        rows = [
            ContactRow(
                channel="999",
                presented_at=at + timedelta(minutes=n),
                answered_at=at + timedelta(minutes=n, seconds=8),
                handler_id=handler.user_id,
                summary=f"call {n} to {handler.username}",
                status="graded",
            )
            for n in range(count)
        ]
        session.add_all(rows)
        session.flush()
        return [r.id for r in rows]


@pytest.fixture
def force(ctx, actors, password_hashes):
    """Three handlers (5, 2 and 4 contacts in May 2024, more in June); two teams, each with
    its own supervisor; the third handler is in no team."""
    hashes = password_hashes
    admin = actors[Role.ADMINISTRATOR]
    h1, h2, h3 = (_user(ctx, hashes, f"handler{n}", Role.CALL_HANDLER) for n in (1, 2, 3))
    sup_a = actors[Role.SUPERVISOR]
    sup_b = _user(ctx, hashes, "sergeant_b", Role.SUPERVISOR)
    teams.add_team(
        ctx,
        actor=admin,
        code="control-a",
        name="Control A",
        kind="control_room",
        supervisor=sup_a.username,
    )
    teams.add_team(
        ctx,
        actor=admin,
        code="control-b",
        name="Control B",
        kind="control_room",
        supervisor=sup_b.username,
    )
    teams.assign(ctx, actor=admin, username=h1.username, team_code="control-a")
    teams.assign(ctx, actor=admin, username=h2.username, team_code="control-b")
    may = {h.username: _contacts(ctx, h, n) for h, n in ((h1, 5), (h2, 2), (h3, 4))}
    _contacts(ctx, h1, 6, JUNE)
    return {"h1": h1, "h2": h2, "h3": h3, "sup_a": sup_a, "sup_b": sup_b, "may": may}


def _draw(ctx, actor, seed: int = 7, **rule):
    return audits.draw(
        ctx, actor=actor, template_code="thrive_quality", period="2024-05", seed=seed, **rule
    )


def test_three_per_handler_drawn_from_the_month_and_all_of_those_with_fewer(ctx, actors, force):
    drawn = _draw(ctx, actors[Role.AUDITOR])
    per = {}
    for item in drawn.items:
        per.setdefault(item.stratum, []).append(item.record_id)
    assert {k: len(v) for k, v in per.items()} == {"handler1": 3, "handler2": 2, "handler3": 3}
    for username, ids in per.items():
        assert set(ids) <= set(force["may"][username])
    assert drawn.sample.population == 11
    assert drawn.sample.rule == SampleRule("handler", 3)


def test_drawing_again_with_the_same_seed_gives_the_same_sample_and_stores_it_once(
    ctx, actors, force
):
    first = _draw(ctx, actors[Role.AUDITOR])
    again = _draw(ctx, actors[Role.AUDITOR])
    assert first.created and not again.created
    assert again.sample.id == first.sample.id
    assert [i.record_id for i in again.items] == [i.record_id for i in first.items]
    with ctx.db.transaction() as session:
        assert session.query(AuditSampleRow).count() == 1


def test_the_stored_sample_is_the_documented_draw_of_the_month(ctx, actors, force):
    drawn = _draw(ctx, actors[Role.AUDITOR], seed=123)
    population = [Candidate(u, rid) for u, ids in force["may"].items() for rid in ids]
    expected = draw_sample(
        population,
        rule=SampleRule("handler", 3),
        template_code="thrive_quality",
        period="2024-05",
        seed=123,
    )
    assert [(i.stratum, i.record_id) for i in drawn.items] == [
        (c.stratum, c.record_id) for c in expected
    ]


def test_another_seed_draws_a_new_sample(ctx, actors, force):
    first = _draw(ctx, actors[Role.AUDITOR], seed=1)
    second = _draw(ctx, actors[Role.AUDITOR], seed=2)
    assert second.created and second.sample.id != first.sample.id


def test_simple_random_sample_of_the_month(ctx, actors, force):
    drawn = _draw(ctx, actors[Role.AUDITOR], per="all", count=6)
    assert len(drawn.items) == 6
    assert {i.record_id for i in drawn.items} <= {r for ids in force["may"].values() for r in ids}


def test_a_rule_the_record_type_cannot_use_is_refused(ctx, actors, force):
    with pytest.raises(ValidationFailed) as caught:
        _draw(ctx, actors[Role.AUDITOR], per="team", count=3)
    assert caught.value.problems[0].field == "per"
    with pytest.raises(ValidationFailed) as caught:
        _draw(ctx, actors[Role.AUDITOR], count=0)
    assert caught.value.problems[0].field == "count"
    with pytest.raises(ValidationFailed) as caught:
        audits.draw(
            ctx, actor=actors[Role.AUDITOR], template_code="thrive_quality", period="May", seed=-1
        )
    assert {p.field for p in caught.value.problems} == {"period", "seed"}


def test_every_record_opened_for_audit_is_a_logged_consultation(ctx, actors, force):
    auditor = actors[Role.AUDITOR]
    drawn = _draw(ctx, auditor)
    for item in drawn.items:
        opened = audits.open_item(ctx, actor=auditor, sample_id=drawn.sample.id, item_id=item.id)
        assert opened.record.record_id == item.record_id
        assert any(f.label == "What was reported" for f in opened.record.fields)
        # Stored codes read as words: the channel's label, not its key.
        assert opened.record.title == "Contact (999)"
        assert {f.label: f.value for f in opened.record.fields}["Status"] == "Graded"
    logged = search_access_log(
        ctx,
        actor=auditor,
        query=AccessQuery(
            username="auditor", operation=Operation.CONSULTATION, record_type="contact"
        ),
    )
    assert sorted(int(e.record_id) for e in logged) == sorted(i.record_id for i in drawn.items)
    assert all(e.justification and drawn.sample.reference in e.justification for e in logged)


def test_opening_a_record_of_another_sample_is_not_found_and_not_logged(ctx, actors, force):
    auditor = actors[Role.AUDITOR]
    first = _draw(ctx, auditor, seed=1)
    second = _draw(ctx, auditor, seed=2)
    with pytest.raises(NotFound):
        audits.open_item(
            ctx, actor=auditor, sample_id=second.sample.id, item_id=first.items[0].id + 1000
        )
    assert search_access_log(ctx, actor=auditor, query=AccessQuery(username="auditor")) == []


def _score_all(ctx, auditor, drawn, answers=ALL_YES, finding=""):
    for item in drawn.items:
        audits.score_item(
            ctx,
            actor=auditor,
            sample_id=drawn.sample.id,
            item_id=item.id,
            answers=answers,
            finding=finding,
        )


def test_feedback_reaches_the_supervisor_of_the_handlers_team_and_no_other(ctx, actors, force):
    auditor = actors[Role.AUDITOR]
    drawn = _draw(ctx, auditor)
    _score_all(ctx, auditor, drawn, {**ALL_YES, "risk": "no"}, "risk not weighed")
    seen_a = audit_feedback.feedback(ctx, actor=force["sup_a"])
    seen_b = audit_feedback.feedback(ctx, actor=force["sup_b"])
    # People are shown by name, not username.
    assert {f.subject for f in seen_a} == {"Handler1"} and len(seen_a) == 3
    assert {f.subject for f in seen_b} == {"Handler2"} and len(seen_b) == 2
    assert all(not f.passed and f.failed_critical == ("risk",) for f in seen_a)
    assert seen_a[0].text == "risk not weighed"
    # handler3 has no team, so no supervisor hears of it.
    assert all(f.subject != "Handler3" for f in seen_a + seen_b)


def test_supervisor_acknowledges_their_own_teams_finding_once(ctx, actors, force):
    auditor = actors[Role.AUDITOR]
    drawn = _draw(ctx, auditor)
    _score_all(ctx, auditor, drawn)
    finding = audit_feedback.feedback(ctx, actor=force["sup_a"])[0]
    with pytest.raises(NotFound):
        audit_feedback.acknowledge(ctx, actor=force["sup_b"], finding_id=finding.id)
    audit_feedback.acknowledge(
        ctx, actor=force["sup_a"], finding_id=finding.id, response="discussed at debrief"
    )
    with pytest.raises(Conflict):
        audit_feedback.acknowledge(ctx, actor=force["sup_a"], finding_id=finding.id)
    after = audit_feedback.feedback(ctx, actor=force["sup_a"])
    done = next(f for f in after if f.id == finding.id)
    assert (done.acknowledged_by, done.response) == ("Supervisor", "discussed at debrief")
    assert after[-1].id == finding.id  # acknowledged findings sink to the bottom


def test_feedback_follows_the_handler_to_their_new_team(ctx, actors, force):
    auditor = actors[Role.AUDITOR]
    drawn = _draw(ctx, auditor)
    teams.assign(ctx, actor=actors[Role.ADMINISTRATOR], username="handler3", team_code="control-b")
    _score_all(ctx, auditor, drawn)
    assert {f.subject for f in audit_feedback.feedback(ctx, actor=force["sup_b"])} == {
        "Handler2",
        "Handler3",
    }


def test_a_failed_audit_needs_a_finding_and_a_record_is_scored_once(ctx, actors, force):
    auditor = actors[Role.AUDITOR]
    drawn = _draw(ctx, auditor)
    item = drawn.items[0]
    with pytest.raises(ValidationFailed) as caught:
        audits.score_item(
            ctx,
            actor=auditor,
            sample_id=drawn.sample.id,
            item_id=item.id,
            answers={**ALL_YES, "overall": "0", "risk": "no"},
            finding=" ",
        )
    assert caught.value.problems[0].field == "finding"
    result = audits.score_item(
        ctx, actor=auditor, sample_id=drawn.sample.id, item_id=item.id, answers=ALL_YES, finding=""
    )
    assert (result.score, result.passed, result.finding) == (1.0, True, "meets the standard")
    with pytest.raises(Conflict):
        audits.score_item(
            ctx,
            actor=auditor,
            sample_id=drawn.sample.id,
            item_id=item.id,
            answers=ALL_YES,
            finding="",
        )


def test_trends_by_team_per_month_count_people_without_a_team_as_no_team(ctx, actors, force):
    auditor = actors[Role.AUDITOR]
    drawn = _draw(ctx, auditor)
    for item in drawn.items:
        answers = ALL_YES if item.stratum != "handler2" else {**ALL_YES, "harm": "no"}
        audits.score_item(
            ctx,
            actor=auditor,
            sample_id=drawn.sample.id,
            item_id=item.id,
            answers=answers,
            finding="harm missed",
        )
    cells = {(c.period, c.group): c for c in audit_feedback.trends(ctx, by="team")}
    assert set(cells) == {("2024-05", "Control A"), ("2024-05", "Control B"), ("2024-05", NO_TEAM)}
    assert (cells[("2024-05", "Control A")].audits, cells[("2024-05", "Control A")].pass_rate) == (
        3,
        1.0,
    )
    assert cells[("2024-05", "Control B")].mean_score == pytest.approx(12 / 14)
    assert cells[("2024-05", NO_TEAM)].audits == 3


def _incident(
    session, contact_id: int, officer: int, at: datetime, video: bool, recorded_by: int = 0
) -> int:
    row = IncidentRow(
        contact_id=contact_id,
        grade=2,
        suggested_grade=2,
        graded_by=officer,
        settlement="urban",
        created_at=at,
        updated_at=at,
        status="attended",
        deployed_at=at,
        deployed_by=officer,
        arrived_at=at + timedelta(minutes=20),
        body_worn_video=video,
        arrival_recorded_by=recorded_by or officer,
        attending_officer_id=officer,
    )
    session.add(row)
    session.flush()
    return row.id


def test_body_worn_video_audit_samples_attended_incidents_by_officer(ctx, actors, force):
    officer = actors[Role.OFFICER]
    teams.assign(ctx, actor=actors[Role.ADMINISTRATOR], username="officer", team_code="control-a")
    contact_ids = force["may"]["handler1"]
    with ctx.db.transaction() as session:
        incident_ids = [
            _incident(session, cid, officer.user_id, MAY, video=n % 2 == 0)
            for n, cid in enumerate(contact_ids)
        ]
    auditor = actors[Role.AUDITOR]
    drawn = audits.draw(
        ctx, actor=auditor, template_code="body_worn_video", period="2024-05", seed=3
    )
    assert [i.stratum for i in drawn.items] == ["officer"] * 3
    assert {i.record_id for i in drawn.items} <= set(incident_ids)
    opened = audits.open_item(
        ctx, actor=auditor, sample_id=drawn.sample.id, item_id=drawn.items[0].id
    )
    assert any(f.label == "Body-worn video" for f in opened.record.fields)
    assert {f.label: f.value for f in opened.record.fields}["Status"] == "Attended"
    logged = search_access_log(
        ctx, actor=auditor, query=AccessQuery(username="auditor", record_type="incident")
    )
    assert [int(e.record_id) for e in logged] == [drawn.items[0].record_id]
    audits.score_item(
        ctx,
        actor=auditor,
        sample_id=drawn.sample.id,
        item_id=drawn.items[0].id,
        answers={
            "activated": "no",
            "recorded_from_arrival": "no",
            "announced": "no",
            "reason_if_not": "no",
            "footage_retained": "not_applicable",
        },
        finding="no video",
    )
    (seen,) = audit_feedback.feedback(ctx, actor=force["sup_a"])
    assert (seen.subject, seen.reference) == (officer.display_name, drawn.items[0].reference)


def test_domestic_abuse_assessments_are_sampled_by_assessor(ctx, actors, force):
    officer = actors[Role.OFFICER]
    with ctx.db.transaction() as session:
        incident_id = _incident(session, force["may"]["handler1"][0], officer.user_id, MAY, True)
        for n in range(4):
            session.add(
                DomesticAbuseAssessmentRow(
                    incident_id=incident_id,
                    instrument="dash_2009",
                    assessed_at=MAY + timedelta(hours=n),
                    answers={"q01": "yes"},
                    yes_count=1,
                    scored_level="standard",
                    final_level="standard",
                    assessed_by=officer.user_id,
                )
            )
    auditor = actors[Role.AUDITOR]
    drawn = audits.draw(
        ctx,
        actor=auditor,
        template_code="domestic_abuse_assessment_quality",
        period="2024-05",
        seed=9,
    )
    assert len(drawn.items) == 3 and {i.stratum for i in drawn.items} == {"officer"}
    audits.open_item(ctx, actor=auditor, sample_id=drawn.sample.id, item_id=drawn.items[0].id)
    logged = search_access_log(
        ctx, actor=auditor, query=AccessQuery(username="auditor", record_type="risk_assessment")
    )
    assert len(logged) == 1


def test_crimes_are_sampled_by_allocated_team_and_feedback_reaches_its_supervisor(
    ctx, actors, force
):
    admin = actors[Role.ADMINISTRATOR]
    teams.add_team(
        ctx, actor=admin, code="cid", name="CID", kind="investigation", supervisor="sergeant_b"
    )
    with ctx.db.transaction() as session:
        for n in range(7):
            session.add(
                CrimeRow(
                    crime_type="Burglary",
                    crime_group="Burglary",
                    recorded_at=MAY + timedelta(hours=n),
                    allocated_team="CID" if n < 6 else "Response",
                )
            )
    auditor = actors[Role.AUDITOR]
    drawn = audits.draw(
        ctx, actor=auditor, template_code="crime_recording", period="2024-05", seed=1, count=2
    )
    assert [i.stratum for i in drawn.items] == ["CID", "CID", "Response"]
    assert [i.team for i in drawn.items] == ["CID", "CID", None]
    cid = drawn.items[0]
    opened = audits.open_item(ctx, actor=auditor, sample_id=drawn.sample.id, item_id=cid.id)
    assert opened.record.title == "Burglary"
    audits.score_item(
        ctx,
        actor=auditor,
        sample_id=drawn.sample.id,
        item_id=cid.id,
        answers={
            "correct_classification": "yes",
            "recorded_promptly": "yes",
            "all_crimes_recorded": "yes",
            "victim_recorded": "no",
            "linked_incident": "no",
            "domestic_abuse_flag": "yes",
        },
        finding="victim and incident missing",
    )
    (seen,) = [f for f in audit_feedback.feedback(ctx, actor=force["sup_b"]) if f.team == "CID"]
    assert seen.reference == cid.reference and seen.subject is None
    logged = search_access_log(
        ctx, actor=auditor, query=AccessQuery(username="auditor", record_type="crime")
    )
    assert [int(e.record_id) for e in logged] == [cid.record_id]


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


def _crimes(ctx, count: int, **values) -> list[int]:
    with ctx.db.transaction() as session:
        rows = [
            CrimeRow(
                crime_type="Burglary",
                crime_group="Burglary",
                recorded_at=MAY + timedelta(hours=n),
                **values,
            )
            for n in range(count)
        ]
        session.add_all(rows)
        session.flush()
        return [r.id for r in rows]


def _plan_audit(ctx, auditor, seed: int = 5, **rule):
    return audits.draw(
        ctx,
        actor=auditor,
        template_code="investigation_plan_quality",
        period="2024-05",
        seed=seed,
        **rule,
    )


def test_crimes_are_sampled_per_allocated_investigator_as_the_documented_draw(
    ctx, actors, force, password_hashes
):
    admin = actors[Role.ADMINISTRATOR]
    teams.add_team(
        ctx, actor=admin, code="cid", name="CID", kind="investigation", supervisor="sergeant_b"
    )
    dc1 = _user(ctx, password_hashes, "dc_one", Role.INVESTIGATOR)
    dc2 = _user(ctx, password_hashes, "dc_two", Role.INVESTIGATOR)
    teams.assign(ctx, actor=admin, username="dc_one", team_code="cid")
    mine = {
        "dc_one": _crimes(ctx, 6, allocated_to=dc1.user_id, allocated_team="Response"),
        "dc_two": _crimes(ctx, 2, allocated_to=dc2.user_id, allocated_team="CID"),
    }
    _crimes(ctx, 3, allocated_team="CID")  # awaiting an investigator: no one's work yet
    auditor = actors[Role.AUDITOR]
    drawn = _plan_audit(ctx, auditor, count=3)
    # Investigation plan quality is drawn per investigator unless told otherwise.
    assert drawn.sample.rule == SampleRule("investigator", 3)
    assert drawn.sample.population == 8
    expected = draw_sample(
        [Candidate(who, rid) for who, ids in mine.items() for rid in ids],
        rule=SampleRule("investigator", 3),
        template_code="investigation_plan_quality",
        period="2024-05",
        seed=5,
    )
    assert [(i.stratum, i.record_id) for i in drawn.items] == [
        (c.stratum, c.record_id) for c in expected
    ]
    assert [i.stratum for i in drawn.items] == ["dc_one"] * 3 + ["dc_two"] * 2
    # The screens name whose work it is by display name, not username.
    assert all(i.subject == i.stratum.title() for i in drawn.items)
    # The investigator's team when they have one, else the team the crime is allocated to.
    assert [i.team for i in drawn.items] == ["CID"] * 5
    again = _plan_audit(ctx, auditor, count=3)
    assert not again.created and [i.id for i in again.items] == [i.id for i in drawn.items]
    by_team = _plan_audit(ctx, auditor, per="team", count=3)
    assert by_team.created and {i.stratum for i in by_team.items} == {"CID", "Response"}
    assert by_team.sample.population == 11


def test_a_crimes_finding_goes_to_its_supervisor_else_the_investigators_team_else_its_team(
    ctx, actors, force, password_hashes
):
    admin = actors[Role.ADMINISTRATOR]
    sup_a, sup_b = force["sup_a"], force["sup_b"]
    sup_c = _user(ctx, password_hashes, "ds_crime", Role.SUPERVISOR)
    teams.add_team(
        ctx, actor=admin, code="cid", name="CID", kind="investigation", supervisor="sergeant_b"
    )
    teams.add_team(ctx, actor=admin, code="leaderless", name="Leaderless", kind="investigation")
    dc1 = _user(ctx, password_hashes, "dc_one", Role.INVESTIGATOR)
    dc2 = _user(ctx, password_hashes, "dc_two", Role.INVESTIGATOR)
    teams.assign(ctx, actor=admin, username="dc_one", team_code="control-a")
    teams.assign(ctx, actor=admin, username="dc_two", team_code="leaderless")
    (own,) = _crimes(
        ctx, 1, allocated_to=dc1.user_id, supervisor_id=sup_c.user_id, allocated_team="CID"
    )
    (teams_,) = _crimes(ctx, 1, allocated_to=dc1.user_id, allocated_team="CID")
    (allocated,) = _crimes(ctx, 1, allocated_to=dc2.user_id, allocated_team="CID")
    auditor = actors[Role.AUDITOR]
    drawn = _plan_audit(ctx, auditor)
    assert {i.record_id for i in drawn.items} == {own, teams_, allocated}
    for item in drawn.items:
        audits.score_item(
            ctx,
            actor=auditor,
            sample_id=drawn.sample.id,
            item_id=item.id,
            answers=PLAN_ANSWERS,
            finding="no supervisor review of the plan",
        )

    def seen(supervisor):
        return {f.record_id for f in audit_feedback.feedback(ctx, actor=supervisor)}

    assert seen(sup_c) == {own}  # the crime's own supervisor first
    assert seen(sup_a) == {teams_}  # then the supervisor of the investigator's team
    assert seen(sup_b) == {allocated}  # dc_two's team has none: the allocated team's
    finding = audit_feedback.feedback(ctx, actor=sup_c)[0]
    with pytest.raises(NotFound):
        audit_feedback.acknowledge(ctx, actor=sup_b, finding_id=finding.id)
    audit_feedback.acknowledge(ctx, actor=sup_c, finding_id=finding.id, response="spoke to DC")
    # Naming a supervisor on the crime later sends its finding to them.
    with ctx.db.transaction() as session:
        session.get(CrimeRow, teams_).supervisor_id = sup_c.user_id
    assert seen(sup_c) == {own, teams_} and seen(sup_a) == set()


MY_TEMPLATE = """
code = "call_closure"
name = "Call closure"
record_type = "contact"
pass_mark = 0.5
[sample]
per = "handler"
count = 1
[[questions]]
id = "closed_well"
text = "Was the call closed with the caller told what happens next?"
"""


def test_auditor_defines_a_template_and_draws_from_it(ctx, actors, force):
    auditor = actors[Role.AUDITOR]
    stored = audits.define_template(ctx, actor=auditor, definition=MY_TEMPLATE)
    assert (stored.origin, stored.template.code) == ("auditor", "call_closure")
    assert "call_closure" in {t.template.code for t in audits.list_templates(ctx)}
    drawn = audits.draw(ctx, actor=auditor, template_code="call_closure", period="2024-05", seed=1)
    assert len(drawn.items) == 3  # one per handler


def test_a_bad_or_taken_template_is_refused_and_nothing_is_stored(ctx, actors):
    auditor = actors[Role.AUDITOR]
    with pytest.raises(ValidationFailed) as caught:
        audits.define_template(ctx, actor=auditor, definition=MY_TEMPLATE.replace("0.5", "5"))
    assert "pass_mark" in caught.value.problems[0].reason
    with pytest.raises(ValidationFailed, match="already used"):
        audits.define_template(
            ctx, actor=auditor, definition=MY_TEMPLATE.replace("call_closure", "thrive_quality")
        )
    assert {t.origin for t in audits.list_templates(ctx)} == {"shipped"}


def test_body_worn_video_audit_is_against_the_attending_officer_not_the_dispatcher(
    ctx, actors, force
):
    officer, dispatcher = actors[Role.OFFICER], actors[Role.DISPATCHER]
    contact_ids = force["may"]["handler1"]
    with ctx.db.transaction() as session:
        for n, cid in enumerate(contact_ids):
            _incident(
                session, cid, officer.user_id, MAY, video=n % 2 == 0, recorded_by=dispatcher.user_id
            )
    drawn = audits.draw(
        ctx, actor=actors[Role.AUDITOR], template_code="body_worn_video", period="2024-05", seed=3
    )
    assert drawn.items
    assert {i.stratum for i in drawn.items} == {"officer"}
    opened = audits.open_item(
        ctx, actor=actors[Role.AUDITOR], sample_id=drawn.sample.id, item_id=drawn.items[0].id
    )
    fields = {f.label: f.value for f in opened.record.fields}
    assert (fields["Attending officer"], fields["Arrival recorded by"]) == (
        "Officer",
        "Dispatcher",
    )  # names, not usernames
