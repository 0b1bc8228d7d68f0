"""Times as a person reads them: stored as naive UTC, shown in the organisation's time zone
(``SURVEY_TIMEZONE``, default Asia/Shanghai), dates as 2026年12月31日 in Chinese."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import Flask, current_app
from flask_babel import get_locale, gettext


def zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def local_today() -> date:
    """Today where the organisation is: a poll's closing date is a local date."""
    return datetime.now(zone()).date()


def to_local(value: datetime) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(zone())


def from_local(value: datetime) -> datetime:
    """A wall-clock time typed in the organisation's zone, as stored: naive UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone())
    return value.astimezone(UTC).replace(tzinfo=None)


def _chinese() -> bool:
    return str(get_locale() or "zh").startswith("zh")


def localdate(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value).date()
    if _chinese():
        return f"{value.year}年{value.month}月{value.day}日"
    return value.isoformat()


def localtime(value: datetime | str | None, hour_only: bool = False) -> str:
    """``2026年12月31日 14:05`` (zh) or ``2026-12-31 14:05`` (en), in the local zone; a UTC
    time written as ISO text (``…Z``, as the JSON answers give it) is read first."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    local = to_local(value)
    clock = local.strftime("%H:00" if hour_only else "%H:%M")
    return f"{localdate(local.date())} {clock}"


CHINA_ZONES = ("Asia/Shanghai", "Asia/Chongqing", "Asia/Harbin", "Asia/Urumqi", "PRC")


def init_app(app: Flask) -> None:
    ZoneInfo(app.config["TIMEZONE"])  # a misspelt zone fails at start, not on a page
    app.add_template_filter(localtime, "localtime")
    app.add_template_filter(localdate, "localdate")

    @app.context_processor
    def time_zone():
        zone = app.config["TIMEZONE"]
        return {"time_zone": zone_name(zone), "zone_note": zone_note(zone)}


def zone_note(zone: str) -> str:
    """The line under the times of a page: 以上为北京时间 for China's one zone, else the
    zone's name (never "北京时间时区": Beijing time is not a zone's name)."""
    if zone in CHINA_ZONES:
        return gettext("The times above are Beijing time")
    return gettext("The times above are %(zone)s time", zone=zone)


def zone_name(zone: str) -> str:
    """How a person names the zone: Beijing time for China's one zone, else its code."""
    if zone in CHINA_ZONES:
        return gettext("Beijing time")
    return zone
