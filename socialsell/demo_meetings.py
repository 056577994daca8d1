"""Demo meetings: where each booked meeting shows up (calendar, CRM or both), as .ics and HubSpot CSV."""

from __future__ import annotations

import csv
import io
import random
from datetime import date, datetime, time, timedelta
from pathlib import Path

from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard, vCalAddress

from socialsell.demo_model import BERLIN, UTC, Meeting, Window, slot_after
from socialsell.demo_people import SELLER_DOMAIN, DemoRep, Directory, Person

__all__ = [
    "HUBSPOT_MEETING_COLUMNS",
    "place_meetings",
    "referral_meetings",
    "write_calendar",
    "write_crm_meetings",
]

HUBSPOT_MEETING_COLUMNS = (
    "Record ID", "Meeting name", "Meeting start time", "Meeting end time", "Meeting outcome",
    "Activity assigned to", "Associated contact email", "Create date",
)  # fmt: skip
_TITLES = {
    "call": ("Erstgespräch Nordlicht Software <> {company}", "Termin {company} – Bedarfsanalyse"),
    "linkedin": ("Kennenlernen {company} / Nordlicht", "Austausch {name} (LinkedIn)"),
    "referral": ("Kennenlernen {company} (Empfehlung)",),
}


def referral_meetings(reps: tuple[DemoRep, ...], window: Window, directory: Directory, rng) -> list[Meeting]:
    """Meetings that came from a recommendation: no call or message before them (unattributed)."""
    meetings = []
    for rep in reps:
        days = window.workdays(rep.team)
        for _ in range(max(1, len(days) // 40)):
            person = directory.person(rep)
            booked = datetime.combine(rng.choice(days), time(9), BERLIN) + timedelta(
                minutes=rng.randint(0, 480)
            )
            meetings.append(Meeting(rep, [person], slot_after(booked, rng, 3, 14), 45, booked, "referral"))
    return meetings


def _title(meeting: Meeting, rng: random.Random) -> str:
    person = meeting.contacts[0]
    if person.company is None:
        return f"Beratung {person.name}"
    return rng.choice(_TITLES[meeting.origin]).format(company=person.company.name, name=person.name)


def place_meetings(meetings: list[Meeting], window: Window, rng: random.Random) -> list[Meeting]:
    """Meetings booked before the export, each given a title, a status and the exports it appears in.

    Team Nord also logs meetings in HubSpot: 60 % only in the calendar, 25 % in both (the same meeting
    twice, for de-duplication), 15 % only in HubSpot. No-shows are only visible in HubSpot. Meetings the
    rep never logged (booked by phone or Teams in a LinkedIn chat) are in no export.
    """
    kept = sorted(
        (m for m in meetings if m.logged and m.booked_at <= window.exported_at),
        key=lambda m: (m.booked_at, m.rep.rep_id),
    )
    for meeting in kept:
        meeting.uid = f"{rng.getrandbits(130):033x}@google.com"
        meeting.title = _title(meeting, rng)
        meeting.cancelled = rng.random() < 0.08
        if meeting.rep.team == "Nord":
            roll = rng.random()
            meeting.where = "calendar" if roll < 0.6 else "both" if roll < 0.85 else "crm"
        past = meeting.end <= window.exported_at
        in_crm = meeting.where != "calendar"
        meeting.no_show = in_crm and past and not meeting.cancelled and rng.random() < 0.12
    return kept


def _vtimezone() -> Timezone:
    zone = Timezone()
    zone.add("tzid", "Europe/Berlin")
    zone.add("x-lic-location", "Europe/Berlin")
    for part, name, before, after, start, month in (
        (TimezoneDaylight(), "CEST", 1, 2, datetime(1970, 3, 29, 2), 3),
        (TimezoneStandard(), "CET", 2, 1, datetime(1970, 10, 25, 3), 10),
    ):
        part.add("tzoffsetfrom", timedelta(hours=before))
        part.add("tzoffsetto", timedelta(hours=after))
        part.add("tzname", name)
        part.add("dtstart", start)
        part.add("rrule", {"freq": "yearly", "bymonth": month, "byday": "-1su"})
        zone.add_component(part)
    return zone


def _mixed_case(mail: str, rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.55:
        return mail
    local, domain = mail.split("@")
    if roll < 0.9:
        return ".".join(p.capitalize() for p in local.split(".")) + "@" + domain.capitalize()
    return mail.upper()


def _attendee(mail: str, name: str, status: str, rng: random.Random) -> vCalAddress:
    address = vCalAddress(("MAILTO:" if rng.random() < 0.1 else "mailto:") + mail)
    for key, value in (("CUTYPE", "INDIVIDUAL"), ("ROLE", "REQ-PARTICIPANT"), ("PARTSTAT", status),
                       ("CN", name), ("X-NUM-GUESTS", "0")):  # fmt: skip
        address.params[key] = value
    return address


def _event(rep: DemoRep, stamp: datetime, uid: str, summary: str, created: datetime) -> Event:
    event = Event()
    event.add("dtstamp", stamp)
    organizer = vCalAddress(f"mailto:{rep.email}")
    organizer.params["CN"] = rep.email
    event.add("organizer", organizer)
    event.add("uid", uid)
    event.add("created", created.astimezone(UTC))
    event.add("last-modified", created.astimezone(UTC) + timedelta(minutes=1))
    event.add("summary", summary)
    return event


def _meeting_event(meeting: Meeting, stamp: datetime, rng: random.Random) -> Event:
    rep = meeting.rep
    event = _event(rep, stamp, meeting.uid, meeting.title, meeting.booked_at)
    event.add("dtstart", meeting.start)
    event.add("dtend", meeting.end)
    status = "DECLINED" if meeting.cancelled else rng.choice(("ACCEPTED", "ACCEPTED", "NEEDS-ACTION"))
    for person in meeting.contacts:
        event.add("attendee", _attendee(_mixed_case(person.email, rng), person.name, status, rng))
    event.add("attendee", _attendee(rep.email, rep.email, "ACCEPTED", rng))
    if rng.random() < 0.3:
        greeting = f"Hallo {meeting.contacts[0].salutation},"
        event.add("description", f"{greeting}\n\nwie besprochen unser Termin.\n\nViele Grüße\n{rep.name}")
    event.add("location", f"https://meet.google.com/{rng.getrandbits(40):010x}")
    event.add("sequence", 1 if meeting.cancelled else 0)
    event.add("status", "CANCELLED" if meeting.cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


def _internal_events(
    rep: DemoRep, team: list[DemoRep], window: Window, vacation: list[date], stamp, rng
) -> list[Event]:
    first_monday = window.start - timedelta(days=window.start.weekday() + 21)
    created = datetime.combine(first_monday, time(8), BERLIN) - timedelta(days=3)
    uid = f"team-{rep.team.lower().replace('ü', 'ue')}-weekly@google.com"
    weekly = _event(rep, stamp, uid, f"Team {rep.team} – Wochenstart", created)
    weekly.add("dtstart", datetime.combine(first_monday, time(9), BERLIN))
    weekly.add("dtend", datetime.combine(first_monday, time(9, 30), BERLIN))
    weekly.add("rrule", {"freq": "weekly", "byday": "mo"})
    for colleague in team:
        weekly.add("attendee", _attendee(colleague.email, colleague.name, "ACCEPTED", rng))
    lead = f"teamleitung.{rep.team.lower().replace('ü', 'ue')}@{SELLER_DOMAIN}"
    weekly.add("attendee", _attendee(lead, f"Teamleitung {rep.team}", "ACCEPTED", rng))
    events = [weekly]
    all_day = [("Urlaub", vacation[0], vacation[-1])] if vacation else []
    fair = window.start + timedelta(days=(window.end - window.start).days // 2)
    all_day.append(("Messe: Zukunft Vertrieb, Stand B12", fair, fair + timedelta(days=1)))
    for number, (summary, first, last) in enumerate(all_day):
        event = _event(rep, stamp, f"{rep.rep_id}-allday-{number}@google.com", summary,
                       datetime.combine(first, time(8), BERLIN) - timedelta(days=30))  # fmt: skip
        event.add("dtstart", first)
        event.add("dtend", last + timedelta(days=1))
        event.add("transp", "TRANSPARENT")
        events.append(event)
    return events


def write_calendar(out_dir: Path, rep: DemoRep, reps: tuple[DemoRep, ...], meetings: list[Meeting],
                   window: Window, vacation: list[date], rng: random.Random) -> Path:  # fmt: skip
    """A Google Calendar export (`<email>.ics`) of the rep's meetings, team meeting and all-day events."""
    calendar = Calendar()
    for key, value in (("prodid", "-//Google Inc//Google Calendar 70.9054//EN"), ("version", "2.0"),
                       ("calscale", "GREGORIAN"), ("method", "PUBLISH"), ("x-wr-calname", rep.email),
                       ("x-wr-timezone", "Europe/Berlin")):  # fmt: skip
        calendar.add(key, value)
    calendar.add_component(_vtimezone())
    stamp = window.exported_at.astimezone(UTC)
    team = [r for r in reps if r.team == rep.team]
    for event in _internal_events(rep, team, window, vacation, stamp, rng):
        calendar.add_component(event)
    mine = [m for m in meetings if m.rep is rep and m.where != "crm"]
    for meeting in sorted(mine, key=lambda m: (m.start, m.uid)):
        calendar.add_component(_meeting_event(meeting, stamp, rng))
    folder = out_dir / "calendar"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{rep.email}.ics"
    path.write_bytes(calendar.to_ical())
    return path


def _outcome(meeting: Meeting, window: Window) -> str:
    if meeting.cancelled:
        return "Canceled"
    if meeting.start > window.exported_at:
        return "Scheduled"
    return "No show" if meeting.no_show else "Completed"


def write_crm_meetings(out_dir: Path, meetings: list[Meeting], window: Window, rng: random.Random) -> Path:
    """The HubSpot meetings export of team Nord (meetings logged in the CRM)."""
    logged = sorted((m for m in meetings if m.where != "calendar"), key=lambda m: (m.booked_at, m.uid))
    record, rows = 88_120_000_000, []
    for meeting in logged:
        record += rng.randint(1, 50_000)
        contact: Person = meeting.contacts[0]
        rows.append([
            record, meeting.title, f"{meeting.start:%Y-%m-%d %H:%M}", f"{meeting.end:%Y-%m-%d %H:%M}",
            _outcome(meeting, window), meeting.rep.name, _mixed_case(contact.email, rng),
            f"{meeting.booked_at.astimezone(BERLIN):%Y-%m-%d %H:%M}",
        ])  # fmt: skip
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HUBSPOT_MEETING_COLUMNS)
    writer.writerows(reversed(rows))
    folder = out_dir / "crm"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"hubspot-crm-exports-meetings-team-nord-{window.end:%Y-%m-%d}.csv"
    path.write_bytes(buffer.getvalue().encode("utf-8"))
    return path
