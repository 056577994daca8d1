"""Calendar exports (.ics from Google, Outlook, Apple): meetings with someone outside the rep's company."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar
import polars as pl

from socialsell.config import Config
from socialsell.sources import Context, Parsed
from socialsell.sources.tabular import ImportError_, Quarantined

__all__ = ["ALL_DAY", "INTERNAL", "NAME", "RECURRING_INTERNAL", "matches", "parse"]

NAME = "calendar"
SOURCE = "calendar.ics"  # one source for every vendor: the same UID exported twice is the same meeting
ALL_DAY = "all-day event"
RECURRING_INTERNAL = "recurring internal event"
INTERNAL = "internal meeting (no external attendee)"
DUPLICATE = "duplicate event (same UID)"

# Shared mail domains are never "the rep's company": only the rep's own address there is internal.
FREE_MAIL = frozenset({
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "hotmail.de", "live.com", "live.de",
    "msn.com", "yahoo.com", "yahoo.de", "icloud.com", "me.com", "mac.com", "aol.com", "gmx.de", "gmx.net",
    "gmx.at", "gmx.ch", "web.de", "t-online.de", "posteo.de", "mail.de", "freenet.de", "proton.me",
    "protonmail.com",
})  # fmt: skip
# Rooms and shared calendars invited like people (Google writes CUTYPE=RESOURCE, not every client does).
_NOT_PEOPLE = ("resource.calendar.google.com", "group.calendar.google.com", "group.v.calendar.google.com")
_VENDORS = {"google": "google", "microsoft": "outlook", "apple": "apple"}
_RAW_CHARS = 2000


def matches(path: Path) -> bool:
    """An `.ics` file, or any file whose first line is BEGIN:VCALENDAR."""
    if path.suffix.lower() == ".ics":
        return True
    if not path.is_file():
        return False
    with open(path, "rb") as fh:
        head = fh.read(64)
    return head.removeprefix(b"\xef\xbb\xbf").lstrip().upper().startswith(b"BEGIN:VCALENDAR")


@dataclass(frozen=True)
class _Person:
    email: str  # lower case
    name: str | None
    role: str  # ROLE of an attendee (REQ-PARTICIPANT when absent), CHAIR for the organizer


@dataclass(frozen=True)
class _Owner:
    """Whose calendar this is, and which addresses count as the rep's own company."""

    rep_id: str | None
    reps: pl.DataFrame
    addresses: frozenset[str]
    domains: frozenset[str]

    def is_internal(self, email: str) -> bool:
        return email in self.addresses or email.rpartition("@")[2] in self.domains


# BEGIN:VCALENDAR / PRODID:-//Google Inc//Google Calendar 70.9054//EN / X-WR-CALNAME:anna.schmidt@…
# BEGIN:VEVENT
# DTSTART;TZID=Europe/Berlin:20260122T100000          (or …Z in UTC, or floating, or VALUE=DATE)
# ORGANIZER;CN=anna.schmidt@nordlicht-software.de:mailto:anna.schmidt@nordlic
#  ht-software.de
# ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;CN=Sabine
#   Köhler;X-NUM-GUESTS=0:mailto:Sabine.Koehler@hafenlogistik.example
# CREATED:20260110T081500Z / STATUS:CONFIRMED / SUMMARY:Demo Nordlicht CRM\, Angebot\, nächste Schritte
def parse(path: Path, context: Context) -> Parsed:
    """One meeting per event with an attendee outside the rep's company; everything else is skipped.

    Times with a TZID or `Z` are exact; floating times (no zone) are read in `--tz`, else the calendar's
    X-WR-TIMEZONE, else the config's zone. The status is `cancelled` for STATUS:CANCELLED and
    `scheduled` otherwise — a calendar does not say whether a past meeting took place. Recurring
    events with an external attendee are one meeting (their first start), not one per occurrence.
    """
    calendar, spans, text_lines = _read(path)
    events = list(calendar.walk("VEVENT"))
    owner = _owner(calendar, events, context)
    floating = context.time_zone or _zone(calendar.get("X-WR-TIMEZONE")) or context.config.time_zone
    rows: dict[str, dict] = {}
    quarantined: list[Quarantined] = []
    skipped: Counter[str] = Counter()
    for i, event in enumerate(events):
        begin, end = spans[i] if i < len(spans) else (None, None)
        result = _meeting(event, owner, floating)
        if isinstance(result, dict):
            result["source_row"] = begin
            _keep_latest(rows, result, skipped)
        elif result in (ALL_DAY, RECURRING_INTERNAL, INTERNAL):
            skipped[result] += 1
        else:
            raw = "\n".join(text_lines[begin - 1 : end])[:_RAW_CHARS] if begin else None
            quarantined.append(Quarantined(line=begin, reason=result, raw=raw))
        if context.progress and (i % 500 == 0 or i == len(events) - 1):
            context.progress(i + 1, len(events))
    frame = pl.DataFrame(list(rows.values()), schema=_SCHEMA).sort("source_row")
    frame = frame.drop("sequence").with_columns(
        rep_id=pl.lit(owner.rep_id, dtype=pl.String),
        origin=pl.lit("calendar"),
        source=pl.lit(SOURCE),
        source_file=pl.lit(path.name),
    )
    tables = {"meetings": frame} | ({"reps": owner.reps} if len(owner.reps) else {})
    vendor = next((v for k, v in _VENDORS.items() if k in str(calendar.get("PRODID", "")).lower()), "ics")
    return Parsed(f"calendar.{vendor}", tables, len(events), quarantined, dict(skipped), owner.rep_id)


_UTC = pl.Datetime("us", "UTC")
_SCHEMA = {
    "source_id": pl.String, "starts_at": _UTC, "ends_at": _UTC, "booked_at": _UTC, "status": pl.String,
    "title": pl.String, "contact_key": pl.String, "attendee_keys": pl.List(pl.String),
    "contact_name": pl.String, "sequence": pl.Int64, "source_row": pl.Int32,
}  # fmt: skip


def _read(path: Path) -> tuple[icalendar.Calendar, list[tuple[int, int]], list[str]]:
    """The parsed calendar, the (BEGIN, END) lines of each VEVENT, and the file's lines.

    Raises:
        ImportError_: the file is not iCalendar, or is broken (e.g. cut off before END:VCALENDAR).
    """
    raw = path.read_bytes().removeprefix(b"\xef\xbb\xbf")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    if not text.lstrip().upper().startswith("BEGIN:VCALENDAR"):
        first = text.lstrip().split("\n", 1)[0].strip()[:60]
        raise ImportError_(f"{path}: not an iCalendar file (starts with {first!r}, not BEGIN:VCALENDAR)")
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except ValueError as exc:
        reason = str(exc).splitlines()[0][:120]
        raise ImportError_(f"{path}: broken iCalendar file ({reason})") from exc
    lines = text.split("\n")
    spans, begin = [], None
    for number, line in enumerate(lines, start=1):
        tag = line.rstrip("\r").upper()
        if tag == "BEGIN:VEVENT":
            begin = number
        elif tag == "END:VEVENT" and begin is not None:
            spans.append((begin, number))
            begin = None
    return calendar, spans, [line.rstrip("\r") for line in lines]


def _zone(value) -> str | None:
    try:
        return str(ZoneInfo(str(value))) if value else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _email(value) -> str | None:
    text = str(value or "").strip()
    text = text[7:] if text.lower().startswith("mailto:") else text
    return text.lower() if "@" in text and " " not in text else None


def _people(event: icalendar.Event) -> list[_Person]:
    """Attendees in file order, then the organizer; rooms, resources and non-participants left out."""
    attendees = event.get("ATTENDEE", [])
    attendees = attendees if isinstance(attendees, list) else [attendees]
    people = []
    for attendee in attendees:
        params = attendee.params
        if (
            params.get("CUTYPE", "").upper() in ("ROOM", "RESOURCE")
            or params.get("ROLE") == "NON-PARTICIPANT"
        ):
            continue
        if email := _email(attendee):
            people.append(_Person(email, params.get("CN"), params.get("ROLE", "REQ-PARTICIPANT").upper()))
    organizer = event.get("ORGANIZER")
    if organizer is not None and (email := _email(organizer)):
        people.append(_Person(email, organizer.params.get("CN"), "CHAIR"))
    seen: set[str] = set()
    unique = [p for p in people if not (p.email in seen or seen.add(p.email))]
    return [p for p in unique if not p.email.endswith(_NOT_PEOPLE)]


def _owner(calendar: icalendar.Calendar, events: list, context: Context) -> _Owner:
    """The rep: --rep, else X-WR-CALNAME or the address on most events, resolved through the config."""
    config = context.config
    calendar_name = str(calendar.get("X-WR-CALNAME") or "").strip()
    counts = Counter(p.email for event in events for p in _people(event))
    address = _email(calendar_name) or (counts.most_common(1)[0][0] if counts else None)
    configured = {_email(e) for rep in config.reps for e in rep.identities.get("email", ())} - {None}
    addresses = frozenset(configured | ({address} if address else set()))
    domains = frozenset(a.rpartition("@")[2] for a in addresses) - FREE_MAIL
    rep_id, reps = context.rep, pl.DataFrame()
    if rep_id is None:
        names = Counter(p.name for e in events for p in _people(e) if p.email == address and _is_name(p.name))
        display = names.most_common(1)[0][0] if names else None
        rep_id, reps = _resolve(config, [v for v in (calendar_name, address) if v], display)
    return _Owner(rep_id, reps, addresses, domains)


def _is_name(text: str | None) -> bool:
    return bool(text) and "@" not in text


def _resolve(config: Config, candidates: list[str], display: str | None) -> tuple[str | None, pl.DataFrame]:
    """The first candidate a configured rep claims; else a new rep from the owner's address."""
    if not candidates:
        return None, pl.DataFrame()
    resolved = config.resolve_reps(pl.Series(candidates, dtype=pl.String))
    by_raw = {row["raw"]: row for row in resolved.iter_rows(named=True)}
    for candidate in candidates:
        if candidate in by_raw and by_raw[candidate]["from_config"]:
            return by_raw[candidate]["rep_id"], pl.DataFrame()
    address = next((c for c in candidates if _email(c)), None)
    if address is None:  # a calendar name like "Kalender" names nobody
        return None, pl.DataFrame()
    row = by_raw[address]
    reps = pl.DataFrame(
        {
            "rep_id": [row["rep_id"]],
            "display_name": [display or address],
            "team": [None],
            "from_config": [False],
        },
        schema={"rep_id": pl.String, "display_name": pl.String, "team": pl.String, "from_config": pl.Boolean},
    )
    return row["rep_id"], reps


def _meeting(event: icalendar.Event, owner: _Owner, floating: str) -> dict | str:
    """A meeting row, or the reason the event is skipped or quarantined."""
    try:
        start = event.start
    except (icalendar.error.IncompleteComponent, icalendar.error.InvalidCalendar):
        return "unparseable start time" if "DTSTART" in event else "no start time"
    if not isinstance(start, datetime):
        return ALL_DAY
    external = [p for p in _people(event) if not owner.is_internal(p.email)]
    if not external:
        recurring = any(k in event for k in ("RRULE", "RDATE", "RECURRENCE-ID"))
        return RECURRING_INTERNAL if recurring else INTERNAL
    created = event.decoded("CREATED") if "CREATED" in event else None
    if created is not None and not isinstance(created, datetime):
        return "unparseable booking time (CREATED)"
    try:
        end = event.end
    except (icalendar.error.IncompleteComponent, icalendar.error.InvalidCalendar):
        end = None
    contact = next((p for p in external if p.role == "REQ-PARTICIPANT"), None)
    contact = contact or next((p for p in external if p.role == "CHAIR"), external[0])
    return {
        "source_id": _source_id(event, start),
        "starts_at": _utc(start, floating),
        "ends_at": _utc(end, floating) if isinstance(end, datetime) else None,
        "booked_at": _utc(created, floating) if created else None,
        "status": "cancelled" if str(event.get("STATUS", "")).upper() == "CANCELLED" else "scheduled",
        "title": str(event.get("SUMMARY", "")).strip() or None,
        "contact_key": f"mail:{contact.email}",
        "attendee_keys": [f"mail:{p.email}" for p in external],
        "contact_name": contact.name if _is_name(contact.name) else None,
        "sequence": int(event.get("SEQUENCE", 0) or 0),
    }


def _utc(moment: datetime, floating: str) -> datetime:
    """An instant in UTC; a floating (zone-less) time is read as wall-clock time in `floating`."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(floating))
    return moment.astimezone(UTC)


def _source_id(event: icalendar.Event, start: datetime) -> str:
    """UID, plus `#<RECURRENCE-ID in UTC>` for a changed occurrence of a series."""
    uid = str(event.get("UID", "")).strip()
    if not uid:
        content = f"{start.isoformat()}|{event.get('SUMMARY', '')}"
        uid = "h:" + hashlib.md5(content.encode(), usedforsecurity=False).hexdigest()
    if "RECURRENCE-ID" not in event:
        return uid
    occurrence = event.decoded("RECURRENCE-ID")
    if isinstance(occurrence, datetime) and occurrence.tzinfo is not None:
        return f"{uid}#{occurrence.astimezone(UTC):%Y%m%dT%H%M%SZ}"
    return f"{uid}#{occurrence.strftime('%Y%m%dT%H%M%S') if isinstance(occurrence, date) else occurrence}"


def _keep_latest(rows: dict[str, dict], row: dict, skipped: Counter) -> None:
    """One row per source id: an event exported twice keeps its highest SEQUENCE (then the later one)."""
    previous = rows.get(row["source_id"])
    if previous is not None:
        skipped[DUPLICATE] += 1
        if previous["sequence"] > row["sequence"]:
            return
    rows[row["source_id"]] = row
