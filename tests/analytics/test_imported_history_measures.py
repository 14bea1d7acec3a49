"""Imported history is honest, and records the force started are incidents but not contacts:
measures on a hand-built force, each expected value worked out in the comments."""

from __future__ import annotations

from datetime import date

import pytest

from measure_support import Force, utc

pytestmark = pytest.mark.unit

MAY = date(2024, 5, 1)
T0 = utc(2024, 5, 10, 12)
AS_OF = utc(2024, 5, 31, 23)


def _force() -> Force:
    """Taken here: two 999 calls answered in 5 s, one with THRIVE; one grade 1 incident with
    body-worn video off and one where the officer gave no answer. Imported (source "cad"): three
    999 calls, one answered in 5 s, one abandoned and one with no answer time or abandonment;
    their incidents attended with body-worn video on, and one with none recorded. Officer
    initiated (imported): one grade 1 incident attended at 30 minutes."""
    force = Force()
    central = force.neighbourhood("central")
    here_1 = force.contact(T0, wait=5, place=central)
    force.thrive(here_1, T0)
    here_2 = force.contact(T0, wait=5, place=central)
    force.incident(here_1, grade=1, created=T0, arrived_after_minutes=10, body_worn_video=False)
    force.incident(here_2, grade=1, created=T0, arrived_after_minutes=10)
    answered = force.contact(T0, wait=5, place=central, source="cad")
    force.contact(T0, abandoned=True, place=central, source="cad")
    unknown = force.contact(T0, place=central, source="cad")
    force.incident(answered, grade=1, created=T0, arrived_after_minutes=12, body_worn_video=True)
    force.incident(unknown, grade=1, created=T0, arrived_after_minutes=14)
    onview = force.contact(T0, place=central, source="cad", origin="officer_initiated")
    force.incident(onview, grade=1, created=T0, arrived_after_minutes=30)
    return force


def test_thrive_never_held_by_the_source_is_not_recorded_not_a_failure() -> None:
    # Not abandoned, public: here_1 (THRIVE), here_2 (none: not done), answered and unknown
    # (imported: not recorded). Share 1 of 2 = 0.5, not 1 of 4; 2 not recorded.
    force = _force()
    assert force.value("first_contact.thrive_completed", MAY, as_of=AS_OF) == pytest.approx(0.5)
    assert force.value("first_contact.thrive_not_recorded", MAY, as_of=AS_OF) == 2


def test_body_worn_video_never_held_by_the_source_is_left_out_and_counted() -> None:
    # Attendances: here_1 (off), here_2 (no answer: counts as off), answered (on), unknown
    # (imported, none: not recorded), onview (imported, none: not recorded). 1 of 3; 2 counted.
    force = _force()
    assert force.value("attendance.body_worn_video", MAY, as_of=AS_OF) == pytest.approx(1 / 3)
    assert force.value("attendance.body_worn_video_not_recorded", MAY, as_of=AS_OF) == 2


def test_an_imported_call_with_no_answer_time_is_counted_not_failed() -> None:
    # 999 answered or abandoned: here_1, here_2, answered (5 s each) and the abandoned one:
    # 3 of 4 within 10 s. The imported call with neither is left out and counted.
    force = _force()
    assert force.value("contact.999_answered_within_10s", MAY, as_of=AS_OF) == pytest.approx(0.75)
    assert force.value("contact.answer_time_not_recorded", MAY, as_of=AS_OF) == 1


def test_officer_initiated_incidents_count_in_attendance_but_not_in_contacts() -> None:
    # Demand: the five public contacts, not the officer-initiated record (6 contact rows).
    # Grade 1 urban within 15 min: 10, 10, 12, 14 meet; the officer-initiated 30 does not: 4/5.
    force = _force()
    assert force.value("contact.demand", MAY, as_of=AS_OF) == 5
    assert force.value("attendance.grade_1_urban_within_target", MAY, as_of=AS_OF) == pytest.approx(
        0.8
    )
