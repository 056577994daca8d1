"""Meetings the exports do not record: booking conversations in LinkedIn messages, scored, for review.

LinkedIn has no "meeting booked" field. A *candidate* is an episode of scheduling talk in a 1:1
LinkedIn thread: messages flagged at import (the text is not kept) as sharing a scheduling link
(`has_scheduling_link`), proposing a concrete day or time (`proposes_time`) or accepting/confirming
an appointment (`confirms_meeting`); signals more than `EPISODE_GAP_DAYS` apart start a new episode.
Its score adds up the evidence:

    +1 the rep shared a scheduling link       +1 the rep proposed a day or time
    +1 the prospect proposed a day or time    +2 the prospect accepted or confirmed
    +1 the rep confirmed ("Termin bestätigt") +1 both sides took part in the scheduling talk

An episode is a candidate when the prospect wrote in the thread, one side put a link, a day or time
or a confirmation on the table (a prospect's "sounds good" alone is not), the prospect agreed or
proposed a time or the rep confirmed (a link answered with "no, thanks" is not), and the score is
at least `MIN_SCORE`; `likelihood` is high from `HIGH_SCORE`.
A candidate is *recorded* when a meeting with that person is in `meetings_unique` (calendar, CRM or
a call outcome), booked or starting from two days before the episode to `attribution_window_days`
after it. The others wait for a person to confirm or reject them (`decide`); decisions live in
`meeting_decisions`, keyed by `candidate_id` (rep, thread and the episode's first day), which imports
and rebuilds never touch. Reports keep booked (recorded), confirmed-inferred and unconfirmed apart.
"""

from __future__ import annotations

import duckdb
import polars as pl

from socialsell.definitions import Definitions
from socialsell.insights.grouping import by_levels, rows_at, scope, small_sample
from socialsell.stats import wilson_exprs

__all__ = [
    "DECISIONS",
    "EPISODE_GAP_DAYS",
    "HIGH_SCORE",
    "MIN_SCORE",
    "NAME",
    "QUESTION",
    "TITLE",
    "candidates",
    "compute",
    "decide",
    "finding",
]

NAME = "inferred_meetings"
TITLE = "Meetings the exports do not record"
QUESTION = (
    "Which LinkedIn conversations look like a booked meeting that no calendar, CRM or call log "
    "records, and how many meetings does each rep have once confirmed ones are counted?"
)
EPISODE_GAP_DAYS = 14
MIN_SCORE = 2
HIGH_SCORE = 4
DECISIONS = ("confirmed", "rejected", "undecided")  # "undecided" removes an earlier decision

CANDIDATES_SQL = """
WITH signals AS (
    SELECT rep_id, thread_id, contact_id, direction, occurred_at, local_day,
           coalesce(has_scheduling_link, false) AS link, coalesce(proposes_time, false) AS proposes,
           coalesce(confirms_meeting, false) AS confirms,
           coalesce(occurred_at - lag(occurred_at) OVER w > INTERVAL {gap} DAY, true) AS starts_episode
    FROM touch_facts
    WHERE kind = 'message' AND thread_id IS NOT NULL
      AND (has_scheduling_link OR proposes_time OR confirms_meeting)
    WINDOW w AS (PARTITION BY rep_id, thread_id ORDER BY occurred_at, direction)
),
numbered AS (
    SELECT *, sum(starts_episode::INTEGER) OVER (PARTITION BY rep_id, thread_id ORDER BY occurred_at, direction
                                                 ROWS UNBOUNDED PRECEDING) AS episode
    FROM signals
),
episodes AS (
    SELECT rep_id, thread_id, episode, any_value(contact_id) AS contact_id,
        min(occurred_at) AS first_signal_at, max(occurred_at) AS last_signal_at,
        arg_min(local_day, occurred_at) AS local_day,
        bool_or(link AND direction = 'outbound') AS rep_sent_link,
        bool_or(proposes AND direction = 'outbound') AS rep_proposed_time,
        bool_or(proposes AND direction = 'inbound') AS prospect_proposed_time,
        bool_or(confirms AND direction = 'inbound') AS prospect_confirmed,
        bool_or(confirms AND direction = 'outbound') AS rep_confirmed,
        bool_or(direction = 'inbound') AND bool_or(direction = 'outbound') AS both_sides
    FROM numbered GROUP BY rep_id, thread_id, episode
),
scored AS (
    SELECT e.*, t.contact_key,
        'im-' || md5(e.rep_id || '|' || e.thread_id || '|' || e.local_day::VARCHAR)[:16] AS candidate_id,
        rep_sent_link::INTEGER + rep_proposed_time::INTEGER + prospect_proposed_time::INTEGER
            + 2 * prospect_confirmed::INTEGER + rep_confirmed::INTEGER + both_sides::INTEGER AS score
    FROM episodes e JOIN thread_facts t USING (rep_id, thread_id)
    WHERE NOT t.started_by_rep OR t.first_reply_at <= e.last_signal_at + INTERVAL {gap} DAY
),
recorded AS (
    SELECT s.candidate_id, arg_min(mu.meeting_id, abs(epoch(coalesce(mu.booked_at, mu.starts_at)
                                                           - s.last_signal_at))) AS meeting_id
    FROM scored s JOIN meetings_unique mu ON mu.rep_id = s.rep_id AND mu.contact_id = s.contact_id
     AND coalesce(mu.booked_at, mu.starts_at) BETWEEN s.first_signal_at - INTERVAL 2 DAY
                                                  AND s.last_signal_at + INTERVAL {window} DAY
    GROUP BY s.candidate_id
)
SELECT s.candidate_id, s.rep_id, r.display_name, r.team, s.contact_id,
    coalesce(c.display_name, s.contact_key) AS contact, s.thread_id, s.local_day,
    s.first_signal_at, s.last_signal_at, s.score,
    CASE WHEN s.score >= {high} THEN 'high' ELSE 'medium' END AS likelihood,
    concat_ws('; ',
        CASE WHEN s.prospect_confirmed THEN 'prospect accepted or confirmed' END,
        CASE WHEN s.prospect_proposed_time THEN 'prospect proposed a day or time' END,
        CASE WHEN s.rep_proposed_time THEN 'rep proposed a day or time' END,
        CASE WHEN s.rep_sent_link THEN 'rep sent a scheduling link' END,
        CASE WHEN s.rep_confirmed THEN 'rep confirmed' END,
        CASE WHEN s.both_sides THEN 'both sides talked scheduling' END) AS reasons,
    s.rep_sent_link, s.rep_proposed_time, s.prospect_proposed_time, s.prospect_confirmed, s.rep_confirmed,
    s.both_sides, rec.meeting_id AS recorded_meeting_id, md.decision, md.decided_at, md.note,
    CASE WHEN rec.meeting_id IS NOT NULL THEN 'recorded' WHEN md.decision IS NOT NULL THEN md.decision
         ELSE 'unconfirmed' END AS status
FROM scored s
LEFT JOIN recorded rec USING (candidate_id)
LEFT JOIN meeting_decisions md USING (candidate_id)
LEFT JOIN contacts c ON c.contact_id = s.contact_id
LEFT JOIN reps r ON r.rep_id = s.rep_id
WHERE s.score >= {min_score}
  AND (s.rep_sent_link OR s.rep_proposed_time OR s.prospect_proposed_time OR s.rep_confirmed)
  AND (s.prospect_confirmed OR s.prospect_proposed_time OR s.rep_confirmed) {scope}
ORDER BY s.rep_id, s.first_signal_at, s.thread_id
"""

BOOKED_SQL = """
SELECT mu.rep_id, r.display_name, r.team, mu.meeting_id, mu.local_day, 'booked' AS status
FROM meetings_unique mu LEFT JOIN reps r ON r.rep_id = mu.rep_id
WHERE mu.status <> 'cancelled' {scope}
"""


def candidates(
    con: duckdb.DuckDBPyConnection, d: Definitions | None = None, *, include_recorded: bool = False
) -> pl.DataFrame:
    """Scored candidate meetings, one row per scheduling episode, for a review table.

    Args:
        con: the database.
        d: definitions (date range and reps/teams scope on the episode's first day; the
            attribution window decides how late a recorded meeting may follow).
        include_recorded: also list episodes that match a recorded meeting (status `recorded`).

    Returns:
        Columns `candidate_id`, rep (`rep_id`, `display_name`, `team`), `contact`, `thread_id`,
        `local_day`, `first_signal_at`, `last_signal_at`, `score`, `likelihood` (high / medium),
        `reasons` (the evidence in words), the evidence flags, `recorded_meeting_id`, the decision
        (`decision`, `decided_at`, `note`) and `status`: recorded / confirmed / rejected / unconfirmed.
    """
    d = d or Definitions()
    sql = CANDIDATES_SQL.format(
        gap=EPISODE_GAP_DAYS,
        window=int(d.attribution_window_days),
        high=HIGH_SCORE,
        min_score=MIN_SCORE,
        scope=scope(d, prefix="s."),
    )
    frame = con.sql(sql).pl()
    return frame if include_recorded else frame.filter(pl.col("status") != "recorded")


def decide(con: duckdb.DuckDBPyConnection, candidate_id: str, decision: str, note: str | None = None) -> None:
    """Store a reviewer's decision on one candidate: `confirmed`, `rejected`, or `undecided` (forget it).

    Raises:
        ValueError: an unknown decision.
        KeyError: no candidate with this id in the data.
    """
    if decision not in DECISIONS:
        raise ValueError(f"decision {decision!r}: use one of {', '.join(DECISIONS)}")
    if decision == "undecided":
        con.execute("DELETE FROM meeting_decisions WHERE candidate_id = ?", [candidate_id])
        return
    found = candidates(con, include_recorded=True).filter(pl.col("candidate_id") == candidate_id)
    if not len(found):
        raise KeyError(f"no inferred meeting {candidate_id!r}")
    row = found.row(0, named=True)
    con.execute(
        "INSERT OR REPLACE INTO meeting_decisions VALUES (?, ?, now(), ?, ?, ?, ?)",
        [candidate_id, decision, note, row["rep_id"], row["thread_id"], row["local_day"]],
    )


def _summary() -> list[pl.Expr]:
    status, inferred = pl.col("status"), pl.col("status") != "booked"
    return [
        (status == "booked").sum().alias("booked"),
        inferred.sum().alias("booking_conversations"),
        (status == "recorded").sum().alias("conversations_recorded"),
        (status == "confirmed").sum().alias("confirmed_inferred"),
        (status == "unconfirmed").sum().alias("unconfirmed"),
        ((status == "unconfirmed") & (pl.col("likelihood") == "high")).sum().alias("unconfirmed_high"),
        (status == "rejected").sum().alias("rejected"),
    ]


def compute(con: duckdb.DuckDBPyConnection, d: Definitions | None = None) -> pl.DataFrame:
    """Per rep, team and total: `booked` (recorded, not cancelled meetings), LinkedIn booking
    conversations and how many of them match a recorded meeting (share with Wilson interval),
    `confirmed_inferred`, `unconfirmed` (of them `unconfirmed_high`), `rejected`, and
    `meetings_with_confirmed` = booked + confirmed_inferred. Unconfirmed candidates never count."""
    d = d or Definitions()
    booked = con.sql(BOOKED_SQL.format(scope=scope(d, prefix="mu."))).pl()
    found = candidates(con, d, include_recorded=True)
    events = pl.concat(
        [booked, found.select("rep_id", "display_name", "team", "status", "likelihood", "local_day")],
        how="diagonal_relaxed",
    )
    frame = by_levels(events, lambda f, keys: f.group_by(keys).agg(_summary()))
    return frame.with_columns(
        *wilson_exprs("conversations_recorded", "booking_conversations", "recorded_share_pct"),
        small_sample(d, ("booking_conversations", "booking conversations")),
        meetings_with_confirmed=pl.col("booked") + pl.col("confirmed_inferred"),
    )


def finding(frame: pl.DataFrame, d: Definitions | None = None) -> str:
    """How many booking conversations the exports miss, what is confirmed, and what is left to review."""
    total = rows_at(frame, "total")
    if not len(total) or not total["booking_conversations"][0]:
        return "No LinkedIn conversation in this scope talks about booking a meeting."
    t = total.row(0, named=True)
    missing = t["booking_conversations"] - t["conversations_recorded"]
    text = (
        f"{t['booking_conversations']:,} LinkedIn conversations schedule a meeting; "
        f"{t['conversations_recorded']:,} match a recorded meeting ({t['recorded_share_pct']:.0f} %, "
        f"95 % CI {t['recorded_share_pct_low']:.0f}–{t['recorded_share_pct_high']:.0f} %), "
        f"{missing:,} {'does' if missing == 1 else 'do'} not: "
        f"{t['confirmed_inferred']:,} confirmed, {t['rejected']:,} rejected, "
        f"{t['unconfirmed']:,} still to review ({t['unconfirmed_high']:,} likely)."
    )
    reps = rows_at(frame, "rep").filter(pl.col("unconfirmed") > 0).sort("unconfirmed", descending=True)
    if len(reps):
        top = reps.row(0, named=True)
        text += (
            f" Most to review: {top['display_name']} ({top['unconfirmed']:,}); until confirmed they are "
            f"not counted, so meetings stay at {t['booked']:,} recorded + {t['confirmed_inferred']:,} confirmed."
        )
    else:
        text += f" Meetings: {t['booked']:,} recorded + {t['confirmed_inferred']:,} confirmed from LinkedIn."
    return text
