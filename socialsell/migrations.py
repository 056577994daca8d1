"""Schema versions: each migration runs once, in a transaction, and is recorded in schema_migrations.
`transaction()` is the one way the package writes in a transaction (imports, migrations, erasures).

A new version appends a function here and a line to `MIGRATIONS`; it must work both on a fresh
database (where `_v1` already created the tables from the current `socialsell.schema`) and on one
created by an older socialsell.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import duckdb

from socialsell import resolve
from socialsell.schema import TABLES, create_table_sql

__all__ = ["MIGRATIONS", "Transaction", "check_version", "migrate", "transaction"]


def _v1(con: duckdb.DuckDBPyConnection) -> None:
    for name in TABLES:
        con.execute(create_table_sql(name))
    resolve.create_derived(con)


def _v2(con: duckdb.DuckDBPyConnection) -> None:
    """Meeting confirmations and near-duplicate sketches on touches; decisions on inferred meetings.

    `meeting_decisions` is user data (a coach confirmed or rejected a meeting inferred from LinkedIn
    messages): imports and derived rebuilds never touch it. Works on fresh databases (where `_v1`
    already created the new touches columns from the current schema) and on older ones.
    """
    from socialsell import facts

    con.execute("ALTER TABLE touches ADD COLUMN IF NOT EXISTS confirms_meeting BOOLEAN")
    con.execute("ALTER TABLE touches ADD COLUMN IF NOT EXISTS template_bands VARCHAR[]")
    con.execute(
        """CREATE TABLE IF NOT EXISTS meeting_decisions (
            candidate_id VARCHAR PRIMARY KEY,
            decision VARCHAR NOT NULL CHECK (decision IN ('confirmed', 'rejected')),
            decided_at TIMESTAMPTZ NOT NULL,
            note VARCHAR,
            rep_id VARCHAR,
            thread_id VARCHAR,
            local_day DATE)"""
    )
    facts.rebuild_facts(con)  # touch_facts carries the new columns


def _v3(con: duckdb.DuckDBPyConnection) -> None:
    """How the database is kept (pseudonymised or clear, the key's fingerprint), erased people's
    tombstones (keyed hashes of their identities) and a log of erasures without personal data."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS store_settings (name VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)"
    )
    con.execute(
        """CREATE TABLE IF NOT EXISTS tombstones (
            identity_hash VARCHAR PRIMARY KEY, erasure_id VARCHAR NOT NULL)"""
    )
    con.execute(
        """CREATE TABLE IF NOT EXISTS erasures (
            erasure_id VARCHAR PRIMARY KEY,
            kind VARCHAR NOT NULL CHECK (kind IN ('forget', 'prune')),
            erased_at TIMESTAMPTZ NOT NULL,
            older_than DATE,
            identities INTEGER NOT NULL,
            touches BIGINT NOT NULL,
            meetings BIGINT NOT NULL,
            contact_records BIGINT NOT NULL,
            quarantine BIGINT NOT NULL,
            decisions BIGINT NOT NULL)"""
    )


class Transaction:
    """The open transaction of a `transaction()` block."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con, self.open = con, True

    def rollback(self) -> None:
        """Undo the block's changes now (a dry run); the block ends without a COMMIT."""
        self.con.execute("ROLLBACK")
        self.open = False


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[Transaction]:
    """One transaction around a block: COMMIT at its end, ROLLBACK when it raises (a failed COMMIT
    included) or calls `rollback()`, so a failure never leaves half a change in the database."""
    tx = Transaction(con)
    con.execute("BEGIN TRANSACTION")
    try:
        yield tx
        if tx.open:
            con.execute("COMMIT")
    except Exception:
        if tx.open:
            con.execute("ROLLBACK")
        raise


# Ordered schema migrations; each runs once, in a transaction, and is recorded in schema_migrations.
MIGRATIONS: list[tuple[int, str, Callable[[duckdb.DuckDBPyConnection], None]]] = [
    (1, "canonical tables, derived identity and meeting tables", _v1),
    (2, "meeting confirmations, near-duplicate sketches, decisions on inferred meetings", _v2),
    (3, "store settings, tombstones of erased people, erasure log", _v3),
]


def _applied(con: duckdb.DuckDBPyConnection) -> set[int]:
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'"
    ).fetchall()[0][0]
    if not exists:
        return set()
    return {row[0] for row in con.execute("SELECT version FROM schema_migrations").fetchall()}


def migrate(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply pending migrations in order; returns the versions applied now."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations "
        "(version INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMPTZ)"
    )
    done = _applied(con)
    applied = []
    for version, name, step in MIGRATIONS:
        if version in done:
            continue
        with transaction(con):
            step(con)
            con.execute("INSERT INTO schema_migrations VALUES (?, ?, now())", [version, name])
        applied.append(version)
    return applied


def check_version(con: duckdb.DuckDBPyConnection, target, error: type[Exception] = RuntimeError) -> None:
    """Raise `error` when the database lacks a migration (a read-only open cannot apply it)."""
    missing = {v for v, _, _ in MIGRATIONS} - _applied(con)
    if missing:
        raise error(f"{target}: database needs migrations {sorted(missing)}; open it once for writing")
