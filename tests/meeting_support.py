"""Shared by the calendar and meeting-CSV tests: the team config, UTC times, rows as the store sees them."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl

from socialsell.config import Config
from socialsell.schema import conform

CONFIG = Config.from_dict(
    {
        "settings": {"region": "DE", "time_zone": "Europe/Berlin"},
        "reps": {
            "anna": {"name": "Anna Schmidt", "emails": ["anna.schmidt@nordlicht-software.de"]},
            "jonas": {"name": "Jonas Weber", "emails": ["jonas.weber@nordlicht-software.de"]},
        },
    }
)
MEETING_KEYS = [
    "rep_id", "starts_at", "ends_at", "booked_at", "status", "title", "origin", "contact_key",
    "attendee_keys", "contact_name", "source", "source_id", "source_file", "source_row",
]  # fmt: skip


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def store_rows(parsed) -> list[dict]:
    """The meetings rows as the store will see them (conform must accept the frame)."""
    frame = parsed.tables["meetings"].with_columns(import_id=pl.lit("test"))
    return conform(frame, "meetings").drop("import_id", "local_day", "local_week").to_dicts()
