"""Issue 15, the demo walked as an officer: on the incident page each fact's value sits
beside its own label. The list floated its labels, so a label that wrapped ("Vulnerability and
risk") pushed every later value up a row: "Created" read as the target, "Target" as the
deployment. And with no flags the THRIVE line began with a stray "·"."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from watchhouse.domain.records import NewContact
from watchhouse.domain.thrive import Engagement, Level, ThriveAssessment
from watchhouse.domain.values import Channel, Grade

from .conftest import DISPATCHER, LiveApp
from .desks import BROWSER_ONLY, graded_incident, sign_in

pytestmark = BROWSER_ONLY


@pytest.mark.parametrize("width", [1280, 390])
def test_each_incident_fact_is_beside_its_own_label(
    live_app: LiveApp, new_page, width: int
) -> None:
    incident_id = graded_incident(
        live_app.ctx,
        live_app,
        NewContact(
            channel=Channel.NON_EMERGENCY_101,
            summary="Fence kicked in, same group",
            location_description="14 Mill Lane",
            neighbourhood_code="central",
        ),
        ThriveAssessment(
            threat=Level.MEDIUM,
            harm=Level.LOW,
            risk=Level.MEDIUM,
            investigation=Level.LOW,
            vulnerability=Level.LOW,
            engagement=Engagement.SCHEDULED_ATTENDANCE,
        ),
        Grade.SCHEDULED,
    )
    page = new_page()
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, *DISPATCHER)
    page.goto(f"/incidents/{incident_id}")
    flags = page.locator("#thrive-flags")
    expect(flags).to_have_text("THRIVE: risk medium, vulnerability low")
    labels = page.locator("dl.facts > dt")
    assert labels.count() >= 8
    for n in range(labels.count()):
        label = labels.nth(n)
        value = label.locator("xpath=following-sibling::dd[1]")
        label_box, value_box = label.bounding_box(), value.bounding_box()
        assert label_box is not None and value_box is not None
        if width > 600:  # side by side: the value's first line level with its label
            assert abs(label_box["y"] - value_box["y"]) < 4, label.inner_text()
        else:  # stacked: the value directly under its label, before the next label
            assert value_box["y"] >= label_box["y"] + label_box["height"] - 1, label.inner_text()
        if n + 1 < labels.count():
            following = labels.nth(n + 1).bounding_box()
            assert following is not None
            assert following["y"] >= value_box["y"] + value_box["height"] - 1, label.inner_text()
