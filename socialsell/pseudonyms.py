"""Prospects' keyed pseudonyms: HMAC-SHA-256 with a key kept in a file outside the database.

A pseudonymised database stores, instead of a prospect's e-mail, phone number, LinkedIn URL and
name, a keyed hash of each (`~4f0c…`, `Person 9B21…`). The hash of a value is the same in every
export, so contacts still merge across channels, re-imports stay idempotent and every metric is the
same as on clear data; without the key file nobody can test a guessed e-mail against the database.
The same key makes the tombstones of erased people (`erasure.py`) unguessable.

Identities are hashed in the form `resolve` links them by (`mail:anna@x.de`, `tel:+49…`,
`li:in/anna`), so `'mail:' || email` of a pseudonymised record equals the pseudonymised contact key
of a touch. Names are hashed after folding (accents, case, titles), as `resolve` compares them.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import duckdb

from socialsell.identity import folded_name_sql, name_key_sql

__all__ = [
    "Protection",
    "PseudonymError",
    "database_key",
    "hmac_sql",
    "identity_hash",
    "key_path",
    "load_key",
    "protection",
    "pseudonymise_select",
    "remember_key",
    "stored_setting",
]

_KEY_CHECK = b"socialsell key check"
_LI_PREFIX = "https://www.linkedin.com/"
_TOMBSTONES = "socialsell_tombstones"  # a variable holding the tombstones during an import
HASH_CHARS = 24  # 96 bits: no collisions among billions of values


class PseudonymError(RuntimeError):
    """The key file is missing or wrong, or the import contradicts how the database is kept."""


def key_path(db: str | Path, configured: str | Path | None = None) -> Path:
    """The key file: `configured`, else `$SOCIALSELL_KEY_FILE`, else `<database>.key` beside it."""
    chosen = configured or os.environ.get("SOCIALSELL_KEY_FILE")
    return Path(chosen).expanduser() if chosen else Path(f"{db}.key")


def load_key(path: Path, *, create: bool = False) -> bytes:
    """The 32-byte key in `path` (64 hex digits), created with mode 0600 when `create` and missing.

    Raises:
        PseudonymError: the file is missing (and not to be created) or does not hold a key.
    """
    if not path.exists():
        if not create:
            raise PseudonymError(f"{path}: key file not found")
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32) + "\n")
    text = path.read_text().strip()
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) != 32:
        raise PseudonymError(f"{path}: not a socialsell key (expected 64 hex digits)")
    return key


def identity_hash(key: bytes, value: str) -> str:
    """The keyed hash of one identity, as `hmac_sql` computes it in DuckDB."""
    return "~" + hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:HASH_CHARS]


def hmac_sql(key: bytes, value_sql: str) -> str:
    """SQL for `identity_hash(key, value)`: HMAC-SHA-256 of a VARCHAR expression (NULL stays NULL)."""
    block = key.ljust(64, b"\0")
    inner = bytes(b ^ 0x36 for b in block).hex()
    outer = bytes(b ^ 0x5C for b in block).hex()
    digest = f"sha256(unhex('{outer}') || unhex(sha256(unhex('{inner}') || encode({value_sql}))))"
    return f"('~' || {digest}[:{HASH_CHARS}])"


def _person_sql(key: bytes, name_sql: str) -> str:
    digest = hmac_sql(key, f"'name:' || {folded_name_sql(name_sql)}")
    return f"('Person ' || upper({digest}[2:13]))"


def _key_sql(key: bytes, column: str) -> str:
    """A `kind:value` identity → `kind:~hash` (the kind stays readable, the value does not)."""
    return f"(split_part({column}, ':', 1) || ':' || {hmac_sql(key, column)})"


def _column_sql(key: bytes, table: str) -> dict[str, str]:
    """column → SQL of its pseudonymised value, per table (columns absent from a table are skipped)."""
    common = {
        "contact_key": _key_sql(key, "contact_key"),
        "contact_name": _person_sql(key, "contact_name"),
    }
    by_table = {
        "touches": {
            **common,
            "contact_email": hmac_sql(key, "'mail:' || contact_email"),
            "contact_phone": hmac_sql(key, "'tel:' || contact_phone"),
        },
        "meetings": {
            **common,
            "attendee_keys": f"list_transform(attendee_keys, lambda k: {_key_sql(key, 'k')})",
            "title": "NULL::VARCHAR",  # calendar titles name the people invited
        },
        "contact_records": {
            "full_name": _person_sql(key, "full_name"),
            "email": hmac_sql(key, "'mail:' || email"),
            "phone_e164": hmac_sql(key, "'tel:' || phone_e164"),
            "mobile_e164": hmac_sql(key, "'tel:' || mobile_e164"),
            "linkedin_url": hmac_sql(key, f"'li:' || replace(linkedin_url, '{_LI_PREFIX}', '')"),
        },
        "quarantine": {"raw": "NULL::VARCHAR"},  # a bad row as written in the export
    }
    return by_table.get(table, {})


def pseudonymise_select(key: bytes, table: str, select_sql: str, columns: list[str]) -> str:
    """`select_sql` with the personal columns of `table` among `columns` replaced by pseudonyms."""
    replaced = {c: sql for c, sql in _column_sql(key, table).items() if c in columns}
    if not replaced:
        return select_sql
    listed = ", ".join(f"{sql} AS {c}" for c, sql in replaced.items())
    return f"SELECT * REPLACE ({listed}) FROM ({select_sql})"


@dataclass(frozen=True)
class Protection:
    """How one import protects prospects: pseudonyms with `key`, and no row of an erased person.

    `settings` are what the import records in `store_settings`, inside its own transaction.
    """

    key: bytes | None = None
    pseudonymise: bool = False
    erased: bool = False  # the database has tombstones
    settings: tuple[tuple[str, str], ...] = ()
    pruned_before: str | None = None  # ISO date: `socialsell prune` removed everything older

    @property
    def keeps_raw(self) -> bool:
        """Whether quarantined rows may keep their raw text."""
        return not (self.pseudonymise or self.erased)

    def prepare(self, con: duckdb.DuckDBPyConnection) -> None:
        """Load the tombstones into a variable the import's SQL reads (`exclusions`, `select`)."""
        if self.erased:
            con.execute(f"SET VARIABLE {_TOMBSTONES} = (SELECT list(identity_hash) FROM tombstones)")

    def select(self, table: str, select_sql: str, columns: list[str]) -> str:
        """The rows of `select_sql` as they may be stored: pseudonymised if the database is, and
        meetings without erased attendees (a meeting with nobody else left is excluded later)."""
        if self.pseudonymise:
            select_sql = pseudonymise_select(self.key, table, select_sql, columns)
        if self.erased and table == "meetings" and "attendee_keys" in columns:
            select_sql = _without_erased_attendees(self.key, select_sql)
        return select_sql

    def exclusions(self, table: str, columns: list[str]) -> list[tuple[str, str]]:
        """(reason, SQL condition) for stored-form rows that must not come back: rows of people
        erased by `socialsell forget`, rows older than what `socialsell prune` removed."""
        found = []
        if self.erased:
            hashed = f"list_transform({identities_sql(table, columns)}, lambda i: {hmac_sql(self.key, 'i')})"
            found.append(("rows of erased people", f"list_has_any({hashed}, getvariable('{_TOMBSTONES}'))"))
        instant = {"touches": "occurred_at", "meetings": "coalesce(starts_at, booked_at)"}.get(table)
        if self.pruned_before and instant:
            found.append(
                (f"older than {self.pruned_before} (pruned)", f"{instant} < DATE '{self.pruned_before}'")
            )
        return found

    def record(self, con: duckdb.DuckDBPyConnection) -> None:
        """Store the settings this import decided (pseudonymised or clear, key fingerprint)."""
        for name, value in self.settings:
            con.execute("INSERT OR REPLACE INTO store_settings VALUES (?, ?)", [name, value])


def _without_erased_attendees(key: bytes, select_sql: str) -> str:
    erased = f"list_contains(getvariable('{_TOMBSTONES}'), {hmac_sql(key, 'k')})"
    others = f"list_filter(coalesce(attendee_keys, []), lambda k: NOT {erased})"
    lead_erased = f"list_contains(getvariable('{_TOMBSTONES}'), {hmac_sql(key, 'contact_key')})"
    touched = f"len({others}) < len(coalesce(attendee_keys, [])) OR {lead_erased}"
    return f"""SELECT * REPLACE (
        CASE WHEN {lead_erased} AND len({others}) > 0 THEN {others}[1] ELSE contact_key END AS contact_key,
        CASE WHEN {lead_erased} AND len({others}) > 0 THEN NULL ELSE contact_name END AS contact_name,
        CASE WHEN {touched} THEN {others} ELSE attendee_keys END AS attendee_keys,
        CASE WHEN {touched} THEN NULL ELSE title END AS title)
    FROM ({select_sql})"""


def identities_sql(table: str, columns: list[str]) -> str:
    """SQL of a row's identities as `resolve` forms them, as a list (NULLs are harmless in it).

    A row without any key also gets `person:<folded name>`: the identity `forget
    --include-name-matches` erases when a person appears somewhere under their name alone.
    """
    if table == "contact_records":
        keys = {
            "email": "'mail:' || email",
            "phone_e164": "'tel:' || phone_e164",
            "mobile_e164": "'tel:' || mobile_e164",
            "linkedin_url": f"'li:' || replace(linkedin_url, '{_LI_PREFIX}', '')",
        }
        name, company = "full_name", "company"
    else:
        keys = {"contact_key": "contact_key"}
        if table == "touches":
            keys |= {"contact_email": "'mail:' || contact_email", "contact_phone": "'tel:' || contact_phone"}
        name, company = "contact_name", "contact_company"
    found = [sql for column, sql in keys.items() if column in columns]
    if name in columns:
        anchor = f"coalesce({', '.join(found)})" if found else "NULL"
        if company in columns:
            found.append(name_key_sql(name, company))
        found.append(f"CASE WHEN {anchor} IS NULL THEN 'person:' || {folded_name_sql(name)} END")
    listed = f"[{', '.join(found)}]"
    if table == "meetings" and "attendee_keys" in columns:
        listed = f"list_concat({listed}, coalesce(attendee_keys, []))"
    return listed


def stored_setting(con: duckdb.DuckDBPyConnection, name: str) -> str | None:
    """A value of `store_settings` (pseudonymise, key_fingerprint, pruned_before), or None."""
    rows = con.execute("SELECT value FROM store_settings WHERE name = ?", [name]).fetchall()
    return rows[0][0] if rows else None


def _has_data(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(con.execute("SELECT count(*) FROM imports").fetchall()[0][0])


def _fingerprint(key: bytes) -> str:
    return hmac.new(key, _KEY_CHECK, hashlib.sha256).hexdigest()[:16]


def database_key(con: duckdb.DuckDBPyConnection, path: Path, *, create: bool) -> bytes:
    """The key in `path`, checked against the fingerprint the database recorded (if any).

    Raises:
        PseudonymError: no key file (and not `create`), or another key than the database's.
    """
    key = load_key(path, create=create)
    stored = stored_setting(con, "key_fingerprint")
    if stored is not None and stored != _fingerprint(key):
        raise PseudonymError(f"{path}: not the key this database was written with")
    return key


def remember_key(con: duckdb.DuckDBPyConnection, key: bytes) -> None:
    """Record the fingerprint of the key the database is now written with (if it has none yet)."""
    con.execute("INSERT OR IGNORE INTO store_settings VALUES ('key_fingerprint', ?)", [_fingerprint(key)])


def protection(
    con: duckdb.DuckDBPyConnection,
    db: str | Path,
    *,
    pseudonymise: bool = False,
    key_file: str | Path | None = None,
    keep_message_text: bool = False,
) -> Protection:
    """How imports into this database protect prospects, decided once per database.

    A database is pseudonymised from its first import on, or never: asking for pseudonyms on a
    database that holds clear data, or importing into a pseudonymised one without its key file,
    is refused rather than mixing clear values and pseudonyms. Nothing is written here; the
    import records the decision in its own transaction (`Protection.record`).

    Raises:
        PseudonymError: one line saying what is wrong and what to do.
    """
    has_data = bool(con.execute("SELECT count(*) FROM imports").fetchall()[0][0])
    stored = stored_setting(con, "pseudonymise")
    if stored is None:
        stored = "true" if pseudonymise and not has_data else "false"
    if pseudonymise and stored == "false":
        raise PseudonymError(
            f"{db}: holds data imported in clear; pseudonymise from the first import into a new database"
        )
    pseudo = stored == "true"
    if pseudo and keep_message_text:
        raise PseudonymError(f"{db}: is pseudonymised; message texts cannot be kept in it")
    erased = bool(con.execute("SELECT count(*) FROM tombstones").fetchall()[0][0])
    key = None
    if pseudo or erased:
        key = database_key(con, key_path(db, key_file), create=pseudo and not has_data)
    settings = [("pseudonymise", stored)] + ([("key_fingerprint", _fingerprint(key))] if key else [])
    return Protection(key, pseudo, erased, tuple(settings), stored_setting(con, "pruned_before"))
