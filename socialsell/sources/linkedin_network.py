"""LinkedIn `Invitations.csv`, `Connections.csv`, `Profile.csv` → invitation/connection touches, contacts."""

from __future__ import annotations

import polars as pl

from socialsell import identity
from socialsell.message_features import features
from socialsell.sources.linkedin_read import Table, parse_time, profile_url, row_ids
from socialsell.sources.tabular import Quarantined, norm_header, split_invalid

__all__ = [
    "CONNECTIONS",
    "INVITATIONS",
    "PROFILE",
    "connections",
    "header_kind",
    "invitation_owner",
    "invitations",
    "profile_name",
]

INVITATIONS = ("From", "To", "Sent At", "Direction")
INVITATIONS_OPTIONAL = ("Message", "inviterProfileUrl", "inviteeProfileUrl")
CONNECTIONS = ("First Name", "Last Name", "Connected On")
CONNECTIONS_OPTIONAL = ("URL", "Email Address", "Company", "Position")
PROFILE = ("First Name", "Last Name")
_SENT_AT_FORMATS = ("%m/%d/%y, %I:%M %p", "%m/%d/%Y, %I:%M %p", "%Y-%m-%d %H:%M:%S UTC")
# LinkedIn: `16 Dec 2024`, 2018 `1/8/18, 6:14 PM`; Excel re-saves: `9-Sep-22`, `09.09.2022`, ISO, US.
_CONNECTED_WITH_TIME = ("%m/%d/%y, %I:%M %p", "%m/%d/%Y, %I:%M %p")
_CONNECTED_DATE = (
    "%d %b %Y",
    "%d %B %Y",
    "%d-%b-%y",
    "%d-%b-%Y",
    "%d.%m.%Y",
    "%d.%m.%y",
    "%Y-%m-%d",
    "%m/%d/%Y",
)
_DIRECTIONS = {"OUTGOING": "outbound", "INCOMING": "inbound"}


def header_kind(header: set[str]) -> str | None:
    """`connections` / `invitations` when a folded header is one of those LinkedIn files."""
    if {norm_header(c) for c in CONNECTIONS} <= header:
        return "connections"
    if {norm_header(c) for c in INVITATIONS} <= header:
        return "invitations"
    return None


# Profile.csv (one row; no profile URL in it):
#   First Name,Last Name,Maiden Name,Address,Birth Date,Headline,Summary,Industry,Zip Code,Geo Location,…
#   Lena,Hoffmann,,,Mar 31,Account Executive DACH | B2B SaaS,…,Software Development,20095,"Hamburg, Germany",…
def profile_name(table: Table) -> str | None:
    """The archive owner's name from Profile.csv (First Name + Last Name of its one row)."""
    if not table.frame.height:
        return None
    row = table.frame.row(0, named=True)
    name = " ".join(p.strip() for p in (row["first name"], row["last name"]) if p and p.strip())
    return name or None


def invitation_owner(table: Table) -> tuple[set[str], set[str], str | None]:
    """The owner as the file shows them: sender of OUTGOING and receiver of INCOMING invitations.

    Returns name slugs, profile URLs and the most frequent display name.
    """
    frame = table.frame.select(
        own_name=pl.when(pl.col("direction").str.to_uppercase() == "OUTGOING").then("from").otherwise("to"),
        own_url=pl.when(pl.col("direction").str.to_uppercase() == "OUTGOING")
        .then("inviterprofileurl")
        .otherwise("inviteeprofileurl"),
    )
    names = frame["own_name"].drop_nulls()
    if not len(names):
        return set(), set(), None
    top = names.value_counts(sort=True).row(0)[0]
    urls = set(profile_url(frame["own_url"]).drop_nulls().to_list())
    return {identity.slug(top)}, urls, top


# 2024-12 (`Sent At` has no zone: treated as UTC; 2023-12 URLs were truncated to `…/in`):
#   From,To,Sent At,Message,Direction,inviterProfileUrl,inviteeProfileUrl
#   Lena Hoffmann,Jonas Weber,"12/10/24, 9:05 AM","Hallo Herr Weber, …",OUTGOING,
#     https://www.linkedin.com/in/lena-hoffmann-4a1b2c,https://www.linkedin.com/in/jonas-weber-8b1a2c3d
# 2018-2022: From,To,Sent At,Message,Direction
def invitations(table: Table, rep_id: str, keep_text: bool) -> tuple[pl.DataFrame, list[Quarantined]]:
    """Invitation rows → touches (kind invitation); the note gets the message features."""
    frame, bad = _invitation_rows(table)
    names = frame.select(pl.concat_str("from", "to", separator=" ", ignore_nulls=True)).to_series()
    ids = row_ids(
        frame,
        [
            pl.col("direction"),
            pl.coalesce(pl.col("contact_url"), pl.col("contact_name")),
            pl.col("occurred_at").dt.strftime("%Y-%m-%dT%H:%M"),
        ],
    )
    out = frame.select(
        source=pl.lit("linkedin.invitations"),
        source_id=ids,
        source_file=pl.lit(table.member.source_file),
        source_row=pl.col("_line"),
        rep_id=pl.lit(rep_id),
        channel=pl.lit("linkedin"),
        kind=pl.lit("invitation"),
        direction=pl.col("direction"),
        occurred_at=pl.col("occurred_at"),
        source_tz=pl.lit("UTC (assumed)"),
        contact_key=identity.contact_key(linkedin=pl.col("contact_url")),
        contact_name=pl.col("contact_name"),
        participants=pl.lit(1, dtype=pl.Int32),
        message_text=pl.col("message") if keep_text else pl.lit(None, dtype=pl.String),
    )
    return pl.concat([out, features(frame["message"], names)], how="horizontal"), _named(table, bad)


def _invitation_rows(table: Table) -> tuple[pl.DataFrame, list[Quarantined]]:
    """Valid rows with direction, occurred_at (UTC) and the other person's URL and name."""
    sent = parse_time("sent at", _SENT_AT_FORMATS)
    direction = (
        pl.col("direction").str.to_uppercase().str.strip_chars().replace_strict(_DIRECTIONS, default=None)
    )
    frame, bad = split_invalid(
        table.frame,
        [
            ("Sent At", sent.is_null(), "Sent At: missing or not a date"),
            ("Direction", direction.is_null(), "Direction: expected OUTGOING or INCOMING"),
        ],
    )
    outbound = direction == "outbound"
    frame = frame.with_columns(
        direction=direction,
        occurred_at=sent.dt.replace_time_zone("UTC"),
        contact_url=profile_url(
            frame.select(
                pl.when(outbound).then("inviteeprofileurl").otherwise("inviterprofileurl")
            ).to_series()
        ),
        contact_name=pl.when(outbound).then(pl.col("to")).otherwise(pl.col("from")).str.strip_chars(),
    )
    return frame, bad


# 2024-12 (3-line preamble, header on line 4; blank-name rows from hidden members):
#   Notes:
#   "When exporting your connection data, you may notice that some of the email addresses are missing. …"
#
#   First Name,Last Name,URL,Email Address,Company,Position,Connected On
#   Ümit,Yılmaz,https://www.linkedin.com/in/%C3%BCmit-y%C4%B1lmaz-5c6d7e8f,,"Stahl & Söhne, KG",CFO,
#     10 Dec 2024
#   ,,,,,,14 Sep 2024
# 2018: First Name,Last Name,Email Address,Company,Position,Connected On … "1/8/18, 6:14 PM"
def connections(
    table: Table, rep_id: str, invitation_touches: pl.DataFrame | None
) -> tuple[pl.DataFrame, pl.DataFrame, list[Quarantined]]:
    """Connection rows → touches (kind connection) and contact records (warm-contact evidence).

    Direction comes from a matching invitation when the archive has one; blank-name rows (hidden
    members) stay touches without contact and get no contact record.
    """
    frame, bad = _connection_rows(table)
    frame = _connection_direction(frame, invitation_touches)
    lineage = dict(
        source=pl.lit("linkedin.connections"),
        source_id=pl.col("source_id"),
        source_file=pl.lit(table.member.source_file),
        source_row=pl.col("_line"),
        rep_id=pl.lit(rep_id),
    )
    touches = frame.select(
        **lineage,
        channel=pl.lit("linkedin"),
        kind=pl.lit("connection"),
        direction=pl.col("direction"),
        occurred_at=pl.col("occurred_at"),
        source_tz=pl.col("source_tz"),
        contact_key=pl.col("contact_key"),
        contact_name=pl.col("full_name"),
        contact_email=pl.col("email"),
        contact_company=pl.col("company"),
    )
    records = frame.filter(pl.col("full_name").is_not_null() | pl.col("linkedin_url").is_not_null()).select(
        **lineage,
        full_name=pl.col("full_name"),
        company=pl.col("company"),
        title=pl.col("position").str.strip_chars(),
        email=pl.col("email"),
        linkedin_url=pl.col("linkedin_url"),
        connected_on=pl.col("occurred_at").dt.date(),
    )
    return touches, records, _named(table, bad)


def _connection_rows(table: Table) -> tuple[pl.DataFrame, list[Quarantined]]:
    """Valid rows with occurred_at (midnight UTC for a bare date), name, URL, e-mail and a stable id."""
    with_time = parse_time("connected on", _CONNECTED_WITH_TIME)
    date_only = parse_time("connected on", _CONNECTED_DATE)
    frame, bad = split_invalid(
        table.frame, [("Connected On", with_time.is_null() & date_only.is_null(), "Connected On: not a date")]
    )
    full_name = pl.concat_str(pl.col("first name"), pl.col("last name"), separator=" ", ignore_nulls=True)
    frame = frame.with_columns(
        occurred_at=pl.coalesce(with_time, date_only).dt.replace_time_zone("UTC"),
        source_tz=pl.when(with_time.is_null())
        .then(pl.lit("UTC (date only)"))
        .otherwise(pl.lit("UTC (assumed)")),
        full_name=pl.when(full_name.str.strip_chars() != "").then(full_name.str.strip_chars()),
        linkedin_url=profile_url(frame["url"]),
        email=identity.email(frame["email address"]),
        company=pl.col("company").str.strip_chars(),
    )
    frame = frame.with_columns(
        source_id=row_ids(
            frame,
            [
                pl.coalesce(
                    pl.col("linkedin_url"),
                    pl.concat_str("full_name", "company", separator="|", ignore_nulls=True),
                ),
                pl.col("occurred_at").dt.date().cast(pl.String),
            ],
        ),
        contact_key=identity.contact_key(linkedin=pl.col("linkedin_url")),
    )
    return frame, bad


def _connection_direction(frame: pl.DataFrame, invitation_touches: pl.DataFrame | None) -> pl.DataFrame:
    """Who asked: an OUTGOING invitation to this person makes the connection outbound, INCOMING inbound.

    Matched by profile URL; invitations without a usable URL (2018-2022, truncated 2023-12) match by
    name. A person with invitations both ways stays null.
    """
    if invitation_touches is None or not invitation_touches.height:
        return frame.with_columns(direction=pl.lit(None, dtype=pl.String))
    invites = invitation_touches.select(
        "contact_key",
        "direction",
        name_slug=identity.slugs(invitation_touches["contact_name"]),
    )
    by_key = _one_way(invites, "contact_key").rename({"direction": "by_key"})
    by_name = _one_way(invites.filter(pl.col("contact_key").is_null()), "name_slug").rename(
        {"direction": "by_name"}
    )
    frame = frame.with_columns(name_slug=identity.slugs(frame["full_name"]))
    frame = frame.join(by_key, on="contact_key", how="left", maintain_order="left")
    frame = frame.join(by_name, on="name_slug", how="left", maintain_order="left")
    direction = pl.coalesce("by_key", "by_name")
    return frame.with_columns(direction=direction).drop("by_key", "by_name", "name_slug")


def _one_way(invites: pl.DataFrame, key: str) -> pl.DataFrame:
    """Per person (`key`), the direction of their invitations when they all went the same way."""
    grouped = invites.drop_nulls(key).group_by(key).agg(pl.col("direction").unique())
    return grouped.filter(pl.col("direction").list.len() == 1).select(key, pl.col("direction").list.first())


def _named(table: Table, bad: list[Quarantined]) -> list[Quarantined]:
    return [Quarantined(q.line, f"{table.member.source_file}: {q.reason}", q.raw, q.column) for q in bad]
