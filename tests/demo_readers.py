"""Reading the demo's files back with the csv module and icalendar, independent of socialsell's importers.

The demo tests measure the signals (rates by rep) from these files, so what they assert is true of the
bytes on disk, not of the generator's internals.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import icalendar
import polars as pl

from socialsell import identity

BERLIN = ZoneInfo("Europe/Berlin")
UTC = ZoneInfo("UTC")
_HUBSPOT = {
    "No answer": "no_answer", "Busy": "busy", "Left voicemail": "voicemail",
    "Left live message": "gatekeeper", "Gatekeeper": "gatekeeper", "Wrong number": "wrong_number",
    "Connected": "connected", "Meeting booked": "meeting_booked",
}  # fmt: skip
_GERMAN = {
    "Nicht erreicht": "no_answer", "Besetzt": "busy", "Mailbox": "voicemail", "Sekretariat": "gatekeeper",
    "Falsche Nummer": "wrong_number", "Gespräch": "connected", "Termin vereinbart": "meeting_booked",
}  # fmt: skip


def read_csv(
    path: Path | bytes, encoding: str = "utf-8-sig", delimiter: str = ",", skip: int = 0
) -> list[dict]:
    text = path.decode(encoding) if isinstance(path, bytes) else path.read_bytes().decode(encoding)
    lines = io.StringIO(text, newline="")
    for _ in range(skip):
        lines.readline()
    return list(csv.DictReader(lines, delimiter=delimiter))


@dataclass
class CallRow:
    rep: str
    day: str  # ISO date, Europe/Berlin
    clock: str  # HH:MM or HH:MM:SS
    direction: str
    outcome: str
    number: str

    @property
    def at(self) -> datetime:
        return datetime.fromisoformat(f"{self.day}T{self.clock}").replace(tzinfo=BERLIN)


def _aircall_outcome(row: dict) -> str:
    tags = [t.strip() for t in row["Tags"].split(",") if t.strip()]
    for tag in ("Termin vereinbart", "Gespräch", "Falsche Nummer", "Sekretariat", "Mailbox"):
        if tag in tags:
            return _GERMAN[tag]
    return "no_answer"


def read_calls(folder: Path) -> list[CallRow]:
    """Every call of the three call-log files, outcome normalised, rep by display name."""
    calls = []
    for row in read_csv(next(folder.glob("hubspot-*calls*.csv"))):
        number = row["To number"] if row["Call direction"] == "Outbound" else row["From number"]
        day, clock = row["Activity date"].split(" ")
        outcome = _HUBSPOT[row["Call outcome"]]
        calls.append(
            CallRow(row["Activity assigned to"], day, clock, row["Call direction"].lower(), outcome, number)
        )
    for row in read_csv(next(folder.glob("aircall-*.csv"))):
        direction, outcome = row["Direction"].lower(), _aircall_outcome(row)
        calls.append(
            CallRow(row["User"], row["Date"], row["Time"], direction, outcome, row["External number"])
        )
    for row in read_csv(next(folder.glob("Anrufliste_*.csv")), "cp1252", ";"):
        last, first = row["Mitarbeiter"].split(", ")
        day, month, year = row["Datum"].split(".")
        direction = "outbound" if row["Richtung"] == "ausgehend" else "inbound"
        outcome = _GERMAN[row["Ergebnis"]]
        calls.append(CallRow(f"{first} {last}", f"{year}-{month}-{day}", row["Uhrzeit"], direction, outcome,
                             row["Rufnummer"]))  # fmt: skip
    return calls


def e164(values: list[str]) -> list[str | None]:
    """socialsell's own normaliser (phonenumbers): slow, use on samples."""
    return identity.phone_e164(pl.Series(values, dtype=pl.String), "DE").to_list()


def german_e164(number: str) -> str | None:
    """A quick E.164 for German numbers as a person reads them (test-side, independent of socialsell)."""
    digits = "".join(c for c in number if c.isdigit())
    if number.strip().startswith("+"):
        return "+" + digits
    if digits.startswith("00"):
        return "+" + digits[2:]
    return "+49" + digits[1:] if digits.startswith("0") else None


def profile_url(url: str) -> str:
    """`in/<slug>` from any spelling of a profile URL (host, scheme, slash, percent-encoding, case)."""
    return "in/" + unquote(url).lower().rstrip("/").split("/in/")[-1] if url else ""


@dataclass
class Contacts:
    rows: list[dict]
    by_phone: dict[str, dict]
    by_url: dict[str, dict]
    by_email: dict[str, dict]


def read_contacts(path: Path) -> Contacts:
    rows = read_csv(path)
    by_phone = {german_e164(r["Phone Number"]): r for r in rows if r["Phone Number"]}
    by_url = {profile_url(r["LinkedIn URL"]): r for r in rows if r["LinkedIn URL"]}
    by_email = {r["Email"].lower(): r for r in rows}
    return Contacts(rows, by_phone, by_url, by_email)


@dataclass
class Thread:
    conv_id: str
    title: str
    folder: str
    messages: list[dict]  # oldest first; each has "at" (aware UTC) besides the CSV fields

    @property
    def group(self) -> bool:
        return any("," in m["RECIPIENT PROFILE URLS"] for m in self.messages)


@dataclass
class LinkedInArchive:
    owner: str
    messages_text: str
    threads: list[Thread]
    connections: dict[str, date]  # normalised profile URL → connected on
    connection_rows: list[dict]
    invitations: list[dict]
    names: list[str]


def read_archive(path: Path) -> LinkedInArchive:
    with zipfile.ZipFile(path) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    profile = read_csv(files["Profile.csv"])[0]
    owner = f"{profile['First Name']} {profile['Last Name']}"
    text = files["messages.csv"].decode("utf-8")
    grouped: dict[str, list[dict]] = defaultdict(list)
    for row in read_csv(files["messages.csv"]):
        row["at"] = datetime.fromisoformat(row["DATE"].replace(" UTC", "+00:00"))
        grouped[row["CONVERSATION ID"]].append(row)
    threads = [
        Thread(cid, rows[0]["CONVERSATION TITLE"], rows[0]["FOLDER"], sorted(rows, key=lambda r: r["at"]))
        for cid, rows in grouped.items()
    ]
    connection_rows = read_csv(files["Connections.csv"], skip=3)
    connections = {
        profile_url(r["URL"]): datetime.strptime(r["Connected On"], "%d %b %Y").date()
        for r in connection_rows
        if r["URL"]
    }
    invitations = read_csv(files["Invitations.csv"])
    return LinkedInArchive(owner, text, threads, connections, connection_rows, invitations, list(files))


@dataclass
class MeetingRow:
    rep: str  # display name (CRM) or e-mail (calendar)
    emails: list[str]  # external attendees, lower case
    start: datetime  # aware
    created: datetime  # aware
    status: str
    source: str  # calendar / crm


def read_calendar(path: Path) -> tuple[list[MeetingRow], icalendar.Calendar]:
    calendar = icalendar.Calendar.from_ical(path.read_bytes())
    rows = []
    for event in calendar.walk("VEVENT"):
        attendees = event.get("ATTENDEE", [])
        attendees = attendees if isinstance(attendees, list) else [attendees]
        emails = [str(a)[7:].lower() for a in attendees]
        external = [e for e in emails if not e.endswith("@nordlicht-software.de")]
        start = event.decoded("DTSTART")
        if not external or not isinstance(start, datetime):
            continue
        rows.append(
            MeetingRow(path.stem, external, start, event.decoded("CREATED"), str(event["STATUS"]), "calendar")
        )
    return rows, calendar


def read_crm_meetings(path: Path) -> list[MeetingRow]:
    def local(text: str) -> datetime:
        return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=BERLIN)

    return [
        MeetingRow(
            r["Activity assigned to"],
            [r["Associated contact email"].lower()],
            local(r["Meeting start time"]),
            local(r["Create date"]),
            r["Meeting outcome"],
            "crm",
        )
        for r in read_csv(path)
    ]
