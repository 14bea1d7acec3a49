"""An open incident timed after now (clock skew, a future-dated import) is flagged as
future-dated, not shown as a countdown of its whole target ("3h 14m" left on a 15-minute
grade 1)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from support import KNIFE
from watchhouse.domain.attendance import attendance_status
from watchhouse.domain.records import NewContact
from watchhouse.domain.roles import Role
from watchhouse.domain.values import Channel
from watchhouse.services import contacts
from watchhouse.services.context import AppContext

pytestmark = pytest.mark.web


def test_the_status_says_by_how_much_an_incident_is_future_dated(clock) -> None:
    now = clock()
    ahead = attendance_status(
        created_at=now + timedelta(hours=3), arrived_at=None, now=now, target=timedelta(minutes=15)
    )
    assert ahead.future_by == timedelta(hours=3)
    assert ahead.time_left == timedelta(minutes=15)
    on_time = attendance_status(
        created_at=now,
        arrived_at=None,
        now=now + timedelta(minutes=1),
        target=timedelta(minutes=15),
    )
    assert on_time.future_by is None


def test_the_queue_and_the_incident_page_flag_a_future_dated_incident(
    ctx, actors, client_as, neighbourhoods, clock
) -> None:
    ahead = AppContext(
        settings=ctx.settings,
        db=ctx.db,
        policy=ctx.policy,
        clock=lambda: clock() + timedelta(hours=3, minutes=2),
    )
    handler = actors[Role.CALL_HANDLER]
    taken = contacts.take_contact(
        ahead,
        actor=handler,
        new=NewContact(
            channel=Channel.EMERGENCY_999,
            summary="Imported incident timed in the future",
            location_description="Quay Street",
            neighbourhood_code=neighbourhoods["urban"],
        ),
    )
    suggestion = contacts.assess_thrive(
        ahead, actor=handler, contact_id=taken.contact_id, assessment=KNIFE, notes={}
    )
    incident_id = contacts.grade_contact(
        ahead, actor=handler, contact_id=taken.contact_id, grade=suggestion.grade
    )
    dispatcher = client_as(Role.DISPATCHER).client
    queue = dispatcher.get("/dispatch").text
    row = queue.split(f'data-incident="{incident_id}"', 1)[1].split("</tr>", 1)[0]
    assert "Future-dated: timed 3h 02m 00s ahead of now" in row
    assert "countdown" not in row and "data-deadline" not in row
    page = dispatcher.get(f"/incidents/{incident_id}").text
    assert "future-dated</strong>: timed 3h 02m 00s ahead of now" in page
