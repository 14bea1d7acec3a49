"""The board's and PEEL view's answers are computed once per loaded snapshot and question and
shared by everyone viewing them; a later snapshot written by another process (another uvicorn
worker, `watchhouse snapshot` from cron) is picked up, with its new data."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from zoneinfo import ZoneInfo

import pytest

from watchhouse.analytics.engine import MeasureEngine
from watchhouse.analytics.model import MeasureParams, MeasureSpec
from watchhouse.domain.records import NewContact
from watchhouse.domain.roles import Actor, Role
from watchhouse.domain.values import Channel
from watchhouse.services import board, measures
from watchhouse.services.contacts import take_contact
from watchhouse.services.context import AppContext

pytestmark = pytest.mark.web

MONTH = date(2026, 3, 1)  # the month of the tests' clock


@pytest.fixture
def computed(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, ...]]:
    """Every computation the measures' engine is asked for (the measure keys of each)."""
    calls: list[tuple[str, ...]] = []
    original = MeasureEngine.compute

    def counted(
        self: MeasureEngine, specs: Sequence[MeasureSpec], params: MeasureParams, **kwargs: object
    ) -> object:
        calls.append(tuple(s.key for s in specs))
        return original(self, specs, params, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(MeasureEngine, "compute", counted)
    return calls


def _call(ctx: AppContext, actor: Actor, summary: str) -> None:
    take_contact(
        ctx, actor=actor, new=NewContact(channel=Channel.NON_EMERGENCY_101, summary=summary)
    )


def test_two_people_viewing_the_board_and_peel_view_of_one_snapshot_compute_each_once(
    ctx: AppContext, client_as, actors: dict[Role, Actor], computed: list[tuple[str, ...]]
) -> None:
    _call(ctx, actors[Role.CALL_HANDLER], "a call")
    first, second = client_as(Role.ANALYST).client, client_as(Role.ANALYST).client
    assert first.get("/board?month=2026-03").status_code == 200
    assert first.get("/board/peel?month=2026-03").status_code == 200
    once = list(computed)
    assert once, "the first views compute the answers"
    assert second.get("/board?month=2026-03").status_code == 200
    assert second.get("/board/peel?month=2026-03").status_code == 200
    assert first.get("/board?month=2026-03").status_code == 200
    assert computed == once, "the second person's views are served what the first computed"
    assert second.get("/board?month=2026-02").status_code == 200  # another question
    assert len(computed) > len(once)


def test_a_later_snapshot_another_process_wrote_is_picked_up_with_its_new_data(
    ctx: AppContext, client_as, actors: dict[Role, Actor], clock
) -> None:
    analyst, handler = actors[Role.ANALYST], actors[Role.CALL_HANDLER]
    _call(ctx, handler, "the first call")

    def demand() -> float | None:
        return board.measure_trend(
            ctx, actor=analyst, key="contact.demand", month=MONTH, fresh=False
        ).current

    assert demand() == 1
    _call(ctx, handler, "a second call")
    _call(ctx, handler, "a third call")
    assert demand() == 1, "the loaded snapshot is served until a new one is ready"
    later = clock.advance(minutes=1)
    measures.take_snapshot(ctx)  # as another worker would, writing to the shared data dir
    demand()  # this view notices the later snapshot on disk and loads it in the background
    measures.wait_for_refresh(ctx)
    assert demand() == 3
    local = later.astimezone(ZoneInfo(ctx.policy.force.timezone))
    page = client_as(Role.ANALYST).client.get("/board?month=2026-03")
    assert f"Figures as at {local:%H:%M} on {local:%d %b %Y}." in page.text


def test_deadlines_are_judged_at_the_moment_the_figures_stand_at(
    ctx: AppContext, actors: dict[Role, Actor], clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The measures judge deadlines (a plan due, a victim update owed) as at the moment the
    page says its figures stand at, not the moment of the request, so an answer shared with a
    later viewer is still right for the moment it names."""
    judged_at: list[int] = []
    compute, records = MeasureEngine.compute, MeasureEngine.records

    def watched_compute(self, specs, params, **kwargs):  # type: ignore[no-untyped-def]
        judged_at.append(params.as_of_us)
        return compute(self, specs, params, **kwargs)

    def watched_records(self, spec, params, **kwargs):  # type: ignore[no-untyped-def]
        judged_at.append(params.as_of_us)
        return records(self, spec, params, **kwargs)

    monkeypatch.setattr(MeasureEngine, "compute", watched_compute)
    monkeypatch.setattr(MeasureEngine, "records", watched_records)
    analyst = actors[Role.ANALYST]
    _call(ctx, actors[Role.CALL_HANDLER], "a call")
    measures.take_snapshot(ctx)
    clock.advance(minutes=2)  # the request comes later than the snapshot's check
    shown = board.board(ctx, actor=analyst, month=MONTH, fresh=False)
    board.records(
        ctx, actor=analyst, key="contact.demand", period=shown.period, start=MONTH, fresh=False
    )
    assert shown.as_at is not None and shown.as_at < ctx.now()
    assert set(judged_at) == {int(shown.as_at.timestamp() * 1_000_000)}
