"""Small export files about two prospects, for the pseudonymisation and erasure tests.

Max Mustermann is in the CRM (e-mail, phone, LinkedIn URL), was called three times (one call row
has a bad date and is quarantined), and met the rep twice: once alone, once with Erika Musterfrau.
Erika is in the CRM and was called once. Times are January 2026 and March 2026, so a prune can
remove the older half.
"""

from __future__ import annotations

from pathlib import Path

from socialsell.config import Config

MAX = {
    "email": "max.mustermann@kunde.example",
    "phone": "+4940555123",
    "linkedin": "https://www.linkedin.com/in/max-mustermann-kunde",
    "name": "Max Mustermann",
}
ERIKA = {"email": "erika@kunde.example", "phone": "+4940555999", "name": "Erika Musterfrau"}
REP_EMAIL = "jonas.weber@nordlicht.example"
CONFIG = Config.from_dict(
    {
        "settings": {"region": "DE", "time_zone": "Europe/Berlin"},
        "reps": {
            "jonas": {"name": "Jonas Weber", "team": "Nord", "emails": [REP_EMAIL], "names": ["Jonas Weber"]}
        },
    }
)

CONTACTS = f"""Record ID,First Name,Last Name,Email,Phone Number,Company Name,LinkedIn URL,Contact owner,Segment
900001,Max,Mustermann,{MAX["email"]},040 555123,Kunde GmbH,{MAX["linkedin"]}/,Jonas Weber,B2B
900002,Erika,Musterfrau,{ERIKA["email"]},040 555999,Kunde GmbH,,Jonas Weber,B2B
"""

CALLS = f"""Record ID,Call title,Activity date,Activity assigned to,Call direction,Call outcome,Call status,Call duration (ms),From number,To number,Associated Contact,Associated Company
800001,Call with Max,2026-01-13 09:42,Jonas Weber,OUTBOUND,Connected,Completed,125000,+49 40 98765430,040 555123,{MAX["name"]} ({MAX["email"]}),Kunde GmbH
800002,Call with Max,2026-03-10 10:00,Jonas Weber,OUTBOUND,Connected,Completed,300000,+49 40 98765430,040 555123,{MAX["name"]} ({MAX["email"]}),Kunde GmbH
800003,Call with Max,not a date,Jonas Weber,OUTBOUND,Connected,Completed,1000,+49 40 98765430,040 555123,{MAX["name"]} ({MAX["email"]}),Kunde GmbH
800004,Call with Erika,2026-03-11 10:00,Jonas Weber,OUTBOUND,Connected,Completed,200000,+49 40 98765430,040 555999,{ERIKA["name"]} ({ERIKA["email"]}),Kunde GmbH
"""


def _event(uid: str, start: str, attendees: list[tuple[str, str]]) -> str:
    lines = [
        "BEGIN:VEVENT",
        f"DTSTART:{start}",
        f"DTEND:{start.replace('T10', 'T11')}",
        f"UID:{uid}",
        f"ORGANIZER;CN=Jonas Weber:mailto:{REP_EMAIL}",
        *(f"ATTENDEE;CN={name}:mailto:{mail}" for name, mail in [*attendees, ("Jonas Weber", REP_EMAIL)]),
        "CREATED:20260105T080000Z",
        "STATUS:CONFIRMED",
        f"SUMMARY:Termin mit {attendees[0][0]}",
        "END:VEVENT",
    ]
    return "\r\n".join(lines)


CALENDAR = "\r\n".join(
    [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//test//EN",
        f"X-WR-CALNAME:{REP_EMAIL}",
        _event("m1@test", "20260120T100000Z", [(MAX["name"], MAX["email"])]),
        _event("m2@test", "20260315T100000Z", [(MAX["name"], MAX["email"]), (ERIKA["name"], ERIKA["email"])]),
        "END:VCALENDAR",
        "",
    ]
)


def write_exports(directory: Path) -> list[Path]:
    """The three export files in `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    files = {"hubspot-contacts.csv": CONTACTS, "hubspot-calls.csv": CALLS, "jonas.ics": CALENDAR}
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8")
    return [directory / name for name in files]
