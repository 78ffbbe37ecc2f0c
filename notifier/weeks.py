"""ISO weeks ("2026-W49"): the key of a digest, one per company and week."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from notifier.exceptions import WeekFormatError

_WEEK_RE = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)


@dataclass(frozen=True, slots=True, order=True)
class IsoWeek:
    """One ISO 8601 week."""

    year: int
    week: int

    @classmethod
    def parse(cls, text: str) -> IsoWeek:
        """Read '2026-W49' (or '2026W49'); raise WeekFormatError naming the input otherwise."""
        match = _WEEK_RE.match(text.strip())
        if not match:
            raise WeekFormatError(f"week {text!r} is not an ISO week like 2026-W49")
        year, week = int(match[1]), int(match[2])
        try:
            date.fromisocalendar(year, week, 1)
        except ValueError:
            raise WeekFormatError(f"week {text!r} does not exist (year {year} has no week {week})") from None
        return cls(year, week)

    @classmethod
    def of(cls, day: date) -> IsoWeek:
        """Return the ISO week a day falls in."""
        calendar = day.isocalendar()
        return cls(calendar.year, calendar.week)

    @classmethod
    def current(cls, zone: ZoneInfo, now: datetime | None = None) -> IsoWeek:
        """Return the current week in the digest's time zone."""
        return cls.of((now or datetime.now(zone)).astimezone(zone).date())

    def monday(self) -> date:
        """Return the first day of the week."""
        return date.fromisocalendar(self.year, self.week, 1)

    def __str__(self) -> str:
        return f"{self.year}-W{self.week:02d}"
