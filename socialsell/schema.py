"""The canonical socialsell schema, declared once as data; DDL and `conform` are derived from it."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

__all__ = [
    "CHANNELS",
    "DIRECTIONS",
    "EXCLUSIONS",
    "KINDS",
    "MEETING_STATUSES",
    "OUTCOMES",
    "SEGMENTS",
    "TABLES",
    "SchemaError",
    "Table",
    "conform",
    "create_table_sql",
    "empty",
]

# Vocabularies. Stored as plain VARCHAR (readable in any SQL client); `conform` checks membership.
CHANNELS = ("phone", "linkedin", "email", "calendar")
KINDS = ("call", "message", "invitation", "connection")
DIRECTIONS = ("outbound", "inbound")
OUTCOMES = (
    "connected",
    "meeting_booked",
    "voicemail",
    "gatekeeper",
    "no_answer",
    "busy",
    "wrong_number",
    "failed",
    "other",
)
SEGMENTS = ("B2B", "B2C")
MEETING_STATUSES = ("scheduled", "completed", "cancelled", "no_show", "rescheduled")
# Why a touch is kept out of 1:1 selling metrics (NULL = counts).
EXCLUSIONS = ("group_chat", "spam_folder", "draft", "sponsored", "ai_coach", "system")

_LINEAGE = {
    "source": "VARCHAR NOT NULL",  # format name, e.g. linkedin.messages, calls.hubspot
    "source_id": "VARCHAR NOT NULL",  # the export's own id, or a stable hash of the normalised row
    "import_id": "VARCHAR NOT NULL",
    "source_file": "VARCHAR NOT NULL",
    "source_row": "INTEGER",  # 1-based line number of the record's first line in the file
}


class SchemaError(ValueError):
    """A frame does not fit its canonical table."""


@dataclass(frozen=True)
class Table:
    """One canonical table: ordered column → DuckDB type, its key and enum checks."""

    name: str
    columns: dict[str, str]
    key: tuple[str, ...]
    enums: dict[str, tuple[str, ...]]
    doc: str
    # Large fact tables keep their key unique by an anti-join at load time instead of a
    # PRIMARY KEY index, which would cost memory and ~half the load time on 10 M rows.
    key_index: bool = True

    @property
    def names(self) -> list[str]:
        return list(self.columns)


def _table(name: str, doc: str, key: tuple[str, ...], columns: dict[str, str], **enums) -> Table:
    key_index = name not in ("touches", "meetings", "contact_records", "quarantine")
    return Table(name=name, columns=columns, key=key, enums=enums, doc=doc, key_index=key_index)


TABLES: dict[str, Table] = {
    t.name: t
    for t in [
        _table(
            "reps",
            "One row per sales rep (from the config, or created when an export names an unknown owner).",
            ("rep_id",),
            {
                "rep_id": "VARCHAR NOT NULL",
                "display_name": "VARCHAR",
                "team": "VARCHAR",
                "from_config": "BOOLEAN NOT NULL",
            },
        ),
        _table(
            "rep_identities",
            "How a rep appears in exports: e-mail, LinkedIn URL/name, phone, CRM owner id/name.",
            ("kind", "value"),
            {"kind": "VARCHAR NOT NULL", "value": "VARCHAR NOT NULL", "rep_id": "VARCHAR NOT NULL"},
        ),
        _table(
            "contact_records",
            "Contact records as exported by a CRM or LinkedIn (one row per source record).",
            ("source", "source_id"),
            {
                "full_name": "VARCHAR",
                "company": "VARCHAR",
                "title": "VARCHAR",
                "email": "VARCHAR",
                "phone_e164": "VARCHAR",
                "mobile_e164": "VARCHAR",
                "linkedin_url": "VARCHAR",
                "segment": "VARCHAR",
                "consent_calls": "BOOLEAN",
                "consent_email": "BOOLEAN",
                "connected_on": "DATE",  # LinkedIn connection date (warm-contact evidence)
                "customer_since": "DATE",
                "rep_id": "VARCHAR",  # owner/connection holder, if known
                **_LINEAGE,
            },
            segment=SEGMENTS,
        ),
        _table(
            "touches",
            "Every outreach event: calls, LinkedIn messages, invitations and connections.",
            ("source", "source_id"),
            {
                "rep_id": "VARCHAR",
                "channel": "VARCHAR NOT NULL",
                "kind": "VARCHAR NOT NULL",
                "direction": "VARCHAR",
                "occurred_at": "TIMESTAMPTZ",  # stored as an instant (UTC)
                "source_tz": "VARCHAR",  # the time zone the export wrote its times in
                "local_day": "DATE",  # day/week/hour in the team's time zone, computed at import
                "local_week": "DATE",
                "local_hour": "TINYINT",
                "duration_s": "INTEGER",
                "outcome": "VARCHAR",
                "raw_outcome": "VARCHAR",
                "thread_id": "VARCHAR",
                "contact_key": "VARCHAR",  # best identity of the other party, e.g. li:/in/slug, tel:+49…
                "contact_name": "VARCHAR",
                "contact_phone": "VARCHAR",
                "contact_email": "VARCHAR",
                "contact_company": "VARCHAR",
                "participants": "INTEGER",  # other people in the thread (1 = a 1:1 conversation)
                "folder": "VARCHAR",
                "exclusion": "VARCHAR",
                "session_id": "VARCHAR",  # dialer session/call id used to count one call once
                "message_length": "INTEGER",
                "message_hash": "VARCHAR",  # hash of the normalised text: exact duplicates/templates
                "template_hash": "VARCHAR",  # hash after removing greeting, names and digits
                "language": "VARCHAR",
                "address_form": "VARCHAR",  # formal / informal / unknown
                "has_scheduling_link": "BOOLEAN",
                "proposes_time": "BOOLEAN",
                "message_text": "VARCHAR",  # only with --keep-message-text
                **_LINEAGE,
                # Added by migration 2, so they come last here as in an upgraded database.
                "confirms_meeting": "BOOLEAN",  # accepts or confirms an appointment ("Dienstag passt.")
                "template_bands": "VARCHAR[]",  # MinHash LSH bands of the template text (near_duplicates)
            },
            channel=CHANNELS,
            kind=KINDS,
            direction=DIRECTIONS,
            outcome=OUTCOMES,
            exclusion=EXCLUSIONS,
        ),
        _table(
            "meetings",
            "Meetings from calendars, CRM exports and calls whose outcome says one was booked.",
            ("source", "source_id"),
            {
                "rep_id": "VARCHAR",
                "starts_at": "TIMESTAMPTZ",
                "ends_at": "TIMESTAMPTZ",
                "booked_at": "TIMESTAMPTZ",
                "status": "VARCHAR",
                "title": "VARCHAR",
                "origin": "VARCHAR NOT NULL",  # calendar, crm, scheduler, call_outcome
                "contact_key": "VARCHAR",  # first external attendee
                "attendee_keys": "VARCHAR[]",
                "contact_name": "VARCHAR",
                "local_day": "DATE",
                "local_week": "DATE",
                **_LINEAGE,
            },
            status=MEETING_STATUSES,
        ),
        _table(
            "imports",
            "One row per import of one file.",
            ("import_id",),
            {
                "import_id": "VARCHAR NOT NULL",
                "file": "VARCHAR NOT NULL",
                "checksum": "VARCHAR NOT NULL",
                "format": "VARCHAR NOT NULL",
                "rep_id": "VARCHAR",
                "rows_read": "BIGINT NOT NULL",
                "rows_loaded": "BIGINT NOT NULL",
                "rows_duplicate": "BIGINT NOT NULL",
                "rows_quarantined": "BIGINT NOT NULL",
                "rows_skipped": "BIGINT NOT NULL",  # recognised and deliberately not loaded (reason in notes)
                "notes": "VARCHAR",
                "started_at": "TIMESTAMPTZ NOT NULL",
                "finished_at": "TIMESTAMPTZ NOT NULL",
            },
        ),
        _table(
            "quarantine",
            "Rows that could not be loaded, with file, line, column and reason.",
            ("checksum", "line", "reason"),
            {
                "import_id": "VARCHAR NOT NULL",
                "file": "VARCHAR NOT NULL",
                "checksum": "VARCHAR NOT NULL",
                "line": "INTEGER",
                "column_name": "VARCHAR",
                "reason": "VARCHAR NOT NULL",
                "raw": "VARCHAR",
            },
        ),
    ]
}

_POLARS_TYPES = {
    "VARCHAR": pl.String,
    "BOOLEAN": pl.Boolean,
    "INTEGER": pl.Int32,
    "BIGINT": pl.Int64,
    "TINYINT": pl.Int8,
    "DATE": pl.Date,
    "TIMESTAMPTZ": pl.Datetime("us", "UTC"),
    "VARCHAR[]": pl.List(pl.String),
}


def _polars_type(sql_type: str) -> pl.DataType:
    return _POLARS_TYPES[sql_type.replace(" NOT NULL", "")]


def empty(table: str) -> pl.DataFrame:
    """An empty frame with the table's canonical columns and types."""
    cols = TABLES[table].columns
    return pl.DataFrame(schema={c: _polars_type(t) for c, t in cols.items()})


def conform(df: pl.DataFrame, table: str) -> pl.DataFrame:
    """Cast a frame to the canonical table: add missing columns as nulls, reject unknown ones.

    Raises:
        SchemaError: unknown columns, NULL in a NOT NULL column, or a value outside a vocabulary.
    """
    spec = TABLES[table]
    unknown = sorted(set(df.columns) - set(spec.columns))
    if unknown:
        raise SchemaError(f"{table}: unknown columns {', '.join(unknown)}")
    exprs = []
    for name, sql_type in spec.columns.items():
        dtype = _polars_type(sql_type)
        if name in df.columns:
            col = pl.col(name)
            if isinstance(dtype, pl.Datetime) and df.schema[name] != dtype:
                current = df.schema[name]
                if isinstance(current, pl.Datetime) and current.time_zone is None:
                    col = col.dt.replace_time_zone("UTC")
                col = col.dt.convert_time_zone("UTC").cast(dtype)
            else:
                col = col.cast(dtype)
            exprs.append(col.alias(name))
        else:
            exprs.append(pl.lit(None, dtype=dtype).alias(name))
    out = df.select(exprs)
    for name, sql_type in spec.columns.items():
        if "NOT NULL" in sql_type and out[name].null_count():
            raise SchemaError(f"{table}.{name}: {out[name].null_count()} NULL values in a NOT NULL column")
    for name, allowed in spec.enums.items():
        bad = out.filter(pl.col(name).is_not_null() & ~pl.col(name).is_in(list(allowed)))[name].unique()
        if len(bad):
            raise SchemaError(f"{table}.{name}: values {bad.to_list()[:5]} not in {list(allowed)}")
    return out


def create_table_sql(table: str) -> str:
    """The DuckDB DDL of one canonical table."""
    spec = TABLES[table]
    lines = [f"{name} {sql_type}" for name, sql_type in spec.columns.items()]
    if spec.key_index:
        lines.append(f"PRIMARY KEY ({', '.join(spec.key)})")
    body = ",\n    ".join(lines)
    return f"CREATE TABLE {table} (\n    {body}\n)"
