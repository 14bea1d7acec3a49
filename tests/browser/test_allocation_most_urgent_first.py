"""Walking the demo as a supervisor: the Supervision page says "Most urgent first", yet
"Awaiting allocation" listed the crimes oldest first, a domestic abuse assault last. Crimes
waiting for an investigator come by urgency (domestic abuse, hate crime, a vulnerable or
enhanced-rights victim), and within that the longest waiting first, as the page says."""

from __future__ import annotations

from datetime import date, timedelta

from playwright.sync_api import expect

from watchhouse.domain.investigation_records import HowReported, NewCrime, NewVictim
from watchhouse.domain.roles import Actor, Role
from watchhouse.services import crimes
from watchhouse.services.context import system_clock

from .conftest import LiveApp
from .desks import BROWSER_ONLY, SUPERVISOR, add_person, desk

pytestmark = BROWSER_ONLY


def _online_crime(
    live: LiveApp, actor: Actor, *, days_ago: int, offence: str, **extra: object
) -> int:
    moment = system_clock() - timedelta(days=days_ago)
    return crimes.record_crime(
        live.context_with_clock(lambda: moment),
        actor=actor,
        new=NewCrime(
            offence_code=offence,
            summary=f"Reported online {days_ago} days ago",
            how_reported=HowReported.ONLINE,
            location_description="Park Road",
            **extra,  # type: ignore[arg-type]
        ),
    )


def test_awaiting_allocation_lists_domestic_abuse_and_vulnerable_victims_before_older_crimes(
    live_app: LiveApp, new_page
) -> None:
    supervisor = add_person(live_app, SUPERVISOR, Role.SUPERVISOR, "Sgt Omar Reed")
    bike = _online_crime(live_app, supervisor, days_ago=4, offence="bicycle_theft")
    child = _online_crime(
        live_app,
        supervisor,
        days_ago=3,
        offence="other_theft",
        victims=(NewVictim(given_name="Sam", family_name="Cole", date_of_birth=date(2015, 5, 5)),),
    )
    shop = _online_crime(live_app, supervisor, days_ago=2, offence="shoplifting")
    domestic = _online_crime(
        live_app, supervisor, days_ago=1, offence="common_assault", domestic_abuse=True
    )

    page = desk(new_page, SUPERVISOR, "/supervision")
    expect(page.get_by_text("Most urgent first")).to_be_visible()
    waiting = page.locator("#awaiting-allocation li a")
    expect(waiting).to_have_text(
        [f"CR{crime_id:07d}" for crime_id in (domestic, child, bike, shop)]
    )
    expect(page.locator("#awaiting-allocation .order-rule")).to_contain_text("Domestic abuse first")
