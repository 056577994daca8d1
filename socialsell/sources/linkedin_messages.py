"""LinkedIn `messages.csv` (every header 2018 → 2026) and the AI-coach chats → message touches."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from socialsell import identity
from socialsell.message_features import features
from socialsell.sources.linkedin_read import (
    Member,
    Table,
    parse_time,
    profile_url,
    read_member,
    row_ids,
    url_list,
)
from socialsell.sources.tabular import Quarantined, norm_header, split_invalid

__all__ = ["Owner", "owner_candidates", "read_messages", "standardise", "touches"]

MODERN = ("CONVERSATION ID", "FROM", "DATE", "CONTENT")
MODERN_OPTIONAL = (
    "CONVERSATION TITLE", "SENDER PROFILE URL", "TO", "RECIPIENT PROFILE URLS", "SUBJECT", "FOLDER",
    "IS MESSAGE DRAFT",
)  # fmt: skip
LEGACY = ("From", "To", "Date", "Content", "Direction")  # 2018 `Messages.csv`
LEGACY_OPTIONAL = ("Subject", "Folder")
_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S UTC", "%Y-%m-%d %H:%M:%S")
_LEGACY_DATE_FORMATS = ("%m/%d/%y, %I:%M %p", "%m/%d/%Y, %I:%M %p")


@dataclass(frozen=True)
class Owner:
    """Whose archive this is: the rep, and the names (slugs) and profile URLs they appear under."""

    rep_id: str
    names: frozenset[str]
    urls: frozenset[str]


def read_messages(member: Member, header: set[str]) -> Table:
    """Read messages.csv or a coach file; the 2018 layout is recognised by its Direction column."""
    if "direction" in header and "conversation id" not in header:
        return read_member(member, LEGACY, LEGACY_OPTIONAL)
    return read_member(member, MODERN, MODERN_OPTIONAL)


# 2024-12 (drafts; group chat URLs quoted and comma-joined; sponsored HTML), trimmed:
#   CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,DATE,SUBJECT,CONTENT,
#     FOLDER,IS MESSAGE DRAFT,IS CONVERSATION DRAFT
#   2-YjM1…XzAxMg==,,Jonas Weber,https://www.linkedin.com/in/jonas-weber-8b1a2c3d,Lena Hoffmann,
#     https://www.linkedin.com/in/lena-hoffmann-4a1b2c,2024-12-16 09:15:02 UTC,,"Passt, bis Dienstag!",INBOX,
#     No,No
#   ,,Lena Hoffmann,https://www.linkedin.com/in/lena-hoffmann-4a1b2c,,,2024-12-09 17:20:00 UTC,,Hallo,,Yes,No
# 2018 `Messages.csv`:
#   From,To,Date,Subject,Content,Direction,Folder
#   Daniel Fischer,Priya Nair,"10/16/18, 8:36 AM",,"Hi Priya, thanks&nbsp;for connecting",OUTGOING,SENT
def standardise(table: Table) -> tuple[pl.DataFrame, list[Quarantined]]:
    """One frame for every layout: conversation_id, sender/recipients (URLs normalised), occurred_at (UTC)…"""
    frame = table.frame
    legacy = "conversation id" not in frame.columns
    formats = _LEGACY_DATE_FORMATS if legacy else _DATE_FORMATS
    when = parse_time("date", formats)
    frame, bad = split_invalid(frame, [("DATE", when.is_null(), "DATE: missing or not a date")])
    column = pl.col
    missing = pl.lit(None, dtype=pl.String)
    std = frame.select(
        conversation_id=missing if legacy else column("conversation id"),
        title=missing if legacy else column("conversation title"),
        sender_name=column("from").str.strip_chars(),
        to_names=column("to").str.strip_chars(),
        occurred_at=when.dt.replace_time_zone("UTC"),
        content=column("content"),
        folder=column("folder").str.to_uppercase(),
        draft=pl.lit(False)
        if legacy
        else column("is message draft").str.to_lowercase().eq("yes").fill_null(False),
        outgoing=column("direction").str.to_uppercase().eq("OUTGOING")
        if legacy
        else pl.lit(None, pl.Boolean),
        _line=pl.col("_line"),
    )
    sender_url = pl.Series([None] * len(frame), dtype=pl.String) if legacy else frame["sender profile url"]
    recipients = (
        frame["recipient profile urls"] if "recipient profile urls" in frame.columns and not legacy else None
    )
    std = std.with_columns(
        sender_url=profile_url(sender_url),
        recipient_urls=url_list(recipients)
        if recipients is not None
        else pl.lit([], dtype=pl.List(pl.String)),
        sender_slug=identity.slugs(std["sender_name"]),
        legacy=pl.lit(legacy),
    )
    return std, [Quarantined(q.line, f"{table.member.source_file}: {q.reason}", q.raw, q.column) for q in bad]


def owner_candidates(std: pl.DataFrame) -> pl.DataFrame:
    """Who appears in which conversation (identity = profile URL, else `name:<slug>`), with a display name."""
    conversation = pl.coalesce(pl.col("conversation_id"), pl.concat_str(pl.lit("row:"), pl.col("_line")))
    senders = std.select(
        conversation.alias("conversation"),
        pl.coalesce(pl.col("sender_url"), pl.concat_str(pl.lit("name:"), pl.col("sender_slug"))).alias(
            "identity"
        ),
        pl.col("sender_name").alias("name"),
    )
    recipients = std.select(
        conversation.alias("conversation"),
        pl.col("recipient_urls").alias("identity"),
        pl.when(pl.col("recipient_urls").list.len() == 1).then(pl.col("to_names")).alias("name"),
    ).explode("identity")
    both = pl.concat([senders, recipients]).drop_nulls("identity")
    return both.filter(pl.col("identity") != "name:linkedin-member")


def touches(std: pl.DataFrame, owner: Owner, member: Member, keep_text: bool) -> pl.DataFrame:
    """Message rows → touches: direction from the owner, contact = the other party, exclusions, features."""
    frame = _with_direction_and_threads(std, owner)
    frame = frame.join(_conversations(frame, owner), on="thread_key", how="left", maintain_order="left")
    one_other_url = pl.when(pl.col("others") == 1).then(pl.col("other_url"))
    frame = frame.with_columns(
        participants=pl.max_horizontal(pl.col("others").fill_null(0), pl.lit(1)).cast(pl.Int32),
        contact_url=pl.when(pl.col("outbound")).then(one_other_url).otherwise(pl.col("sender_url")),
        contact_name=pl.when(pl.col("outbound")).then(pl.col("to_names")).otherwise(pl.col("sender_name")),
    )
    names = frame.select(
        pl.concat_str(pl.col("sender_name"), pl.col("to_names"), separator=" ", ignore_nulls=True)
    )
    feats = features(frame["content"], names.to_series())
    ids = row_ids(
        frame,
        [
            pl.col("conversation_id"),
            pl.col("occurred_at").dt.strftime("%Y-%m-%dT%H:%M:%S"),
            pl.coalesce(pl.col("sender_url"), pl.col("sender_name")),
            pl.col("content"),
        ],
    )
    out = frame.select(
        source=pl.lit("linkedin.messages"),
        source_id=ids,
        source_file=pl.lit(member.source_file),
        source_row=pl.col("_line"),
        rep_id=pl.lit(owner.rep_id),
        channel=pl.lit("linkedin"),
        kind=pl.lit("message"),
        direction=pl.when(pl.col("outbound")).then(pl.lit("outbound")).otherwise(pl.lit("inbound")),
        occurred_at=pl.col("occurred_at"),
        source_tz=pl.when(pl.col("legacy")).then(pl.lit("UTC (assumed)")).otherwise(pl.lit("UTC")),
        thread_id=pl.col("thread_id"),
        contact_key=identity.contact_key(linkedin=pl.col("contact_url")),
        contact_name=pl.col("contact_name"),
        participants=pl.col("participants"),
        folder=pl.col("folder"),
        exclusion=_exclusion(member.kind == "coach"),
        message_text=pl.col("content") if keep_text else pl.lit(None, dtype=pl.String),
    )
    return pl.concat([out, feats], how="horizontal")


def _with_direction_and_threads(std: pl.DataFrame, owner: Owner) -> pl.DataFrame:
    by_owner = pl.col("sender_url").is_in(list(owner.urls)) | (
        pl.col("sender_url").is_null() & pl.col("sender_slug").is_in(list(owner.names))
    )
    outbound = (
        pl.when(pl.col("legacy"))
        .then(pl.col("outgoing").fill_null(False))
        .otherwise(by_owner.fill_null(False))
    )
    frame = std.with_columns(outbound=outbound)
    # 2018 files have no conversation id: a thread is everything exchanged with one person.
    counterpart = pl.when(pl.col("outbound")).then(pl.col("to_names")).otherwise(pl.col("sender_name"))
    counterpart_slug = identity.slugs(frame.select(counterpart).to_series())
    legacy_thread = pl.concat_str(pl.lit("legacy:"), pl.lit(counterpart_slug))
    return frame.with_columns(
        thread_id=pl.when(pl.col("legacy")).then(legacy_thread).otherwise(pl.col("conversation_id")),
    ).with_columns(
        thread_key=pl.coalesce(pl.col("thread_id"), pl.concat_str(pl.lit("row:"), pl.col("_line"))),
    )


def _conversations(frame: pl.DataFrame, owner: Owner) -> pl.DataFrame:
    """Per thread: how many other people (by URL, else by name) and the URL when there is one."""
    inbound_senders = frame.filter(~pl.col("outbound")).select(
        "thread_key",
        other=pl.coalesce(pl.col("sender_url"), pl.concat_str(pl.lit("name:"), pl.col("sender_slug"))),
    )
    recipients = frame.select("thread_key", other=pl.col("recipient_urls")).explode("other")
    others = pl.concat([inbound_senders, recipients]).drop_nulls("other")
    others = others.filter(~pl.col("other").is_in(list(owner.urls))).unique(maintain_order=True)
    return others.group_by("thread_key").agg(
        others=pl.len().cast(pl.Int32),
        other_url=pl.col("other").filter(pl.col("other").str.starts_with("https://")).first(),
    )


def _exclusion(coach: bool) -> pl.Expr:
    sponsored = (
        (pl.col("sender_slug") == "linkedin-member") & pl.col("sender_url").is_null() & ~pl.col("legacy")
    ) | (pl.col("title").str.to_lowercase().str.strip_chars() == "sponsored conversation")
    draft = pl.col("draft") | (pl.col("conversation_id").is_null() & ~pl.col("legacy"))
    return (
        pl.when(pl.lit(coach))
        .then(pl.lit("ai_coach"))
        .when(draft)
        .then(pl.lit("draft"))
        .when(sponsored.fill_null(False))
        .then(pl.lit("sponsored"))
        .when(pl.col("folder") == "SPAM")
        .then(pl.lit("spam_folder"))
        .when(pl.col("participants") > 1)
        .then(pl.lit("group_chat"))
    )


def header_kind(header: set[str]) -> str | None:
    """`messages` when a folded header is a LinkedIn messages header (any year)."""
    modern = {norm_header(c) for c in MODERN} <= header
    legacy = {norm_header(c) for c in LEGACY} <= header
    return "messages" if modern or legacy else None
