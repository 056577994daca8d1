"""`socialsell forget` and `socialsell prune`: erasure everywhere, tombstones, retention."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from privacy_exports import CONFIG, ERIKA, MAX, write_exports
from typer.testing import CliRunner

from socialsell import erasure, store
from socialsell.cli import app
from socialsell.cli_privacy import retention_cutoff
from socialsell.importer import import_paths

runner = CliRunner()


@pytest.fixture
def db(tmp_path) -> Path:
    path = tmp_path / "s.duckdb"
    import_paths(write_exports(tmp_path / "exports"), db=path, config=CONFIG)
    return path


def _reimport(tmp_path: Path, db: Path, **options) -> dict[str, store.ImportSummary]:
    files = write_exports(tmp_path / "exports")
    return {Path(s.file).name: s for s in import_paths(files, db=db, config=CONFIG, **options)}


def _counts(db: Path) -> dict[str, int]:
    with store.connect(db, read_only=True) as con:
        return {
            t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]
            for t in ("touches", "meetings", "contact_records", "quarantine", "contacts", "meetings_unique")
        }


def _mentions(db: Path, text: str) -> int:
    """Rows of any table with `text` in a VARCHAR column (lower case)."""
    with store.connect(db, read_only=True) as con:
        columns = con.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE data_type IN ('VARCHAR', 'VARCHAR[]') AND table_schema = 'main'"
        ).fetchall()
        return sum(
            con.execute(
                f'SELECT count(*) FROM "{t}" WHERE contains(lower("{c}"::VARCHAR), ?)', [text]
            ).fetchall()[0][0]
            for t, c in columns
        )


def test_forget_erases_a_person_everywhere(db):
    before = _counts(db)
    assert before["touches"] == 3 and before["quarantine"] == 1 and before["contacts"] == 2
    result = runner.invoke(app, ["forget", "--db", str(db), "--contact", "Max.Mustermann@Kunde.example"])
    assert result.exit_code == 0, result.output
    after = _counts(db)
    # His two calls, his CRM record, the meeting he had alone and the quarantined call row are gone;
    # the meeting he had with Erika stays hers.
    assert after == {
        "touches": 1,
        "meetings": 1,
        "contact_records": 1,
        "quarantine": 0,
        "contacts": 1,
        "meetings_unique": 1,
    }
    for value in (MAX["email"], "mustermann", "max-mustermann-kunde", "555123"):
        assert _mentions(db, value) == 0, value
    assert b"mustermann" not in db.read_bytes().lower()  # rewritten: no deleted values left in the file
    with store.connect(db, read_only=True) as con:
        assert con.execute("SELECT contact_key, attendee_keys, title FROM meetings").fetchall() == [
            (f"mail:{ERIKA['email']}", [f"mail:{ERIKA['email']}"], None)
        ]
        log = con.execute(
            "SELECT kind, identities, touches, meetings, contact_records, quarantine FROM erasures"
        )
        assert log.fetchall() == [("forget", 4, 2, 1, 1, 1)]
        assert all(
            h.startswith("~") for (h,) in con.execute("SELECT identity_hash FROM tombstones").fetchall()
        )
    assert "Erased: 4 identities" in result.output


def test_a_reimport_does_not_bring_an_erased_person_back(db, tmp_path):
    runner.invoke(app, ["forget", "--db", str(db), "--contact", "040 555123"], catch_exceptions=False)
    summaries = _reimport(tmp_path, db)
    assert _counts(db)["touches"] == 1 and _mentions(db, "mustermann") == 0
    calls = summaries["hubspot-calls.csv"]
    assert (calls.rows_loaded, calls.rows_duplicate, calls.rows_skipped) == (0, 1, 2)
    assert calls.notes == "rows of erased people: 2"
    assert summaries["hubspot-contacts.csv"].notes == "rows of erased people: 1"
    assert summaries["jonas.ics"].notes == "rows of erased people: 1"
    # The quarantined line would name him: with tombstones, bad rows keep no raw text.
    with store.connect(db, read_only=True) as con:
        assert con.execute("SELECT count(*), count(raw) FROM quarantine").fetchall() == [(1, 0)]


def test_forget_in_a_pseudonymised_database(tmp_path):
    db = tmp_path / "p.duckdb"
    import_paths(write_exports(tmp_path / "exports"), db=db, config=CONFIG, pseudonymise=True)
    result = runner.invoke(app, ["forget", "--db", str(db), "--contact", MAX["linkedin"] + "?trk=x"])
    assert result.exit_code == 0, result.output
    assert _counts(db)["contacts"] == 1
    summaries = _reimport(tmp_path, db)
    assert summaries["hubspot-calls.csv"].rows_skipped == 2
    assert _counts(db)["touches"] == 1


def test_dry_run_changes_nothing(db):
    before, data = _counts(db), db.read_bytes()
    result = runner.invoke(app, ["forget", "--db", str(db), "--contact", MAX["email"], "--dry-run"])
    assert result.exit_code == 0 and "Would erase: 4 identities" in result.output
    assert _counts(db) == before
    with store.connect(db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM tombstones").fetchall() == [(0,)]
    assert len(db.read_bytes()) == len(data)


def test_rows_with_only_his_name_are_reported_and_erased_by_name(db, tmp_path):
    # A call logged with his name but neither phone nor e-mail.
    extra = tmp_path / "extra.csv"
    header = (tmp_path / "exports" / "hubspot-calls.csv").read_text().splitlines()[0]
    extra.write_text(
        header
        + "\n800009,Call,2026-03-12 10:00,Jonas Weber,OUTBOUND,Connected,Completed,1000,,,Max Mustermann,\n"
    )
    import_paths([extra], db=db, config=CONFIG)
    with store.connect(db) as con:
        kept = erasure.forget(con, [MAX["email"]])
    assert kept.name_matches_kept == 1 and _mentions(db, "mustermann") == 1
    with store.connect(db) as con:
        gone = erasure.forget(con, names=["max  MUSTERMANN"])
    assert gone.removed["touches"] == 1 and _mentions(db, "mustermann") == 0


def test_forget_refuses_what_it_cannot_read(db):
    result = runner.invoke(app, ["forget", "--db", str(db), "--contact", "Max"])
    assert result.exit_code == 1
    assert "'Max': not an e-mail address, phone number, LinkedIn profile URL or contact id" in result.output


def test_someone_never_imported_is_tombstoned_too(db, tmp_path):
    with store.connect(db) as con:
        done = erasure.forget(con, ["new.person@example.com"])
    assert done.identities == 1 and sum(done.removed.values()) == 0
    with store.connect(db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM tombstones").fetchall() == [(1,)]


def test_prune_deletes_what_is_older_and_keeps_it_out(db, tmp_path):
    result = runner.invoke(app, ["prune", "--db", str(db), "--older-than", "2026-03-01", "--dry-run"])
    assert result.exit_code == 0 and "Would delete: everything before 2026-03-01" in result.output
    assert _counts(db)["touches"] == 3
    result = runner.invoke(app, ["prune", "--db", str(db), "--older-than", "2026-03-01"])
    assert result.exit_code == 0, result.output
    with store.connect(db, read_only=True) as con:
        assert con.execute("SELECT min(occurred_at)::DATE FROM touches").fetchall() == [(date(2026, 3, 10),)]
        assert con.execute("SELECT count(*) FROM meetings").fetchall() == [(1,)]
        assert con.execute("SELECT kind, older_than, touches, meetings FROM erasures").fetchall() == [
            ("prune", date(2026, 3, 1), 1, 1)
        ]
    summaries = _reimport(tmp_path, db)
    assert summaries["hubspot-calls.csv"].notes == "older than 2026-03-01 (pruned): 1"
    assert summaries["jonas.ics"].notes == "older than 2026-03-01 (pruned): 1"
    assert _counts(db)["touches"] == 2


@pytest.mark.parametrize(
    ("text", "cutoff"),
    [
        ("24m", date(2024, 11, 23)),
        ("2y", date(2024, 11, 23)),
        ("90d", date(2026, 8, 25)),
        ("2025-01-31", date(2025, 1, 31)),
    ],
)
def test_retention_periods(text, cutoff):
    assert retention_cutoff(text, today=date(2026, 11, 23)) == cutoff


@pytest.mark.parametrize("text", ["0m", "soon", "24 weeks"])
def test_retention_periods_that_are_none(text):
    with pytest.raises(ValueError, match="--older-than"):
        retention_cutoff(text, today=date(2026, 11, 23))


def test_forget_leaves_no_snapshot_holding_the_person(db):
    from socialsell import snapshot

    with store.connect(db) as con:
        snapshot.publish(con, db)
        snapshot.publish(con, db)  # a current and a previous snapshot, both with him
    result = runner.invoke(app, ["forget", "--db", str(db), "--contact", MAX["email"]])
    assert result.exit_code == 0, result.output
    snapshots = sorted(snapshot.snapshot_dir(db).glob("*.duckdb"))
    assert snapshots == [snapshot.current(db)]
    assert b"mustermann" not in snapshots[0].read_bytes().lower()
    with snapshot.open_reader(db) as reader:
        assert reader.execute("SELECT count(*) FROM touches").fetchall() == [(1,)]
