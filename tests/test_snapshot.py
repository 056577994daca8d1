"""Published snapshots: publish, the CURRENT pointer, clean-up, the reader's switch and its retry."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
import pytest

from socialsell import importer, serve, snapshot, store
from socialsell.dashboards import panels

SNAPSHOT_NAME = re.compile(r"^\d{8}T\d{12}Z-[0-9a-f]{8}\.duckdb$")


@pytest.fixture
def db(tmp_path) -> Path:
    """A migrated database file with one table of 10 numbers."""
    path = tmp_path / "team.duckdb"
    with store.connect(path) as con:
        con.execute("CREATE TABLE numbers AS SELECT range AS n FROM range(10)")
    return path


def _add(db: Path, rows: int, *, publish: bool = True) -> None:
    with store.connect(db) as con:
        con.execute(f"INSERT INTO numbers SELECT range FROM range({rows})")
        if publish:
            snapshot.republish(con)


def _publish(db: Path) -> Path:
    with store.connect(db) as con:
        return snapshot.publish(con, db)


def _count(con) -> int:
    return con.execute("SELECT count(*) FROM numbers").fetchall()[0][0]


def _snapshots(db: Path) -> list[str]:
    return sorted(p.name for p in snapshot.snapshot_dir(db).iterdir() if p.name != snapshot.POINTER)


def test_publish_copies_the_database_and_points_current_at_it(db):
    published = _publish(db)
    folder = db.parent / "team.published"
    assert published.parent == folder and SNAPSHOT_NAME.match(published.name)
    assert (folder / "CURRENT").read_text() == published.name + "\n"
    assert snapshot.current(db) == published
    with duckdb.connect(str(published), read_only=True) as copy:
        assert _count(copy) == 10
    assert snapshot.is_published(db)


def test_writes_republish_only_a_published_database(db, tmp_path):
    _add(db, 5)
    assert not snapshot.snapshot_dir(db).exists()  # never served: never copied
    with store.connect(":memory:") as memory:
        assert snapshot.republish(memory) is None
    first = _publish(db)
    _add(db, 5)
    assert snapshot.current(db) != first
    with duckdb.connect(str(snapshot.current(db)), read_only=True) as copy:
        assert _count(copy) == 20


def test_every_publish_gets_a_new_name_and_only_current_and_previous_stay(db):
    names = [_publish(db).name for _ in range(5)]
    assert len(set(names)) == 5
    assert _snapshots(db) == sorted(names[-2:])
    assert snapshot.current(db).name == names[-1]


def test_leftovers_of_an_interrupted_publish_are_removed(db):
    _publish(db)
    leftover = snapshot.snapshot_dir(db) / ".tmp-20260101T000000000000Z-deadbeef.duckdb"
    leftover.write_bytes(b"half a copy")
    _publish(db)
    assert not leftover.exists()


def test_a_failed_copy_leaves_the_current_snapshot_and_says_so(db, monkeypatch):
    before = _publish(db)

    def full_disk(*_):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(shutil, "copyfile", full_disk)
    with pytest.raises(store.StoreError, match=r"snapshot failed.*No space left"):
        _publish(db)
    assert snapshot.current(db) == before
    assert _snapshots(db) == [before.name]


def test_is_stale_until_the_latest_write_is_published(db):
    assert snapshot.is_stale(db)  # no snapshot yet
    _publish(db)
    assert not snapshot.is_stale(db)
    _add(db, 1, publish=False)
    assert snapshot.is_stale(db)
    _publish(db)
    assert not snapshot.is_stale(db)


def test_the_reader_reads_the_database_itself_until_it_is_published(db):
    with panels.open_store(str(db)) as con:
        assert con.snapshot is None and _count(con) == 10
    _publish(db)
    with panels.open_store(str(db)) as con:
        assert con.snapshot == snapshot.current(db)
        assert _count(con) == 10


def test_the_reader_switches_on_refresh_only(db):
    _publish(db)
    con = panels.open_store(str(db))
    _add(db, 5)  # another process in real life; the reader holds no lock on the database
    assert _count(con) == 10  # no switch in the middle of an update
    assert not con.refresh()  # looked less than a second ago
    assert con.refresh(force=True)
    assert _count(con) == 15
    assert not con.refresh(force=True)  # nothing newer
    con.close()


def test_refresh_at_most_once_per_interval(db, monkeypatch):
    _publish(db)
    con = snapshot.Reader(db, min_interval=0)
    _add(db, 1)
    assert snapshot.refresh(con) and _count(con) == 11
    assert snapshot.refresh(duckdb.connect()) is False  # a plain connection: nothing to do
    con.close()


def test_reopen_opens_the_current_snapshot(db):
    con = snapshot.Reader(db, min_interval=0)
    assert con.snapshot is None
    con.close()  # in one process DuckDB opens a file one way at a time
    _publish(db)
    con.reopen()
    assert con.snapshot == snapshot.current(db)
    con.close()


def test_the_reader_behaves_as_a_duckdb_connection(db):
    _publish(db)
    with panels.open_store(str(db)) as con:
        assert con.sql("SELECT max(n) AS top FROM numbers").pl()["top"].to_list() == [9]
        assert con.execute("SELECT ? + 1", [1]).fetchall() == [(2,)]
        con.register("extra", duckdb.sql("SELECT 7 AS n").arrow())
        assert con.sql("SELECT n FROM extra").fetchall() == [(7,)]
        con.unregister("extra")
        with pytest.raises(duckdb.Error):
            con.execute("INSERT INTO numbers VALUES (1)")  # read-only
    with pytest.raises(duckdb.ConnectionException):
        con.execute("SELECT 1")


def test_the_reader_retries_when_the_snapshot_vanished_before_it_opened(db, monkeypatch):
    published = _publish(db)
    real = snapshot.current
    answers = [published.parent / "20260101T000000000000Z-00000000.duckdb"]  # removed meanwhile

    def racing(path):
        return answers.pop() if answers else real(path)

    monkeypatch.setattr(snapshot, "current", racing)
    con = snapshot.Reader(db)
    assert con.snapshot == published and _count(con) == 10
    con.close()


def test_an_unreadable_current_snapshot_is_an_error_not_a_loop(db):
    published = _publish(db)
    published.write_bytes(b"not a database")
    with pytest.raises(store.StoreError):
        snapshot.Reader(db)


def test_a_failed_switch_keeps_the_snapshot_in_hand(db, monkeypatch):
    _publish(db)
    con = snapshot.Reader(db, min_interval=0)
    _add(db, 5)
    snapshot.current(db).write_bytes(b"broken")
    assert not con.refresh()
    assert _count(con) == 10
    con.close()


def test_an_import_into_a_published_database_republishes(tmp_path, fixtures):
    db = tmp_path / "team.duckdb"
    calls = sorted((fixtures / "calls" / "hubspot").glob("*.csv"))[:1]
    importer.import_paths(calls, db=db)
    assert not snapshot.snapshot_dir(db).exists()
    first = _publish(db)
    reader = snapshot.Reader(db, min_interval=0)
    touches = reader.execute("SELECT count(*) FROM touches").fetchall()[0][0]
    importer.import_paths(sorted((fixtures / "calls" / "hubspot").glob("*.csv"))[1:], db=db)
    assert snapshot.current(db) != first
    assert reader.refresh()
    assert reader.execute("SELECT count(*) FROM touches").fetchall()[0][0] > touches
    reader.close()


def test_a_decision_writes_to_the_database_and_republishes(db, monkeypatch):
    from socialsell.dashboards.playbook_decisions import InferredMeetings

    monkeypatch.delenv("SOCIALSELL_READ_ONLY", raising=False)
    with store.connect(db) as con:
        con.execute("INSERT INTO meeting_decisions VALUES ('c1', 'confirmed', now(), NULL, NULL, NULL, NULL)")
    first = _publish(db)
    reader = panels.open_store(str(db))
    decisions = InferredMeetings(reader)
    decisions._write(str(first), "c1", "undecided")  # the path as the snapshot reports it
    assert decisions.con is reader and reader.snapshot not in (None, first)
    assert reader.execute("SELECT count(*) FROM meeting_decisions").fetchall() == [(0,)]
    reader.close()
    with duckdb.connect(str(db), read_only=True) as main:
        assert main.execute("SELECT count(*) FROM meeting_decisions").fetchall() == [(0,)]


class _Console:
    def __init__(self) -> None:
        self.printed: list[str] = []

    def print(self, text: str) -> None:
        self.printed.append(text)


def test_serve_publishes_a_new_or_changed_database_only(db):
    console = _Console()
    serve._publish(db, console)
    first = snapshot.current(db)
    assert first is not None
    serve._publish(db, console)
    assert snapshot.current(db) == first  # unchanged: no new copy
    _add(db, 1, publish=False)
    serve._publish(db, console)
    assert snapshot.current(db) != first


def test_serve_while_an_import_holds_the_database(db, monkeypatch):
    def locked(*_, **__):
        raise store.StoreError(f"{db}: cannot open (Could not set lock on file)")

    monkeypatch.setattr(store, "connect", locked)
    with pytest.raises(serve.ServeError, match="lock"):
        serve._publish(db, _Console())
    monkeypatch.undo()
    _publish(db)
    _add(db, 1, publish=False)
    monkeypatch.setattr(store, "connect", locked)
    console = _Console()
    serve._publish(db, console)  # the last snapshot is served; the import republishes when done
    assert "last published snapshot" in console.printed[0]
