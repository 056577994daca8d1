"""CRM contact exports → contact_records: HubSpot EN/DE, German Excel CSV, generic CSV by mapping."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from socialsell import store
from socialsell.config import Config
from socialsell.schema import conform
from socialsell.sources import Context, ImportError_, contacts

FIXTURES = Path(__file__).parent / "fixtures" / "contacts"
CONFIG = Config.from_dict(
    {
        "settings": {"region": "DE", "time_zone": "Europe/Berlin"},
        "reps": {
            "anna": {"name": "Anna Schmidt", "emails": ["anna.schmidt@nordlicht-software.de"]},
            "jonas": {"name": "Jonas Weber", "emails": ["jonas.weber@nordlicht-software.de"]},
        },
    }
)
DUPLICATE = "duplicate contact record (same e-mail)"


def _rows(parsed) -> list[dict]:
    """The contact_records rows as the store will see them (conform must accept the frame)."""
    frame = parsed.tables["contact_records"].with_columns(import_id=pl.lit("test"))
    return conform(frame, "contact_records").drop("import_id").to_dicts()


def _record(**values) -> dict:
    base = dict.fromkeys(
        ["full_name", "company", "title", "email", "phone_e164", "mobile_e164", "linkedin_url", "segment",
         "consent_calls", "consent_email", "connected_on", "customer_since", "rep_id"]
    )  # fmt: skip
    return base | values


HUBSPOT_EN = [
    _record(
        full_name="Sabine Köhler", company="Hafenlogistik Kiel GmbH", title="Leiterin Einkauf",
        email="sabine.koehler@hafenlogistik.example", phone_e164="+49403012345", mobile_e164="+491712345678",
        linkedin_url="https://www.linkedin.com/in/sabine-koehler-hl", segment="B2B", consent_calls=True,
        rep_id="anna", source_id="51234001", source_row=2,
    ),
    # Three records with the same address in three spellings → one; gaps filled from the later ones,
    # and the "No" of record 51234003 beats the "Yes" of 51234007.
    _record(
        full_name="Peter Lenz", company="Brauhaus Lenz", title="Geschäftsführer",
        email="peter.lenz@brauhaus-lenz.example", phone_e164="+49405550192", mobile_e164="+491609876543",
        linkedin_url="https://www.linkedin.com/in/peter-lenz-brauhaus", segment="B2B", consent_calls=False,
        customer_since=date(2025, 12, 1), rep_id="jonas", source_id="51234002", source_row=3,
    ),
    # "Unsubscribed from all email" = true withdraws e-mail consent.
    _record(
        full_name="Laura Becker", email="laura.becker@posteo.example", mobile_e164="+4915223344556",
        segment="B2C", consent_calls=True, consent_email=False, rep_id="anna", source_id="51234004",
        source_row=5,
    ),
    # "Enterprise" is no segment we know → null, never guessed; an owner the config lacks → own rep id.
    _record(
        full_name="Tim Brandt", company="Brauhaus Lenz", title="Einkauf, Logistik",
        email="tim.brandt@brauhaus-lenz.example", phone_e164="+49405550193",
        linkedin_url="https://www.linkedin.com/in/tim-brandt-ü1", rep_id="lukas-brandt",
        source_id="51234005", source_row=6,
    ),
    _record(
        full_name="Mehmet Yilmaz", company="Yilmaz Elektro", title="Inhaber", phone_e164="+494101778899",
        segment="B2B", consent_calls=True, source_id="51234006", source_row=7,
    ),
    _record(
        full_name="Ole Jansen", company="Jansen Fisch ApS", title="Indehaver",
        email="ole.jansen@jansen-fisch.example", phone_e164="+4532123456",
        linkedin_url="https://www.linkedin.com/in/ole-jansen-fisk", segment="B2B", consent_calls=False,
        customer_since=date(2025, 11, 14), rep_id="anna", source_id="51234008", source_row=9,
    ),
]  # fmt: skip

EXCEL_DE = [
    _record(
        full_name="Katrin Vogel", company="Vogel Möbel GmbH", title="Geschäftsführerin",
        email="katrin.vogel@vogel-moebel.example", phone_e164="+495231987650", mobile_e164="+4915111223344",
        linkedin_url="https://www.linkedin.com/in/katrin-vogel-möbel", segment="B2B", consent_calls=True,
        consent_email=True, rep_id="jonas", source_id="61000101", source_row=2,
    ),
    # Excel's WAHR/FALSCH are booleans; the FALSCH of the duplicate wins over WAHR.
    _record(
        full_name="Frank Hübner", company="Klinikum Nord", title="Chefarzt Kardiologie",
        email="f.huebner@klinikum-nord.example", phone_e164="+49401818180", mobile_e164="+491724445556",
        segment="B2B", consent_calls=False, consent_email=False, customer_since=date(2026, 2, 1),
        rep_id="jonas", source_id="61000102", source_row=3,
    ),
    _record(
        full_name="Gisela Schäfer", email="gisela.schaefer@web.example", mobile_e164="+491705556667",
        segment="B2C", consent_calls=True, consent_email=False, rep_id="anna", source_id="61000103",
        source_row=4,
    ),
    # "vielleicht" is neither yes nor no → unknown.
    _record(
        full_name="Jörg Maaß", company="Maaß & Söhne OHG", title="Prokurist", phone_e164="+49302223334",
        segment="B2B", rep_id="sven-ohlsen", source_id="61000105", source_row=6,
    ),
]  # fmt: skip


def test_hubspot_english_export_gives_one_record_per_person():
    path = FIXTURES / "hubspot_contacts_en.csv"
    parsed = contacts.parse(path, Context(CONFIG))
    lineage = {"source": "contacts.hubspot", "source_file": "hubspot_contacts_en.csv"}
    assert _rows(parsed) == [r | lineage for r in HUBSPOT_EN]
    assert parsed.format == "contacts.hubspot"
    assert parsed.rows_read == 8
    assert parsed.skipped == {DUPLICATE: 2}
    assert parsed.quarantined == []
    assert parsed.tables["reps"].to_dicts() == [
        {"rep_id": "lukas-brandt", "display_name": "Lukas Brandt", "team": None, "from_config": False}
    ]


@pytest.mark.parametrize("name", ["excel_de_cp1252.csv", "excel_de_utf8_bom.csv"])
def test_german_excel_csv_with_semicolons_in_either_encoding(name):
    parsed = contacts.parse(FIXTURES / name, Context(CONFIG))
    lineage = {"source": "contacts.hubspot", "source_file": name}
    assert _rows(parsed) == [r | lineage for r in EXCEL_DE]
    assert parsed.rows_read == 5
    assert parsed.skipped == {DUPLICATE: 1}
    assert parsed.tables["reps"]["rep_id"].to_list() == ["sven-ohlsen"]


def test_cp1252_punctuation_is_read(tmp_path):
    path = tmp_path / "kontakte.csv"
    text = "Vorname;Nachname;E-Mail;Unternehmen\r\nKatrin;Vogel;k.vogel@vogel-moebel.example;"
    text += "„Vogel – Möbel“ €\r\n"
    path.write_bytes(text.encode("cp1252"))
    parsed = contacts.parse(path, Context(CONFIG))
    assert _rows(parsed)[0]["company"] == "„Vogel – Möbel“ €"


def test_owner_missing_falls_back_to_the_rep_given_on_the_command_line():
    parsed = contacts.parse(FIXTURES / "hubspot_contacts_en.csv", Context(CONFIG, rep="anna"))
    by_name = {r["full_name"]: r["rep_id"] for r in _rows(parsed)}
    assert by_name["Mehmet Yilmaz"] == "anna"
    assert by_name["Peter Lenz"] == "jonas"  # the owner column wins where it has a value


def test_generic_csv_is_recognised_and_ids_are_stable_without_a_record_id(tmp_path):
    first = tmp_path / "crm.csv"
    first.write_text(
        "Name,Organization,Email,Phone,Owner\n"
        "Ole Jansen,Jansen Fisch ApS,Ole.Jansen@jansen-fisch.example,+45 32 12 34 56,Anna Schmidt\n"
        "Jörg Maaß,Maaß & Söhne OHG,,030 2223334,\n"
        "Frida Holm,Holm AB,,,\n",
        encoding="utf-8",
    )
    # The next export: other order, one more column, e-mail in another case.
    second = tmp_path / "crm_later.csv"
    second.write_text(
        "Name,Organization,Email,Phone,Owner,Title\n"
        "Frida Holm,Holm AB,,,,CEO\n"
        "Jörg Maaß,Maaß & Söhne OHG,,+49 30 2223334,,Prokurist\n"
        "Ole Jansen,Jansen Fisch ApS,OLE.JANSEN@jansen-fisch.example,,Anna Schmidt,\n",
        encoding="utf-8",
    )
    assert contacts.matches(first)
    one = contacts.parse(first, Context(CONFIG))
    two = contacts.parse(second, Context(CONFIG))
    assert one.format == "contacts.csv"
    ids = {r["full_name"]: r["source_id"] for r in _rows(one)}
    assert ids == {r["full_name"]: r["source_id"] for r in _rows(two)}
    assert all(i.startswith("h:") and len(i) == 34 for i in ids.values())
    assert len(set(ids.values())) == 3
    assert _rows(one)[0] | {"source_id": None} == _record(
        full_name="Ole Jansen", company="Jansen Fisch ApS", email="ole.jansen@jansen-fisch.example",
        phone_e164="+4532123456", rep_id="anna", source="contacts.csv", source_id=None, source_file="crm.csv",
        source_row=2,
    )  # fmt: skip


def test_a_mapping_reads_any_header(tmp_path):
    path = tmp_path / "liste.csv"
    path.write_text("Kunde;Mail;Handynummer;Art\nGisela Schäfer;gisela@web.example;0170 5556667;privat\n")
    preset = contacts.preset_from_mapping(
        "liste", {"full_name": "Kunde", "email": "Mail", "mobile": "Handynummer", "segment": "Art"}
    )
    parsed = contacts.parse(path, Context(CONFIG), preset=preset)
    row = _rows(parsed)[0]
    assert (row["full_name"], row["email"], row["mobile_e164"], row["segment"]) == (
        "Gisela Schäfer", "gisela@web.example", "+491705556667", "B2C",
    )  # fmt: skip
    assert parsed.format == "contacts.liste"


def test_a_mapping_to_an_unknown_field_fails(tmp_path):
    path = tmp_path / "liste.csv"
    path.write_text("Kunde;Mail\nGisela Schäfer;gisela@web.example\n")
    preset = contacts.preset_from_mapping("liste", {"name": "Kunde", "email": "Mail"})
    with pytest.raises(ImportError_, match=r"liste\.csv: unknown contact fields \['name'\]"):
        contacts.parse(path, Context(CONFIG), preset=preset)


def test_header_below_a_preamble_line(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_text("sep=;\nVorname;Nachname;E-Mail\nKatrin;Vogel;katrin.vogel@vogel-moebel.example\n")
    row = _rows(contacts.parse(path, Context(CONFIG)))[0]
    assert (row["full_name"], row["email"], row["source_row"]) == (
        "Katrin Vogel", "katrin.vogel@vogel-moebel.example", 3,
    )  # fmt: skip


def test_bad_rows_are_quarantined_with_line_and_reason(tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_text(
        "Record ID,First Name,Last Name,Email,Became a Customer Date\n"
        "1,Ole,Jansen,ole.jansen@jansen-fisch.example,2025-11-14\n"
        "2,Tim,Brandt,tim.brandt@brauhaus-lenz.example,seit Jahren\n"
        "3,,,,\n"
        "4,Peter,Lenz,peter.lenz@brauhaus-lenz.example,2025-12-01,extra\n"
    )
    parsed = contacts.parse(path, Context(CONFIG))
    assert [r["source_id"] for r in _rows(parsed)] == ["1"]
    reasons = {(q.line, q.reason.split(":")[0]) for q in parsed.quarantined}
    assert reasons == {
        (3, "unparseable customer-since date"),
        (4, "no e-mail, phone, LinkedIn or name"),
        (5, "too many columns"),
    }
    assert parsed.rows_read == 4
    bad_date = next(q for q in parsed.quarantined if q.line == 3)
    assert (bad_date.column, bad_date.raw) == (
        "Became a Customer Date", "2,Tim,Brandt,tim.brandt@brauhaus-lenz.example,seit Jahren",
    )  # fmt: skip


def test_missing_columns_fail_naming_the_file_and_the_columns(tmp_path):
    path = tmp_path / "notes.csv"
    path.write_text("Datum,Notiz\n2026-01-05,Anrufen\n")
    with pytest.raises(ImportError_, match=r"notes\.csv: not a contacts export; missing columns .*Record ID"):
        contacts.parse(path, Context(CONFIG))
    with pytest.raises(ImportError_, match=r"unknown contacts preset 'salesforce'"):
        contacts.parse(FIXTURES / "hubspot_contacts_en.csv", Context(CONFIG, preset="salesforce"))


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Record ID,First Name,Last Name,Email", True),
        ("Name,Organization,Email,Phone", True),
        ("First Name,Last Name,URL,Email Address,Company,Position,Connected On", False),  # LinkedIn
        ("Record ID,Activity date,Call outcome,Call duration,To number", False),  # HubSpot calls
        ("Record ID,Meeting name,Meeting start time,Meeting outcome", False),  # HubSpot meetings
        ("Datum,Notiz", False),
    ],
)
def test_matches_only_contact_lists(tmp_path, header, expected):
    path = tmp_path / "export.csv"
    path.write_text(header + "\n")
    assert contacts.matches(path) is expected


def test_loading_twice_changes_nothing(con):
    path = FIXTURES / "hubspot_contacts_en.csv"
    first = store.load(con, contacts.parse(path, Context(CONFIG)), path, CONFIG)
    second = store.load(con, contacts.parse(path, Context(CONFIG)), path, CONFIG)
    assert (first.rows_loaded, second.rows_loaded, second.rows_duplicate) == (6, 0, 6)
    assert first.notes == f"{DUPLICATE}: 2"
    assert con.execute("SELECT count(*) FROM contact_records").fetchone() == (6,)
    assert con.execute("SELECT rep_id, from_config FROM reps WHERE rep_id = 'lukas-brandt'").fetchall() == [
        ("lukas-brandt", False)
    ]
