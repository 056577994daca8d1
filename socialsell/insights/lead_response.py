"""Lead response time: from an inbound signal to the rep's first touch back (the sales-response SLA).

A *signal* is a LinkedIn invitation from a prospect, a LinkedIn thread the prospect opens, or an
inbound call. It is a new *lead* when rep and contact had no touch in the `lead_quiet_days` before
it (a call-back after the rep's voicemail, or a message in a running conversation, is not a lead).
The *first touch back* is the earliest of: the rep's outbound call, message or invitation to that
person, accepting the invitation (LinkedIn exports the day only, so an acceptance counts at the end
of its day, an upper bound), or taking the inbound call itself (connected: answered at once).
A lead is *due* when `lead_response_sla_hours` after it lie before the end of the data.
"""

from __future__ import annotations

import duckdb
import polars as pl

from socialsell.definitions import Definitions
from socialsell.insights.grouping import DATA_END, by_levels, rows_at, scope, small_sample
from socialsell.stats import wilson_exprs

__all__ = ["NAME", "QUESTION", "TITLE", "compute", "finding", "leads"]

NAME = "lead_response"
TITLE = "Lead response time"
QUESTION = "When a prospect reaches out, how long until the rep's first touch back?"

LEADS_SQL = """
WITH t AS (
    SELECT *, coalesce(contact_id, contact_key) AS who,
           kind = 'message' AND row_number() OVER (PARTITION BY rep_id, thread_id ORDER BY occurred_at) = 1
               AS opens_thread
    FROM touch_facts WHERE NOT duplicate AND coalesce(contact_id, contact_key) IS NOT NULL
),
signals AS (
    SELECT t.rep_id, t.who, t.contact_id, t.occurred_at, t.local_day, t.source, t.source_id,
           CASE t.kind WHEN 'invitation' THEN 'invitation' WHEN 'call' THEN 'inbound call' ELSE 'message' END
               AS signal,
           t.kind = 'call' AND t.outcome IN ('connected', 'meeting_booked') AS taken_live,
           coalesce(c.records, 0) > 0 OR NOT EXISTS (SELECT 1 FROM contact_records) AS known
    FROM t LEFT JOIN contacts c ON c.contact_id = t.contact_id
    WHERE t.direction = 'inbound' AND (t.kind IN ('invitation', 'call') OR t.opens_thread)
),
earlier AS (  -- the last touch before the signal (an acceptance on or after its day is not before it)
    SELECT s.rep_id, s.source, s.source_id, max(t.occurred_at) AS last_touch_before
    FROM signals s JOIN t ON t.rep_id = s.rep_id AND t.who = s.who AND t.occurred_at < s.occurred_at
        AND NOT (t.kind = 'connection' AND t.local_day >= s.local_day)
    GROUP BY ALL
),
leads AS (
    SELECT s.* FROM signals s LEFT JOIN earlier e USING (rep_id, source, source_id)
    WHERE e.last_touch_before IS NULL OR e.last_touch_before < s.occurred_at - INTERVAL {quiet_days} DAY
),
candidates AS (  -- touches back, each with the earliest and latest moment it can have happened
    SELECT l.rep_id, l.source, l.source_id,
        CASE WHEN t.kind = 'connection' THEN greatest(t.occurred_at, l.occurred_at) ELSE t.occurred_at END
            AS earliest,
        CASE WHEN t.kind = 'connection' THEN greatest(t.occurred_at + INTERVAL 1 DAY, l.occurred_at)
             ELSE t.occurred_at END AS latest
    FROM leads l JOIN t ON t.rep_id = l.rep_id AND t.who = l.who
        AND ((t.kind IN ('call', 'message', 'invitation') AND t.direction = 'outbound'
              AND t.occurred_at >= l.occurred_at)
             OR (t.kind = 'connection' AND t.local_day >= l.local_day))
    UNION ALL
    SELECT rep_id, source, source_id, occurred_at, occurred_at FROM leads WHERE taken_live
),
responses AS (
    SELECT rep_id, source, source_id, min(earliest) AS earliest, min(latest) AS latest
    FROM candidates GROUP BY ALL
)
SELECT l.rep_id, r.display_name, r.team, l.contact_id, l.who AS contact, l.signal, l.known AS in_crm,
    l.occurred_at AS signal_at, l.local_day,
    CASE WHEN l.taken_live THEN 'taken live' WHEN p.earliest < p.latest THEN 'accepted (day known)'
         WHEN p.latest IS NOT NULL THEN 'touch back' END AS response,
    epoch(p.earliest - l.occurred_at) / 3600 AS response_hours_at_least,
    epoch(p.latest - l.occurred_at) / 3600 AS response_hours_at_most,
    l.occurred_at + INTERVAL {sla_minutes} MINUTE <= {end} AS due
FROM leads l LEFT JOIN responses p USING (rep_id, source, source_id)
LEFT JOIN reps r ON r.rep_id = l.rep_id
WHERE true {scope}
ORDER BY l.rep_id, l.occurred_at
"""


def leads(con: duckdb.DuckDBPyConnection, d: Definitions | None = None) -> pl.DataFrame:
    """One row per lead: its signal (invitation, message, inbound call), whether the person is in the
    CRM, how the rep responded, bounds of the response time in hours (equal unless the response is
    an acceptance known to the day; null if none yet), and whether it was due and within the SLA."""
    d = d or Definitions()
    sql = LEADS_SQL.format(
        quiet_days=int(d.lead_quiet_days),
        sla_minutes=round(d.lead_response_sla_hours * 60),
        end=DATA_END,
        scope=scope(d, prefix="l."),
    )
    sla = d.lead_response_sla_hours
    return (
        con.sql(sql)
        .pl()
        .with_columns(
            within_sla=pl.col("response_hours_at_most").fill_null(float("inf")) <= sla,
            possibly_within_sla=pl.col("response_hours_at_least").fill_null(float("inf")) <= sla,
        )
    )


def _summary() -> list[pl.Expr]:
    lead = pl.col("in_crm")
    due = lead & pl.col("due")

    def hours(bound: str, quantile: float) -> pl.Expr:
        return pl.col(f"response_hours_{bound}").filter(lead).drop_nulls().quantile(quantile, "linear")

    return [
        lead.sum().alias("leads"),
        (~lead).sum().alias("signals_from_people_not_in_crm"),
        *((lead & (pl.col("signal") == s)).sum().alias(n) for s, n in _SIGNALS.items()),
        (lead & pl.col("response").is_not_null()).sum().alias("responded"),
        (lead & (pl.col("response") == "accepted (day known)")).sum().alias("responses_known_to_the_day"),
        hours("at_least", 0.5).alias("median_response_hours_at_least"),
        hours("at_most", 0.5).alias("median_response_hours_at_most"),
        hours("at_most", 0.9).alias("p90_response_hours_at_most"),
        due.sum().alias("leads_due"),
        (due & pl.col("within_sla")).sum().alias("responded_within_sla"),
        (due & pl.col("possibly_within_sla")).sum().alias("responded_possibly_within_sla"),
    ]


_SIGNALS = {"invitation": "invitations", "message": "messages", "inbound call": "inbound_calls"}


def compute(con: duckdb.DuckDBPyConnection, d: Definitions | None = None) -> pl.DataFrame:
    """Per rep, team and total: leads by signal, responded, the median response time (bounds: an
    acceptance is known to the day only), and the share of due leads answered within
    `lead_response_sla_hours` for certain (Wilson interval) and at most (counting uncertain ones)."""
    d = d or Definitions()
    frame = by_levels(leads(con, d), lambda f, keys: f.group_by(keys).agg(_summary()))
    return frame.with_columns(
        *wilson_exprs("responded_within_sla", "leads_due", "responded_within_sla_pct"),
        responded_within_sla_pct_at_most=pl.when(pl.col("leads_due") > 0).then(
            100 * pl.col("responded_possibly_within_sla") / pl.col("leads_due")
        ),
        small_sample=small_sample(d, ("leads", "leads")),
    )


def finding(frame: pl.DataFrame, d: Definitions | None = None) -> str:
    """The slowest and fastest rep to respond to new leads against the SLA target."""
    d = d or Definitions()
    middle = (pl.col("median_response_hours_at_least") + pl.col("median_response_hours_at_most")) / 2
    reps = rows_at(frame, "rep").filter(pl.col("responded") > 0).sort(middle)
    if not len(reps):
        return "No lead from a known prospect has been answered in this scope yet."
    fast, slow = reps.row(0, named=True), reps.row(-1, named=True)
    target = f"{d.lead_response_sla_hours:g} h"
    text = (
        f"{slow['display_name']} is slowest to answer new leads (median {_hours(slow)}; {_share(slow)} "
        f"within the {target} target), {fast['display_name']} fastest (median {_hours(fast)}; {_share(fast)})."
    )
    total = rows_at(frame, "total").row(0, named=True)
    if total["responses_known_to_the_day"]:
        text += (
            f" {total['responses_known_to_the_day']} of {total['responded']} responses are LinkedIn "
            "acceptances known only to the day, hence the ranges."
        )
    small = [f"{r['display_name']} has {r['small_sample']}" for r in (slow, fast) if r["small_sample"]]
    return text + (f" Careful: {'; '.join(small)}." if small else "")


def _hours(row: dict) -> str:
    low, high = row["median_response_hours_at_least"], row["median_response_hours_at_most"]
    return f"{low:.1f} h" if round(low, 1) == round(high, 1) else f"{low:.1f}–{high:.1f} h"


def _share(row: dict) -> str:
    low, high = row["responded_within_sla_pct"], row["responded_within_sla_pct_at_most"]
    if low is None:
        return "no due leads"
    return f"{low:.0f} %" if round(low) == round(high) else f"{low:.0f}–{high:.0f} %"
