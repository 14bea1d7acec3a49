"""Walking the demo as a call handler: after a call was joined to a known person, the Caller
panel showed that person's stored date of birth as if the caller had given it (the evidence
list rightly said "not given by the caller"). Under "Caller" the page shows only what the
caller gave; what is stored on the person comes under "On record", labelled as such."""

from __future__ import annotations

from datetime import date

from playwright.sync_api import expect

from watchhouse.domain.records import NewContact
from watchhouse.domain.values import Channel
from watchhouse.services import contacts

from .conftest import HANDLER, LiveApp
from .desks import BROWSER_ONLY, desk

pytestmark = BROWSER_ONLY


def _call(live: LiveApp, **given: object) -> int:
    return contacts.take_contact(
        live.ctx,
        actor=live.handler,
        new=NewContact(
            channel=Channel.NON_EMERGENCY_101,
            caller_given_name="Kay",
            caller_family_name="Osei",
            telephone="07700 900654",
            summary="Parcel stolen from the doorstep",
            **given,  # type: ignore[arg-type]
        ),
    ).contact_id


def test_caller_panel_shows_what_the_caller_gave_and_labels_the_stored_birth_date(
    live_app: LiveApp, new_page
) -> None:
    _call(live_app, date_of_birth=date(1984, 12, 7))
    second = _call(live_app)
    view = contacts.get_contact(
        live_app.ctx, actor=live_app.handler, contact_id=second, justification="test set-up"
    )
    assert view.person is not None and view.person.date_of_birth == date(1984, 12, 7)

    page = desk(new_page, HANDLER, f"/contacts/{second}")
    caller = page.locator("#caller-given")
    expect(caller).to_contain_text("Kay Osei")
    expect(caller).not_to_contain_text("1984")
    expect(caller).not_to_contain_text("Date of birth")
    on_record = page.locator("#on-record")
    expect(page.get_by_role("heading", name="On record")).to_be_visible()
    expect(on_record).to_contain_text("Date of birth on record")
    expect(on_record).to_contain_text("07 Dec 1984")
    expect(on_record).to_contain_text(view.person.reference)


def test_caller_panel_shows_the_date_of_birth_the_caller_gave(live_app: LiveApp, new_page) -> None:
    given = _call(live_app, date_of_birth=date(1979, 3, 14))
    view = contacts.get_contact(
        live_app.ctx, actor=live_app.handler, contact_id=given, justification="test set-up"
    )
    assert view.caller_date_of_birth == date(1979, 3, 14)

    page = desk(new_page, HANDLER, f"/contacts/{given}")
    caller = page.locator("#caller-given")
    expect(caller).to_contain_text("Date of birth given")
    expect(caller.locator("#caller-dob")).to_have_text("14 Mar 1979")
