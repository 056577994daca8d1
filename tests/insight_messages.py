"""LinkedIn messages with text for insight tests: the metrics builder's message rows plus the features
the importer derives from the text (the text itself is not stored, as in a real import)."""

from __future__ import annotations

from datetime import datetime

import polars as pl
from metrics_builders import Data

from socialsell.message_features import features

__all__ = ["REP_NAMES", "write"]

REP_NAMES = {"anna": "Anna Becker", "tobias": "Tobias Huber", "jonas": "Jonas Hoffmann"}


def write(
    data: Data,
    contact: str,
    at: str | datetime,
    text: str,
    *,
    thread: str,
    prospect: str = "Max Weber",
    direction: str = "outbound",
    rep: str = "anna",
) -> dict:
    """One message in a 1:1 thread, with the features of `text` (names of both people removed)."""
    row = data.message(contact, at, thread=thread, direction=direction, rep=rep)
    names = pl.Series([f"{REP_NAMES.get(rep, rep)} {prospect}"])
    row.update(features(pl.Series([text]), names).row(0, named=True))
    return row
