"""LinkedIn archive importer: every export variant 2018 → 2026, zips, owners, exclusions and stable ids."""

from __future__ import annotations

import shutil
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pytest

from socialsell.config import Config
from socialsell.schema import conform
from socialsell.sources import Context, ImportError_, Parsed, linkedin

FIX = Path(__file__).parent / "fixtures" / "linkedin"
LENA = "https://www.linkedin.com/in/lena-hoffmann-4a1b2c"
LENA_CONFIG = Config.from_dict(
    {"reps": {"lena": {"name": "Lena H.", "linkedin": [LENA.replace("www", "de") + "/"]}}}
)


def parse(path: Path, **context) -> Parsed:
    return linkedin.parse(path, Context(**context))


def conformed(parsed) -> dict[str, pl.DataFrame]:
    """Every frame as the store would write it (the store adds import_id)."""
    return {
        name: conform(frame if name == "reps" else frame.with_columns(import_id=pl.lit("test")), name)
        for name, frame in parsed.tables.items()
    }


def touches(parsed, source: str | None = None) -> pl.DataFrame:
    frame = conformed(parsed)["touches"]
    return frame.filter(pl.col("source") == source) if source else frame


def by_line(frame: pl.DataFrame, line: int, columns: list[str]) -> dict:
    rows = frame.filter(pl.col("source_row") == line).select(columns)
    assert rows.height == 1, rows
    return rows.row(0, named=True)


def zip_folder(folder: Path, target: Path, inside: str | None = None, junk: bool = False) -> Path:
    with zipfile.ZipFile(target, "w") as archive:
        for file in sorted(folder.iterdir()):
            archive.write(file, f"{inside}/{file.name}" if inside else file.name)
        if junk:
            archive.writestr("__MACOSX/._messages.csv", b"\x00\x05\x16\x07")
            archive.writestr(
                f"{inside}/Jobs/Saved Jobs.csv" if inside else "Jobs/Saved Jobs.csv", "Saved Date,Job Url\n"
            )
            archive.writestr(
                f"{inside}/Articles/Articles/a.html" if inside else "Articles/a.html", "<html></html>"
            )
    return target


# ---------------------------------------------------------------- detection


@pytest.mark.parametrize(
    ("relative", "expected"),
    [
        ("2024-12", True),
        ("2022", True),
        ("2018", True),
        ("missing_columns", True),  # recognised by file name; the import then names the missing columns
        ("2024-12/messages.csv", True),
        ("2018/Messages.csv", True),
        ("2026-04/messages.csv", True),
        ("2024-12/Connections.csv", True),
        ("excel/Connections.csv", True),
        ("excel_de/Connections.csv", True),
        ("2023-12/Invitations.csv", True),
        ("2024-12/coach_messages.csv", True),
        ("2024-12/Profile.csv", False),  # nothing to import on its own
        ("missing_columns/messages.csv", False),  # not a messages header
    ],
)
def test_matches(relative, expected):
    assert linkedin.matches(FIX / relative) is expected


def test_matches_zips_and_rejects_other_files(tmp_path):
    root = zip_folder(FIX / "2024-12", tmp_path / "Basic_LinkedInDataExport_12-20-2024.zip")
    nested = zip_folder(
        FIX / "2022", tmp_path / "Complete_LinkedInDataExport_09-12-2022.zip", inside="Complete_x"
    )
    other = tmp_path / "other.zip"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("calls.csv", "Call ID,Duration\n1,30\n")
    fake = tmp_path / "fake.zip"
    fake.write_text("not a zip")
    calls = tmp_path / "calls.csv"
    calls.write_text("Date,From,To,Duration,Outcome\n2024-01-02,+4930,+4940,30,Answered\n")
    assert [linkedin.matches(p) for p in (root, nested, other, fake, calls)] == [
        True,
        True,
        False,
        False,
        False,
    ]


# ---------------------------------------------------------------- row counts per variant


@pytest.mark.parametrize(
    ("relative", "counts", "records", "rep_id"),
    [
        (
            "2024-12",
            {"linkedin.invitations": 4, "linkedin.messages": 17, "linkedin.connections": 6},
            4,
            "lena-hoffmann",
        ),
        (
            "2022",
            {"linkedin.invitations": 2, "linkedin.messages": 4, "linkedin.connections": 3},
            2,
            "tobias-klein",
        ),
        (
            "2018",
            {"linkedin.invitations": 1, "linkedin.messages": 3, "linkedin.connections": 2},
            2,
            "daniel-fischer",
        ),
        ("2026-04/messages.csv", {"linkedin.messages": 5}, 0, "mara-jansen"),
        ("2023-12/Invitations.csv", {"linkedin.invitations": 2}, 0, "lucia-gomez"),
        (
            "archive_03-01-2025",
            {"linkedin.invitations": 3, "linkedin.messages": 3, "linkedin.connections": 3},
            2,
            "felix-braun",
        ),
        (
            "archive_04-01-2025",
            {"linkedin.invitations": 4, "linkedin.messages": 5, "linkedin.connections": 4},
            3,
            "felix-braun",
        ),
    ],
)
def test_counts_per_variant(relative, counts, records, rep_id):
    parsed = parse(FIX / relative)
    tables = conformed(parsed)
    got = dict(tables["touches"].group_by("source").len().iter_rows())
    assert got == counts
    assert tables.get("contact_records", pl.DataFrame()).height == records
    assert parsed.rows_read == sum(counts.values())
    assert parsed.quarantined == [] and parsed.skipped == {}
    assert parsed.rep_id == rep_id
    assert tables["touches"]["rep_id"].unique().to_list() == [rep_id]
    assert tables["reps"].rows() == [(rep_id, tables["reps"]["display_name"][0], None, False)]
    assert tables["touches"].select("source", "source_id").is_duplicated().sum() == 0


# ---------------------------------------------------------------- messages, 2024-12


MESSAGE_COLUMNS = [
    "direction", "contact_key", "contact_name", "participants", "folder", "exclusion", "message_length",
    "language", "address_form", "has_scheduling_link", "proposes_time",
]  # fmt: skip


def messages_csv(parsed) -> pl.DataFrame:
    return touches(parsed, "linkedin.messages").filter(pl.col("source_file") == "2024-12/messages.csv")


@pytest.fixture(scope="module")
def lena():
    return parse(FIX / "2024-12", config=LENA_CONFIG)


def test_rep_matched_from_config_by_profile_url(lena):
    assert lena.rep_id == "lena"
    assert "reps" not in lena.tables


def test_formal_proposal_with_scheduling_link_whole_row(lena):
    extra = [
        "rep_id",
        "channel",
        "kind",
        "occurred_at",
        "source_tz",
        "thread_id",
        "source_file",
        "message_text",
    ]
    row = by_line(messages_csv(lena), 4, [*extra, *MESSAGE_COLUMNS])
    assert row.pop("thread_id").startswith("2-") and row == {
        "rep_id": "lena",
        "channel": "linkedin",
        "kind": "message",
        "occurred_at": datetime(2024, 12, 13, 16, 40, 11, tzinfo=UTC),
        "source_tz": "UTC",
        "source_file": "2024-12/messages.csv",
        "message_text": None,
        "direction": "outbound",
        "contact_key": "li:in/jonas-weber-8b1a2c3d",
        "contact_name": "Jonas Weber",
        "participants": 1,
        "folder": "INBOX",
        "exclusion": None,
        "message_length": 233,
        "language": "de",
        "address_form": "formal",
        "has_scheduling_link": True,
        "proposes_time": True,
    }


EXPECTED_2024 = {  # line: (direction, contact_key, participants, exclusion)
    2: ("inbound", "li:in/jonas-weber-8b1a2c3d", 1, None),
    3: ("outbound", "li:in/jonas-weber-8b1a2c3d", 1, "draft"),
    5: ("inbound", "li:in/jonas-weber-8b1a2c3d", 1, None),
    6: ("outbound", "li:in/jonas-weber-8b1a2c3d", 1, None),
    7: ("inbound", "li:in/carla-diaz-mba", 2, "group_chat"),
    8: ("outbound", None, 2, "group_chat"),
    9: ("inbound", None, 1, "sponsored"),
    10: ("outbound", "li:in/ümit-yılmaz-5c6d7e8f", 1, None),
    11: ("outbound", None, 1, "draft"),
    12: ("inbound", "li:in/crypto-max-99", 1, "spam_folder"),
    13: ("inbound", None, 1, "sponsored"),
    14: ("inbound", "li:in/peter-brandt-77", 1, None),
    15: ("outbound", "li:in/peter-brandt-77", 1, None),
}


@pytest.mark.parametrize("line", sorted(EXPECTED_2024))
def test_direction_contact_and_exclusion(lena, line):
    frame = messages_csv(lena)
    row = by_line(frame, line, ["direction", "contact_key", "participants", "exclusion"])
    assert tuple(row.values()) == EXPECTED_2024[line]


def test_group_chat_names_with_commas_counted_by_url(lena):
    frame = messages_csv(lena)
    assert by_line(frame, 8, ["contact_name", "participants"]) == {
        "contact_name": "Jonas Weber,Carla Díaz, MBA",
        "participants": 2,
    }


def test_drafts_sponsored_and_empty_messages(lena):
    frame = messages_csv(lena)
    assert by_line(frame, 11, ["thread_id", "folder", "contact_name"]) == {
        "thread_id": None,
        "folder": None,
        "contact_name": None,
    }
    sponsored = by_line(frame, 9, ["contact_name", "message_length", "language", "template_hash"])
    # HTML tags are stripped: "Hi %FIRSTNAME%,\n\nBook more meetings with our AI SDR & grow your pipeline."
    assert sponsored["contact_name"] == "LinkedIn Member" and sponsored["message_length"] == 74
    attachment_only = by_line(frame, 14, ["message_length", "message_hash", "language", "proposes_time"])
    assert attachment_only == {
        "message_length": 0,
        "message_hash": None,
        "language": None,
        "proposes_time": False,
    }


def test_copy_paste_template_to_two_people_shares_template_hash(lena):
    frame = messages_csv(lena)
    jonas, umit = (by_line(frame, line, ["message_hash", "template_hash"]) for line in (6, 10))
    assert jonas["template_hash"] == umit["template_hash"] and jonas["message_hash"] != umit["message_hash"]


def test_ai_coach_chats_are_imported_but_excluded(lena):
    coach = touches(lena, "linkedin.messages").filter(pl.col("source_file") == "2024-12/coach_messages.csv")
    assert coach.select("source_row", "direction", "exclusion", "contact_key").rows() == [
        (2, "inbound", "ai_coach", None),
        (3, "outbound", "ai_coach", None),
        (4, "outbound", "ai_coach", None),
    ]


def test_keep_message_text():
    kept = touches(parse(FIX / "2026-04/messages.csv", keep_message_text=True), "linkedin.messages")
    assert kept["message_text"][2] == (
        "Hallo Frau Schmidt,\n\nich habe gesehen, dass Sie das Vertriebsteam bei Kranich Software aufbauen. "
        "Hätten Sie nächste Woche Zeit für einen Austausch?\n\nViele Grüße\nMara Jansen"
    )
    dropped = touches(parse(FIX / "2026-04/messages.csv"))
    assert dropped["message_text"].null_count() == dropped.height


# ---------------------------------------------------------------- other message layouts


def test_2026_all_quoted_multiline_owner_inferred():
    parsed = parse(FIX / "2026-04/messages.csv")
    frame = touches(parsed)
    assert frame.select("source_row", "direction", "contact_key", "exclusion", "language").rows() == [
        (2, "outbound", "li:in/tom-becker-b2b", None, "en"),
        (8, "inbound", "li:in/tom-becker-b2b", None, "en"),
        (9, "outbound", "li:in/eva-schmidt-42", None, "de"),
        (15, "inbound", None, "sponsored", "en"),
        (16, "inbound", "li:in/jan-de-vries-nl", None, "other"),
    ]
    assert frame.select("has_scheduling_link", "proposes_time", "address_form").row(0) == (
        True,
        True,
        "unknown",
    )
    assert parsed.tables["reps"].to_dicts() == [
        {"rep_id": "mara-jansen", "display_name": "Mara Jansen", "team": None, "from_config": False}
    ]


def test_2022_outbound_contact_comes_from_the_conversation():
    frame = touches(parse(FIX / "2022"), "linkedin.messages")
    assert frame.select("source_row", "direction", "contact_key", "contact_name", "participants").rows() == [
        (2, "inbound", "li:in/sara-lind-0a1b", "Sara Lind", 1),
        (3, "outbound", "li:in/sara-lind-0a1b", "Sara Lind", 1),
        (4, "outbound", None, "Mia Schulz", 1),  # no reply, and 2022 files have no recipient URLs
        (5, "inbound", "li:in/hannah-roth-recruiting", "Hannah Roth", 1),
    ]


def test_2018_messages_direction_column_threads_and_html():
    frame = touches(parse(FIX / "2018"), "linkedin.messages")
    assert frame.select("direction", "thread_id", "folder", "source_tz", "occurred_at").rows() == [
        ("inbound", "legacy:priya-nair", "INBOX", "UTC (assumed)", datetime(2018, 10, 16, 8, 36, tzinfo=UTC)),
        ("outbound", "legacy:priya-nair", "SENT", "UTC (assumed)", datetime(2018, 10, 15, 16, 2, tzinfo=UTC)),
        (
            "outbound",
            "legacy:marco-rossi",
            "ARCHIVED",
            "UTC (assumed)",
            datetime(2018, 9, 2, 11, 10, tzinfo=UTC),
        ),
    ]
    decoded = "Hi Daniel,Thanks for reaching out & happy to chat. I’m free Tuesday at 3pm."
    assert frame["message_length"][0] == len(decoded)
    assert frame["proposes_time"].to_list() == [True, False, False]  # "15 minutes this week?" names no day
    assert frame["exclusion"].null_count() == 3


# ---------------------------------------------------------------- invitations and connections


def test_invitations_with_urls_and_notes(lena):
    frame = touches(lena, "linkedin.invitations")
    assert frame.select("direction", "contact_key", "occurred_at", "message_length", "source_tz").rows() == [
        (
            "outbound",
            "li:in/jonas-weber-8b1a2c3d",
            datetime(2024, 12, 10, 9, 5, tzinfo=UTC),
            121,
            "UTC (assumed)",
        ),
        (
            "outbound",
            "li:in/ümit-yılmaz-5c6d7e8f",
            datetime(2024, 12, 9, 15, 12, tzinfo=UTC),
            0,
            "UTC (assumed)",
        ),
        ("outbound", "li:in/sofia-russo-1", datetime(2024, 12, 2, 11, 47, tzinfo=UTC), 0, "UTC (assumed)"),
        ("inbound", "li:in/peter-brandt-77", datetime(2024, 6, 20, 20, 1, tzinfo=UTC), 0, "UTC (assumed)"),
    ]
    assert frame.select("language", "address_form").row(0) == ("de", "formal")


def test_truncated_invitation_urls_are_not_identities():
    frame = touches(parse(FIX / "2023-12/Invitations.csv"))
    assert frame.select("direction", "contact_key", "contact_name", "message_length").rows() == [
        ("outbound", None, "Nico Weiß", 0),
        ("inbound", None, "Ana Torres", 40),
    ]


def test_connections_contact_records_whole_rows(lena):
    records = conformed(lena)["contact_records"]
    lineage = {"source": "linkedin.connections", "source_file": "2024-12/Connections.csv", "rep_id": "lena"}
    empty = {"email": None, "consent_calls": None, "consent_email": None, "customer_since": None}
    assert records.drop("source_id", "import_id", "phone_e164", "mobile_e164", "segment").to_dicts()[:2] == [
        {
            "full_name": "Jonas Weber",
            "company": "Nordwind Logistik GmbH",
            "title": "Head of Sales",
            "linkedin_url": "https://www.linkedin.com/in/jonas-weber-8b1a2c3d",
            "connected_on": date(2024, 12, 12),
            "source_row": 5,
            **empty,
            **lineage,
        },
        {
            "full_name": "Ümit Yılmaz",
            "company": "Stahl & Söhne, KG",
            "title": "Leiter Einkauf",
            "linkedin_url": "https://www.linkedin.com/in/ümit-yılmaz-5c6d7e8f",
            "connected_on": date(2024, 12, 10),
            "source_row": 6,
            **empty,
            **lineage,
        },
    ]
    assert records.select("full_name", "title", "email", "linkedin_url").rows()[2:] == [
        (
            "Carla Díaz  🤖",
            'VP "Growth" EMEA',
            "carla.diaz@example.com",
            "https://www.linkedin.com/in/carla-diaz-mba",
        ),
        ("Peter Brandt (He/Him)", "Geschäftsführer", None, "https://www.linkedin.com/in/peter-brandt-77"),
    ]


def test_connection_touches_blank_rows_and_direction_from_invitations(lena):
    frame = touches(lena, "linkedin.connections")
    assert frame.select("source_row", "direction", "contact_key", "occurred_at", "source_tz").rows() == [
        (5, "outbound", "li:in/jonas-weber-8b1a2c3d", datetime(2024, 12, 12, tzinfo=UTC), "UTC (date only)"),
        (6, "outbound", "li:in/ümit-yılmaz-5c6d7e8f", datetime(2024, 12, 10, tzinfo=UTC), "UTC (date only)"),
        (7, None, None, datetime(2024, 9, 14, tzinfo=UTC), "UTC (date only)"),
        (8, None, None, datetime(2024, 9, 14, tzinfo=UTC), "UTC (date only)"),
        (9, None, "li:in/carla-diaz-mba", datetime(2024, 9, 3, tzinfo=UTC), "UTC (date only)"),
        (10, "inbound", "li:in/peter-brandt-77", datetime(2024, 6, 20, tzinfo=UTC), "UTC (date only)"),
    ]
    assert frame["source_id"].n_unique() == 6  # the two blank rows of 14 Sep stay two connections
    assert frame.select("contact_company", "contact_email").row(4) == (
        "Solaris, Inc.",
        "carla.diaz@example.com",
    )


def test_percent_encoded_and_unicode_urls_give_one_contact_key(lena):
    frame = touches(lena)
    keys = frame.filter(pl.col("contact_name") == "Ümit Yılmaz")["contact_key"].unique().to_list()
    assert keys == ["li:in/ümit-yılmaz-5c6d7e8f"]


def test_2022_connections_without_urls_direction_by_name():
    frame = touches(parse(FIX / "2022"), "linkedin.connections")
    assert frame.select("contact_name", "contact_key", "direction", "contact_email").rows() == [
        ("Sara Lind", None, "outbound", None),
        ("Mia Schulz", None, "inbound", "mia.schulz@example.org"),
        (None, None, None, None),
    ]


def test_2018_connections_keep_the_time_and_drop_member_urns():
    parsed = parse(FIX / "2018")
    frame = touches(parsed, "linkedin.connections")
    assert frame.select("occurred_at", "source_tz", "direction").rows() == [
        (datetime(2018, 10, 14, 18, 14, tzinfo=UTC), "UTC (assumed)", "outbound"),
        (datetime(2018, 1, 8, 18, 14, tzinfo=UTC), "UTC (assumed)", None),
    ]
    assert conformed(parsed)["contact_records"]["email"].to_list() == [None, None]


@pytest.mark.parametrize(
    ("resaved", "original"), [("excel/Connections.csv", "2022"), ("excel_de/Connections.csv", "2024-12")]
)
def test_excel_resaves_give_the_same_ids_as_the_original(resaved, original):
    # Ids are per archive owner, so the re-saved single file is imported for the same rep.
    first_parsed = parse(FIX / original)
    again = touches(parse(FIX / resaved, rep=first_parsed.rep_id))
    first = touches(first_parsed, "linkedin.connections")
    assert again["source_id"].is_in(first["source_id"].implode()).all()
    assert again["occurred_at"].to_list() == first["occurred_at"].head(again.height).to_list()
    assert again["rep_id"].unique().to_list() == [first_parsed.rep_id]


# ---------------------------------------------------------------- owner


def test_owner_by_config_name():
    config = Config.from_dict({"reps": {"tobi": {"name": "Tobias Klein", "team": "Köln"}}})
    parsed = parse(FIX / "2022", config=config)
    assert parsed.rep_id == "tobi" and "reps" not in parsed.tables


def test_rep_override_with_config_identities():
    config = Config.from_dict(
        {"reps": {"mara": {"name": "Mara", "linkedin": ["linkedin.com/in/MaraJansen"]}}}
    )
    frame = touches(parse(FIX / "2026-04/messages.csv", config=config, rep="mara"))
    assert frame["rep_id"].unique().to_list() == ["mara"]
    assert frame["direction"].to_list() == ["outbound", "inbound", "outbound", "inbound", "inbound"]


def test_ambiguous_owner_asks_for_rep():
    with pytest.raises(ImportError_, match=r"messages\.csv: cannot tell whose LinkedIn archive.*--rep"):
        parse(FIX / "bad/messages.csv")
    with pytest.raises(ImportError_, match="--rep"):
        parse(FIX / "excel/Connections.csv")


# ---------------------------------------------------------------- bad input


def test_bad_rows_are_quarantined_with_their_line():
    parsed = parse(FIX / "bad/messages.csv", config=LENA_CONFIG, rep="lena")
    assert [(q.line, q.reason.split(":")[0], q.column) for q in parsed.quarantined] == [
        (3, "messages.csv", None),
        (4, "messages.csv", "DATE"),
    ]
    assert "too many columns" in parsed.quarantined[0].reason
    assert "Hallo Jonas, gerne" in parsed.quarantined[0].raw
    assert parsed.quarantined[1].reason == "messages.csv: DATE: missing or not a date"
    assert touches(parsed).select("source_row", "direction").rows() == [(2, "inbound"), (5, "outbound")]
    assert parsed.rows_read == 4


def test_missing_required_columns_are_listed():
    with pytest.raises(ImportError_, match=r"missing_columns/messages\.csv: missing columns DATE, CONTENT"):
        parse(FIX / "missing_columns")


def test_not_linkedin_at_all(tmp_path):
    empty = tmp_path / "Basic_LinkedInDataExport_01-01-2025.zip"
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("Profile.csv", "First Name,Last Name\nA,B\n")
    with pytest.raises(ImportError_, match=r"no messages\.csv, Connections\.csv or Invitations\.csv"):
        parse(empty)


# ---------------------------------------------------------------- zips and overlapping archives


@pytest.mark.parametrize("inside", [None, "Basic_LinkedInDataExport_12-20-2024"])
def test_zip_root_or_folder_reads_like_the_folder(tmp_path, lena, inside):
    archive = zip_folder(
        FIX / "2024-12", tmp_path / "Basic_LinkedInDataExport_12-20-2024.zip", inside, junk=True
    )
    parsed = parse(archive, config=LENA_CONFIG)
    zipped, unpacked = touches(parsed), touches(lena)
    assert zipped.drop("source_file").equals(unpacked.drop("source_file"))
    prefix = f"Basic_LinkedInDataExport_12-20-2024.zip!{inside + '/' if inside else ''}"
    assert sorted(zipped["source_file"].unique()) == [
        f"{prefix}{name}"
        for name in ("Connections.csv", "Invitations.csv", "coach_messages.csv", "messages.csv")
    ]


def test_march_and_april_archives_share_ids(tmp_path):
    march = zip_folder(FIX / "archive_03-01-2025", tmp_path / "Basic_LinkedInDataExport_03-01-2025.zip")
    april = zip_folder(
        FIX / "archive_04-01-2025",
        tmp_path / "Basic_LinkedInDataExport_04-01-2025.zip",
        "Basic_LinkedInDataExport_04-01-2025",
    )
    first, second = conformed(parse(march)), conformed(parse(april))
    for table, new in (("touches", 4), ("contact_records", 1)):
        old_ids = first[table].select("source", "source_id")
        new_ids = second[table].select("source", "source_id")
        assert old_ids.join(new_ids, on=["source", "source_id"], how="anti").height == 0
        assert new_ids.join(old_ids, on=["source", "source_id"], how="anti").height == new


def test_loading_overlapping_archives_twice_changes_nothing(con, tmp_path):
    store = pytest.importorskip("socialsell.store")
    config = Config()
    march, april = FIX / "archive_03-01-2025", FIX / "archive_04-01-2025"
    first = store.load(con, parse(march), march, config)
    second = store.load(con, parse(april), april, config)
    again = store.load(con, parse(april), april, config)
    # Counted in the main table (touches); connections also become contact records (2, then 1 new).
    assert (first.rows_loaded, second.rows_loaded, again.rows_loaded) == (9, 4, 0)
    assert (second.rows_read, second.rows_duplicate, again.rows_duplicate) == (13, 9, 13)
    assert con.execute("SELECT count(*) FROM touches").fetchall()[0][0] == 13
    assert con.execute("SELECT count(*) FROM contact_records").fetchall()[0][0] == 3


def test_progress_is_reported():
    seen = []
    parse(FIX / "2022", progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (1, 1) and seen[0] == (1, 5)


def test_unpacked_zip_with_its_wrapper_folder_imports(tmp_path):
    folder = tmp_path / "export"
    shutil.copytree(FIX / "2022", folder / "Complete_LinkedInDataExport_09-12-2022")
    (folder / ".DS_Store").write_bytes(b"\x00")
    assert linkedin.matches(folder)
    assert touches(parse(folder)).height == 9


def test_rep_override_by_identity_known_to_the_config():
    config = Config.from_dict(
        {
            "reps": {
                "mj": {
                    "name": "M. J.",
                    "emails": ["mara@kranich.de"],
                    "linkedin": ["linkedin.com/in/marajansen"],
                }
            }
        }
    )
    parsed = parse(FIX / "2026-04/messages.csv", config=config, rep="mara@kranich.de")
    assert parsed.rep_id == "mj" and "reps" not in parsed.tables


def test_a_folder_of_mixed_exports_is_not_one_archive(tmp_path):
    shutil.copytree(FIX / "2022", tmp_path / "linkedin")
    (tmp_path / "calls.csv").write_text("Date,From,To\n")
    assert not linkedin.matches(tmp_path)
    assert linkedin.matches(tmp_path / "linkedin")
