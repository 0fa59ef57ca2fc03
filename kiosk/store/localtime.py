"""Local time for people: the event log stores UTC (ISO 8601); pages, sheets and reports show
the room's wall clock.

The zone is the instance's ``timezone`` setting when it has one, otherwise Asia/Shanghai: the
product serves Chinese county meetings, and a page that showed UTC would put a morning meeting
in the small hours.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

DEFAULT_ZONE = "Asia/Shanghai"


def zone(settings: object = None) -> ZoneInfo:
    """The zone of ``settings`` (its ``timezone``, if it names one), else Asia/Shanghai."""
    name = getattr(settings, "timezone", None) or DEFAULT_ZONE
    return ZoneInfo(name)


def local(at: str | datetime | None, settings: object = None) -> datetime | None:
    """A stored time (ISO text or a datetime; naive means UTC) as a datetime in the local zone."""
    if at is None or at == "":
        return None
    moment = at if isinstance(at, datetime) else datetime.fromisoformat(at)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone(settings))


def local_text(at: str | datetime | None, settings: object = None, *, seconds: bool = True) -> str:
    """``2025-03-14 09:30:05`` in the local zone (the same digits in every language); '' for none."""
    moment = local(at, settings)
    if moment is None:
        return ""
    return moment.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")
