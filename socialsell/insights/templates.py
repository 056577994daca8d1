"""Templated vs personalised outreach: who copy-pastes first messages, and what it costs in replies.

A rep's *first message* is the first outbound message of a 1:1 LinkedIn thread the rep started. Its
*wording* is shared with the rep's other first messages whose `template_bands` (MinHash LSH of the
words left after removing greeting, names, URLs and digits; see socialsell/near_duplicates.py) fall
into a common bucket: likely from a word-bigram Jaccard similarity of about 0.7, so one template with
a merged company name or one personalised sentence is still one wording. A first message is
*templated* when its wording went to at least `MIN_RECIPIENTS` people (itself included) and to at
least `MIN_WORDING_SHARE` of everyone the rep wrote a first message to: mass copy-paste, not a phrase
a rep happens to reuse now and then. Both are counted over the rep's whole history, so a template
stays a template when the report looks at one month (and a rep who rotates many templates over
years, each below the share, is not caught).

A thread *replied* when the prospect wrote after the rep's first message; a *meeting followed* when a
recorded, not cancelled meeting with that person was booked within `attribution_window_days` of the
thread's start. A rep *mass-templates* when even the lower Wilson bound of the templated share is at
least `MASS_TEMPLATING_SHARE`.
"""

from __future__ import annotations

import duckdb
import polars as pl

from socialsell.definitions import Definitions
from socialsell.insights.grouping import by_levels, one_rep_caveat, rows_at, scope, small_sample
from socialsell.stats import compare, wilson_exprs

__all__ = [
    "MASS_TEMPLATING_SHARE",
    "MIN_RECIPIENTS",
    "MIN_WORDING_SHARE",
    "NAME",
    "QUESTION",
    "TITLE",
    "compute",
    "finding",
    "first_messages",
]

NAME = "templates"
TITLE = "Templated vs personalised outreach"
QUESTION = (
    "Which reps copy-paste their first messages to many prospects, and do templated first messages "
    "get fewer replies and meetings than personalised ones?"
)
MIN_RECIPIENTS = 5  # a wording sent to this many people (the message itself included) …
MIN_WORDING_SHARE = 0.1  # … and to this share of the rep's first-message recipients is a template
MASS_TEMPLATING_SHARE = 0.5

FIRST_MESSAGES_SQL = """
WITH firsts AS (
    SELECT rep_id, thread_id, arg_min(template_bands, occurred_at) AS bands,
           arg_min(template_hash, occurred_at) AS template_hash
    FROM touch_facts WHERE kind = 'message' AND direction = 'outbound' AND thread_id IS NOT NULL
    GROUP BY ALL
),
outreach AS (
    SELECT t.rep_id, t.thread_id, t.contact_id, coalesce(t.contact_id, t.contact_key, t.thread_id) AS recipient,
           t.started_at, t.local_day, t.warm, t.first_reply_at IS NOT NULL AS replied, f.bands, f.template_hash
    FROM thread_facts t JOIN firsts f USING (rep_id, thread_id)
    WHERE t.started_by_rep AND f.bands IS NOT NULL
),
bands AS (SELECT rep_id, thread_id, recipient, unnest(bands) AS band FROM outreach),
buckets AS (SELECT rep_id, band, count(DISTINCT recipient) AS recipients FROM bands GROUP BY ALL),
copies AS (
    SELECT b.rep_id, b.thread_id, max(k.recipients) AS recipients
    FROM bands b JOIN buckets k USING (rep_id, band) GROUP BY ALL
),
rep_recipients AS (SELECT rep_id, count(DISTINCT recipient) AS recipients FROM outreach GROUP BY ALL),
meetings AS (
    SELECT o.rep_id, o.thread_id, count(*) AS meetings
    FROM outreach o JOIN meetings_unique mu ON mu.rep_id = o.rep_id AND mu.contact_id = o.contact_id
        AND mu.status <> 'cancelled'
        AND coalesce(mu.booked_at, mu.starts_at) BETWEEN o.started_at AND o.started_at + INTERVAL {window} DAY
    GROUP BY ALL
)
SELECT o.rep_id, r.display_name, r.team, o.thread_id, o.contact_id, o.started_at, o.local_day, o.warm,
       o.template_hash, c.recipients AS wording_recipients, c.recipients / rr.recipients AS wording_share,
       c.recipients >= {min_recipients} AND c.recipients / rr.recipients >= {min_share} AS templated,
       o.replied, coalesce(m.meetings, 0) > 0 AS meeting_followed
FROM outreach o JOIN copies c USING (rep_id, thread_id) JOIN rep_recipients rr USING (rep_id)
LEFT JOIN meetings m USING (rep_id, thread_id)
LEFT JOIN reps r ON r.rep_id = o.rep_id
WHERE true {scope}
ORDER BY o.rep_id, o.started_at, o.thread_id
"""


def first_messages(con: duckdb.DuckDBPyConnection, d: Definitions | None = None) -> pl.DataFrame:
    """One row per first message of a rep-started 1:1 thread (with text): `wording_recipients`
    (how many people got a near-copy of this wording from the rep, itself included), `wording_share`
    (of all the rep's first-message recipients), `templated`, `replied` and `meeting_followed`."""
    d = d or Definitions()
    sql = FIRST_MESSAGES_SQL.format(
        window=int(d.attribution_window_days),
        min_recipients=MIN_RECIPIENTS,
        min_share=float(MIN_WORDING_SHARE),
        scope=scope(d, prefix="o."),
    )
    return con.sql(sql).pl()


def _summary() -> list[pl.Expr]:
    templated, personal = pl.col("templated"), ~pl.col("templated")
    return [
        pl.len().alias("first_messages"),
        templated.sum().alias("templated"),
        (templated & pl.col("replied")).sum().alias("templated_replied"),
        (templated & pl.col("meeting_followed")).sum().alias("templated_meetings"),
        personal.sum().alias("personalised"),
        (personal & pl.col("replied")).sum().alias("personalised_replied"),
        (personal & pl.col("meeting_followed")).sum().alias("personalised_meetings"),
        pl.col("wording_recipients").filter(templated).max().alias("largest_template_recipients"),
    ]


def compute(con: duckdb.DuckDBPyConnection, d: Definitions | None = None) -> pl.DataFrame:
    """Per rep, team and total: first messages, how many are templated (share with Wilson interval,
    `mass_templating` flag), and reply and meeting rates of templated vs personalised first messages
    (per 100 first messages of each kind, with Wilson intervals)."""
    d = d or Definitions()
    frame = by_levels(first_messages(con, d), lambda f, keys: f.group_by(keys).agg(_summary()))
    frame = frame.with_columns(
        *wilson_exprs("templated", "first_messages", "templated_share_pct"),
        *wilson_exprs("templated_replied", "templated", "templated_reply_rate_pct"),
        *wilson_exprs("personalised_replied", "personalised", "personalised_reply_rate_pct"),
        *wilson_exprs("templated_meetings", "templated", "templated_meetings_per_100"),
        *wilson_exprs("personalised_meetings", "personalised", "personalised_meetings_per_100"),
        small_sample(d, ("templated", "templated first messages"), ("personalised", "personalised ones")),
    )
    return frame.with_columns(
        mass_templating=pl.col("templated_share_pct_low").fill_null(0) >= 100 * MASS_TEMPLATING_SHARE
    )


def finding(frame: pl.DataFrame, d: Definitions | None = None) -> str:
    """Who mass-templates, and whether templated first messages get really fewer replies."""
    d = d or Definitions()
    total = rows_at(frame, "total")
    if not len(total) or not total["first_messages"][0]:
        return "No first messages with a near-duplicate sketch in this scope (re-import older exports)."
    reps = rows_at(frame, "rep").sort("templated_share_pct", descending=True, nulls_last=True)
    mass = reps.filter(pl.col("mass_templating"))
    if len(mass):
        who = "; ".join(
            f"{r['display_name']} {r['templated_share_pct']:.0f} % of {r['first_messages']:,} "
            f"(95 % CI {r['templated_share_pct_low']:.0f}–{r['templated_share_pct_high']:.0f} %)"
            for r in mass.iter_rows(named=True)
        )
        text = f"Mass-templated first messages (one wording copied to many prospects): {who}."
    else:
        top = reps.row(0, named=True)
        text = (
            f"No rep mass-templates; the highest templated share is {top['display_name']}'s "
            f"({top['templated_share_pct']:.0f} % of {top['first_messages']:,} first messages)."
        )
    t = total.row(0, named=True)
    result = compare(
        t["templated_replied"],
        t["templated"],
        t["personalised_replied"],
        t["personalised"],
        label_a="templated",
        label_b="personalised",
        unit="first messages",
        min_trials=d.min_sample,
    )
    return f"{text} Reply rate: {result.verdict}{one_rep_caveat(reps, 'templated', t['templated'])}"
