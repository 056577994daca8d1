"""Responsiveness: how fast reps answer a prospect's message, and whether speed goes with meetings.

A *turn* is a prospect's message in a 1:1 LinkedIn thread that follows a message of the rep (or
opens the thread): several messages in a row from the prospect are one turn, timed from the first.
It is *answered* by the rep's next outbound touch to that person, a message in the thread or a
call or message on any channel, at or after it. A turn is *due* when its answer deadline
(`response_sla_hours`) lies before the end of the data; only due turns count in the SLA share, so
messages that arrived just before the export are not held against the rep.

Speed and meetings: a thread's first turn answered within the SLA vs answered later, and whether
a (not cancelled) meeting with that person was booked within `attribution_window_days` after it.
"""

from __future__ import annotations

import duckdb
import polars as pl

from socialsell.definitions import Definitions
from socialsell.insights.grouping import DATA_END, by_levels, rows_at, scope, small_sample
from socialsell.stats import compare, wilson_exprs

__all__ = ["NAME", "QUESTION", "TITLE", "by_weekday_hour", "compute", "finding", "turns"]

NAME = "responsiveness"
TITLE = "Responsiveness"
QUESTION = "How fast does each rep answer a prospect's message, and do faster answers go with more meetings?"

TURNS_SQL = """
WITH m AS (
    SELECT rep_id, contact_id, thread_id, direction, occurred_at, local_day, local_hour,
           lag(direction) OVER (PARTITION BY rep_id, thread_id ORDER BY occurred_at, direction) AS previous,
           min(occurred_at) OVER (PARTITION BY rep_id, thread_id) AS thread_start,
           bool_or(direction = 'inbound') OVER (PARTITION BY rep_id, thread_id ORDER BY occurred_at, direction
               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS earlier_inbound
    FROM touch_facts WHERE kind = 'message' AND thread_id IS NOT NULL
),
turns AS (
    SELECT *, NOT coalesce(earlier_inbound, false) AS first_turn FROM m
    WHERE direction = 'inbound' AND previous IS DISTINCT FROM 'inbound'
),
-- The rep's first outbound message in the thread, or message or call to the contact, at or after
-- the turn: two ASOF joins (linear), not an inequality join over all of a rep's touches.
in_thread AS (
    SELECT rep_id, thread_id, occurred_at FROM touch_facts
    WHERE direction = 'outbound' AND kind = 'message' AND thread_id IS NOT NULL
),
to_contact AS (
    SELECT rep_id, contact_id, occurred_at FROM touch_facts
    WHERE direction = 'outbound' AND kind IN ('message', 'call') AND contact_id IS NOT NULL
),
answers AS (
    SELECT t.rep_id, t.thread_id, t.occurred_at, min(least(a.occurred_at, b.occurred_at)) AS answered_at
    FROM turns t
    ASOF LEFT JOIN in_thread a
        ON a.rep_id = t.rep_id AND a.thread_id = t.thread_id AND a.occurred_at >= t.occurred_at
    ASOF LEFT JOIN to_contact b
        ON b.rep_id = t.rep_id AND b.contact_id = t.contact_id AND b.occurred_at >= t.occurred_at
    GROUP BY ALL
),
meetings AS (
    SELECT t.rep_id, t.thread_id, t.occurred_at, count(*) AS meetings
    FROM turns t JOIN meetings_unique mu ON mu.rep_id = t.rep_id AND mu.contact_id = t.contact_id
        AND mu.status <> 'cancelled'
        AND coalesce(mu.booked_at, mu.starts_at) BETWEEN t.occurred_at AND t.occurred_at + INTERVAL {window} DAY
    WHERE t.first_turn GROUP BY ALL
)
SELECT f.rep_id, r.display_name, r.team, f.thread_id, f.contact_id, f.occurred_at AS received_at,
    isodow(f.local_day) AS weekday, f.local_hour AS hour, f.local_day, f.first_turn,
    f.thread_start = f.occurred_at AS opens_thread, a.answered_at,
    epoch(a.answered_at - f.occurred_at) / 3600 AS answer_hours,
    f.occurred_at + INTERVAL {sla_minutes} MINUTE <= {end} AS due,
    coalesce(epoch(a.answered_at - f.occurred_at) / 3600 <= {sla_hours}, false) AS answered_within_sla,
    coalesce(mt.meetings, 0) > 0 AS meeting_followed
FROM turns f LEFT JOIN answers a USING (rep_id, thread_id, occurred_at)
LEFT JOIN meetings mt USING (rep_id, thread_id, occurred_at)
LEFT JOIN reps r ON r.rep_id = f.rep_id
WHERE true {scope}
ORDER BY f.rep_id, f.occurred_at
"""


def turns(con: duckdb.DuckDBPyConnection, d: Definitions | None = None) -> pl.DataFrame:
    """One row per prospect turn: when it arrived (local weekday 1 = Monday, hour), when the rep
    answered (`answer_hours`, null if never), whether it was due and answered within the SLA,
    whether it was the thread's first turn and whether a meeting followed it."""
    d = d or Definitions()
    sql = TURNS_SQL.format(
        window=int(d.attribution_window_days),
        sla_minutes=round(d.response_sla_hours * 60),
        sla_hours=float(d.response_sla_hours),
        end=DATA_END,
        scope=scope(d),
    )
    return con.sql(sql).pl()


def _summary(d: Definitions) -> list[pl.Expr]:
    answered = pl.col("answer_hours").drop_nulls()
    first_fast = pl.col("first_turn") & pl.col("answer_hours").is_not_null() & pl.col("answered_within_sla")
    first_slow = pl.col("first_turn") & pl.col("answer_hours").is_not_null() & ~pl.col("answered_within_sla")
    return [
        pl.len().alias("turns"),
        pl.col("answer_hours").is_not_null().sum().alias("answered"),
        answered.median().alias("median_answer_hours"),
        answered.quantile(0.9, interpolation="linear").alias("p90_answer_hours"),
        pl.col("due").sum().alias("turns_due"),
        (pl.col("due") & pl.col("answered_within_sla")).sum().alias("answered_within_sla"),
        first_fast.sum().alias("first_turns_answered_within_sla"),
        (first_fast & pl.col("meeting_followed")).sum().alias("meetings_after_fast_answer"),
        first_slow.sum().alias("first_turns_answered_later"),
        (first_slow & pl.col("meeting_followed")).sum().alias("meetings_after_slow_answer"),
    ]


def _rates(frame: pl.DataFrame, d: Definitions) -> pl.DataFrame:
    return frame.with_columns(
        *wilson_exprs("answered_within_sla", "turns_due", "answered_within_sla_pct"),
        *wilson_exprs(
            "meetings_after_fast_answer", "first_turns_answered_within_sla", "meeting_rate_after_fast_pct"
        ),
        *wilson_exprs(
            "meetings_after_slow_answer", "first_turns_answered_later", "meeting_rate_after_slow_pct"
        ),
        small_sample(d, ("turns", "turns")),
    )


def compute(con: duckdb.DuckDBPyConnection, d: Definitions | None = None) -> pl.DataFrame:
    """Per rep, team and total: turns, answered, median and p90 answer time in hours, the share of
    due turns answered within `response_sla_hours` (Wilson interval), and the meeting rate of threads
    whose first turn was answered within the SLA vs later."""
    d = d or Definitions()
    frame = by_levels(turns(con, d), lambda f, keys: f.group_by(keys).agg(_summary(d)))
    return _rates(frame, d)


def by_weekday_hour(
    con: duckdb.DuckDBPyConnection, d: Definitions | None = None, by_rep: bool = False
) -> pl.DataFrame:
    """Answer times by the local weekday (1 = Monday) and hour the prospect wrote (and rep)."""
    d = d or Definitions()
    keys = ["rep_id", "weekday", "hour"] if by_rep else ["weekday", "hour"]
    frame = turns(con, d).group_by(keys).agg(_summary(d)[:6])
    return (
        frame.with_columns(*wilson_exprs("answered_within_sla", "turns_due", "answered_within_sla_pct"))
        .with_columns(small_sample(d, ("turns", "turns")))
        .sort(keys)
    )


def finding(frame: pl.DataFrame, d: Definitions | None = None) -> str:
    """The slowest and fastest rep by median answer time, and whether speed goes with meetings."""
    d = d or Definitions()
    reps = rows_at(frame, "rep").filter(pl.col("answered") > 0).sort("median_answer_hours")
    if not len(reps):
        return "No prospect message has been answered in this scope yet."
    fast, slow = reps.row(0, named=True), reps.row(-1, named=True)
    sla = f"{d.response_sla_hours:g} h"
    text = (
        f"{slow['display_name']} answers prospects slowest (median {slow['median_answer_hours']:.1f} h, "
        f"p90 {slow['p90_answer_hours']:.1f} h; {_pct(slow['answered_within_sla_pct'])} within {sla}), "
        f"{fast['display_name']} fastest (median {fast['median_answer_hours']:.1f} h; "
        f"{_pct(fast['answered_within_sla_pct'])} within {sla})."
    )
    total = rows_at(frame, "total").row(0, named=True)
    result = compare(
        total["meetings_after_fast_answer"],
        total["first_turns_answered_within_sla"],
        total["meetings_after_slow_answer"],
        total["first_turns_answered_later"],
        label_a=f"threads answered within {sla}",
        label_b="threads answered later",
        unit="answered first replies",
        min_trials=d.min_sample,
    )
    return f"{text} Meetings after the first reply: {result.verdict}"


def _pct(value: float | None) -> str:
    return "no due turns" if value is None else f"{value:.0f} %"
