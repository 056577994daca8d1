"""Erasing prospects' data: one person everywhere (`forget`), or everything past retention (`prune`).

Both run in one transaction, rebuild the derived tables, log what they removed without any personal
data (`erasures`), and leave a mark so that re-importing an old export does not bring the data back:
`forget` stores tombstones (keyed hashes of the person's identities, checked by every import), `prune`
stores the date before which imports skip touches and meetings. DuckDB keeps deleted values in the
file until the table is rewritten, so the database file is rewritten afterwards (`store.compact`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import phonenumbers
import polars as pl

from socialsell import identity, pseudonyms, resolve, store

__all__ = ["Erasure", "ErasureError", "forget", "identities_of", "prune"]

_TABLES = ("touches", "meetings", "contact_records", "quarantine", "decisions")


class ErasureError(ValueError):
    """An identifier that names no kind of identity, or a retention period that is not one."""


@dataclass(frozen=True)
class Erasure:
    """What one `forget` or `prune` removed (or would remove, when `dry_run`)."""

    kind: str
    identities: int
    removed: dict[str, int]
    name_matches_kept: int = 0
    dry_run: bool = False
    older_than: date | None = None


def _identity(text: str, region: str) -> str:
    """`mail:…`, `tel:…`, `li:…` or a contact id, from what a user types."""
    value = text.strip()
    if value.startswith("c-"):
        return value
    if "linkedin.com" in value.lower():
        url = identity.linkedin_url(pl.Series([value]))[0]
        if url:
            return "li:" + url.removeprefix("https://www.linkedin.com/")
    elif "@" in value:
        mail = identity.email(pl.Series([value]))[0]
        if mail:
            return "mail:" + mail
    elif any(c.isdigit() for c in value):
        phone = identity.phone_e164(pl.Series([value]), region)[0]
        if phone:
            return "tel:" + phone
    raise ErasureError(f"{text!r}: not an e-mail address, phone number, LinkedIn profile URL or contact id")


def _stored_form(ident: str, key: bytes | None, pseudonymised: bool) -> str:
    if ident.startswith("c-") or not pseudonymised:
        return ident
    return ident.split(":", 1)[0] + ":" + pseudonyms.identity_hash(key, ident)


def identities_of(con: duckdb.DuckDBPyConnection, given: list[str]) -> tuple[list[str], list[str]]:
    """(identities to erase, contact ids): the given ones and every identity linked to them."""
    ids = [i for i in given if not i.startswith("c-")]
    contact_ids = con.execute(
        """SELECT DISTINCT contact_id FROM contact_identities
           WHERE identity IN (SELECT unnest(?)) OR contact_id IN (SELECT unnest(?))""",
        [ids, [i for i in given if i.startswith("c-")]],
    ).fetchall()
    contact_ids = [c for (c,) in contact_ids]
    linked = con.execute(
        "SELECT DISTINCT identity FROM contact_identities WHERE contact_id IN (SELECT unnest(?))",
        [contact_ids],
    ).fetchall()
    return sorted({*ids, *(i for (i,) in linked)}), contact_ids


def _name_identity(con: duckdb.DuckDBPyConnection, name: str, key: bytes, pseudonymised: bool) -> str:
    """`person:<folded name>` as rows without identifiers carry it (pseudonymised: of the pseudonym)."""
    (folded,) = con.execute(f"SELECT {identity.folded_name_sql('?')}", [name]).fetchall()[0]
    if not folded:
        raise ErasureError(f"{name!r}: not a name")
    if pseudonymised:
        person = "Person " + pseudonyms.identity_hash(key, f"name:{folded}")[1:13].upper()
        (folded,) = con.execute(f"SELECT {identity.folded_name_sql('?')}", [person]).fetchall()[0]
    return f"person:{folded}"


_COLUMNS = {
    "touches": ["contact_key", "contact_email", "contact_phone", "contact_name", "contact_company"],
    "contact_records": ["email", "phone_e164", "mobile_e164", "linkedin_url", "full_name", "company"],
    "meetings": ["contact_key", "contact_name", "attendee_keys"],
}
_ERASED = "getvariable('erase_ids')"  # the identities being erased (`SET VARIABLE` by `forget`)


def _row_match(table: str) -> str:
    """SQL: the row carries one of the identities being erased."""
    return f"list_has_any({pseudonyms.identities_sql(table, _COLUMNS[table])}, {_ERASED})"


def _clear_values(con: duckdb.DuckDBPyConnection, ids: list[str], region: str) -> list[str]:
    """What a quarantined raw line could hold of the person in clear: e-mails, profile slugs, the
    national digits of phone numbers, names."""
    values = []
    for ident in ids:
        kind, _, value = ident.partition(":")
        if kind == "mail":
            values.append(value)
        elif kind == "li":
            values.append(value.rsplit("/", 1)[-1])
        elif kind == "tel":
            with_digits = phonenumbers.parse(value, region)
            values.append(str(with_digits.national_number))
    names = con.execute(
        f"""SELECT contact_name FROM touches WHERE {_row_match("touches")}
            UNION SELECT full_name FROM contact_records WHERE {_row_match("contact_records")}"""
    ).fetchall()
    values += [n for (n,) in names if n]
    return sorted({v for v in values if len(v) >= 4})


def _delete_rows(con: duckdb.DuckDBPyConnection, clear: list[str]) -> dict[str, int]:
    """Delete the rows of the identities in `erase_ids`; a meeting with other attendees stays, without
    the person. Quarantined lines go when their raw text holds one of the `clear` values."""
    removed = {
        "decisions": _count(
            con,
            f"""DELETE FROM meeting_decisions WHERE thread_id IN
                (SELECT thread_id FROM touches WHERE {_row_match("touches")})""",
        )
    }
    for table in ("touches", "contact_records"):
        removed[table] = _count(con, f"DELETE FROM {table} WHERE {_row_match(table)}")
    others = f"list_filter(coalesce(attendee_keys, []), lambda k: NOT list_contains({_ERASED}, k))"
    removed["meetings"] = _count(
        con,
        f"""DELETE FROM meetings WHERE {_row_match("meetings")} AND len({others}) = 0""",
    )
    con.execute(
        f"""UPDATE meetings SET attendee_keys = {others},
               contact_key = CASE WHEN list_contains({_ERASED}, contact_key) THEN {others}[1] ELSE contact_key END,
               contact_name = CASE WHEN list_contains({_ERASED}, contact_key) THEN NULL ELSE contact_name END,
               title = NULL
           WHERE {_row_match("meetings")}"""
    )
    lowered = [v.lower() for v in clear]
    removed["quarantine"] = _count(
        con,
        """DELETE FROM quarantine WHERE raw IS NOT NULL AND list_has_any(
               list_transform(?, lambda v: contains(lower(raw), v) OR contains(
                   regexp_replace(raw, '[^0-9]', '', 'g'), v)), [true])""",
        [lowered],
    )
    return removed


def _count(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> int:
    return int(con.execute(sql, params or []).fetchall()[0][0])


def _settle(con: duckdb.DuckDBPyConnection, erasure: Erasure) -> None:
    """The end of an erasure: its log entry (no personal data) and the derived tables rebuilt."""
    _log(con, erasure)
    resolve.rebuild(con)


def _log(con: duckdb.DuckDBPyConnection, erasure: Erasure) -> None:
    r = erasure.removed
    con.execute(
        "INSERT INTO erasures VALUES (?, ?, now(), ?, ?, ?, ?, ?, ?, ?)",
        [
            uuid.uuid4().hex[:12],
            erasure.kind,
            erasure.older_than,
            erasure.identities,
            *(r.get(t, 0) for t in _TABLES),
        ],
    )


def forget(
    con: duckdb.DuckDBPyConnection,
    who: list[str] = (),
    *,
    names: list[str] = (),
    region: str = "DE",
    key_file: str | Path | None = None,
    dry_run: bool = False,
) -> Erasure:
    """Erase people everywhere and tombstone their identities so that no import brings them back.

    `who`: e-mail addresses, phone numbers, LinkedIn profile URLs or contact ids (`c-…`); the
    person's other identities (linked by a CRM record, a call log) are erased with them. `names`:
    also rows that carry one of these names but no e-mail, phone or profile URL (a namesake's
    rows without identifiers too, so only on purpose).

    Raises:
        ErasureError: an identifier that is none of those kinds.
        pseudonyms.PseudonymError: the database's key file is missing or another one.
    """
    db = store.file_of(con)
    pseudonymised = pseudonyms.stored_setting(con, "pseudonymise") == "true"
    key = pseudonyms.database_key(con, pseudonyms.key_path(db, key_file), create=not pseudonymised)
    given = [_stored_form(_identity(w, region), key, pseudonymised) for w in who]
    ids, _ = identities_of(con, given)
    ids += sorted({_name_identity(con, n, key, pseudonymised) for n in names})
    try:
        with store.transaction(con) as tx:
            con.execute("SET VARIABLE erase_ids = ?::VARCHAR[]", [ids])
            clear = [] if pseudonymised else _clear_values(con, ids, region)
            kept = _name_matches(con, ids)
            removed = _delete_rows(con, clear)
            erasure = Erasure("forget", len(ids), removed, kept, dry_run)
            if dry_run:
                tx.rollback()
                return erasure
            con.execute(
                "INSERT OR IGNORE INTO tombstones SELECT h, ? FROM unnest(?::VARCHAR[]) t(h)",
                [uuid.uuid4().hex[:12], [pseudonyms.identity_hash(key, i) for i in ids]],
            )
            pseudonyms.remember_key(con, key)
            _settle(con, erasure)
    finally:
        con.execute("RESET VARIABLE erase_ids")
    return erasure


def _name_matches(con: duckdb.DuckDBPyConnection, ids: list[str]) -> int:
    """Rows without any identifier that carry one of the person's names and are not being erased."""
    names = [f"person:{n}" for n in _names(con, ids) if f"person:{n}" not in ids]
    if not names:
        return 0
    return sum(
        _count(
            con,
            f"SELECT count(*) FROM {t} WHERE list_has_any({pseudonyms.identities_sql(t, _COLUMNS[t])}, ?)",
            [names],
        )
        for t in ("touches", "contact_records", "meetings")
    )


def _names(con: duckdb.DuckDBPyConnection, ids: list[str]) -> list[str]:
    rows = con.execute(
        f"""SELECT {identity.folded_name_sql("contact_name")} FROM touches WHERE contact_key IN (SELECT unnest(?))
            UNION SELECT {identity.folded_name_sql("full_name")} FROM contact_records r
            WHERE list_has_any({pseudonyms.identities_sql("contact_records", _COLUMNS["contact_records"][:4])}, ?)""",
        [ids, ids],
    ).fetchall()
    return sorted({n for (n,) in rows if n})


def prune(con: duckdb.DuckDBPyConnection, older_than: date, *, dry_run: bool = False) -> Erasure:
    """Delete touches and meetings before `older_than`, quarantined rows and contact records of
    imports before it that no remaining touch or meeting needs; later imports skip older rows."""
    with store.transaction(con) as tx:
        removed = {
            "touches": _count(con, "DELETE FROM touches WHERE occurred_at < ?", [older_than]),
            "meetings": _count(
                con, "DELETE FROM meetings WHERE coalesce(starts_at, booked_at) < ?", [older_than]
            ),
            "decisions": _count(con, "DELETE FROM meeting_decisions WHERE local_day < ?", [older_than]),
            "quarantine": _count(
                con,
                "DELETE FROM quarantine WHERE import_id IN (SELECT import_id FROM imports WHERE finished_at < ?)",
                [older_than],
            ),
        }
        removed["contact_records"] = _count(con, _UNUSED_RECORDS, [older_than])
        erasure = Erasure("prune", 0, removed, dry_run=dry_run, older_than=older_than)
        if dry_run:
            tx.rollback()
            return erasure
        con.execute(
            "INSERT OR REPLACE INTO store_settings VALUES ('pruned_before', greatest(?, coalesce("
            "(SELECT value FROM store_settings WHERE name = 'pruned_before'), '')))",
            [older_than.isoformat()],
        )
        _settle(con, erasure)
    return erasure


# Contact records imported before the cutoff whose person has no touch or meeting left.
_UNUSED_RECORDS = """
    DELETE FROM contact_records r
    WHERE import_id IN (SELECT import_id FROM imports WHERE finished_at < $1)
      AND NOT EXISTS (
          SELECT 1 FROM contact_identities ci JOIN contact_identities other USING (contact_id)
          WHERE ci.identity IN ('mail:' || r.email, 'tel:' || r.phone_e164, 'tel:' || r.mobile_e164,
                                'li:' || replace(r.linkedin_url, 'https://www.linkedin.com/', ''))
            AND (other.identity IN (SELECT contact_key FROM touches)
                 OR other.identity IN (SELECT contact_key FROM meetings)))"""
