"""Published snapshots: dashboards read a copy of the database that imports swap in atomically.

DuckDB lets one process write a file or many read it, never both. Once a database is published
(`<db_dir>/<db_stem>.published/` exists, created by `socialsell serve`), every write that ends
well republishes: CHECKPOINT, copy the file to a new, never reused name in that folder, then point
the `CURRENT` file at it with one rename. Dashboards hold a `Reader` on the snapshot `CURRENT`
names, so an import never waits for them, and they move to a newer snapshot between updates.
Databases that are never served are never copied.
"""

from __future__ import annotations

import os
import secrets
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from socialsell import store

__all__ = [
    "POINTER",
    "Reader",
    "current",
    "database_path",
    "is_published",
    "is_stale",
    "open_reader",
    "publish",
    "refresh",
    "republish",
    "snapshot_dir",
]

POINTER = "CURRENT"
_SUFFIX = ".duckdb"
_TEMP = ".tmp-"
_OPEN_ATTEMPTS = 5  # a snapshot removed between reading CURRENT and opening it: read CURRENT again


def snapshot_dir(db_path: str | Path) -> Path:
    """The folder holding `db_path`'s snapshots: `<db_dir>/<db_stem>.published`."""
    db_path = Path(db_path)
    return db_path.parent / f"{db_path.stem}.published"


def is_published(db_path: str | Path) -> bool:
    """Whether the database has a snapshot folder, so that its writes must republish."""
    return snapshot_dir(db_path).is_dir()


def current(db_path: str | Path) -> Path | None:
    """The snapshot `CURRENT` names, or None when there is none (yet)."""
    folder = snapshot_dir(db_path)
    try:
        name = (folder / POINTER).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    if not name or "/" in name or name.startswith("."):
        return None
    return folder / name


def database_path(con: duckdb.DuckDBPyConnection) -> Path | None:
    """The file of the connection's current database, or None in memory."""
    path = store.file_of(con)
    return None if path == ":memory:" else Path(path)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_pointer(folder: Path, name: str) -> None:
    temp = folder / f"{_TEMP}{secrets.token_hex(4)}-{POINTER}"
    with open(temp, "w", encoding="utf-8") as fh:
        fh.write(name + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(temp, folder / POINTER)
    _fsync(folder)  # the rename itself survives a crash


def publish(con: duckdb.DuckDBPyConnection, db_path: str | Path, *, keep_previous: bool = True) -> Path:
    """Make the committed state of `db_path` (open as `con`, for writing) the dashboards' snapshot.

    Checkpoints, removes the snapshots before the current one, copies the file to
    `<UTC stamp>-<hex>.duckdb` in the snapshot folder (through a temporary name, fsynced) and points
    `CURRENT` at it atomically: the current and the previous snapshot remain, never more than two.
    Names are never reused: DuckDB caches an open database per path in a process. After an erasure
    (`keep_previous=False`) the previous snapshot goes too, since it still holds the erased rows.

    Returns:
        The new snapshot.

    Raises:
        StoreError: the copy or the pointer could not be written (the database itself is intact).
    """
    db_path = Path(db_path)
    folder = snapshot_dir(db_path)
    name = f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{secrets.token_hex(4)}{_SUFFIX}"
    temp = folder / f"{_TEMP}{name}"
    con.execute("CHECKPOINT")  # everything committed is in the file, the WAL is empty
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _remove_old(folder, current(db_path))
        shutil.copyfile(db_path, temp)
        _fsync(temp)
        os.replace(temp, folder / name)
        _write_pointer(folder, name)
        if not keep_previous:
            _remove_old(folder, folder / name)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise store.StoreError(f"{db_path}: written, but the dashboards' snapshot failed ({exc})") from exc
    return folder / name


def _remove_old(folder: Path, keep: Path | None) -> None:
    """Remove the snapshots but `keep` (the current one, about to become the previous one), and
    temporary files of interrupted publishes.

    The previous snapshot stays after a swap: a dashboard may have read `CURRENT` just before it and
    be opening that snapshot now. Older ones go: a dashboard still reading one keeps reading it (Linux
    frees the blocks when the last reader closes), and one that has not opened it yet reads `CURRENT`
    again (see `Reader`). Only the publisher, who holds the database's write lock, writes temporary
    files, so any found here are from a publish that did not finish.
    """
    for path in folder.iterdir():
        stale = path.suffix == _SUFFIX and (keep is None or path.name != keep.name)
        if stale or path.name.startswith(_TEMP):
            path.unlink(missing_ok=True)


def republish(
    con: duckdb.DuckDBPyConnection, db_path: str | Path | None = None, *, keep_previous: bool = True
) -> Path | None:
    """Publish after a write, if the database is published; otherwise do nothing (costs one stat).

    Returns:
        The new snapshot, or None for a database that is not published (or in memory).
    """
    path = Path(db_path) if db_path else database_path(con)
    if path is None or not is_published(path):
        return None
    return publish(con, path, keep_previous=keep_previous)


def is_stale(db_path: str | Path) -> bool:
    """Whether the database changed since its current snapshot (or has none).

    A snapshot is written after the checkpoint that precedes it, so a database file (or WAL)
    modified later than the snapshot holds writes the snapshot lacks.
    """
    db_path = Path(db_path)
    snapshot = current(db_path)
    if snapshot is None or not snapshot.exists():
        return True
    published = snapshot.stat().st_mtime_ns
    wal = db_path.with_name(db_path.name + ".wal")
    changed = [p.stat() for p in (db_path, wal) if p.exists()]
    return any(s.st_mtime_ns > published for s in changed if s.st_size)


class Reader:
    """A read-only connection for dashboards that follows the published snapshot.

    It opens the snapshot `CURRENT` names (the database itself when it is not published) and
    otherwise behaves as the DuckDB connection it holds (`execute`, `sql`, `register`, …).
    `refresh()` moves it to a newer snapshot; dashboards call it at the start of an update, so
    every panel of one update reads the same snapshot.
    """

    def __init__(self, db_path: str | Path, *, min_interval: float = 1.0) -> None:
        self.main_path = Path(db_path).absolute()
        self.min_interval = min_interval
        self.snapshot: Path | None = None
        self._pointer = snapshot_dir(self.main_path) / POINTER
        self._seen: tuple | None = None
        self._checked = time.monotonic()
        self._con, self.snapshot = self._connect()

    def __getattr__(self, name: str):
        con = self.__dict__.get("_con")
        if con is None:
            raise AttributeError(name)
        return getattr(con, name)

    def __enter__(self) -> Reader:
        return self

    def __exit__(self, *_) -> None:
        self.close()

    def _signature(self) -> tuple | None:
        try:
            s = os.stat(self._pointer)
        except FileNotFoundError:
            return None
        return (s.st_ino, s.st_mtime_ns, s.st_size)

    def _connect(self) -> tuple[duckdb.DuckDBPyConnection, Path | None]:
        """Open what `CURRENT` names, reading it again if that snapshot vanished meanwhile."""
        for attempt in range(_OPEN_ATTEMPTS):
            self._seen = self._signature()
            target = current(self.main_path)
            if target is None:
                return store.connect(self.main_path, read_only=True), None
            try:
                return store.connect(target, read_only=True), target
            except store.StoreError:
                if attempt == _OPEN_ATTEMPTS - 1 or (target.exists() and current(self.main_path) == target):
                    raise  # not the race: the snapshot is there and still current, yet unreadable
                time.sleep(0.01 * (attempt + 1))
        raise AssertionError("unreachable")

    def refresh(self, *, force: bool = False) -> bool:
        """Switch to a newer snapshot if one was published; returns whether it switched.

        Looks at `CURRENT` (one stat) at most once per `min_interval` seconds unless `force`.
        """
        now = time.monotonic()
        if not force and now - self._checked < self.min_interval:
            return False
        self._checked = now
        if self._signature() == self._seen:
            return False
        if current(self.main_path) in (None, self.snapshot):
            self._seen = self._signature()
            return False
        old = self._con
        try:
            self._con, self.snapshot = self._connect()
        except store.StoreError:
            self._seen = None  # keep showing the snapshot in hand; try again next time
            return False
        old.close()
        return True

    def close(self) -> None:
        """Close the connection (`reopen()` opens the current snapshot again)."""
        self._con.close()

    def reopen(self) -> Reader:
        """Open the current snapshot (or database) again after `close()`; returns self."""
        self._con, self.snapshot = self._connect()
        self._checked = time.monotonic()
        return self


def open_reader(db_path: str | Path | None = None) -> Reader:
    """A `Reader` on `db_path` (default: `$SOCIALSELL_DB`, else data/socialsell.duckdb).

    Raises:
        StoreError: no database (or snapshot) can be opened.
    """
    return Reader(store.db_path(db_path))


def refresh(con) -> bool:
    """`con.refresh()` for a `Reader`; nothing for a plain DuckDB connection (tests, notebooks)."""
    return con.refresh() if isinstance(con, Reader) else False
