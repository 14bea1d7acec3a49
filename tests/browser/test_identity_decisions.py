"""A supervisor, in a real browser, records that two contacts are the same person: a missing
reason is pointed out at the field, then the decision is kept and listed on the person page."""

from __future__ import annotations

from playwright.sync_api import expect

from watchhouse.domain.records import NewContact, contact_reference
from watchhouse.domain.roles import Role
from watchhouse.domain.values import Channel
from watchhouse.services import contacts

from .conftest import LiveApp
from .desks import BROWSER_ONLY, add_person, sign_in

pytestmark = BROWSER_ONLY

SUPERVISOR = ("sgt", "supervisor-pass-123")


def _two_calls(live: LiveApp) -> tuple[int, int, int]:
    """Two calls from one number under two spellings of a name: (person, first, second)."""
    ids = []
    for given in ("Kay", "Kaye"):
        taken = contacts.take_contact(
            live.ctx,
            actor=live.handler,
            new=NewContact(
                channel=Channel.NON_EMERGENCY_101,
                caller_given_name=given,
                caller_family_name="Osei",
                telephone="07700 900654",
                summary="Parcel stolen from the doorstep",
            ),
        )
        ids.append(taken.contact_id)
    view = contacts.get_contact(
        live.ctx, actor=live.handler, contact_id=ids[0], justification="test set-up"
    )
    assert view.person is not None
    return view.person.id, ids[0], ids[1]


def test_supervisor_records_that_two_contacts_are_the_same_person(
    live_app: LiveApp,
    new_page,
    screenshot,  # type: ignore[no-untyped-def]
) -> None:
    person_id, first, second = _two_calls(live_app)
    add_person(live_app, SUPERVISOR, Role.SUPERVISOR, "Sgt Sam")
    page = new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, *SUPERVISOR)
    page.goto(f"/people/{person_id}")
    # A person page asks why first (issue 16, item 5).
    page.get_by_label("Reason", exact=True).select_option(label="Supervision or quality review")
    page.get_by_label("Details").fill("identity review")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Kay Osei")).to_be_visible()
    page.get_by_label("First contact").fill(contact_reference(first))
    page.get_by_label("Second contact").fill(contact_reference(second))
    page.get_by_label("The same person", exact=True).check()
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator("#reason-error")).to_contain_text("say why")
    expect(page.get_by_label("Reason")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Second contact")).to_have_value(contact_reference(second))
    screenshot(page, "supervisor-missing-reason")

    page.get_by_label("Reason").fill("Same number; Kaye is how she spells it on the second call")
    page.get_by_role("button", name="Record decision").click()
    decisions = page.locator("#decisions table")
    expect(decisions).to_contain_text(f"{contact_reference(first)} and {contact_reference(second)}")
    expect(decisions).to_contain_text("same person")
    expect(decisions).to_contain_text("Sgt Sam")
    fits = page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    assert fits, "the person page must fit a phone's width"
    screenshot(page, "supervisor-decision-recorded")
