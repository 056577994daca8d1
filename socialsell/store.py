"""The DuckDB store: opening (and migrating, see socialsell.migrations) the database, and loading one
parsed file in one transaction, idempotently."""

from __future__ import annotations

import hashlib
import os
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from socialsell import resolve
from socialsell.config import Config
from socialsell.migrations import MIGRATIONS, check_version, migrate, transaction
from socialsell.pseudonyms import Protection
from socialsell.schema import TABLES, conform
from socialsell.sources import Parsed
from socialsell.sources.csv_scan import Staged
from socialsell.sources.tabular import sql_string

__all__ = [
    "DEFAULT_DB",
    "MIGRATIONS",
    "ImportSummary",
    "StoreError",
    "checksum",
    "compact",
    "connect",
    "db_path",
    "file_of",
    "load",
    "migrate",
    "sync_config",
    "transaction",
]

DEFAULT_DB = Path("data/socialsell.duckdb")
_FACT_TABLES = ("touches", "meetings", "contact_records")


class StoreError(RuntimeError):
    """The database cannot be used as asked (wrong version, locked, read-only)."""


def db_path(path: str | Path | None = None) -> Path:
    """`path`, else `$SOCIALSELL_DB`, else `data/socialsell.duckdb`."""
    return Path(path or os.environ.get("SOCIALSELL_DB") or DEFAULT_DB)


def connect(path: str | Path | None = None, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the database, creating and migrating it unless `read_only`.

    Raises:
        StoreError: a read-only open of a missing or unmigrated database, or a locked file.
    """
    target = db_path(path) if path != ":memory:" else ":memory:"
    if read_only and (target == ":memory:" or not Path(target).exists()):
        raise StoreError(f"{target}: no database yet; run `socialsell demo` or `socialsell import` first")
    if target != ":memory:":
        Path(target).parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(target), read_only=read_only)
    except duckdb.IOException as exc:
        raise StoreError(f"{target}: cannot open ({str(exc).splitlines()[0]})") from exc
    con.execute("SET enable_progress_bar = false")  # our CLI draws its own; DuckDB's would garble it
    if read_only:
        check_version(con, target, StoreError)
    else:
        # Bulk inserts buffer this many row groups (~120k rows each, every column) before writing
        # them out; DuckDB's default of 5 adds ~150 MB to an import's peak memory for no speed.
        con.execute("SET write_buffer_row_group_count = 1")
        migrate(con)
    return con


def file_of(con: duckdb.DuckDBPyConnection) -> str:
    """The file a connection's database lives in (`:memory:` for an in-memory one)."""
    path = con.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchall()[0][0]
    return path or ":memory:"


def compact(path: str | Path | None = None) -> None:
    """Rewrite the database file with only its live rows.

    DuckDB marks deleted rows and leaves their values in the file until a table is rewritten; after
    erasing personal data (`socialsell forget`, `prune`) the file is copied table by table into a
    new one, which then replaces it. Needs the file to itself (no other process may have it open).
    """
    target = db_path(path)
    fresh = target.with_name(target.name + ".compacting")
    fresh.unlink(missing_ok=True)
    with duckdb.connect(str(target)) as con:
        name = con.execute("SELECT current_database()").fetchall()[0][0]
        con.execute(f"ATTACH {sql_string(str(fresh))} AS compacted")
        con.execute(f'COPY FROM DATABASE "{name}" TO compacted')
        con.execute("DETACH compacted")
    with open(fresh, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(fresh, target)


def checksum(path: Path) -> str:
    """SHA-256 of a file (or of a folder's files, in name order)."""
    digest = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        if path.is_dir():
            digest.update(str(file.relative_to(path)).encode())
        with open(file, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class ImportSummary:
    """What one import did, as in the `imports` table."""

    import_id: str
    file: str
    format: str
    rep_id: str | None
    rows_read: int
    rows_loaded: int
    rows_duplicate: int
    rows_quarantined: int
    rows_skipped: int
    notes: str


def sync_config(con: duckdb.DuckDBPyConnection, config: Config) -> None:
    """Make `reps` and `rep_identities` reflect the config (config wins over auto-created reps)."""
    reps = pl.DataFrame(
        [(r.rep_id, r.display_name, r.team, True) for r in config.reps],
        schema=["rep_id", "display_name", "team", "from_config"],
        orient="row",
    )
    identities = config.identity_frame()
    _upsert(con, "reps", conform(reps, "reps"))
    con.execute("DELETE FROM rep_identities")
    _insert_new(con, "rep_identities", conform(identities, "rep_identities"))


def _upsert(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    if not len(frame):
        return
    keys = TABLES[table].key
    con.register("_upsert_frame", frame)
    con.execute(
        f"DELETE FROM {table} USING _upsert_frame u WHERE "
        + " AND ".join(f"{table}.{k} = u.{k}" for k in keys)
    )
    con.execute(f"INSERT INTO {table} SELECT * FROM _upsert_frame")
    con.unregister("_upsert_frame")


def _insert_new(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> int:
    """Insert rows whose key is not in the table yet; returns how many were inserted."""
    if not len(frame):
        return 0
    con.register("_staged", frame)
    try:
        return _insert_select(con, table, "SELECT * FROM _staged")
    finally:
        con.unregister("_staged")


def _insert_select(con: duckdb.DuckDBPyConnection, table: str, select: str, columns: str = "") -> int:
    """INSERT … SELECT of the rows whose key is not in the table yet; returns how many."""
    keys = ", ".join(TABLES[table].key)
    return int(
        con.execute(
            f"INSERT INTO {table} {columns} SELECT s.* FROM ({select}) s ANTI JOIN {table} t USING ({keys})"
        ).fetchall()[0][0]
    )


def _local_time(table: str, time_zone: str) -> dict[str, str]:
    """SQL for local_day, local_week (Monday) and local_hour in the team's time zone. Meetings count
    on the day they were booked (the start only when no booking time is known)."""
    instant = {"touches": "occurred_at", "meetings": "coalesce(booked_at, starts_at)"}.get(table)
    if instant is None:
        return {}
    local = f"timezone({sql_string(time_zone)}, {instant})"
    columns = {"local_day": f"{local}::DATE", "local_week": f"date_trunc('week', {local})::DATE"}
    if table == "touches":
        columns["local_hour"] = f"hour({local})::TINYINT"
    return columns


def _first_of_each_key(frame: pl.DataFrame, table: str) -> pl.DataFrame:
    """The frame without rows repeating an earlier row's key (copied only when there are any)."""
    keys = list(TABLES[table].key)
    if len(frame) and frame.select(pl.struct(keys).is_duplicated().any()).item():
        return frame.unique(subset=keys, keep="first", maintain_order=True)
    return frame


def _load_frame(
    con: duckdb.DuckDBPyConnection,
    table: str,
    frame: pl.DataFrame,
    import_id: str,
    config: Config,
    protection: Protection,
):
    """(rows inserted, rows offered, {reason: rows left out}) for one frame of a fact table."""
    frame = conform(frame.with_columns(import_id=pl.lit(import_id)), table)
    local = _local_time(table, config.time_zone)
    if not len(frame):
        return 0, 0, {}
    con.register("_staged", _first_of_each_key(frame, table))
    try:
        listed = ", ".join(f"{sql} AS {name}" for name, sql in local.items())
        select = f"SELECT * REPLACE ({listed}) FROM _staged" if local else "SELECT * FROM _staged"
        inserted, left_out = _insert_protected(con, table, select, frame.columns, protection)
        return inserted, len(frame), left_out
    finally:
        con.unregister("_staged")


def _load_staged(
    con: duckdb.DuckDBPyConnection,
    table: str,
    staged: Staged,
    import_id: str,
    config: Config,
    protection: Protection,
):
    """(rows inserted, rows offered, {reason: rows left out}) for rows given as a query over the
    export file: inserted by DuckDB straight from the file, without passing through Python."""
    local = _local_time(table, config.time_zone)
    columns = [*staged.columns, "import_id", *local]
    listed = ", ".join([f"'{import_id}' AS import_id", *(f"{sql} AS {name}" for name, sql in local.items())])
    select = f"SELECT q.*, {listed} FROM ({staged.sql}) q"
    if staged.repeats:  # the first row of each key, as `_first_of_each_key` keeps for frames
        keys = ", ".join(f"q.{k}" for k in TABLES[table].key)
        select += f" QUALIFY row_number() OVER (PARTITION BY {keys} ORDER BY q.source_row) = 1"
    staged.register(con)
    try:
        inserted, left_out = _insert_protected(con, table, select, columns, protection, listed=True)
        return inserted, staged.rows, left_out
    finally:
        staged.unregister(con)


def _insert_protected(
    con: duckdb.DuckDBPyConnection,
    table: str,
    select: str,
    columns: list[str],
    protection: Protection,
    *,
    listed: bool = False,
) -> tuple[int, dict[str, int]]:
    """(rows inserted, {reason: rows left out}): `select` pseudonymised if the database is, without
    rows that must not come back (erased people, pruned periods) and keys already stored."""
    select = protection.select(table, select, columns)
    left_out = {}
    for reason, condition in protection.exclusions(table, columns):
        count = int(con.execute(f"SELECT count(*) FROM ({select}) WHERE {condition}").fetchall()[0][0])
        if count:
            left_out[reason] = count
            select = f"SELECT * FROM ({select}) WHERE NOT coalesce({condition}, false)"
    names = f"({', '.join(columns)})" if listed else ""
    return _insert_select(con, table, select, names), left_out


def load(
    con: duckdb.DuckDBPyConnection,
    parsed: Parsed,
    file: Path,
    config: Config,
    *,
    file_checksum: str | None = None,
    rebuild: bool = True,
    protection: Protection | None = None,
) -> ImportSummary:
    """Write one parsed file in one transaction: its new rows, quarantine, the imports row.

    A table's rows come as a frame, or as `Staged` rows that DuckDB inserts straight from the file.
    Rows already present (same source + source_id) are counted as duplicates and left alone,
    so importing a file twice, or two overlapping exports, changes nothing the second time.
    `rebuild=False` leaves the derived tables for the caller to rebuild once after a batch of
    files (the last file of a batch rebuilds them inside its own transaction). `protection` says
    whether prospects are pseudonymised; rows of people erased by `socialsell forget` are counted
    as skipped and never stored.
    """
    protection = protection or Protection()
    started = datetime.now(UTC)
    import_id = f"{started:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    digest = file_checksum or checksum(file)
    with transaction(con):
        sync_config(con, config)
        protection.record(con)
        protection.prepare(con)
        if "reps" in parsed.tables:
            _insert_new(con, "reps", conform(parsed.tables["reps"], "reps"))
        loaded, duplicate, left_out = _load_facts(con, parsed, import_id, config, protection)
        quarantined = _quarantine(con, parsed, file, digest, import_id, keep_raw=protection.keeps_raw)
        skipped_by = {**parsed.skipped, **left_out}
        skipped = sum(skipped_by.values())
        notes = "; ".join(f"{reason}: {n}" for reason, n in sorted(skipped_by.items()))
        summary = ImportSummary(
            import_id,
            str(file),
            parsed.format,
            parsed.rep_id,
            parsed.rows_read,
            loaded,
            duplicate,
            quarantined,
            skipped,
            notes,
        )
        _record_import(con, summary, digest, started)
        if rebuild:
            resolve.rebuild(con)
    return summary


def _load_facts(
    con: duckdb.DuckDBPyConnection, parsed: Parsed, import_id: str, config: Config, protection: Protection
) -> tuple[int, int, dict[str, int]]:
    """(loaded, duplicate, {reason: rows left out}) of the file's main table, after loading every
    fact table.

    A file's rows are counted in its main table (a LinkedIn connection is a touch and also a
    contact record; it is one row read, one row loaded).
    """
    facts = {t: f for t, f in parsed.tables.items() if t in _FACT_TABLES}
    main = next((t for t in _FACT_TABLES if t in facts), None)
    counts = (0, 0, {})
    for table, rows in facts.items():
        load_rows = _load_staged if isinstance(rows, Staged) else _load_frame
        inserted, offered, left_out = load_rows(con, table, rows, import_id, config, protection)
        if table == main:
            counts = (inserted, offered - inserted - sum(left_out.values()), left_out)
    return counts


def _quarantine(
    con: duckdb.DuckDBPyConnection,
    parsed: Parsed,
    file: Path,
    digest: str,
    import_id: str,
    *,
    keep_raw: bool = True,
) -> int:
    if not parsed.quarantined:
        return 0
    frame = pl.DataFrame(
        {
            "import_id": import_id,
            "file": str(file),
            "checksum": digest,
            "line": [q.line for q in parsed.quarantined],
            "column_name": [q.column for q in parsed.quarantined],
            "reason": [q.reason for q in parsed.quarantined],
            # The raw line may name a prospect: not kept when prospects are pseudonymised or when
            # someone was erased (a tombstone cannot be matched against free text).
            "raw": [q.raw if keep_raw else None for q in parsed.quarantined],
        }
    )
    frame = conform(frame, "quarantine").unique(subset=["checksum", "line", "reason"], maintain_order=True)
    _insert_new(con, "quarantine", frame)
    return len(frame)


def _record_import(con: duckdb.DuckDBPyConnection, s: ImportSummary, digest: str, started: datetime) -> None:
    con.execute(
        "INSERT INTO imports VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now())",
        [
            s.import_id,
            s.file,
            digest,
            s.format,
            s.rep_id,
            s.rows_read,
            s.rows_loaded,
            s.rows_duplicate,
            s.rows_quarantined,
            s.rows_skipped,
            s.notes or None,
            started,
        ],
    )
