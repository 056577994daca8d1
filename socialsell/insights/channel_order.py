"""Channel order: does LinkedIn before the first dial make calls connect and convert better?

The unit is a rep's *first dial* to a contact (so a contact dialled ten times counts once). What
happened on LinkedIn in the `attribution_window_days` before it puts it in one of three groups:
`linkedin_reply` (the contact wrote to the rep), `linkedin_touch` (the rep messaged or invited the
contact, no word back) or `no_linkedin`. The first dial *connects* as in the report; it *converts*
when a meeting (not cancelled) with that contact is booked within `attribution_window_days` after it.
`sequences` shows, per contact, which channel came first and how often each order ends in a meeting.
"""

from __future__ import annotations

import duckdb
import polars as pl

from socialsell.definitions import Definitions
from socialsell.insights.grouping import by_levels, rows_at, scope, small_sample
from socialsell.stats import compare, wilson_exprs

__all__ = ["GROUPS", "NAME", "QUESTION", "TITLE", "compute", "finding", "first_dials", "sequences"]

NAME = "channel_order"
TITLE = "Channel order"
QUESTION = "Do calls after a LinkedIn touch or reply connect and convert better than calls out of the blue?"

GROUPS = ("linkedin_reply", "linkedin_touch", "no_linkedin")

FIRST_DIALS_SQL = """
WITH t AS (SELECT * FROM touch_facts WHERE contact_id IS NOT NULL AND NOT duplicate),
first_dial AS (
    SELECT rep_id, contact_id, occurred_at AS dialled_at, local_day, local_week,
        coalesce(outcome IN ('connected', 'meeting_booked') OR (outcome IS NULL AND duration_s >= {connect}), false)
            AS connected
    FROM (SELECT *, row_number() OVER (PARTITION BY rep_id, contact_id ORDER BY occurred_at, source, source_id) AS n
          FROM t WHERE kind = 'call' AND direction = 'outbound')
    WHERE n = 1
),
linkedin_before AS (
    SELECT d.rep_id, d.contact_id,
        bool_or(t.kind = 'message' AND t.direction = 'inbound') AS replied,
        bool_or(t.kind IN ('message', 'invitation') AND t.direction = 'outbound') AS touched
    FROM first_dial d JOIN t ON t.rep_id = d.rep_id AND t.contact_id = d.contact_id AND t.channel = 'linkedin'
        AND t.occurred_at < d.dialled_at AND t.occurred_at >= d.dialled_at - INTERVAL {window} DAY
    GROUP BY ALL
),
met AS (
    SELECT DISTINCT d.rep_id, d.contact_id
    FROM first_dial d JOIN meetings_unique mu ON mu.rep_id = d.rep_id AND mu.contact_id = d.contact_id
        AND mu.status <> 'cancelled'
        AND coalesce(mu.booked_at, mu.starts_at) BETWEEN d.dialled_at AND d.dialled_at + INTERVAL {window} DAY
)
SELECT d.rep_id, r.display_name, r.team, d.contact_id, d.dialled_at, d.local_day, d.connected,
    CASE WHEN b.replied THEN 'linkedin_reply' WHEN b.touched THEN 'linkedin_touch' ELSE 'no_linkedin' END
        AS before_first_dial,
    m.contact_id IS NOT NULL AS meeting
FROM first_dial d LEFT JOIN linkedin_before b USING (rep_id, contact_id)
LEFT JOIN met m USING (rep_id, contact_id)
LEFT JOIN reps r ON r.rep_id = d.rep_id
WHERE true {scope}
ORDER BY d.rep_id, d.dialled_at
"""

SEQUENCES_SQL = """
WITH t AS (SELECT * FROM touch_facts WHERE contact_id IS NOT NULL AND NOT duplicate),
firsts AS (
    SELECT rep_id, contact_id,
        min(occurred_at) FILTER (WHERE kind = 'call' AND direction = 'outbound') AS first_dial_at,
        min(occurred_at) FILTER (WHERE kind IN ('message', 'invitation') AND direction = 'outbound')
            AS first_linkedin_at,
        bool_or((kind = 'call' AND outcome IN ('connected', 'meeting_booked'))
                OR (kind = 'message' AND direction = 'inbound')) AS responded
    FROM t GROUP BY ALL
),
p AS (
    SELECT *, least(first_dial_at, first_linkedin_at) AS first_at,
        CASE WHEN first_linkedin_at IS NULL THEN 'phone only' WHEN first_dial_at IS NULL THEN 'linkedin only'
             WHEN first_linkedin_at < first_dial_at THEN 'linkedin → phone' ELSE 'phone → linkedin' END AS sequence
    FROM firsts WHERE coalesce(first_dial_at, first_linkedin_at) IS NOT NULL
)
SELECT p.sequence, count(*) AS contacts, count(*) FILTER (WHERE p.responded) AS responded,
    count(DISTINCT p.rep_id || p.contact_id) FILTER (WHERE mu.meeting_id IS NOT NULL) AS contacts_with_meeting
FROM p LEFT JOIN reps r ON r.rep_id = p.rep_id
LEFT JOIN meetings_unique mu ON mu.rep_id = p.rep_id AND mu.contact_id = p.contact_id
    AND mu.status <> 'cancelled' AND coalesce(mu.booked_at, mu.starts_at) >= p.first_at
WHERE true {scope}
GROUP BY 1 ORDER BY 2 DESC
"""


def first_dials(con: duckdb.DuckDBPyConnection, d: Definitions | None = None) -> pl.DataFrame:
    """One row per (rep, contact) first dial: what LinkedIn saw before it, connected, meeting."""
    d = d or Definitions()
    sql = FIRST_DIALS_SQL.format(
        connect=int(d.connect_min_talk_s), window=int(d.attribution_window_days), scope=scope(d, prefix="d.")
    )
    return con.sql(sql).pl()


def sequences(con: duckdb.DuckDBPyConnection, d: Definitions | None = None) -> pl.DataFrame:
    """Per channel order (phone only, linkedin only, linkedin → phone, phone → linkedin): contacts,
    how many responded (connected call or LinkedIn message) and had a meeting, with intervals."""
    d = d or Definitions()
    sql = SEQUENCES_SQL.format(scope=scope(d, prefix="p.", day="first_at::DATE"))
    return (
        con.sql(sql)
        .pl()
        .with_columns(
            *wilson_exprs("responded", "contacts", "response_rate_pct"),
            *wilson_exprs("contacts_with_meeting", "contacts", "meeting_rate_pct"),
            small_sample(d, ("contacts", "contacts")),
        )
    )


def _summary(frame: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    return frame.group_by([*keys, "before_first_dial"]).agg(
        pl.len().alias("first_dials"),
        pl.col("connected").sum().alias("connects"),
        pl.col("meeting").sum().alias("first_dials_with_meeting"),
    )


def compute(con: duckdb.DuckDBPyConnection, d: Definitions | None = None) -> pl.DataFrame:
    """Per rep, team and total and per group before the first dial (`linkedin_reply`,
    `linkedin_touch`, `no_linkedin`): first dials, connects and meetings with Wilson intervals."""
    d = d or Definitions()
    frame = by_levels(first_dials(con, d), _summary)
    return frame.with_columns(
        *wilson_exprs("connects", "first_dials", "connect_rate_pct"),
        *wilson_exprs("first_dials_with_meeting", "first_dials", "meeting_rate_pct"),
        small_sample(d, ("first_dials", "first dials")),
    )


def _counts(total: pl.DataFrame, groups: tuple[str, ...]) -> dict:
    rows = total.filter(pl.col("before_first_dial").is_in(list(groups)))
    return {c: int(rows[c].sum()) for c in ("first_dials", "connects", "first_dials_with_meeting")}


def finding(frame: pl.DataFrame, d: Definitions | None = None) -> str:
    """Connect rate after a LinkedIn touch (or reply) vs none, and meetings after a reply vs none."""
    d = d or Definitions()
    total = rows_at(frame, "total")
    none = _counts(total, ("no_linkedin",))
    after = _counts(total, ("linkedin_reply", "linkedin_touch"))
    replied = _counts(total, ("linkedin_reply",))
    window = f"{d.attribution_window_days} days"
    if not none["first_dials"] and not after["first_dials"]:
        return "No first dials in this scope."
    if not after["first_dials"]:
        return (
            f"None of the {none['first_dials']:,} first dials followed a LinkedIn touch in the {window} before: "
            "reps work the two channels on different people, so the data cannot say whether LinkedIn first helps."
        )
    connect = compare(
        after["connects"], after["first_dials"], none["connects"], none["first_dials"],
        label_a="after LinkedIn", label_b="without", unit="first dials", min_trials=d.min_sample,
    )  # fmt: skip
    text = f"Connect rate of first dials after a LinkedIn touch in the {window} before: {connect.verdict}"
    if replied["first_dials"]:
        meetings = compare(
            replied["first_dials_with_meeting"], replied["first_dials"],
            none["first_dials_with_meeting"], none["first_dials"],
            label_a="after a LinkedIn reply", label_b="without LinkedIn", unit="first dials",
            min_trials=d.min_sample,
        )  # fmt: skip
        text += f" Meetings: {meetings.verdict}"
    return text
