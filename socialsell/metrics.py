"""Metrics: the named SQL of socialsell.metric_sql run as reports, rankings and comparisons; read by
the CLI, the dashboards and the tests.

Every rate comes with its numerator, its denominator (named in the column: `_per_100_dials`,
`_per_100_conversations`…), a Wilson 95 % interval (`_low`, `_high`), and the definitions it
was computed with (`Definitions.describe()`).
"""

from __future__ import annotations

import duckdb
import polars as pl

from socialsell import rollups
from socialsell.definitions import Definitions
from socialsell.metric_sql import (
    COUNTED,
    DIMENSIONS,
    METRIC_SQL,
    ROWS,
    attribution_sql,
    candidate_touches_sql,
    conditions,
    dimension_sql,
    named_sql,
)
from socialsell.stats import Comparison, compare, poisson_exprs, shrink, shrink_yields, wilson_exprs

__all__ = [
    "COUNTED",
    "DIMENSIONS",
    "METRIC_SQL",
    "RATES",
    "ROWS",
    "activity",
    "attribution",
    "attribution_sql",
    "candidate_touches_sql",
    "compare_groups",
    "conditions",
    "heatmap",
    "ranking",
    "rate_exprs",
    "regroup",
    "report",
    "total_of",
]


def heatmap(con: duckdb.DuckDBPyConnection, d: Definitions | None = None) -> pl.DataFrame:
    """Outbound dials and messages by local weekday (1 = Monday … 7) and hour."""
    d = d or Definitions()
    return con.sql(named_sql("heatmap", d, fast=rollups.covers(con, d))).pl()


def attribution(con: duckdb.DuckDBPyConnection, d: Definitions | None = None) -> pl.DataFrame:
    """One row per (meeting, credited channel): channel phone / linkedin / unattributed, credit
    (1 for last/first touch; a fraction under `split`), warm, how it was attributed, held, and
    `meeting_row` (true on exactly one row per meeting, so counting meetings needs no DISTINCT)."""
    d = d or Definitions()
    return con.sql(named_sql("attribution", d, fast=rollups.covers(con, d))).pl()


def _meetings(
    con: duckdb.DuckDBPyConnection,
    d: Definitions,
    dim: str,
    fast: rollups.Coverage,
) -> pl.DataFrame:
    dim_sql, w = dimension_sql(dim), conditions(d)
    return con.sql(
        f"""SELECT {dim_sql} AS "group",
               count(*) FILTER (WHERE {w["meetings"]}) AS meetings,
               count(*) FILTER (WHERE {w["meetings_held"]}) AS meetings_held,
               coalesce(sum(credit) FILTER (WHERE {w["meetings_from_calls"]}), 0)::DOUBLE AS meetings_from_calls,
               coalesce(sum(credit) FILTER (WHERE {w["meetings_from_social"]}), 0)::DOUBLE AS meetings_from_social,
               count(*) FILTER (WHERE {w["meetings_unattributed"]}) AS meetings_unattributed
           FROM ({named_sql("attribution", d, fast=fast)}) GROUP BY 1"""
    ).pl()


def activity(
    con: duckdb.DuckDBPyConnection,
    d: Definitions | None = None,
    by: str = "rep",
) -> pl.DataFrame:
    """Counts per group: dials, connects, outreach, replies, conversations, invitations, meetings.

    `by`: a DIMENSIONS name, or several joined by "+" ("week+warm": "group" is a struct with a field
    per dimension, one pass for what `regroup` then sums to each of them)."""
    d = d or Definitions()
    dimension_sql(by)  # an unknown grouping fails here, before any query
    fast = rollups.covers(con, d)
    frames = [
        con.sql(named_sql(name, d, by, fast)).pl() for name in ("calls", "social", "messages", "invitations")
    ]
    frames.append(_meetings(con, d, by, fast))
    keys = pl.concat([f.select("group") for f in frames]).unique()
    out = keys
    for frame in frames:
        out = out.join(frame, on="group", how="left")
    counts = [c for c in out.columns if c != "group"]
    return out.with_columns(pl.col(counts).fill_null(0)).sort("group")


def regroup(counts: pl.DataFrame, dim: str) -> pl.DataFrame:
    """An activity frame grouped by several dimensions ("week+warm") summed to one of them: the same
    frame as `activity(con, d, by=dim)`, as every count is additive across groups."""
    return (
        counts.group_by(pl.col("group").struct.field(dim).alias("group"))
        .agg(pl.exclude("group").sum())
        .select(counts.columns)
        .sort("group")
    )


def total_of(counts: pl.DataFrame) -> pl.DataFrame:
    """The `by="total"` activity row from an activity frame grouped by any dimension: every count is
    additive across groups (the property tests prove report(by=…) sums back to the total)."""
    return counts.select(pl.lit("all").alias("group"), pl.exclude("group").sum())


def report(
    con: duckdb.DuckDBPyConnection,
    d: Definitions | None = None,
    by: str = "rep",
    *,
    counts: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """The headline table: counts, rates per named denominator with intervals, effort, equivalence.

    `counts` (an `activity` frame for the same `d` and `by`) skips recomputing them."""
    d = d or Definitions()
    counts = counts if counts is not None else activity(con, d, by)
    rates = counts.with_columns(
        *wilson_exprs("connects", "dials", "connect_rate_pct"),
        *poisson_exprs("meetings_from_calls", "dials", "meetings_per_100_dials"),
        *poisson_exprs("meetings_from_calls", "connects", "meetings_per_100_connects"),
        *wilson_exprs("booked_on_call", "dials", "booked_on_call_per_100_dials"),
        *wilson_exprs("replied", "outreach", "reply_rate_pct"),
        *poisson_exprs("meetings_from_social", "conversations", "meetings_per_100_conversations"),
        *wilson_exprs("invitations_accepted", "invitations_sent", "acceptance_rate_pct"),
    )
    call_hours = (pl.col("talk_s").cast(pl.Float64) + pl.col("dials") * d.dial_overhead_s) / 3600
    social_hours = (
        pl.col("messages_sent") * d.minutes_per_message
        + pl.col("invitations_sent") * d.minutes_per_invitation
    ) / 60
    rates = rates.with_columns(call_hours=call_hours, social_hours=social_hours).with_columns(
        meetings_per_call_hour=_ratio("meetings_from_calls", "call_hours"),
        meetings_per_social_hour=_ratio("meetings_from_social", "social_hours"),
        dials_per_meeting=_ratio("dials", "meetings_from_calls"),
        conversations_per_meeting=_ratio("conversations", "meetings_from_social"),
    )
    rates = rates.with_columns(
        one_conversation_equals_dials=_ratio("dials_per_meeting", "conversations_per_meeting"),
        small_sample=pl.concat_str(
            [
                pl.when(pl.col("dials") < d.min_sample).then(pl.format("only {} dials", pl.col("dials"))),
                pl.when(pl.col("conversations") < d.min_sample).then(
                    pl.format("only {} conversations", pl.col("conversations"))
                ),
            ],
            separator="; ",
            ignore_nulls=True,
        ),
    )
    if by == "rep":
        names = con.sql('SELECT rep_id AS "group", display_name, team FROM reps').pl()
        rates = names.join(rates, on="group", how="right").select(
            "group", "display_name", "team", pl.exclude("group", "display_name", "team")
        )
    return rates.rename({"group": by})


def _ratio(numerator: str, denominator: str) -> pl.Expr:
    return pl.when(pl.col(denominator) > 0).then(pl.col(numerator) / pl.col(denominator))


# Rates a coach can compare or rank: name → (successes column, trials column, unit of the trials, kind).
# A "yield" counts events per unit of exposure and may exceed 100 per 100 (see socialsell.stats).
RATES = {
    "meetings_per_100_dials": ("meetings_from_calls", "dials", "dials", "yield"),
    "meetings_per_100_connects": ("meetings_from_calls", "connects", "connects", "yield"),
    "connect_rate_pct": ("connects", "dials", "dials", "proportion"),
    "reply_rate_pct": ("replied", "outreach", "outreach threads", "proportion"),
    "meetings_per_100_conversations": ("meetings_from_social", "conversations", "conversations", "yield"),
    "acceptance_rate_pct": ("invitations_accepted", "invitations_sent", "invitations", "proportion"),
}


def rate_exprs(rate: str) -> list[pl.Expr]:
    """The rate, per 100, with the 95 % interval its kind calls for (Wilson or exact Poisson)."""
    successes, trials, _, kind = RATES[rate]
    return (poisson_exprs if kind == "yield" else wilson_exprs)(successes, trials, rate)


def compare_groups(
    con: duckdb.DuckDBPyConnection,
    a: str,
    b: str,
    rate: str = "meetings_per_100_dials",
    d: Definitions | None = None,
    by: str = "rep",
    counts: pl.DataFrame | None = None,
) -> Comparison:
    """Compare one rate between two groups (two reps, two teams, warm vs cold) with a verdict.
    `counts`: the `activity` frame for `d` and `by` when already computed."""
    d = d or Definitions()
    successes, trials, unit, kind = RATES[rate]
    counts = counts if counts is not None else activity(con, d, by)
    rows = {g: counts.filter(pl.col("group") == g) for g in (a, b)}
    for group, row in rows.items():
        if not len(row):
            raise KeyError(f"no {by} {group!r}; known: {', '.join(counts['group'].cast(pl.String))}")
    (ka, na), (kb, nb) = ((rows[g][successes][0], rows[g][trials][0]) for g in (a, b))
    return compare(ka, na, kb, nb, label_a=a, label_b=b, unit=unit, min_trials=d.min_sample, kind=kind)


def ranking(
    con: duckdb.DuckDBPyConnection,
    rate: str = "meetings_per_100_conversations",
    d: Definitions | None = None,
    by: str = "rep",
    counts: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Groups ranked by their empirical-Bayes rate (beta-binomial for proportions, gamma-Poisson for
    yields), shrunk toward the pooled rate, with the raw rate, its interval and a small-sample flag.
    `counts`: the `activity` frame for `d` and `by` when already computed."""
    d = d or Definitions()
    successes, trials, _, kind = RATES[rate]
    counts = (counts if counts is not None else activity(con, d, by)).select("group", successes, trials)
    if kind == "yield":
        shrunk, prior_mean, _ = shrink_yields(counts[successes], counts[trials])
    else:
        shrunk, alpha, beta = shrink(counts[successes], counts[trials])
        prior_mean = alpha / (alpha + beta) if alpha + beta else None
    return (
        counts.with_columns(
            *rate_exprs(rate),
            shrunk=shrunk * 100,
            prior_mean=pl.lit(100 * prior_mean if prior_mean is not None else None, dtype=pl.Float64),
            small_sample=pl.col(trials) < d.min_sample,
        )
        .rename({"shrunk": f"{rate}_shrunk", "group": by})
        .sort(f"{rate}_shrunk", descending=True, nulls_last=True)
        .with_row_index("rank", offset=1)
    )
