"""The demo's time frame (working days, public holidays, vacations) and the meetings reps book."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from socialsell.demo_people import DemoRep, Person

__all__ = ["BERLIN", "UTC", "Meeting", "Window", "pick", "slot_after"]

BERLIN = ZoneInfo("Europe/Berlin")


def _easter(year: int) -> date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    m = (32 + 2 * e + 2 * i - h - k) % 7
    n = (a + 11 * h + 22 * m) // 451
    month, day = divmod(h + m - 7 * n + 114, 31)
    return date(year, month, day + 1)


def holidays(year: int, team: str) -> set[date]:
    """Public holidays in Hamburg (team Nord) or Bavaria (team Süd)."""
    easter = _easter(year)
    days = {date(year, 1, 1), date(year, 5, 1), date(year, 10, 3), date(year, 12, 25), date(year, 12, 26)}
    days |= {easter + timedelta(days=n) for n in (-2, 1, 39, 50)}
    if team == "Süd":
        days |= {date(year, 1, 6), date(year, 11, 1), easter + timedelta(days=60)}
    else:
        days.add(date(year, 10, 31))
    return days


@dataclass(frozen=True)
class Window:
    """The months the demo covers: activity on [start, end), exported on the morning of `end`."""

    start: date
    end: date

    @classmethod
    def ending(cls, end: date, months: int) -> Window:
        month_index = end.year * 12 + end.month - 1 - months
        year, month = divmod(month_index, 12)
        return cls(date(year, month + 1, min(end.day, 28)), end)

    @property
    def exported_at(self) -> datetime:
        return datetime.combine(self.end, time(7, 30), BERLIN)

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days)]

    def workdays(self, team: str) -> list[date]:
        off = set().union(*(holidays(y, team) for y in {self.start.year, self.end.year}))
        return [d for d in self.days if d.weekday() < 5 and d not in off]

    def vacation(self, rep_index: int, team: str) -> list[date]:
        """Ten consecutive working days off in the middle of the window (none in short windows)."""
        workdays = self.workdays(team)
        if len(workdays) < 60:
            return []
        first = len(workdays) // 3 + rep_index * 7
        return workdays[first : first + 10]

    def working_days(self, rep_index: int, team: str) -> list[date]:
        """A rep's working days: no weekends, public holidays or vacation."""
        off = set(self.vacation(rep_index, team))
        return [d for d in self.workdays(team) if d not in off]

    @property
    def middle_month(self) -> tuple[int, int]:
        middle = self.start + (self.end - self.start) / 2
        return middle.year, middle.month


@dataclass
class Meeting:
    """A booked meeting with one or more external contacts."""

    rep: DemoRep
    contacts: list[Person]
    start: datetime  # aware, Europe/Berlin
    minutes: int
    booked_at: datetime  # aware; the calendar's CREATED
    origin: str  # call, linkedin, inbound, referral
    title: str = ""
    cancelled: bool = False
    no_show: bool = False
    where: str = "calendar"  # calendar, both (calendar and CRM) or crm
    logged: bool = True  # False: booked in a LinkedIn chat and never put in a calendar or CRM
    uid: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def end(self) -> datetime:
        return self.start + timedelta(minutes=self.minutes)


def slot_after(moment: datetime, rng: random.Random, min_days: int = 1, max_days: int = 9) -> datetime:
    """A plausible meeting start on a weekday some days after `moment` (Europe/Berlin)."""
    day = moment.astimezone(BERLIN).date() + timedelta(days=rng.randint(min_days, max_days))
    while day.weekday() >= 5:
        day += timedelta(days=1)
    hour = rng.choice((9, 10, 10, 11, 13, 14, 14, 15, 16))
    return datetime.combine(day, time(hour, rng.choice((0, 0, 30))), BERLIN)


def pick(rng: random.Random, items: list, rate: float) -> list:
    """Exactly round(len × rate) of `items`, chosen at random, in their original order."""
    count = min(len(items), max(0, round(len(items) * rate)))
    chosen = set(rng.sample(range(len(items)), count))
    return [item for index, item in enumerate(items) if index in chosen]
