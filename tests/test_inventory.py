"""The data inventory: complete against the schema, written by `socialsell inventory`."""

from __future__ import annotations

from datetime import date

import pytest
from typer.testing import CliRunner

from socialsell import personal_data, privacy, store
from socialsell.cli import app
from socialsell.config import Config
from socialsell.inventory import columns, inventory_markdown, table_doc
from socialsell.sources import sources

runner = CliRunner()


def test_every_stored_column_is_classified_as_personal_or_not():
    missing = personal_data.unclassified([(t, c) for t, c, _ in columns()])
    assert not missing, (
        f"classify {missing} in socialsell/personal_data.py (BY_NAME, BY_COLUMN): personal data "
        "(whose, category) or not personal (and why)"
    )


def test_a_new_column_is_caught_until_someone_classifies_it():
    assert personal_data.unclassified([("touches", "caller_mood"), ("touches", "rep_id")]) == [
        "touches.caller_mood"
    ]


def test_columns_cover_canonical_and_derived_tables():
    tables = {t for t, _, _ in columns()}
    assert {"touches", "contacts", "touch_facts", "meeting_decisions", "schema_migrations"} <= tables
    assert all(table_doc(t) for t in tables), [t for t in tables if not table_doc(t)]


def test_categories_and_sources_are_described():
    fields = [personal_data.classify(t, c) for t, c, _ in columns()]
    used = {f.category for f in fields if f.personal}
    assert used <= set(personal_data.CATEGORIES)
    assert {f.whose for f in fields if f.personal} == {"prospect", "rep", "rep and prospect"}
    assert set(sources()) == set(personal_data.SOURCE_DATA)


def test_the_personal_columns_one_expects_are_personal():
    expect = {
        ("touches", "contact_phone"): "prospect",
        ("touches", "message_text"): "rep and prospect",
        ("contact_records", "email"): "prospect",
        ("reps", "display_name"): "rep",
        ("contacts", "display_name"): "prospect",
        ("rep_identities", "value"): "rep",
        ("quarantine", "raw"): "rep and prospect",
        ("activity_rollup", "talk_s"): "rep and prospect",
    }
    assert {k: personal_data.classify(*k).whose for k in expect} == expect
    assert not personal_data.classify("schema_migrations", "name").personal
    assert not personal_data.classify("rep_identities", "kind").personal


def _database(tmp_path):
    path = tmp_path / "s.duckdb"
    con = store.connect(path)
    con.execute("INSERT INTO reps VALUES ('anna-becker', 'Anna Becker', 'Nord', true)")
    for n, day in enumerate(["2023-01-10", "2026-05-01", "2026-06-01"]):
        con.execute(
            "INSERT INTO touches (rep_id, channel, kind, local_day, message_text, source, source_id, "
            "import_id, source_file) VALUES ('anna-becker', 'linkedin', 'message', ?, ?, 'linkedin', ?, "
            "'i', 'messages.csv')",
            [day, "Hallo!" if n else None, str(n)],
        )
    con.close()
    return path


def test_the_document_lists_every_personal_column_views_legal_notes_and_the_database(tmp_path):
    config = Config.from_dict(
        {
            "reps": {"anna-becker": {"name": "Anna Becker"}},
            "privacy": {"k_min_group": 4, "leaderboard_opt_in": ["anna-becker"], "retention_months": 18},
        }
    )
    text = inventory_markdown(config, _database(tmp_path), today=date(2026, 7, 1))
    for table, column, _ in columns():
        if personal_data.classify(table, column).personal:
            assert f"### `{table}`" in text and f"| `{column}` |" in text
        else:
            assert f"`{table}.{column}`" in text
    for view in privacy.VIEWS:
        assert f"| {view} |" in text
    for needle in (
        "BetrVG §87(1) Nr. 6",
        "Art. 17",
        "UWG §7",
        "**18 months**",
        "fewer than 4 reps",
        "`anna-becker`",
        "`2_coach.ipynb`",
        "| `touches` | 3 |",
        "Message bodies stored: 2.",
        "(before 2025-01-01): 1 touches",
    ):
        assert needle in text, needle


def test_without_a_database_the_document_says_so(tmp_path):
    text = inventory_markdown(Config(), tmp_path / "none.duckdb")
    assert f"No database at `{tmp_path / 'none.duckdb'}` yet." in text


def test_an_unclassified_column_stops_the_document(monkeypatch):
    monkeypatch.delitem(personal_data.BY_NAME, "contact_phone")
    with pytest.raises(ValueError, match=r"not classified in personal_data\.py: touches\.contact_phone"):
        inventory_markdown(Config())


def test_cli_writes_the_inventory_file(tmp_path):
    config = tmp_path / "socialsell.toml"
    config.write_text("[privacy]\nretention_months = 6\n")
    out = tmp_path / "inventory.md"
    args = ["inventory", "--output", str(out), "--db", str(_database(tmp_path)), "--config", str(config)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "Wrote the data inventory" in result.output
    text = out.read_text()
    assert text.startswith("# socialsell data inventory") and "**6 months**" in text
    printed = runner.invoke(app, ["inventory", "--db", str(tmp_path / "s.duckdb"), "--config", str(config)])
    assert printed.exit_code == 0 and printed.output.startswith("# socialsell data inventory")


def test_cli_refuses_a_bad_privacy_table_in_one_line(tmp_path):
    config = tmp_path / "socialsell.toml"
    config.write_text("[privacy]\nk_min_group = 1\n")
    result = runner.invoke(app, ["inventory", "--config", str(config), "--db", str(tmp_path / "x.duckdb")])
    assert result.exit_code == 1
    assert "k_min_group = 1 must be a whole number of reps" in " ".join(result.output.split())
