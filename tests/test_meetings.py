"""Meeting CSV exports → meetings: HubSpot (English and German labels), Calendly (BOM, three date styles)."""

from __future__ import annotations

from pathlib import Path

import pytest
from meeting_support import CONFIG, MEETING_KEYS, store_rows, utc

from socialsell import store
from socialsell.sources import Context, ImportError_, calendar, contacts, meetings

FIXTURES = Path(__file__).parent / "fixtures" / "meetings"


def _meeting(**values) -> dict:
    keys = MEETING_KEYS
    return dict.fromkeys(keys) | values


def _mail(*addresses: str) -> list[str]:
    return [f"mail:{a}" for a in addresses]


# Wall-clock times in Europe/Berlin (CET, UTC+1) → UTC.
HUBSPOT = [
    _meeting(
        rep_id="anna", starts_at=utc(2026, 1, 22, 9, 0), ends_at=utc(2026, 1, 22, 9, 45),
        booked_at=utc(2026, 1, 10, 8, 15), status="completed", title="Demo Nordlicht CRM",
        contact_key="mail:sabine.koehler@hafenlogistik.example",
        attendee_keys=_mail("sabine.koehler@hafenlogistik.example"), contact_name="Sabine Köhler",
        source_id="81002001", source_row=2,
    ),
    _meeting(
        rep_id="anna", starts_at=utc(2026, 1, 29, 14, 0), ends_at=utc(2026, 1, 29, 14, 30),
        booked_at=utc(2026, 1, 15, 16, 30), status="no_show", title="Kennenlernen Brauhaus Lenz",
        contact_key="mail:peter.lenz@brauhaus-lenz.example",
        attendee_keys=_mail("peter.lenz@brauhaus-lenz.example", "tim.brandt@brauhaus-lenz.example"),
        contact_name="Peter Lenz", source_id="81002002", source_row=3,
    ),
    # No meeting name → the meeting type; the owner given by e-mail.
    _meeting(
        rep_id="jonas", starts_at=utc(2026, 2, 3, 15, 0), ends_at=utc(2026, 2, 3, 15, 30),
        booked_at=utc(2026, 1, 27, 10, 10), status="rescheduled", title="Follow-up",
        contact_key="mail:mehmet.yilmaz@yilmaz-elektro.example",
        attendee_keys=_mail("mehmet.yilmaz@yilmaz-elektro.example"), contact_name="Mehmet Yilmaz",
        source_id="81002003", source_row=4,
    ),
    _meeting(
        rep_id="anna", starts_at=utc(2026, 2, 5, 10, 0), ends_at=utc(2026, 2, 5, 10, 45),
        booked_at=utc(2026, 1, 28, 14, 15), status="cancelled", title="Erstgespräch Stadtwerke, Netzbetrieb",
        contact_key="mail:j.neumann@stadtwerke-ahrensburg.example",
        attendee_keys=_mail("j.neumann@stadtwerke-ahrensburg.example"), contact_name="Julia Neumann",
        source_id="81002004", source_row=5,
    ),
    _meeting(
        rep_id="lukas-brandt", starts_at=utc(2026, 3, 10, 13, 0), booked_at=utc(2026, 2, 20, 7, 5),
        status="scheduled", title="Angebotsbesprechung", contact_key="mail:ole.jansen@jansen-fisch.example",
        attendee_keys=_mail("ole.jansen@jansen-fisch.example"), contact_name="Ole Jansen",
        source_id="81002005", source_row=6,
    ),
    # Summer time (CEST, UTC+2); no outcome = HubSpot's default "Scheduled"; no associated contact.
    _meeting(
        rep_id="jonas", starts_at=utc(2026, 6, 16, 7, 30), ends_at=utc(2026, 6, 16, 8, 0),
        booked_at=utc(2026, 6, 1, 10, 0), status="scheduled", title="Messe-Nachgespräch",
        source_id="81002007", source_row=8,
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "start_column"),
    [
        ("hubspot_meetings_en.csv", "Meeting start time"),
        ("hubspot_meetings_de.csv", "Startzeit des Meetings"),
    ],
)
def test_hubspot_meetings_in_english_and_german(name, start_column):
    parsed = meetings.parse(FIXTURES / name, Context(CONFIG))
    lineage = {"origin": "crm", "source": "meetings.hubspot", "source_file": name}
    assert store_rows(parsed) == [m | lineage for m in HUBSPOT]
    assert parsed.format == "meetings.hubspot"
    assert parsed.rows_read == 7
    assert parsed.skipped == {}
    assert [(q.line, q.reason, q.column) for q in parsed.quarantined] == [
        (7, "unparseable start time", start_column)
    ]
    assert parsed.quarantined[0].raw.startswith("81002006,Kick-off Pilot,Onboarding,")
    assert parsed.tables["reps"].to_dicts() == [
        {"rep_id": "lukas-brandt", "display_name": "Lukas Brandt", "team": None, "from_config": False}
    ]


# Times are the host's (Europe/Berlin), whatever the invitee's time zone column says.
CALENDLY = [
    _meeting(
        rep_id="anna", starts_at=utc(2026, 1, 22, 9, 0), ends_at=utc(2026, 1, 22, 9, 30),
        booked_at=utc(2026, 1, 10, 8, 15), status="scheduled", title="30 Minuten Kennenlernen",
        contact_key="mail:sabine.koehler@hafenlogistik.example",
        attendee_keys=_mail("sabine.koehler@hafenlogistik.example"), contact_name="Sabine Köhler",
        source_row=2,
    ),
    _meeting(
        rep_id="anna", starts_at=utc(2026, 1, 29, 16, 0), ends_at=utc(2026, 1, 29, 16, 30),
        booked_at=utc(2026, 1, 20, 21, 5), status="cancelled", title="30 Minuten Kennenlernen",
        contact_key="mail:tim.brandt@brauhaus-lenz.example",
        attendee_keys=_mail("tim.brandt@brauhaus-lenz.example"),
        contact_name="Tim Brandt", source_row=3,
    ),
    _meeting(
        rep_id="jonas", starts_at=utc(2026, 2, 4, 8, 0), ends_at=utc(2026, 2, 4, 8, 45),
        booked_at=utc(2026, 1, 30, 17, 40), status="no_show", title="Produktdemo (45 min)",
        contact_key="mail:gisela.schaefer@web.example", attendee_keys=_mail("gisela.schaefer@web.example"),
        contact_name="Gisela Schäfer", source_row=4,
    ),
    # After the switch to summer time on 29 March 2026.
    _meeting(
        rep_id="lukas-brandt", starts_at=utc(2026, 3, 30, 12, 0), ends_at=utc(2026, 3, 30, 12, 45),
        booked_at=utc(2026, 3, 2, 6, 30), status="scheduled", title="Produktdemo (45 min)",
        contact_key="mail:ole.jansen@jansen-fisch.example",
        attendee_keys=_mail("ole.jansen@jansen-fisch.example"), contact_name="Ole Jansen", source_row=5,
    ),
]  # fmt: skip
CALENDLY_FILES = ["calendly_events.csv", "calendly_events_excel.csv", "calendly_events_iso.csv"]


@pytest.mark.parametrize("name", CALENDLY_FILES)
def test_calendly_export_in_each_date_style(name):
    parsed = meetings.parse(FIXTURES / name, Context(CONFIG))
    rows = store_rows(parsed)
    lineage = {"origin": "scheduler", "source": "meetings.calendly", "source_file": name}
    assert [r | {"source_id": None} for r in rows] == [m | lineage for m in CALENDLY]
    assert parsed.format == "meetings.calendly"
    assert (parsed.rows_read, parsed.quarantined, parsed.skipped) == (4, [], {})
    assert parsed.tables["reps"].to_dicts() == [
        {"rep_id": "lukas-brandt", "display_name": "Lukas Brandt", "team": None, "from_config": False}
    ]


def test_calendly_ids_are_the_same_in_every_export_of_the_same_events():
    ids = [
        [r["source_id"] for r in store_rows(meetings.parse(FIXTURES / n, Context(CONFIG)))]
        for n in CALENDLY_FILES
    ]
    assert ids[0] == ids[1] == ids[2]
    assert len(set(ids[0])) == 4 and all(i.startswith("h:") for i in ids[0])


def test_times_without_offset_are_read_in_the_source_zone_and_offsets_are_kept():
    context = Context(CONFIG, time_zone="America/New_York")
    naive = store_rows(meetings.parse(FIXTURES / "calendly_events.csv", context))
    with_offset = store_rows(meetings.parse(FIXTURES / "calendly_events_iso.csv", context))
    assert naive[0]["starts_at"] == utc(2026, 1, 22, 15, 0)  # 10:00 EST
    assert with_offset[0]["starts_at"] == utc(2026, 1, 22, 9, 0)  # 10:00+01:00


def test_rep_from_the_command_line_fills_rows_without_owner(tmp_path):
    path = tmp_path / "meetings.csv"
    path.write_text(
        "Record ID,Meeting name,Meeting start time,Meeting outcome,Activity assigned to\n"
        "1,Demo,2026-01-22 10:00,Completed,\n"
        "2,Demo,2026-01-23 10:00,Completed,Jonas Weber\n"
    )
    rows = store_rows(meetings.parse(path, Context(CONFIG, rep="anna")))
    assert [(r["source_id"], r["rep_id"]) for r in rows] == [("1", "anna"), ("2", "jonas")]


def test_missing_or_unreadable_times_are_quarantined(tmp_path):
    path = tmp_path / "meetings.csv"
    path.write_text(
        "Record ID,Meeting name,Meeting start time,Meeting end time,Create date,Meeting outcome\n"
        "1,Demo,2026-01-22 10:00,2026-01-22 10:30,2026-01-10 09:00,Qualifiziert\n"
        "2,Demo,,2026-01-22 10:30,,Completed\n"
        "3,Demo,2026-01-22 10:00,gleich danach,,Completed\n"
        "4,Demo,2026-01-22 10:00,,letzte Woche,Completed\n"
    )
    parsed = meetings.parse(path, Context(CONFIG))
    assert [(q.line, q.reason, q.column) for q in parsed.quarantined] == [
        (3, "no start time", "Meeting start time"),
        (4, "unparseable end time", "Meeting end time"),
        (5, "unparseable booking time", "Create date"),
    ]
    # A portal's own outcome label is not guessed.
    assert [(r["source_id"], r["status"]) for r in store_rows(parsed)] == [("1", None)]


def test_missing_columns_fail_naming_them(tmp_path):
    path = tmp_path / "meetings.csv"
    path.write_text("Record ID,Meeting name,Meeting outcome\n1,Demo,Completed\n")
    with pytest.raises(
        ImportError_, match=r"meetings\.csv: not a meetings export; missing columns.*Meeting start time"
    ):
        meetings.parse(path, Context(CONFIG))
    with pytest.raises(ImportError_, match="unknown meetings preset 'outlook'"):
        meetings.parse(FIXTURES / "calendly_events.csv", Context(CONFIG, preset="outlook"))


@pytest.mark.parametrize("name", [*CALENDLY_FILES, "hubspot_meetings_en.csv", "hubspot_meetings_de.csv"])
def test_only_the_meetings_source_claims_the_fixtures(name):
    path = FIXTURES / name
    assert meetings.matches(path)
    assert not contacts.matches(path)
    assert not calendar.matches(path)


def test_loading_twice_changes_nothing(con):
    path = FIXTURES / "hubspot_meetings_en.csv"
    first = store.load(con, meetings.parse(path, Context(CONFIG)), path, CONFIG)
    second = store.load(con, meetings.parse(path, Context(CONFIG)), path, CONFIG)
    assert (first.rows_loaded, first.rows_quarantined) == (6, 1)
    assert (second.rows_loaded, second.rows_duplicate) == (0, 6)
    assert con.execute("SELECT count(*) FROM meetings").fetchone() == (6,)
