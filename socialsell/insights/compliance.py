"""Compliance flags: outbound calls and e-mails that German law (UWG §7) does not allow.

Calls (each dial counted once) by the contact's segment and consent, as the CRM records them:

- `b2c_without_consent` (flagged): an advertising call to a consumer needs prior express consent
  (UWG §7 (2) Nr. 1). No recorded consent (`consent_calls` false or empty) is flagged, unless the
  consumer called or wrote to the rep first (`b2c_asked_first`: a call back, not a cold call).
- `b2c_with_consent`: a consumer with recorded consent.
- `b2b_presumed_consent`: a business contact; B2B cold calls rely on presumed consent
  (mutmaßliche Einwilligung), which the rep must be able to justify: reported, not flagged.
- `unknown_segment`: no CRM record says B2B or B2C. Reported as unknown, never as compliant.

E-mails: marketing e-mail needs (double opt-in) consent from consumers and businesses alike
(UWG §7 (2) Nr. 2); an outbound e-mail to a contact without recorded `consent_email` is flagged.
"""

from __future__ import annotations

import duckdb
import polars as pl

from socialsell.definitions import Definitions
from socialsell.insights.grouping import by_levels, rows_at, scope, small_sample
from socialsell.stats import wilson_exprs

__all__ = [
    "NAME",
    "QUESTION",
    "STATUSES",
    "TITLE",
    "compute",
    "finding",
    "flagged_by_week",
    "flagged_calls",
    "touches",
]

NAME = "compliance"
TITLE = "Compliance flags"
QUESTION = (
    "Which calls went to consumers without recorded consent, and how many to contacts of unknown segment?"
)

STATUSES = (
    "b2c_without_consent",
    "b2c_asked_first",
    "b2c_with_consent",
    "b2b_presumed_consent",
    "unknown_segment",
    "email_without_opt_in",
    "email_with_opt_in",
)

TOUCHES_SQL = """
WITH asked AS (  -- when the contact first called or wrote to the rep
    SELECT rep_id, contact_id, min(occurred_at) AS first_inbound_at
    FROM touch_facts WHERE direction = 'inbound' AND kind IN ('call', 'message') AND contact_id IS NOT NULL
    GROUP BY ALL
)
SELECT f.rep_id, r.display_name, r.team, f.local_week AS week, f.occurred_at, f.channel, f.outcome,
    f.contact_id, coalesce(c.display_name, f.contact_key) AS contact_name, c.segment, c.consent_calls,
    c.consent_email,
    CASE WHEN f.channel = 'email' THEN
             CASE WHEN c.consent_email THEN 'email_with_opt_in' ELSE 'email_without_opt_in' END
         WHEN c.segment = 'B2C' AND c.consent_calls THEN 'b2c_with_consent'
         WHEN c.segment = 'B2C' AND a.first_inbound_at < f.occurred_at THEN 'b2c_asked_first'
         WHEN c.segment = 'B2C' THEN 'b2c_without_consent'
         WHEN c.segment = 'B2B' THEN 'b2b_presumed_consent'
         ELSE 'unknown_segment' END AS status
FROM touch_facts f LEFT JOIN contacts c ON c.contact_id = f.contact_id
LEFT JOIN asked a ON a.rep_id = f.rep_id AND a.contact_id = f.contact_id
LEFT JOIN reps r ON r.rep_id = f.rep_id
WHERE f.direction = 'outbound' AND NOT f.duplicate
  AND (f.kind = 'call' OR (f.channel = 'email' AND f.kind = 'message')) {scope}
ORDER BY f.rep_id, f.occurred_at
"""


def touches(con: duckdb.DuckDBPyConnection, d: Definitions | None = None) -> pl.DataFrame:
    """Every outbound call and e-mail in scope with its contact's segment, consent and `status`."""
    return con.sql(TOUCHES_SQL.format(scope=scope(d or Definitions()))).pl()


def _summary() -> list[pl.Expr]:
    call = pl.col("channel") != "email"
    flagged = pl.col("status") == "b2c_without_consent"
    counts = [
        (pl.col("status") == s).sum().alias(f"calls_{s}") for s in STATUSES if not s.startswith("email")
    ]
    return [
        call.sum().alias("calls"),
        *counts,
        pl.col("contact_id").filter(flagged).n_unique().alias("contacts_called_without_consent"),
        (~call).sum().alias("emails"),
        (pl.col("status") == "email_without_opt_in").sum().alias("emails_without_opt_in"),
    ]


def compute(con: duckdb.DuckDBPyConnection, d: Definitions | None = None) -> pl.DataFrame:
    """Per rep, team and total: calls by status, the share flagged (consumers without consent) and
    the share of unknown segment, each of all calls with a Wilson interval; e-mails without opt-in."""
    d = d or Definitions()
    frame = by_levels(touches(con, d), lambda f, keys: f.group_by(keys).agg(_summary()))
    return frame.with_columns(
        *wilson_exprs("calls_b2c_without_consent", "calls", "flagged_calls_pct"),
        *wilson_exprs("calls_unknown_segment", "calls", "unknown_segment_pct"),
        *wilson_exprs("emails_without_opt_in", "emails", "emails_without_opt_in_pct"),
        small_sample(d, ("calls", "calls")),
    )


def flagged_calls(con: duckdb.DuckDBPyConnection, d: Definitions | None = None) -> pl.DataFrame:
    """One row per flagged call (a consumer without recorded consent), by rep and week."""
    columns = ["rep_id", "display_name", "week", "occurred_at", "contact_id", "contact_name", "segment"]
    frame = touches(con, d).filter(pl.col("status") == "b2c_without_consent")
    return frame.select(*columns, "consent_calls", "outcome").sort("rep_id", "occurred_at")


def flagged_by_week(con: duckdb.DuckDBPyConnection, d: Definitions | None = None) -> pl.DataFrame:
    """Per rep and week: flagged calls, the consumers they went to, and calls of unknown segment."""
    frame = touches(con, d).filter(pl.col("channel") != "email")
    return (
        frame.group_by("rep_id", "display_name", "week")
        .agg(
            (pl.col("status") == "b2c_without_consent").sum().alias("flagged_calls"),
            pl.col("contact_id")
            .filter(pl.col("status") == "b2c_without_consent")
            .n_unique()
            .alias("contacts"),
            (pl.col("status") == "unknown_segment").sum().alias("calls_unknown_segment"),
        )
        .filter((pl.col("flagged_calls") > 0) | (pl.col("calls_unknown_segment") > 0))
        .sort("rep_id", "week")
    )


def finding(frame: pl.DataFrame, d: Definitions | None = None) -> str:
    """How many calls went to consumers without consent, by whom; how many are of unknown segment;
    marketing e-mails without opt-in."""
    total = rows_at(frame, "total")
    if not len(total):
        return "No outbound calls or e-mails in this scope."
    t = total.row(0, named=True)
    text = _calls_finding(frame, t) if t["calls"] else "No outbound calls in this scope."
    if t["emails_without_opt_in"]:
        text += f" {t['emails_without_opt_in']} marketing e-mails went out without recorded opt-in."
    return text


def _calls_finding(frame: pl.DataFrame, t: dict) -> str:
    reps = rows_at(frame, "rep").filter(pl.col("calls_b2c_without_consent") > 0)
    reps = reps.sort("calls_b2c_without_consent", descending=True)
    if len(reps):
        who = ", ".join(
            f"{r['display_name']} {r['calls_b2c_without_consent']}" for r in reps.iter_rows(named=True)
        )
        text = (
            f"{t['calls_b2c_without_consent']} calls to {t['contacts_called_without_consent']} consumers had no "
            f"recorded consent (UWG §7: unlawful unless consent exists elsewhere): {who}."
        )
    else:
        text = f"None of the {t['calls']:,} calls went to a consumer without recorded consent."
    unknown = t["calls_unknown_segment"]
    if not unknown:
        return text + " Every called contact has a known segment."
    return (
        f"{text} {unknown:,} calls ({t['unknown_segment_pct']:.1f} %) went to contacts of unknown segment: "
        "not known to be compliant."
    )
