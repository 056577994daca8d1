"""Form of address: do reps write to strangers with "Sie" or an uninvited "du", and what it costs.

Each first message of a 1:1 LinkedIn thread the rep started is classified at import, from the text
that is not kept (`touches.address_form`, see socialsell/message_features.py): *formal* (Sie, Ihnen,
Ihr…, "Sehr geehrte", Herr/Frau + name), *informal* (du, dich, dir, dein…, euch, "lass uns",
"habt ihr"…, or a "Hey"), *unknown* (neither, or another language than German). The thread is
*replied* when the prospect wrote after the rep's first message. A rep *writes informally* when even
the lower Wilson bound of the informal share is at least `INFORMAL_SHARE`.
"""

from __future__ import annotations

import duckdb
import polars as pl

from socialsell.definitions import Definitions
from socialsell.insights.grouping import by_levels, one_rep_caveat, rows_at, scope, small_sample
from socialsell.stats import compare, wilson_exprs

__all__ = ["FORMS", "INFORMAL_SHARE", "NAME", "QUESTION", "TITLE", "compute", "finding", "first_messages"]

NAME = "address"
TITLE = "Form of address"
QUESTION = (
    "Which reps address prospects with an informal 'du' in their first message, and do informal "
    "first messages get fewer replies than formal ones?"
)
FORMS = ("formal", "informal", "unknown")
INFORMAL_SHARE = 0.5

FIRST_MESSAGES_SQL = """
SELECT t.rep_id, r.display_name, r.team, t.thread_id, t.contact_id, t.started_at, t.local_day, t.warm,
       t.first_language AS language, coalesce(t.first_address_form, 'unknown') AS address_form,
       t.first_reply_at IS NOT NULL AS replied
FROM thread_facts t LEFT JOIN reps r ON r.rep_id = t.rep_id
WHERE t.started_by_rep AND t.first_message_length > 0 {scope}
ORDER BY t.rep_id, t.started_at, t.thread_id
"""


def first_messages(con: duckdb.DuckDBPyConnection, d: Definitions | None = None) -> pl.DataFrame:
    """One row per first message (with text) of a rep-started 1:1 thread: language, address form
    (formal / informal / unknown) and whether the prospect replied."""
    d = d or Definitions()
    return con.sql(FIRST_MESSAGES_SQL.format(scope=scope(d, prefix="t."))).pl()


def _summary() -> list[pl.Expr]:
    exprs = [pl.len().alias("first_messages")]
    for form in FORMS:
        is_form = pl.col("address_form") == form
        exprs += [is_form.sum().alias(form), (is_form & pl.col("replied")).sum().alias(f"{form}_replied")]
    return exprs


def compute(con: duckdb.DuckDBPyConnection, d: Definitions | None = None) -> pl.DataFrame:
    """Per rep, team and total: first messages by address form, the informal share (Wilson
    interval, `writes_informally` flag) and the reply rate of each form (per 100 first messages of
    that form, with Wilson intervals)."""
    d = d or Definitions()
    frame = by_levels(first_messages(con, d), lambda f, keys: f.group_by(keys).agg(_summary()))
    frame = frame.with_columns(
        *wilson_exprs("informal", "first_messages", "informal_share_pct"),
        *wilson_exprs("formal", "first_messages", "formal_share_pct"),
        *(e for form in FORMS for e in wilson_exprs(f"{form}_replied", form, f"{form}_reply_rate_pct")),
        small_sample(d, ("formal", "formal first messages"), ("informal", "informal ones")),
    )
    return frame.with_columns(
        writes_informally=pl.col("informal_share_pct_low").fill_null(0) >= 100 * INFORMAL_SHARE
    )


def finding(frame: pl.DataFrame, d: Definitions | None = None) -> str:
    """Who writes to prospects informally, and whether informal first messages get really fewer replies."""
    d = d or Definitions()
    total = rows_at(frame, "total")
    if not len(total) or not total["first_messages"][0]:
        return "No first messages with text in this scope yet."
    reps = rows_at(frame, "rep").sort("informal_share_pct", descending=True, nulls_last=True)
    informal = reps.filter(pl.col("writes_informally"))
    if len(informal):
        who = "; ".join(
            f"{r['display_name']} {r['informal_share_pct']:.0f} % of {r['first_messages']:,} "
            f"(formal {r['formal_share_pct']:.0f} %)"
            for r in informal.iter_rows(named=True)
        )
        text = f"Informal 'du' to prospects in the first message: {who}."
    else:
        top = reps.row(0, named=True)
        text = (
            f"No rep mostly writes 'du' to prospects; the highest informal share is {top['display_name']}'s "
            f"({top['informal_share_pct']:.0f} % of {top['first_messages']:,} first messages)."
        )
    t = total.row(0, named=True)
    result = compare(
        t["informal_replied"],
        t["informal"],
        t["formal_replied"],
        t["formal"],
        label_a="informal",
        label_b="formal",
        unit="first messages",
        min_trials=d.min_sample,
    )
    return f"{text} Reply rate: {result.verdict}{one_rep_caveat(reps, 'informal', t['informal'])}"
