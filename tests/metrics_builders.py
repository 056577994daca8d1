"""A tiny builder of canonical frames for metric tests: say what happened, load it, ask the metrics.

    data = Data()
    data.call(PHONE_A, "2026-03-02 09:00", outcome="connected")
    data.meeting(PHONE_A, "2026-03-10 10:00", booked_at="2026-03-03 09:00")
    data.load(con)

Times are UTC (`"YYYY-MM-DD HH:MM"` or a datetime); contacts are identities as the store keys them
(`tel:+49…`, `li:in/<slug>`, `mail:<address>`). Every row gets its own `source_id`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import polars as pl

from socialsell import store
from socialsell.config import Config
from socialsell.schema import empty
from socialsell.sources import Parsed

__all__ = ["LI_A", "LI_B", "MAIL_A", "PHONE_A", "PHONE_B", "Data", "phone", "profile", "utc"]

PHONE_A = "tel:+494055500001"
PHONE_B = "tel:+494055500002"
LI_A = "li:in/anke-adler"
LI_B = "li:in/bernd-bauer"
MAIL_A = "mail:anke.adler@kunde.de"


def phone(n: int) -> str:
    """The n-th made-up phone identity (`phone(1) == PHONE_A`)."""
    return f"tel:+49405550{n:04d}"


def profile(n: int) -> str:
    """The n-th made-up LinkedIn identity."""
    return f"li:in/prospect-{n}"


def utc(when: str | datetime) -> datetime:
    """`"2026-03-02 09:00"` → an aware UTC datetime (datetimes pass through)."""
    if isinstance(when, datetime):
        return when if when.tzinfo else when.replace(tzinfo=UTC)
    return datetime.fromisoformat(when).replace(tzinfo=UTC)


class Data:
    """Touches, meetings, contact records and reps of a small made-up team."""

    def __init__(self, reps: dict[str, str | None] | None = None) -> None:
        self.reps = reps if reps is not None else {"anna": "Nord"}
        self.touches: list[dict] = []
        self.meetings: list[dict] = []
        self.contacts: list[dict] = []

    def _touch(self, **row) -> dict:
        row.setdefault("rep_id", "anna")
        row["occurred_at"] = utc(row["occurred_at"])
        row.setdefault("source", "test.touches")
        row["source_id"] = f"t{len(self.touches)}"
        row["source_file"] = "metrics-fixture"
        self.touches.append(row)
        return row

    def call(
        self,
        contact: str | None,
        at: str | datetime,
        *,
        outcome: str | None = "no_answer",
        duration_s: int = 0,
        direction: str = "outbound",
        rep: str = "anna",
        source: str = "calls.dialer",
    ) -> dict:
        return self._touch(
            rep_id=rep,
            channel="phone",
            kind="call",
            direction=direction,
            occurred_at=at,
            outcome=outcome,
            duration_s=duration_s,
            contact_key=contact,
            source=source,
        )

    def message(
        self,
        contact: str,
        at: str | datetime,
        *,
        thread: str,
        direction: str = "outbound",
        exclusion: str | None = None,
        rep: str = "anna",
    ) -> dict:
        return self._touch(
            rep_id=rep,
            channel="linkedin",
            kind="message",
            direction=direction,
            occurred_at=at,
            thread_id=thread,
            contact_key=contact,
            participants=1,
            exclusion=exclusion,
            message_length=120,
            source="linkedin.messages",
        )

    def thread(self, contact: str, start: str | datetime, directions: str, *, thread: str, **kw) -> None:
        """A thread from a direction string: `"oio"` = rep, prospect, rep, one hour apart."""
        first = utc(start)
        for i, letter in enumerate(directions):
            direction = {"o": "outbound", "i": "inbound"}[letter]
            self.message(contact, first + timedelta(hours=i), thread=thread, direction=direction, **kw)

    def invitation(
        self, contact: str, at: str | datetime, *, note: bool = False, direction: str = "outbound", rep="anna"
    ) -> dict:
        return self._touch(
            rep_id=rep,
            channel="linkedin",
            kind="invitation",
            direction=direction,
            occurred_at=at,
            contact_key=contact,
            participants=1,
            message_length=80 if note else None,
            source="linkedin.invitations",
        )

    def connection(self, contact: str, on: str | datetime, *, rep: str = "anna") -> dict:
        """A LinkedIn connection; a bare date is midnight UTC, as LinkedIn's export writes it."""
        at = on if isinstance(on, datetime) or " " in on else f"{on} 00:00"
        return self._touch(
            rep_id=rep,
            channel="linkedin",
            kind="connection",
            direction="outbound",
            occurred_at=at,
            contact_key=contact,
            source="linkedin.connections",
        )

    def meeting(
        self,
        contact: str | None,
        starts_at: str | datetime,
        *,
        booked_at: str | datetime | None = None,
        status: str = "scheduled",
        origin: str = "calendar",
        rep: str = "anna",
    ) -> dict:
        row = {
            "rep_id": rep,
            "starts_at": utc(starts_at),
            "booked_at": utc(booked_at) if booked_at else None,
            "status": status,
            "origin": origin,
            "contact_key": contact,
            "source": f"meetings.{origin}",
            "source_id": f"m{len(self.meetings)}",
            "source_file": "metrics-fixture",
        }
        self.meetings.append(row)
        return row

    def contact(
        self,
        *,
        email: str | None = None,
        phone: str | None = None,
        linkedin: str | None = None,
        customer_since: date | None = None,
        rep: str | None = None,
    ) -> dict:
        """A CRM contact record: its identities belong to one person."""
        row = {
            "email": email,
            "phone_e164": phone,
            "linkedin_url": linkedin,
            "customer_since": customer_since,
            "rep_id": rep,
            "source": "crm.contacts",
            "source_id": f"c{len(self.contacts)}",
            "source_file": "metrics-fixture",
        }
        self.contacts.append(row)
        return row

    def parsed(self) -> Parsed:
        tables = {
            "reps": pl.DataFrame(
                {
                    "rep_id": list(self.reps),
                    "display_name": [r.title() for r in self.reps],
                    "team": list(self.reps.values()),
                    "from_config": [False] * len(self.reps),
                },
                schema={
                    "rep_id": pl.String,
                    "display_name": pl.String,
                    "team": pl.String,
                    "from_config": pl.Boolean,
                },
            )
        }
        for name, rows in (
            ("touches", self.touches),
            ("meetings", self.meetings),
            ("contact_records", self.contacts),
        ):
            if rows:
                tables[name] = _frame(name, rows)
        return Parsed("test.metrics", tables, len(self.touches) + len(self.meetings) + len(self.contacts))

    def load(self, con: duckdb.DuckDBPyConnection, config: Config | None = None) -> None:
        """Load everything in one import (time zone Europe/Berlin unless `config` says otherwise)."""
        store.load(con, self.parsed(), Path("metrics-fixture"), config or Config(), file_checksum="fixture")


def _frame(table: str, rows: list[dict]) -> pl.DataFrame:
    """Rows → a frame with the canonical types of the columns they use (store.load conforms the rest)."""
    types = empty(table).schema
    columns = sorted({c for row in rows for c in row}, key=list(types).index)
    schema = {c: types[c] for c in columns}
    return pl.DataFrame([{c: row.get(c) for c in columns} for row in rows], schema=schema)
