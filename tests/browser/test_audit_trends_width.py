"""The audit trends table at 1280 px wide: two years of months fit the page (the table
scrolls inside its own box, GOV.UK-like), so the page itself never scrolls sideways; the box is
a labelled region a keyboard user can select and scroll, and the team column stays in view."""

from __future__ import annotations

from datetime import UTC, datetime

from playwright.sync_api import expect

from watchhouse.domain.audit import AnswerKind
from watchhouse.domain.records import NewContact
from watchhouse.domain.roles import Actor, Role
from watchhouse.domain.values import Channel
from watchhouse.services import accounts, audits, contacts

from .conftest import LiveApp
from .desks import BROWSER_ONLY, add_person, sign_in

pytestmark = BROWSER_ONLY

DESK = {"width": 1280, "height": 800}
ANALYST = ("ana", "analyst-pass-123")
MONTHS = 24


def _months_back(now: datetime, count: int) -> list[datetime]:
    """The 15th of each of the `count` months before `now`'s month, oldest first."""
    year, month = now.year, now.month
    found = []
    for _ in range(count):
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        found.append(datetime(year, month, 15, 10, 0, tzinfo=UTC))
    return found[::-1]


def _scored_months(live: LiveApp) -> list[str]:
    """One call by the handler in each of the last MONTHS months, sampled and scored."""
    auditor = accounts.add_user(
        live.ctx, username="aud", display_name="Aud", role=Role.AUDITOR, password="auditor-p-123"
    )
    actor = Actor(auditor.id, auditor.username, auditor.display_name, auditor.role)
    template = audits.get_template(live.ctx, code="thrive_quality").template
    answers = {q.id: "3" if q.kind == AnswerKind.SCALE else "yes" for q in template.questions}
    periods = []
    for when in _months_back(live.ctx.now(), MONTHS):
        contacts.take_contact(
            live.context_with_clock(lambda when=when: when),
            actor=live.handler,
            new=NewContact(
                channel=Channel.NON_EMERGENCY_101,
                summary="Shed broken into",
                location_description="High Street",
                neighbourhood_code="central",
            ),
        )
        period = when.strftime("%Y-%m")
        drawn = audits.draw(
            live.ctx, actor=actor, template_code="thrive_quality", period=period, seed=1
        )
        (item,) = drawn.items
        audits.score_item(
            live.ctx,
            actor=actor,
            sample_id=drawn.sample.id,
            item_id=item.id,
            answers=answers,
            finding="",
        )
        periods.append(period)
    return periods


def test_two_years_of_audit_trends_fit_a_1280_px_screen(
    live_app: LiveApp, new_page, screenshot
) -> None:
    periods = _scored_months(live_app)
    add_person(live_app, ANALYST, Role.ANALYST, "Ana")
    page = new_page()
    page.set_viewport_size(DESK)
    sign_in(page, *ANALYST)
    page.goto("/audits/trends")
    table = page.get_by_role("table")
    expect(table.get_by_role("columnheader", name=periods[-1])).to_be_visible()
    expect(table.get_by_role("row")).to_have_count(2)
    screenshot(page, "audit-trends-1280px")
    overflow = page.evaluate(
        "document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth"
    )
    assert overflow == 0, f"the page scrolls sideways by {overflow} px"
    box = page.evaluate(
        """() => {
          const t = document.querySelector('main table');
          const c = t.parentElement;
          const r = t.getBoundingClientRect(), b = c.getBoundingClientRect();
          return {table: r.right, box: b.right, scrolls: c.scrollWidth > c.clientWidth,
                  overflowX: getComputedStyle(c).overflowX};
        }"""
    )
    assert box["table"] <= DESK["width"] or (
        box["box"] <= DESK["width"] and box["scrolls"] and box["overflowX"] in ("auto", "scroll")
    ), box
    # A keyboard user selects the table's box (a labelled region) and scrolls it with the arrows.
    region = page.get_by_role("region", name="Audit scores by team per month")
    region.focus()
    expect(region).to_be_focused()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("el => el.scrollLeft > 0", arg=region.element_handle())
    # The latest month, at the far right, is reached by scrolling the table's own box...
    last = table.get_by_role("columnheader", name=periods[-1])
    last.scroll_into_view_if_needed()
    right = last.bounding_box()
    assert right is not None and right["x"] + right["width"] <= DESK["width"]
    assert page.evaluate("document.scrollingElement.scrollLeft") == 0
    # ...with the team it belongs to still in view at the left of the box.
    team = table.get_by_role("rowheader", name="no team")
    left = team.bounding_box()
    region_box = region.bounding_box()
    assert left is not None and region_box is not None
    assert left["x"] >= region_box["x"] - 1, (left, region_box)
    screenshot(page, "audit-trends-1280px-scrolled")
