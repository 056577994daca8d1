"""Reading one CSV of a LinkedIn archive: columns by name, dates, stable row ids, profile URLs."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from socialsell import identity
from socialsell.message_features import md5
from socialsell.sources.tabular import ImportError_, Quarantined, norm_header, read_rows, sniff_layout

__all__ = [
    "Member",
    "Table",
    "header_names",
    "parse_time",
    "profile_url",
    "read_member",
    "row_ids",
    "url_list",
]

# Every column name any LinkedIn file of interest has used (folded by norm_header).
_KNOWN = {
    "conversation id", "conversation title", "from", "sender profile url", "to", "recipient profile urls",
    "date", "subject", "content", "folder", "is message draft", "is conversation draft", "attachments",
    "direction", "first name", "last name", "url", "email address", "company", "position", "connected on",
    "sent at", "message", "inviterprofileurl", "inviteeprofileurl", "maiden name", "headline",
}  # fmt: skip


@dataclass(frozen=True)
class Member:
    """One CSV of the archive, as a file on disk (extracted from the zip if need be)."""

    kind: str  # messages, coach, connections, invitations, profile
    path: Path
    source_file: str  # what rows name as their file, e.g. `Basic_…_03-01-2026.zip!messages.csv`


@dataclass
class Table:
    """The rows of one member with folded column names, plus what could not be read."""

    member: Member
    frame: pl.DataFrame  # String columns named by norm_header, plus `_line`
    header: tuple[str, ...]
    quarantined: list[Quarantined]
    blank: int  # rows with no value at all


def _is_linkedin_header(header: tuple[str, ...]) -> bool:
    return len({norm_header(x) for x in header} & _KNOWN) >= 2


def header_names(path: Path) -> set[str] | None:
    """The folded column names of a LinkedIn-looking header in the first lines, or None."""
    try:
        layout = sniff_layout(path, _is_linkedin_header)
    except (OSError, UnicodeError, csv.Error):
        return None
    return {norm_header(h) for h in layout.header} if layout else None


def read_member(member: Member, required: Iterable[str], optional: Iterable[str] = ()) -> Table:
    """Read a member's rows; every `required` and `optional` column exists afterwards (optional as nulls).

    Raises:
        ImportError_: no LinkedIn header in the first lines, or required columns missing (listed).
    """
    layout = sniff_layout(member.path, _is_linkedin_header)
    if layout is None:
        raise ImportError_(f"{member.source_file}: no LinkedIn header row in the first lines")
    folded = [norm_header(h) for h in layout.header]
    missing = [name for name in required if norm_header(name) not in folded]
    if missing:
        raise ImportError_(
            f"{member.source_file}: missing columns {', '.join(missing)} (found: {', '.join(layout.header)})"
        )
    frame, quarantined = read_rows(layout)
    frame = frame.rename(dict(zip(frame.columns[:-1], folded, strict=True)))
    fields = [c for c in frame.columns if c != "_line"]
    # Empty and whitespace-only fields are missing values; names and URLs lose stray spaces.
    frame = frame.with_columns(
        pl.when(pl.col(c).str.strip_chars() != "").then(pl.col(c)).alias(c) for c in fields
    )
    is_blank = pl.all_horizontal(pl.col(c).is_null() for c in fields)
    blank = frame.filter(is_blank).height
    frame = frame.filter(~is_blank)
    for name in [*required, *optional]:
        if norm_header(name) not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(norm_header(name)))
    named = [Quarantined(q.line, f"{member.source_file}: {q.reason}", q.raw, q.column) for q in quarantined]
    return Table(member, frame, layout.header, named, blank)


def parse_time(column: str, formats: Iterable[str]) -> pl.Expr:
    """Naive datetime from the first format that fits (null when none does)."""
    text = pl.col(column).str.strip_chars()
    return pl.coalesce([text.str.strptime(pl.Datetime("us"), f, strict=False) for f in formats])


def profile_url(values: pl.Series) -> pl.Series:
    """Canonical profile URLs (null for empty or truncated ones like `https://www.linkedin.com/in`)."""
    return identity.linkedin_url(values.cast(pl.String))


def url_list(values: pl.Series) -> pl.Series:
    """A comma-joined URL field (RECIPIENT PROFILE URLS) → list of canonical profile URLs."""
    frame = pl.DataFrame({"raw": values.cast(pl.String)}).with_row_index("row")
    flat = frame.with_columns(pl.col("raw").str.split(",")).explode("raw")
    flat = flat.with_columns(url=profile_url(flat["raw"].str.strip_chars()))
    grouped = flat.group_by("row", maintain_order=True).agg(
        pl.col("url").drop_nulls().unique(maintain_order=True)
    )
    return (
        frame.select("row")
        .join(grouped, on="row", how="left", maintain_order="left")["url"]
        .alias(values.name)
    )


def row_ids(frame: pl.DataFrame, parts: list[pl.Expr]) -> pl.Series:
    """Stable ids: MD5 of the normalised parts; repeats of the same parts get `#2`, `#3`… in file order.

    Two exports listing the same rows in the same order therefore give the same ids.
    """
    key = pl.concat_str([p.cast(pl.String).fill_null("") for p in parts], separator="\x1f")
    keyed = frame.select(key.alias("key")).with_columns(nth=pl.int_range(pl.len()).over("key"))
    text = keyed.select(
        pl.when(pl.col("nth") > 0)
        .then(pl.concat_str(pl.col("key"), pl.lit("\x1f#"), (pl.col("nth") + 1).cast(pl.String)))
        .otherwise(pl.col("key"))
    ).to_series()
    return md5(text).alias("source_id")
