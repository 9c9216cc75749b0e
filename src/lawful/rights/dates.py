"""Calendar arithmetic for deadlines and retention: months are calendar months, not 30 days."""

from __future__ import annotations

import calendar
import datetime as dt

from lawful.core.register.models import Duration


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or that month's last day if shorter (31 Jan → 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def add_duration(day: dt.date, duration: Duration) -> dt.date:
    return add_months(day, duration.years * 12 + duration.months) + dt.timedelta(days=duration.days)
