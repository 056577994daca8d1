""".ics exports → meetings: Google (VTIMEZONE, UTC, floating, all-day, series) and Outlook (BOM, CRLF)."""

from __future__ import annotations

from pathlib import Path

import pytest
from meeting_support import CONFIG, MEETING_KEYS, store_rows, utc

from socialsell import store
from socialsell.sources import Context, ImportError_, calendar, contacts, meetings

FIXTURES = Path(__file__).parent / "fixtures" / "calendar"


def _meeting(**values) -> dict:
    keys = MEETING_KEYS
    return (
        dict.fromkeys(keys) | {"origin": "calendar", "source": "calendar.ics", "status": "scheduled"} | values
    )


def _mail(*addresses: str) -> list[str]:
    return [f"mail:{a}" for a in addresses]


GOOGLE = [
    # TZID=Europe/Berlin 10:00 (CET); CN folded right before its space; escaped commas in SUMMARY.
    _meeting(
        starts_at=utc(2026, 1, 22, 9, 0), ends_at=utc(2026, 1, 22, 9, 45), booked_at=utc(2026, 1, 10, 8, 15),
        title="Demo Nordlicht CRM, Angebot, nächste Schritte",
        contact_key="mail:sabine.koehler@hafenlogistik.example",
        attendee_keys=_mail("sabine.koehler@hafenlogistik.example"), contact_name="Sabine Köhler",
        source_id="4q1b2c3d4e5f6g7h8i9j0k1l2m@google.com", source_row=26,
    ),
    # UTC times; the room is no attendee; the REQ-PARTICIPANT is the contact, not the OPT one listed first.
    _meeting(
        starts_at=utc(2026, 1, 29, 14, 0), ends_at=utc(2026, 1, 29, 14, 30),
        booked_at=utc(2026, 1, 15, 16, 30),
        title="Kennenlernen Brauhaus Lenz", contact_key="mail:peter.lenz@brauhaus-lenz.example",
        attendee_keys=_mail("tim.brandt@brauhaus-lenz.example", "peter.lenz@brauhaus-lenz.example"),
        contact_name="Peter Lenz", source_id="7r8s9t0u1v2w3x4y5z6a7b8c9d@google.com", source_row=48,
    ),
    # Floating 15:00, read in the calendar's X-WR-TIMEZONE (Europe/Berlin); address in upper case.
    _meeting(
        starts_at=utc(2026, 2, 3, 14, 0), ends_at=utc(2026, 2, 3, 14, 30),
        booked_at=utc(2026, 1, 27, 10, 10, 10),
        title="Telefonat Yilmaz Elektro", contact_key="mail:mehmet.yilmaz@yilmaz-elektro.example",
        attendee_keys=_mail("mehmet.yilmaz@yilmaz-elektro.example"), contact_name="Mehmet Yilmaz",
        source_id="20260203T150000-floating-001@nordlicht-software.de", source_row=72,
    ),
    _meeting(
        starts_at=utc(2026, 2, 5, 10, 0), ends_at=utc(2026, 2, 5, 10, 45), booked_at=utc(2026, 1, 28, 14, 15),
        status="cancelled", title="Abgesagt: Erstgespräch Stadtwerke",
        contact_key="mail:j.neumann@stadtwerke-ahrensburg.example",
        attendee_keys=_mail("j.neumann@stadtwerke-ahrensburg.example"), contact_name="Julia Neumann",
        source_id="5c6d7e8f9a0b1c2d3e4f5a6b7c@google.com", source_row=134,
    ),
    # Organised by the prospect: the external organizer is the contact.
    _meeting(
        starts_at=utc(2026, 2, 10, 15, 0), ends_at=utc(2026, 2, 10, 15, 30),
        booked_at=utc(2026, 2, 6, 15, 30),
        title="Rückruf Küstenbau – Angebot", contact_key="mail:lars.petersen@kuestenbau.example",
        attendee_keys=_mail("lars.petersen@kuestenbau.example"), contact_name="Lars Petersen",
        source_id="040000008200E00074C5B7101A82E0080000000070B1A0C3E4F5DA01000000000000000010000000A1B2C3D4E5F60718293A4B5C6D7E8F90",
        source_row=182,
    ),
    # A series with a customer: one meeting at its first start, not one per week.
    _meeting(
        starts_at=utc(2026, 1, 12, 16, 0), ends_at=utc(2026, 1, 12, 16, 30), booked_at=utc(2026, 1, 8, 11, 0),
        title="Pilot-Jour-fixe Hafenlogistik", contact_key="mail:sabine.koehler@hafenlogistik.example",
        attendee_keys=_mail("sabine.koehler@hafenlogistik.example"), contact_name="Sabine Köhler",
        source_id="6a7b8c9d0e1f2a3b4c5d6e7f8a@google.com", source_row=200,
    ),
]  # fmt: skip
GOOGLE_SKIPPED = {
    calendar.ALL_DAY: 1,
    calendar.RECURRING_INTERNAL: 2,  # the weekly team meeting and its moved occurrence (RECURRENCE-ID)
    calendar.INTERNAL: 2,  # a colleague only (address in other case), and a focus-time block
}


def test_google_export():
    path = FIXTURES / "google_anna.ics"
    parsed = calendar.parse(path, Context(CONFIG))
    assert store_rows(parsed) == [m | {"rep_id": "anna", "source_file": "google_anna.ics"} for m in GOOGLE]
    assert (parsed.format, parsed.rep_id, parsed.rows_read) == ("calendar.google", "anna", 11)
    assert parsed.skipped == GOOGLE_SKIPPED
    assert parsed.quarantined == []
    assert "reps" not in parsed.tables


def test_floating_times_use_the_zone_given_on_the_command_line():
    parsed = calendar.parse(FIXTURES / "google_anna.ics", Context(CONFIG, time_zone="America/New_York"))
    starts = {r["title"]: r["starts_at"] for r in store_rows(parsed)}
    assert starts["Telefonat Yilmaz Elektro"] == utc(2026, 2, 3, 20, 0)  # 15:00 EST
    assert starts["Kennenlernen Brauhaus Lenz"] == utc(2026, 1, 29, 14, 0)  # UTC stays UTC
    assert starts["Demo Nordlicht CRM, Angebot, nächste Schritte"] == utc(2026, 1, 22, 9, 0)  # TZID stays


OUTLOOK_UID = "040000008200E00074C5B7101A82E00800000000{}DA01000000000000000010000000{}"
OUTLOOK = [
    # TZID "W. Europe Standard Time" from the file's own VTIMEZONE.
    _meeting(
        starts_at=utc(2026, 1, 12, 9, 0), ends_at=utc(2026, 1, 12, 9, 30), booked_at=utc(2026, 1, 8, 13, 45),
        title="Vorstellung Nordlicht CRM – Vogel Möbel", contact_key="mail:katrin.vogel@vogel-moebel.example",
        attendee_keys=_mail("katrin.vogel@vogel-moebel.example"), contact_name="Katrin Vogel",
        source_id=OUTLOOK_UID.format("D0F1A2B3C4E5", "C6E7F8091A2B3C4D5E6F708192A3B4C5"), source_row=30,
    ),
    # No ROLE = REQ-PARTICIPANT; the optional assistant is an attendee, not the contact.
    _meeting(
        starts_at=utc(2026, 1, 29, 13, 0), ends_at=utc(2026, 1, 29, 14, 0), booked_at=utc(2026, 1, 13, 7, 12),
        title="Termin Klinikum Nord", contact_key="mail:f.huebner@klinikum-nord.example",
        attendee_keys=_mail("f.huebner@klinikum-nord.example", "sekretariat@klinikum-nord.example"),
        contact_name="Dr. Frank Hübner",
        source_id=OUTLOOK_UID.format("E1A2B3C4D5F6", "D7F8091A2B3C4D5E6F708192A3B4C5D6"), source_row=55,
    ),
    _meeting(
        starts_at=utc(2026, 2, 3, 8, 0), ends_at=utc(2026, 2, 3, 8, 30), booked_at=utc(2026, 1, 15, 11, 0),
        status="cancelled", title="Abgesagt: Kurzer Austausch Jansen Fisch",
        contact_key="mail:ole.jansen@jansen-fisch.example",
        attendee_keys=_mail("ole.jansen@jansen-fisch.example"), contact_name="Ole Jansen",
        source_id=OUTLOOK_UID.format("F2B3C4D5E6A7", "E8091A2B3C4D5E6F708192A3B4C5D6E7"), source_row=77,
    ),
]  # fmt: skip


def test_outlook_export_with_bom_and_crlf():
    assert (FIXTURES / "outlook_jonas.ics").read_bytes().startswith(b"\xef\xbb\xbfBEGIN:VCALENDAR\r\n")
    parsed = calendar.parse(FIXTURES / "outlook_jonas.ics", Context(CONFIG))
    assert store_rows(parsed) == [
        m | {"rep_id": "jonas", "source_file": "outlook_jonas.ics"} for m in OUTLOOK
    ]
    assert (parsed.format, parsed.rep_id, parsed.rows_read) == ("calendar.outlook", "jonas", 5)
    assert parsed.skipped == {calendar.RECURRING_INTERNAL: 1, calendar.INTERNAL: 1}


def test_without_config_the_owner_is_the_address_on_most_events():
    parsed = calendar.parse(FIXTURES / "outlook_jonas.ics", Context())
    assert parsed.rep_id == "jonas-weber"
    assert parsed.tables["reps"].to_dicts() == [
        {"rep_id": "jonas-weber", "display_name": "Jonas Weber", "team": None, "from_config": False}
    ]
    # The owner's domain is internal even without a config: the stand-up with Anna stays skipped.
    assert parsed.skipped == {calendar.RECURRING_INTERNAL: 1, calendar.INTERNAL: 1}
    assert {r["rep_id"] for r in store_rows(parsed)} == {"jonas-weber"}


def test_rep_from_the_command_line_wins():
    parsed = calendar.parse(FIXTURES / "google_anna.ics", Context(CONFIG, rep="jonas"))
    assert parsed.rep_id == "jonas"
    assert {r["rep_id"] for r in store_rows(parsed)} == {"jonas"}
    assert parsed.skipped == GOOGLE_SKIPPED


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "broken_login_page.ics",
            r"broken_login_page\.ics: not an iCalendar file \(starts with '<!DOCTYPE html>'",
        ),
        ("broken_truncated.ics", r"broken_truncated\.ics: broken iCalendar file"),
    ],
)
def test_broken_files_fail_naming_the_file(name, message):
    with pytest.raises(ImportError_, match=message):
        calendar.parse(FIXTURES / name, Context(CONFIG))


def _ics(tmp_path: Path, *events: str, calendar_name: str = "anna.schmidt@nordlicht-software.de") -> Path:
    body = "".join(f"BEGIN:VEVENT\r\n{e.strip()}\r\nEND:VEVENT\r\n" for e in events)
    path = tmp_path / "cal.ics"
    path.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Apple Inc.//macOS 15.2//EN\r\n"
        f"X-WR-CALNAME:{calendar_name}\r\n"
        f"{body}END:VCALENDAR\r\n",
        encoding="utf-8",
        newline="",
    )
    return path


SABINE = "ATTENDEE;CN=Sabine Köhler:mailto:sabine.koehler@hafenlogistik.example"


def test_unreadable_events_are_quarantined_and_duplicates_keep_the_latest(tmp_path):
    path = _ics(
        tmp_path,
        f"UID:a\r\nDTSTART:2026-02-30 10:00\r\n{SABINE}",
        f"UID:b\r\nSUMMARY:ohne Beginn\r\n{SABINE}",
        f"UID:c\r\nDTSTART:20260122T090000Z\r\nCREATED:gestern\r\n{SABINE}",
        f"UID:d\r\nSEQUENCE:2\r\nDTSTART:20260123T090000Z\r\nSUMMARY:neu\r\n{SABINE}",
        f"UID:d\r\nSEQUENCE:1\r\nDTSTART:20260122T090000Z\r\nSUMMARY:alt\r\n{SABINE}",
    )
    parsed = calendar.parse(path, Context(CONFIG))
    assert [(q.line, q.reason) for q in parsed.quarantined] == [
        (5, "unparseable start time"),
        (10, "no start time"),
        (15, "unparseable booking time (CREATED)"),
    ]
    assert parsed.quarantined[0].raw.startswith("BEGIN:VEVENT\nUID:a\nDTSTART:2026-02-30 10:00")
    assert [(r["source_id"], r["title"], r["source_row"]) for r in store_rows(parsed)] == [("d", "neu", 21)]
    assert parsed.skipped == {calendar.DUPLICATE: 1}
    assert parsed.format == "calendar.apple"


def test_a_changed_occurrence_of_a_series_with_a_customer_gets_its_own_id(tmp_path):
    path = _ics(
        tmp_path,
        f"UID:series\r\nDTSTART;TZID=Europe/Berlin:20260112T170000\r\nRRULE:FREQ=WEEKLY\r\n{SABINE}",
        f"UID:series\r\nRECURRENCE-ID;TZID=Europe/Berlin:20260119T170000\r\n"
        f"DTSTART;TZID=Europe/Berlin:20260120T170000\r\n{SABINE}",
    )
    rows = store_rows(calendar.parse(path, Context(CONFIG)))
    assert [(r["source_id"], r["starts_at"]) for r in rows] == [
        ("series", utc(2026, 1, 12, 16, 0)),
        ("series#20260119T160000Z", utc(2026, 1, 20, 16, 0)),
    ]


def test_a_free_mail_owner_does_not_make_everyone_at_that_provider_internal(tmp_path):
    path = _ics(
        tmp_path,
        "UID:x\r\nDTSTART:20260122T090000Z\r\nORGANIZER:mailto:tom.freelancer@gmail.com\r\n"
        "ATTENDEE;CN=Kim Nguyen:mailto:kim.nguyen@gmail.com",
        "UID:y\r\nDTSTART:20260123T090000Z\r\nORGANIZER:mailto:tom.freelancer@gmail.com\r\n"
        "ATTENDEE:mailto:Tom.Freelancer@gmail.com",
        calendar_name="tom.freelancer@gmail.com",
    )
    parsed = calendar.parse(path, Context())
    assert [(r["source_id"], r["contact_key"]) for r in store_rows(parsed)] == [
        ("x", "mail:kim.nguyen@gmail.com")
    ]
    assert parsed.skipped == {calendar.INTERNAL: 1}
    assert parsed.rep_id == "tom-freelancer"


def test_matches_by_suffix_or_first_line(tmp_path):
    text = tmp_path / "export.txt"
    text.write_bytes(b"\xef\xbb\xbfBEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    other = tmp_path / "export.csv"
    other.write_text("Record ID,First Name,Email\n")
    assert calendar.matches(FIXTURES / "google_anna.ics")
    assert calendar.matches(FIXTURES / "broken_login_page.ics")  # so the import fails loudly, naming it
    assert calendar.matches(text)
    assert not calendar.matches(other)
    assert not meetings.matches(FIXTURES / "google_anna.ics")
    assert not contacts.matches(FIXTURES / "google_anna.ics")


def test_loading_twice_changes_nothing(con):
    path = FIXTURES / "google_anna.ics"
    first = store.load(con, calendar.parse(path, Context(CONFIG)), path, CONFIG)
    second = store.load(con, calendar.parse(path, Context(CONFIG)), path, CONFIG)
    assert (first.rows_loaded, first.rows_skipped) == (6, 5)
    assert (second.rows_loaded, second.rows_duplicate) == (0, 6)
    assert con.execute("SELECT count(*) FROM meetings").fetchone() == (6,)
