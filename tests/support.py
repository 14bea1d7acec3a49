"""Test data shared by several test modules."""

from __future__ import annotations

from watchhouse.domain.thrive import EmergencyIndicator, Engagement, Level, ThriveAssessment

# A man with a knife in the street: the assessment every grade 1 test starts from.
KNIFE = ThriveAssessment(
    threat=Level.HIGH,
    harm=Level.HIGH,
    risk=Level.HIGH,
    investigation=Level.MEDIUM,
    vulnerability=Level.LOW,
    engagement=Engagement.IMMEDIATE_ATTENDANCE,
    indicators=frozenset({EmergencyIndicator.VIOLENCE}),
)
