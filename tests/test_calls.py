"""Call logs: every preset on files shaped like the real exports (tests/fixtures/calls/**)."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest

from socialsell import identity, schema, store
from socialsell.config import Config
from socialsell.sources import Context, ImportError_, call_presets, call_values, calls

FIXTURES = Path(__file__).parent / "fixtures" / "calls"
CONFIG = Config.from_dict(
    {
        "reps": {
            "jonas": {
                "name": "Jonas Weber",
                "emails": ["jonas.weber@example.com"],
                "phones": ["ext:101"],
                "crm_ids": ["0055g00000Ow1QAAA"],
            },
            "mia": {"name": "Mia Koch", "emails": ["mia.koch@example.com"], "crm_ids": ["0055g00000Ow2RAAA"]},
        }
    }
)
TEAM = Context(config=CONFIG)
COLUMNS = ("rep_id", "direction", "occurred_at", "duration_s", "outcome", "raw_outcome", "contact_phone")
GUID = {
    "connected": "f240bbac-87c9-4f6e-bf70-924b57d47db7",
    "no_answer": "73a0d17f-1163-4015-bdd5-ec830791da20",
    "voicemail": "b2cf5968-551e-4856-9783-52b3da59a7d0",
    "live_message": "a4c4c377-d246-4b32-a13b-75a56a4cd0ff",
    "busy": "9d9162e7-6cf3-4944-bf63-4dff82258764",
    "wrong_number": "17b47fee-58de-441e-a44c-c6300d46f273",
}
CUSTOM_GUID = "5e1d7c2a-0b4f-4c6e-9a51-3f2b8d9e7a10"


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def rows(parsed, columns=COLUMNS) -> list[tuple]:
    return list(parsed.tables["touches"].select(columns).iter_rows())


def row(rep, direction, at, seconds, outcome, raw, phone) -> tuple:
    return (rep, direction, utc(at), seconds, outcome, raw, phone)


def test_hubspot_english_export_with_outcome_guids():
    parsed = calls.parse(FIXTURES / "hubspot/calls_en_guids.csv", TEAM)
    assert parsed.format == "calls.hubspot"
    assert (parsed.rows_read, parsed.quarantined, parsed.skipped) == (10, [], {})
    assert rows(parsed) == [
        row("jonas", "outbound", "2026-01-13 08:42", 125, "connected", GUID["connected"], "+49401234567"),
        row("jonas", "outbound", "2026-01-13 08:47", 21, "no_answer", GUID["no_answer"], "+491712345678"),
        row("jonas", "outbound", "2026-01-13 09:02", 38, "voicemail", GUID["voicemail"], "+493012345678"),
        row("mia", "outbound", "2026-01-14 13:15", 52, "gatekeeper", GUID["live_message"], "+4315123456"),
        row("mia", "outbound", "2026-01-14 13:30", 0, "busy", GUID["busy"], "+492219876543"),
        row("mia", "outbound", "2026-01-14 14:00", 4, "wrong_number", GUID["wrong_number"], "+492211111111"),
        row("jonas", "inbound", "2026-01-15 10:20", 300, "connected", GUID["connected"], "+49897654321"),
        row("jonas", "outbound", "2026-03-30 08:00", 61, "other", CUSTOM_GUID, "+49401234567"),  # summer time
        row("jonas", "outbound", "2026-03-30 14:30", 242, "meeting_booked", "Meeting booked", "+49401234567"),
        row("jonas", "outbound", "2026-03-31 06:05", None, "no_answer", "No answer", "+49407654321"),
    ]
    touches = parsed.tables["touches"]
    assert touches.row(0, named=True) | {"occurred_at": None, "source_file": None} == {
        "rep_id": "jonas",
        "channel": "phone",
        "kind": "call",
        "direction": "outbound",
        "occurred_at": None,
        "source_tz": "Europe/Berlin",
        "duration_s": 125,
        "outcome": "connected",
        "raw_outcome": GUID["connected"],
        "contact_key": "tel:+49401234567",
        "contact_name": "Anna Schmidt",
        "contact_phone": "+49401234567",
        "contact_email": "anna.schmidt@example.com",
        "contact_company": "Nordlicht Logistik GmbH",
        "session_id": "61234567001",
        "source": "calls.hubspot",
        "source_id": "61234567001",
        "source_file": None,
        "source_row": 2,
    }
    assert touches["source_id"].to_list() == [f"612345670{n:02d}" for n in range(1, 11)]
    assert touches["contact_company"][2] == "Becker, Hahn & Partner"
    assert "reps" not in parsed.tables  # everyone is in the config


def test_hubspot_german_labels():
    parsed = calls.parse(FIXTURES / "hubspot/calls_de.csv", TEAM)
    assert parsed.format == "calls.hubspot"
    assert rows(parsed) == [
        row("jonas", "outbound", "2026-01-13 08:42", 125, "connected", "Verbunden", "+49401234567"),
        row(
            "jonas",
            "outbound",
            "2026-01-13 08:47",
            31,
            "voicemail",
            "Voicemail hinterlassen",
            "+491712345678",
        ),
        row("jonas", "outbound", "2026-01-13 09:02", 0, "no_answer", "Keine Antwort", "+49407654321"),
        row("jonas", "outbound", "2026-01-14 13:30", 0, "busy", "Besetzt", "+492219876543"),
        row(
            "jonas",
            "outbound",
            "2026-01-14 14:00",
            45,
            "gatekeeper",
            "Live-Nachricht hinterlassen",
            "+492211111111",
        ),
        row("jonas", "inbound", "2026-01-15 10:20", 8, "wrong_number", "Falsche Nummer", "+49401234567"),
    ]
    assert parsed.tables["touches"]["contact_name"].to_list()[:2] == ["Jürgen Müller", "Björn Weiß"]


SALESFORCE_REPORTS = {
    # de_DE: date only → midnight in the team's zone; ISO-8859-1 umlauts; German picklist values
    "report_de_latin1.csv": [
        row("jonas", "outbound", "2026-01-12 23:00", 125, "connected", "Gespräch geführt", "+49401234567"),
        row("jonas", "outbound", "2026-01-12 23:00", 0, "no_answer", "Nicht erreicht", "+491712345678"),
        row("jonas", "outbound", "2026-01-13 23:00", 35, "voicemail", "Mailbox", "+49897654321"),
        row(
            "mia", "outbound", "2026-01-13 23:00", 412, "meeting_booked", "Termin vereinbart", "+49401234567"
        ),
        row("mia", "inbound", "2026-01-14 23:00", 60, "connected", "Kein Interesse", "+492219876543"),
    ],
    # en_US: Created Date gives the time when it falls on the call's date (row 3 was logged a day later)
    "report_en_us.csv": [
        row("jonas", "outbound", "2026-01-13 08:44", 125, "connected", "Connected", "+49401234567"),
        row("jonas", "outbound", "2026-01-13 08:49", 0, "no_answer", "No Answer", "+491712345678"),
        row("jonas", "outbound", "2026-01-13 23:00", 35, "voicemail", "Left Voicemail", "+49897654321"),
        row("mia", "outbound", "2026-01-14 13:10", 412, "meeting_booked", "Meeting Booked", "+49401234567"),
        row("mia", "inbound", "2026-01-15 15:31", 60, "connected", "Not Interested", "+492219876543"),
    ],
}


@pytest.mark.parametrize("name", SALESFORCE_REPORTS)
def test_salesforce_report_skips_the_footer(name):
    parsed = calls.parse(FIXTURES / "salesforce" / name, TEAM)
    assert parsed.format == "calls.salesforce_report"
    assert rows(parsed) == SALESFORCE_REPORTS[name]
    assert parsed.skipped == {"Salesforce report footer": 3}
    assert (parsed.rows_read, parsed.quarantined) == (8, [])
    touches = parsed.tables["touches"]
    assert touches["contact_name"].to_list()[-1] == "Zoë Schäfer"
    assert touches["contact_company"].to_list()[0] == "Müller & Söhne GmbH"
    assert touches["source_id"].to_list() == [f"00T5g00000AbCdE0{n}" for n in range(1, 6)]
    assert touches["source_row"].to_list() == [2, 3, 4, 5, 6]


def test_salesforce_footer_padded_to_the_full_width(tmp_path):
    path = tmp_path / "report.csv"
    path.write_bytes(
        b'"Assigned To","Date","Call Type","Call Duration","Call Result"\r\n'
        b'"Mia Koch","1/13/2026","Outbound","61","Connected"\r\n'
        b'\r\n"Grand Totals (1 records)","","","",""\r\n'
        b'"Copyright (c) 2000-2025 salesforce.com, inc. All rights reserved.","","","",""\r\n'
    )
    parsed = calls.parse(path, TEAM)
    assert rows(parsed) == [row("mia", "outbound", "2026-01-12 23:00", 61, "connected", "Connected", None)]
    assert (parsed.skipped, parsed.quarantined, parsed.rows_read) == ({"Salesforce report footer": 2}, [], 3)


def test_salesforce_data_loader_export_keeps_only_calls():
    parsed = calls.parse(FIXTURES / "salesforce/tasks_dataloader.csv", TEAM)
    assert parsed.format == "calls.salesforce_api"
    assert rows(parsed, (*COLUMNS, "session_id", "source_id", "source_tz")) == [
        (*row("jonas", "outbound", "2026-01-13 08:44:10", 125, "connected", "Connected", None),
         "CTI-77812", "00T5g00000XyZaB01", "UTC"),
        # logged the next morning: the call date (midnight in the team's zone) wins
        (*row("jonas", "outbound", "2026-01-13 23:00", 40, "voicemail", "Left Voicemail", None),
         "CTI-77813", "00T5g00000XyZaB03", "UTC"),
        # logged by hand: TaskSubtype=Call, no CallType, no duration
        (*row("mia", None, "2026-01-15 15:20", None, "gatekeeper", "Gatekeeper", None),
         "00T5g00000XyZaB05", "00T5g00000XyZaB05", "UTC"),
        (*row("mia", "inbound", "2026-01-15 15:40", 300, "meeting_booked", "Meeting Booked", None),
         "CTI-77820", "00T5g00000XyZaB06", "UTC"),
    ]  # fmt: skip
    assert parsed.skipped == {"not a call (Task Subtype is not Call, no Call Type)": 2}
    assert parsed.rows_read == 6


def test_aircall_outcome_comes_from_tags_not_from_answered():
    parsed = calls.parse(FIXTURES / "aircall/call_history.csv", TEAM)
    assert parsed.format == "calls.aircall"
    assert rows(parsed) == [
        row("jonas", "outbound", "2026-01-13 08:42:10", 125, "meeting_booked", "Gespräch, Termin vereinbart",
            "+49401234567"),
        row("jonas", "outbound", "2026-01-13 08:50", 25, "voicemail", "Mailbox", "+491712345678"),
        # answered, no tag: a machine may have answered, so not a conversation
        row("jonas", "outbound", "2026-01-13 09:05:30", 58, "other", "Answered: Yes", "+49897654321"),
        row("jonas", "outbound", "2026-01-13 09:15", 0, "no_answer", "Answered: No", "+492219876543"),
        row("mia", "outbound", "2026-01-14 07:30", 41, "gatekeeper", "Sekretariat", "+49407654321"),
        row("mia", "outbound", "2026-01-14 07:45", 299, "connected", "Spoke", "+12125550187"),
        row("mia", "outbound", "2026-01-14 08:00", 9, "wrong_number", "Falsche Nummer", "+49301234567"),
        row("mia", "inbound", "2026-01-14 11:31", 0, "no_answer", "agents_did_not_answer", "+49405550123"),
        row("mia", "outbound", "2026-01-14 12:00", 31, "voicemail", "Voicemail;Follow-up", "+442079460958"),
    ]  # fmt: skip
    # the comment on line 4 holds a line break
    assert parsed.tables["touches"]["source_row"].to_list() == [2, 3, 4, 6, 7, 8, 9, 10, 11]
    assert parsed.rows_read == 9


RINGCENTRAL = [
    row(
        "jonas",
        "outbound",
        "2026-01-13 08:42:10.534",
        95,
        "connected",
        "Call connected / Accepted",
        "+49401234567",
    ),
    row("jonas", "outbound", "2026-01-13 08:50", 12, "other", "Call connected", "+491712345678"),
    row("jonas", "outbound", "2026-01-13 09:05", 45, "connected", "Call connected", "+49897654321"),
    row("jonas", "outbound", "2026-01-13 09:15", 40, "other", "Call connected / Connected", "+492219876543"),
    row("jonas", "outbound", "2026-01-13 09:20", 0, "no_answer", "No Answer / Not Answered", "+49407654321"),
    row("mia", "outbound", "2026-01-13 09:25", 0, "busy", "Busy / Line Busy", "+49301234567"),
    row("mia", "outbound", "2026-01-13 09:30", 28, "voicemail", "Voicemail", "+442079460958"),
    row("mia", "inbound", "2026-01-13 11:31", 0, "no_answer", "Missed", "+49405550123"),
    # three legs (missed at Jonas, accepted by Mia, transfer): counted once, longest leg, first start
    row("mia", "inbound", "2026-01-13 13:00", 200, "connected", "Call connected / Accepted", "+12125550187"),
]


def test_ringcentral_counts_each_session_once():
    parsed = calls.parse(FIXTURES / "ringcentral/call_log.csv", TEAM)
    assert parsed.format == "calls.ringcentral"
    assert rows(parsed) == RINGCENTRAL
    touches = parsed.tables["touches"]
    assert touches["source_id"].to_list() == [f"4010{n:02d}" for n in (1, 2, 3, 4, 5, 6, 7, 8, 10)]
    assert touches["source_row"].to_list() == [2, 4, 5, 6, 7, 8, 9, 10, 13]  # 401010: the longest leg
    assert parsed.skipped == {"not a voice call (fax, sms)": 1, "additional leg of the same call": 3}
    assert parsed.rows_read == 13


def test_ringcentral_connect_threshold_is_a_module_constant(monkeypatch):
    monkeypatch.setattr(call_presets, "CONNECT_THRESHOLD_S", 10)
    parsed = calls.parse(FIXTURES / "ringcentral/call_log.csv", TEAM)
    assert [r[4] for r in rows(parsed)][:4] == ["connected", "connected", "connected", "other"]


GERMAN = [
    row("jonas", "outbound", "2026-01-13 08:42", 90, "connected", "Erreicht", "+49401234567"),
    row("jonas", "outbound", "2026-01-13 08:50", 30, "voicemail", "Mailbox", "+491712345678"),
    row(
        "jorg-weiss",
        "outbound",
        "2026-01-13 09:05",
        735,
        "meeting_booked",
        "Termin vereinbart",
        "+49897654321",
    ),
    row("jorg-weiss", "inbound", "2026-01-14 07:30", 180, "connected", "Gespräch", "+49897654321"),
    row("jorg-weiss", "outbound", "2026-01-14 07:45", 0, "no_answer", "Nicht erreicht", "+492219876543"),
    row("jorg-weiss", "outbound", "2026-01-14 07:45", 0, "no_answer", "Nicht erreicht", "+492219876543"),
    row("jorg-weiss", "outbound", "2026-01-14 08:00", 0, "busy", "Besetzt", "+492219876543"),
]


@pytest.mark.parametrize("name", ["excel_cp1252.csv", "excel_utf8_bom.csv"])
def test_german_excel_export(name):
    parsed = calls.parse(FIXTURES / "generic_de" / name, TEAM)
    assert parsed.format == "calls.generic_de"
    assert rows(parsed) == GERMAN
    assert parsed.tables["touches"]["contact_company"].to_list()[:3] == [
        "Müller & Söhne GmbH",
        "Bäckerei Groß",
        "Öztürk Transporte",
    ]
    assert parsed.tables["reps"].rows() == [("jorg-weiss", "Jörg Weiß", None, False)]


def test_content_hash_ids_are_stable_across_files():
    """No export id: the same call gets the same source_id from a re-saved or overlapping export."""
    cp1252 = calls.parse(FIXTURES / "generic_de/excel_cp1252.csv", TEAM).tables["touches"]["source_id"]
    bom = calls.parse(FIXTURES / "generic_de/excel_utf8_bom.csv", TEAM).tables["touches"]["source_id"]
    assert cp1252.to_list() == bom.to_list()
    assert cp1252.n_unique() == 7
    assert cp1252[5] == cp1252[4] + "-2"  # the identical second row


def test_overlapping_export_gives_the_same_ids(tmp_path):
    lines = (FIXTURES / "generic_de/excel_cp1252.csv").read_bytes().split(b"\r\n")
    part = tmp_path / "first_rows.csv"
    part.write_bytes(b"\r\n".join([*lines[:4], b""]))
    whole = calls.parse(FIXTURES / "generic_de/excel_cp1252.csv", TEAM).tables["touches"]["source_id"]
    assert calls.parse(part, TEAM).tables["touches"]["source_id"].to_list() == whole.to_list()[:3]


def test_header_below_a_preamble_and_unit_in_the_header():
    parsed = calls.parse(FIXTURES / "generic_de/with_preamble.csv", TEAM)
    assert rows(parsed, (*COLUMNS, "source_row")) == [
        (*row("jonas", "outbound", "2026-01-13 08:42", 95, "connected", "Erreicht", "+49401234567"), 5),
        (*row("jonas", "outbound", "2026-01-13 08:50", 20, "voicemail", "AB", "+491712345678"), 6),
    ]


def test_blanks_around_values_deep_in_the_file(tmp_path):
    """Columns are trimmed when their first rows are padded; later padded values still parse."""
    line = "13.01.2026;09:42;Jonas Weber;040 1234567;ausgehend;1,5;Erreicht\r\n"
    padded = " 14.01.2026 ; 10:00 ;  Jonas Weber ; 040 7654321 ; Ausgehend ; 2 ;  Mailbox \r\n"
    path = tmp_path / "long.csv"
    path.write_text("Datum;Uhrzeit;Mitarbeiter;Rufnummer;Richtung;Dauer;Ergebnis\r\n" + line * 1200 + padded)
    parsed = calls.parse(path, TEAM)
    assert parsed.quarantined == []
    assert rows(parsed)[-1] == row("jonas", "outbound", "2026-01-14 09:00", 120, "voicemail", "Mailbox",
                                   "+49407654321")  # fmt: skip


def test_two_digit_years_are_not_read_as_year_26(tmp_path):
    path = tmp_path / "kurz.csv"
    path.write_text(
        "Datum;Mitarbeiter;Rufnummer;Dauer;Ergebnis\r\n13.01.26 09:42;Jonas Weber;040 1234567;2;Erreicht\r\n"
    )
    assert rows(calls.parse(path, TEAM)) == [
        row("jonas", None, "2026-01-13 08:42", 120, "connected", "Erreicht", "+49401234567")
    ]


MAPPING = {
    "occurred_at": "when",
    "rep": "agent",
    "contact_phone": "number",
    "duration": "seconds",
    "outcome": "result",
    "date_format": "%d/%m/%Y %H:%M",
    "time_zone": "UTC",
}


def test_generic_csv_with_a_column_mapping():
    path = FIXTURES / "generic/custom_dialer.csv"
    parsed = calls.parse(path, TEAM, mapping=MAPPING)
    assert parsed.format == "calls.generic"
    assert rows(parsed, (*COLUMNS, "source_tz")) == [
        (*row("jonas", None, "2026-01-13 08:42", 125, "connected", "Connected", "+49401234567"), "UTC"),
        (*row("jonas", None, "2026-01-13 08:50", 20, "voicemail", "Left voicemail", "+491712345678"), "UTC"),
    ]
    with pytest.raises(ImportError_, match=r"custom_dialer\.csv: no call-log preset fits"):
        calls.parse(path, TEAM)
    with pytest.raises(ImportError_, match=r"fits the header .*generic needs .*'duration_in_s'"):
        calls.parse(path, TEAM, mapping=MAPPING | {"duration": "duration_in_s"})
    with pytest.raises(ImportError_, match="column mapping: unknown keys"):
        calls.parse(path, TEAM, mapping=MAPPING | {"length": "seconds"})


def test_bad_rows_are_quarantined_with_line_column_and_reason():
    parsed = calls.parse(FIXTURES / "bad/bad_rows.csv", TEAM)
    assert [(q.line, q.column, q.reason) for q in sorted(parsed.quarantined, key=lambda q: q.line)] == [
        (3, "Activity date", "Activity date: not a date/time in the expected format YYYY-MM-DD hh:mm "
                             "or YYYY-MM-DD hh:mm:ss or YYYY-MM-DDThh:mm:ss.fffZ"),
        (4, "Call duration (ms)", "Call duration (ms): not a duration in milliseconds (or h:mm:ss)"),
        (5, "Activity date", "Activity date: the time does not exist in Europe/Berlin (daylight-saving gap)"),
        (6, "Activity date", "no call date (Activity date empty)"),
        (7, "To number", "missing columns: Expected Number of Columns: 7 Found: 6"),
    ]  # fmt: skip
    bad_date = next(q for q in parsed.quarantined if q.line == 3)
    assert (
        bad_date.raw == "81234567002,13/01/2026 9.42 Uhr,Jonas Weber,OUTBOUND,Connected,125000,+49 40 1234567"
    )
    assert rows(parsed, ("source_id", "source_row", "outcome")) == [("81234567001", 2, "connected"),
                                                                     ("81234567007", 8, "busy")]  # fmt: skip
    assert parsed.rows_read == 7


def test_a_header_no_preset_fits_names_the_file_and_what_each_preset_needs():
    path = FIXTURES / "bad/missing_columns.csv"
    assert not calls.matches(path)
    with pytest.raises(ImportError_) as error:
        calls.parse(path, TEAM)
    message = str(error.value)
    assert message.startswith(f"{path}: no call-log preset fits the header (Record ID, Call title, ")
    assert (
        "hubspot needs 'Record ID'/'Datensatz-ID' + 'Activity date'/'Aktivitätsdatum' + one of ("
        "'Call duration'/'Anrufdauer', 'Call outcome'/'Anrufergebnis', 'Call direction'/'Anrufrichtung', "
        "'Call status'/'Anrufstatus')" in message
    )
    assert "; aircall needs 'Answered' + one of (" in message
    with pytest.raises(ImportError_, match="ringcentral needs 'Session Id'"):
        calls.parse(path, Context(config=CONFIG, preset="calls.ringcentral"))


def test_a_forced_preset():
    hubspot = FIXTURES / "hubspot/calls_en_guids.csv"
    assert calls.parse(hubspot, Context(config=CONFIG, preset="hubspot")).format == "calls.hubspot"
    with pytest.raises(ImportError_, match="aircall needs 'Answered'"):
        calls.parse(hubspot, Context(config=CONFIG, preset="calls.aircall"))
    with pytest.raises(ImportError_, match="no call-log preset 'dialpad'"):
        calls.parse(hubspot, Context(config=CONFIG, preset="dialpad"))


def test_matches_call_logs_only(tmp_path):
    unknown = {"missing_columns.csv", "custom_dialer.csv"}
    for path in sorted(FIXTURES.rglob("*.csv")):
        assert calls.matches(path) == (path.name not in unknown), path
    (tmp_path / "notes.ics").write_text("BEGIN:VCALENDAR\n")
    assert not calls.matches(tmp_path / "notes.ics")
    (tmp_path / "Connections.csv").write_text("First Name,Last Name,URL,Email Address,Company,Position\n")
    assert not calls.matches(tmp_path / "Connections.csv")
    (tmp_path / "kontakte.csv").write_text("Name;Firma;Telefon;Status;Datum\n", encoding="cp1252")
    assert not calls.matches(tmp_path / "kontakte.csv")  # a German contact list is no call log


def test_outcome_overrides_from_the_config():
    config = Config.from_dict(
        {
            "reps": {"jonas": {"name": "Jonas Weber"}},
            "outcomes": {"hubspot": {CUSTOM_GUID: "meeting_booked", GUID["live_message"]: "connected"}},
        }
    )
    parsed = calls.parse(FIXTURES / "hubspot/calls_en_guids.csv", Context(config=config))
    outcomes = dict(
        zip(parsed.tables["touches"]["source_id"], parsed.tables["touches"]["outcome"], strict=True)
    )
    assert (outcomes["61234567008"], outcomes["61234567004"], outcomes["61234567001"]) == (
        "meeting_booked",
        "connected",
        "connected",
    )


def test_unknown_reps_are_returned_for_the_store():
    parsed = calls.parse(FIXTURES / "hubspot/calls_en_guids.csv", Context())
    assert parsed.tables["reps"].rows() == [
        ("jonas-weber", "Jonas Weber", None, False),
        ("mia-koch", "mia.koch@example.com", None, False),
    ]
    assert set(parsed.tables["touches"]["rep_id"]) == {"jonas-weber", "mia-koch"}


def test_rep_override_for_a_single_rep_log():
    parsed = calls.parse(FIXTURES / "aircall/call_history.csv", Context(config=CONFIG, rep="lea"))
    assert set(parsed.tables["touches"]["rep_id"]) == {"lea"}
    assert parsed.rep_id == "lea"
    assert parsed.tables["reps"].rows() == [("lea", "lea", None, False)]


def test_time_zone_of_the_export_can_be_given():
    context = Context(config=CONFIG, time_zone="America/New_York")
    parsed = calls.parse(FIXTURES / "hubspot/calls_en_guids.csv", context)
    touches = parsed.tables["touches"]
    assert (touches["occurred_at"][0], touches["source_tz"][0]) == (
        utc("2026-01-13 14:42"),
        "America/New_York",
    )


def test_progress_is_reported():
    steps = []
    calls.parse(
        FIXTURES / "aircall/call_history.csv",
        Context(config=CONFIG, progress=lambda d, n: steps.append((d, n))),
    )
    assert steps == [(1, 5), (2, 5), (3, 5), (4, 5), (5, 5)]


@pytest.mark.parametrize(
    "path", sorted(p for p in FIXTURES.rglob("*.csv") if p.parent.name not in ("bad", "generic"))
)
@pytest.mark.parametrize("config", [CONFIG, Config()], ids=["team", "no-config"])
def test_frames_conform_to_the_schema(path, config):
    parsed = calls.parse(path, Context(config=config))
    touches = parsed.tables["touches"].with_columns(import_id=pl.lit("import-1"))
    assert len(schema.conform(touches, "touches")) == len(touches) > 0
    if "reps" in parsed.tables:
        schema.conform(parsed.tables["reps"], "reps")
    assert touches["source_id"].n_unique() == len(touches)


def test_outcome_table_lists_every_rule():
    table = call_presets.outcome_table()
    assert table.columns == ["preset", "raw_label", "outcome", "match"]
    assert ("hubspot", GUID["live_message"], "gatekeeper", "exact") in table.rows()
    assert ("aircall", "termin vereinbart", "meeting_booked", "exact") in table.rows()
    assert ("*", "mailbox", "voicemail", "contains") in table.rows()
    assert set(table["outcome"]) <= {*schema.OUTCOMES, call_presets.IF_HUMAN}
    assert set(table["preset"]) == {*call_presets.PRESETS, "*"}


def test_quick_phone_path_agrees_with_identity():
    """The vectorised path for international numbers gives what identity.phone_e164 gives."""
    rng = random.Random(7)
    codes = [1, 7, 20, 33, 39, 41, 43, 44, 49, 49, 49, 54, 55, 61, 86, 352, 800, 971, 998]
    values = []
    for _ in range(3000):
        digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(3, 14)))
        sep = rng.choice(["", " ", "-", " / ", "."])
        values.append(
            f"{rng.choice(['+', '00', '+ ', ''])}{rng.choice(codes)}{sep}{digits[:3]}{sep}{digits[3:]}"
        )
    values += ["+49 (0)40 1234567", "040 1234567", "+1 (202) 555-0123", "0049 40 1234567", None, "", "n/a"]
    series = pl.Series(values)
    for region in ("DE", "US"):
        assert (
            call_values.phones_e164(series, region).to_list() == identity.phone_e164(series, region).to_list()
        )


@pytest.mark.parametrize("name", ["hubspot/calls_en_guids.csv", "generic_de/excel_cp1252.csv"])
def test_loading_a_call_log_twice_changes_nothing(con, name):
    path = FIXTURES / name
    first = store.load(con, calls.parse(path, TEAM), path, CONFIG)
    again = store.load(con, calls.parse(path, TEAM), path, CONFIG)
    assert (first.rows_loaded, again.rows_loaded, again.rows_duplicate) == (
        first.rows_read,
        0,
        first.rows_read,
    )
    assert con.execute("SELECT count(*) FROM touches").fetchone()[0] == first.rows_read


def _random_date_texts(rng: random.Random, formats: tuple[str, ...], n: int) -> list[str]:
    """Texts shaped like the formats, with padding, one-digit fields, bad days, short years and
    local times inside and around the daylight-saving changes."""
    values = {
        "%Y": ["2026", "2026", "2026", "26", "1969", "2037", "2038", "2199"], "%y": ["26", "69", "2026"],
        "%m": ["03", "3", "10", "13", " 3"],
        "%d": ["29", "25", "1", "8", "31", "30", " 2"], "%H": ["02", "2", "01", "03", "14", "24"], "%I": ["2", "02", "12", "13"],
        "%M": ["30", "00", "0", "59", "60"], "%S": ["00", "5", "59", "61"], "%p": ["AM", "PM", "am", "x"],
        "%.f": ["", ".5", ".123", ".123456"], "%:z": ["+01:00", "+0100", "-05:30", "Z"], "%a": ["Sun", "Mon"],
    }  # fmt: skip
    texts = []
    for _ in range(n):
        fmt = rng.choice(formats)
        text = re.sub(r"%[.:]?[a-zA-Z]", lambda m: rng.choice(values.get(m[0], [m[0]])), fmt)
        texts.append(text + rng.choice(["", "", "", " ", "x"]))
    return texts


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York", "UTC"])
def test_dates_read_in_sql_agree_with_polars(zone):
    """Where DuckDB reads a date itself it gives what `instants` gives; the rest it leaves to polars."""
    rng = random.Random(11)
    for preset in call_presets.PRESETS.values():
        ordered = preset.date_formats
        texts = pl.Series("t", _random_date_texts(rng, ordered, 1500), dtype=pl.String)
        expected, _, _ = call_values.instants(texts, ordered, zone, zone, ordered=True)
        levels, instant = call_values.sql_instant("t", ordered, zone, zone, "r")
        sql = "(SELECT t FROM texts)"
        for columns in levels:
            sql = f"(SELECT *, {', '.join(f'{v} AS {k}' for k, v in columns.items())} FROM {sql})"
        with duckdb.connect() as con:
            con.execute("SET TimeZone = 'UTC'")
            con.register("texts", texts.to_frame())
            read = con.sql(f"SELECT {instant} AS at FROM {sql}").pl()["at"]
        both = pl.DataFrame({"t": texts, "sql": read.cast(pl.Datetime("us", "UTC")), "polars": expected})
        wrong = both.filter(pl.col("sql").is_not_null() & pl.col("sql").ne_missing(pl.col("polars")))
        assert wrong.is_empty(), (preset.name, wrong.head(5).rows())
        assert both["sql"].is_not_null().sum() > 100  # the usual values are read in SQL


def test_direction_labels_fold_in_sql_like_in_python():
    labels = ["OUTBOUND", "Outbound", " ausgehend ", "out  bound", "Outbound\u2011Dial", "\u00a0INBOUND", "In",
              "eingehend\t", "Internal", "", "ANKOMMEND", "outbound-api", "outbound – dial"]  # fmt: skip
    with duckdb.connect() as con:
        con.register("labels", pl.DataFrame({"x": labels}))
        folded = con.sql(f"SELECT {call_values.sql_direction('x')} FROM labels").fetchall()
    assert [d for (d,) in folded] == [call_presets.DIRECTIONS.get(call_presets.fold_label(x)) for x in labels]


STAGED = ["hubspot/calls_en_guids.csv", "aircall/call_history.csv", "ringcentral/call_log.csv",
          "salesforce/report_de_latin1.csv", "generic_de/excel_cp1252.csv", "bad/bad_rows.csv"]  # fmt: skip


@pytest.mark.parametrize("name", STAGED)
def test_staged_rows_load_like_the_parsed_frame(name):
    """`stage` (DuckDB inserts straight from the file) stores what loading `parse`'s frame stores."""
    path = FIXTURES / name
    tables = []
    for read in (calls.parse, calls.stage):
        con = store.connect(":memory:")
        parsed = read(path, TEAM)
        summary = store.load(con, parsed, path, CONFIG)
        if read is calls.stage:
            parsed.tables["touches"].scan.close()
        touches = con.sql("SELECT * EXCLUDE (import_id) FROM touches ORDER BY source_row").fetchall()
        quarantine = con.sql("SELECT line, column_name, reason, raw FROM quarantine ORDER BY line").fetchall()
        facts = con.sql("SELECT * FROM touch_facts ORDER BY source, source_id").fetchall()
        tables.append((summary.rows_loaded, summary.rows_quarantined, touches, quarantine, facts))
        con.close()
    assert tables[0] == tables[1]
    assert tables[0][0] > 0


def test_a_repeated_id_is_parsed_twice_and_stored_once(tmp_path):
    lines = (FIXTURES / "hubspot/calls_en_guids.csv").read_text().splitlines()
    path = tmp_path / "twice.csv"
    path.write_text("\n".join([*lines, lines[3]]) + "\n")
    assert calls.parse(path, TEAM).tables["touches"]["source_id"].to_list()[-1] == "61234567003"
    con = store.connect(":memory:")
    staged = calls.stage(path, TEAM)
    summary = store.load(con, staged, path, CONFIG)
    assert (summary.rows_read, summary.rows_loaded, summary.rows_duplicate) == (11, 10, 1)
    assert con.execute("SELECT source_row FROM touches WHERE source_id = '61234567003'").fetchall() == [(4,)]
    con.close()


def test_an_export_without_calls_loads_nothing(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text(
        "Record ID,Activity date,Activity assigned to,Call outcome,Call duration,To number\n1,2\n"
    )
    parsed = calls.parse(path, TEAM)
    assert (parsed.rows_read, [q.line for q in parsed.quarantined]) == (1, [2])
    assert parsed.tables["touches"].is_empty()
    con = store.connect(":memory:")
    summary = store.load(con, calls.stage(path, TEAM), path, CONFIG)
    assert (summary.rows_loaded, summary.rows_quarantined) == (0, 1)
    con.close()
