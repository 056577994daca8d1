"""The store: migrations, one transaction per import, idempotent loads, quarantine."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from socialsell import store
from socialsell.config import Config
from socialsell.schema import SchemaError
from socialsell.sources import Parsed, Quarantined


def _touches(n: int = 3) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "rep_id": ["anna"] * n,
            "channel": ["phone"] * n,
            "kind": ["call"] * n,
            "direction": ["outbound"] * n,
            "occurred_at": [datetime(2026, 3, 29, 0, 30 + i, tzinfo=UTC) for i in range(n)],
            "outcome": ["no_answer"] * n,
            "contact_key": [f"tel:+4940555000{i}" for i in range(n)],
            "contact_phone": [f"+4940555000{i}" for i in range(n)],
            "source": ["calls.test"] * n,
            "source_id": [f"id-{i}" for i in range(n)],
            "source_file": ["calls.csv"] * n,
            "source_row": list(range(2, n + 2)),
        }
    )


def _parsed(frame: pl.DataFrame, quarantined=()) -> Parsed:
    reps = pl.DataFrame(
        {"rep_id": ["anna"], "display_name": ["Anna"], "team": [None], "from_config": [False]}
    )
    return Parsed(
        "calls.test", {"touches": frame, "reps": reps}, len(frame) + len(quarantined), list(quarantined)
    )


def _file(tmp_path: Path) -> Path:
    path = tmp_path / "calls.csv"
    path.write_text("x\n")
    return path


def test_migrations_are_recorded_once(tmp_path):
    db = tmp_path / "s.duckdb"
    store.connect(db).close()
    con = store.connect(db)
    assert con.execute("SELECT version, name FROM schema_migrations ORDER BY version").fetchall() == [
        (version, name) for version, name, _ in store.MIGRATIONS
    ]
    assert store.MIGRATIONS[0][:2] == (1, "canonical tables, derived identity and meeting tables")
    con.close()


def test_read_only_open_of_missing_db_fails_clearly(tmp_path):
    with pytest.raises(store.StoreError, match="no database yet"):
        store.connect(tmp_path / "missing.duckdb", read_only=True)


def test_load_twice_changes_nothing(con, tmp_path):
    file = _file(tmp_path)
    first = store.load(con, _parsed(_touches()), file, Config())
    before = con.sql("SELECT * EXCLUDE (import_id) FROM touches ORDER BY source_id").fetchall()
    second = store.load(con, _parsed(_touches()), file, Config())
    after = con.sql("SELECT * EXCLUDE (import_id) FROM touches ORDER BY source_id").fetchall()
    assert (first.rows_loaded, first.rows_duplicate) == (3, 0)
    assert (second.rows_loaded, second.rows_duplicate) == (0, 3)
    assert before == after
    assert con.execute("SELECT count(*) FROM imports").fetchone()[0] == 2


def test_local_day_week_and_hour_use_the_team_time_zone(con, tmp_path):
    store.load(con, _parsed(_touches(1)), _file(tmp_path), Config(time_zone="Europe/Berlin"))
    # 2026-03-29 (a Sunday) 00:30 UTC is 01:30 CET, half an hour before the switch to summer time.
    assert con.execute(
        "SELECT local_day::VARCHAR, local_week::VARCHAR, local_hour FROM touches"
    ).fetchone() == (
        "2026-03-29",
        "2026-03-23",
        1,
    )


def test_overlapping_loads_count_only_new_rows(con, tmp_path):
    store.load(con, _parsed(_touches(2)), _file(tmp_path), Config())
    summary = store.load(con, _parsed(_touches(3)), _file(tmp_path), Config())
    assert (summary.rows_loaded, summary.rows_duplicate) == (1, 2)
    assert con.execute("SELECT count(*) FROM touches").fetchone()[0] == 3


def test_a_failing_load_leaves_the_database_unchanged(con, tmp_path):
    store.load(con, _parsed(_touches(2)), _file(tmp_path), Config())
    bad = _touches(3).with_columns(outcome=pl.lit("maybe"))
    with pytest.raises(SchemaError, match="outcome"):
        store.load(con, _parsed(bad), _file(tmp_path), Config())
    assert con.execute("SELECT count(*) FROM touches").fetchone()[0] == 2
    assert con.execute("SELECT count(*) FROM imports").fetchone()[0] == 1


def test_quarantined_rows_are_stored_once_with_line_and_reason(con, tmp_path):
    q = [
        Quarantined(
            line=7,
            reason="Activity date: '31.02.2026' is not a date",
            raw="x;31.02.2026",
            column="Activity date",
        )
    ]
    store.load(con, _parsed(_touches(1), q), _file(tmp_path), Config())
    store.load(con, _parsed(_touches(1), q), _file(tmp_path), Config())
    assert con.execute("SELECT line, column_name, reason, raw FROM quarantine").fetchall() == [
        (7, "Activity date", "Activity date: '31.02.2026' is not a date", "x;31.02.2026")
    ]


def test_unknown_owner_becomes_a_rep_and_config_reps_win(con, tmp_path):
    config = Config.from_dict(
        {"reps": {"anna": {"name": "Anna Becker", "team": "Nord", "names": ["Anna B."]}}}
    )
    store.load(con, _parsed(_touches(1)), _file(tmp_path), config)
    assert con.execute("SELECT rep_id, display_name, team, from_config FROM reps").fetchall() == [
        ("anna", "Anna Becker", "Nord", True)
    ]
