"""Pseudonymised imports: keyed hashes instead of prospects' identities, and the same metrics."""

from __future__ import annotations

import hashlib
import hmac
import stat
from pathlib import Path

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal
from privacy_exports import CONFIG, ERIKA, MAX, write_exports

from socialsell import funnel, insights, metrics, pseudonyms, store
from socialsell.config import Config
from socialsell.definitions import Definitions
from socialsell.importer import import_paths


def _import(tmp_path: Path, db: str, **options) -> list[store.ImportSummary]:
    files = write_exports(tmp_path / "exports")
    return import_paths(files, db=tmp_path / db, config=CONFIG, **options)


def _all_text(con: duckdb.DuckDBPyConnection) -> str:
    """Every VARCHAR and VARCHAR[] value of every table, as one lower-case text."""
    columns = con.execute(
        """SELECT table_name, column_name FROM information_schema.columns
           WHERE data_type IN ('VARCHAR', 'VARCHAR[]') AND table_schema = 'main'"""
    ).fetchall()
    parts = [str(con.execute(f'SELECT list("{c}"::VARCHAR) FROM "{t}"').fetchall()[0][0]) for t, c in columns]
    return "\n".join(parts).lower()


@pytest.mark.parametrize("value", ["mail:anna@x.de", "tel:+4940123456", "li:in/jürgen-weiß", ""])
def test_the_sql_hash_is_hmac_sha256(value):
    key = bytes(range(32))
    expected = "~" + hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:24]
    sql = duckdb.connect().execute(f"SELECT {pseudonyms.hmac_sql(key, '?')}", [value]).fetchall()[0][0]
    assert sql == expected == pseudonyms.identity_hash(key, value)


def test_no_prospect_identity_is_stored_in_clear(tmp_path):
    _import(tmp_path, "p.duckdb", pseudonymise=True)
    con = store.connect(tmp_path / "p.duckdb", read_only=True)
    text = _all_text(con)
    for person in (MAX, ERIKA):
        for field, value in person.items():
            shown = value.lower().removeprefix("https://www.linkedin.com/")
            assert shown not in text, f"{field} {value} stored in clear"
    assert "mustermann" not in text and "555123" not in text
    # …and not hidden in the file either (e.g. in the raw line of the quarantined call).
    assert b"mustermann" not in (tmp_path / "p.duckdb").read_bytes().lower()
    assert con.execute("SELECT count(*), count(raw) FROM quarantine").fetchall() == [(1, 0)]
    assert con.execute("SELECT count(*) FROM meetings WHERE title IS NOT NULL").fetchall() == [(0,)]


def test_pseudonyms_keep_identities_linked_across_sources(tmp_path):
    _import(tmp_path, "p.duckdb", pseudonymise=True)
    con = store.connect(tmp_path / "p.duckdb", read_only=True)
    # Max: a CRM record, calls by phone, meetings by e-mail, all one contact.
    rows = con.execute(
        """SELECT c.display_name, c.email, list_sort(c.identity_kinds), c.records,
                  (SELECT count(*) FROM touch_facts t WHERE t.contact_id = c.contact_id),
                  (SELECT count(*) FROM meetings_unique m WHERE m.contact_id = c.contact_id)
           FROM contacts c ORDER BY 6 DESC"""
    ).fetchall()
    assert [r[2:] for r in rows] == [
        (["li", "mail", "name", "tel"], 1, 2, 2),
        (["mail", "name", "tel"], 1, 1, 0),
    ]
    assert all(r[0].startswith("Person ") and r[1].startswith("~") for r in rows)


def test_the_key_file_is_private_and_checked(tmp_path):
    _import(tmp_path, "p.duckdb", pseudonymise=True)
    key_file = tmp_path / "p.duckdb.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    # Importing again needs no flag (the database remembers) and stays idempotent.
    again = _import(tmp_path, "p.duckdb")
    assert [s.rows_loaded for s in again] == [0, 0, 0]
    assert [s.rows_duplicate for s in again] == [2, 3, 2]
    key_file.rename(tmp_path / "elsewhere.key")
    with pytest.raises(pseudonyms.PseudonymError, match="key file not found"):
        _import(tmp_path, "p.duckdb")
    assert _import(tmp_path, "p.duckdb", key_file=tmp_path / "elsewhere.key")[0].rows_duplicate == 2
    (tmp_path / "other.key").write_text("ab" * 32)
    with pytest.raises(pseudonyms.PseudonymError, match="not the key this database was written with"):
        _import(tmp_path, "p.duckdb", key_file=tmp_path / "other.key")


def test_clear_and_pseudonymised_data_never_mix(tmp_path):
    _import(tmp_path, "clear.duckdb")
    with pytest.raises(pseudonyms.PseudonymError, match="holds data imported in clear"):
        _import(tmp_path, "clear.duckdb", pseudonymise=True)
    with pytest.raises(pseudonyms.PseudonymError, match="message texts cannot be kept"):
        _import(tmp_path, "p.duckdb", pseudonymise=True, keep_message_text=True)
    # The refused imports changed nothing.
    assert not (tmp_path / "p.duckdb.key").exists()


def test_config_can_ask_for_pseudonyms(tmp_path):
    config = Config.from_dict({"privacy": {"pseudonymise": True, "key_file": str(tmp_path / "team.key")}})
    import_paths(write_exports(tmp_path / "exports"), db=tmp_path / "p.duckdb", config=config)
    assert (tmp_path / "team.key").exists()
    con = store.connect(tmp_path / "p.duckdb", read_only=True)
    assert con.execute("SELECT min(contact_key) FROM touches").fetchall()[0][0].startswith("tel:~")


@pytest.mark.slow
def test_a_pseudonymised_demo_gives_the_same_figures(demo_db, tmp_path):
    """The demo exports imported with pseudonyms: every rep's figures, funnels and insight rows
    equal those of the clear import (`demo_db`)."""
    exports = demo_db.parent / "exports"
    config = Config.load(exports / "socialsell.toml")
    import_paths([exports], db=tmp_path / "p.duckdb", config=config, pseudonymise=True)
    clear = store.connect(demo_db, read_only=True)
    pseudo = store.connect(tmp_path / "p.duckdb", read_only=True)
    for d in (Definitions(), Definitions(attribution_window_days=14, attribution_rule="first_touch")):
        for by in ("rep", "team", "week"):
            assert_frame_equal(
                metrics.report(pseudo, d, by=by), metrics.report(clear, d, by=by), rel_tol=1e-9
            )
        assert funnel.funnels(pseudo, d) == funnel.funnels(clear, d)
    for name in ("templates", "address", "responsiveness", "compliance", "cost", "accounts", "channel_order"):
        (a,) = insights.run(clear, Definitions(), (name,))
        (b,) = insights.run(pseudo, Definitions(), (name,))
        # Floats may differ in the last digit: DuckDB sums in parallel, in no fixed order.
        assert_frame_equal(b.frame, a.frame, rel_tol=1e-9)
        assert b.finding == a.finding, name
    assert (
        pseudo.execute("SELECT count(*) FROM contacts").fetchall()
        == clear.execute("SELECT count(*) FROM contacts").fetchall()
    )
    names = clear.execute(
        "SELECT list(display_name) FROM contacts WHERE display_name IS NOT NULL"
    ).fetchall()[0][0]
    stored = set(pl.Series(pseudo.execute("SELECT list(display_name) FROM contacts").fetchall()[0][0]))
    assert not stored & set(names)
