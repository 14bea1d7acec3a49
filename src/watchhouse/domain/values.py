"""Value types shared by the rules: channels, grades, settlements."""

from __future__ import annotations

from enum import IntEnum, StrEnum


class Channel(StrEnum):
    """How a member of the public made contact."""

    EMERGENCY_999 = "999"
    NON_EMERGENCY_101 = "101"
    LIVE_CHAT = "live_chat"
    ONLINE_REPORT = "online_report"
    SOCIAL_MEDIA = "social_media"
    WALK_IN = "walk_in"

    @property
    def label(self) -> str:
        """Human label for screens and reports."""
        return _CHANNEL_LABELS[self]

    @property
    def is_telephone(self) -> bool:
        """True for the voice channels whose answer time is measured."""
        return self in (Channel.EMERGENCY_999, Channel.NON_EMERGENCY_101)


_CHANNEL_LABELS = {
    Channel.EMERGENCY_999: "999",
    Channel.NON_EMERGENCY_101: "101",
    Channel.LIVE_CHAT: "Live chat",
    Channel.ONLINE_REPORT: "Online report",
    Channel.SOCIAL_MEDIA: "Social media",
    Channel.WALK_IN: "Front counter",
}


def channel_label(value: str) -> str:
    """A stored channel key as people read it ("live_chat" -> "Live chat"); an unknown key
    with its underscores as spaces."""
    try:
        return Channel(value).label
    except ValueError:
        return value.replace("_", " ").capitalize()


class Origin(StrEnum):
    """Where a record came from: a member of the public, or the force itself (not a public
    contact, so contact measures leave it out; attendance measures count its incident)."""

    PUBLIC = "public"
    OFFICER_INITIATED = "officer_initiated"
    RADIO = "radio"
    TRANSFER = "transfer"


class Grade(IntEnum):
    """The four national incident grades."""

    EMERGENCY = 1
    PRIORITY = 2
    SCHEDULED = 3
    RESOLUTION_WITHOUT_DEPLOYMENT = 4

    @property
    def needs_deployment(self) -> bool:
        """Grades 1 to 3 send an officer; grade 4 does not."""
        return self is not Grade.RESOLUTION_WITHOUT_DEPLOYMENT


class Settlement(StrEnum):
    """Urban or rural, which sets the grade 1 attendance target."""

    URBAN = "urban"
    RURAL = "rural"
