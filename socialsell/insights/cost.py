"""Cost per meeting by channel: rep hours (the report's effort model) × a loaded cost per hour.

Calls cost their talk time plus `dial_overhead_s` per dial; social selling costs
`minutes_per_message` per message and `minutes_per_invitation` per invitation; an hour costs
`cost_per_rep_hour`. Meetings per channel are the report's attributed meetings
(`meetings_from_calls`, `meetings_from_social`). The interval of a cost per meeting follows the
report's 95 % interval of the channel's yield (exact Poisson): cost per dial ÷ meetings per dial,
and cost per conversation ÷ meetings per conversation. An external call centre, if priced
(`call_center_price_per_meeting`), costs that price plus `call_center_setup_fee` spread over the
same number of meetings.
"""

from __future__ import annotations

import duckdb
import polars as pl

from socialsell.definitions import Definitions
from socialsell.insights.grouping import KEYS, rows_at
from socialsell.metrics import DIMENSIONS, activity, report, total_of

__all__ = ["NAME", "QUESTION", "TITLE", "compute", "finding"]

NAME = "cost"
TITLE = "Cost per meeting by channel"
QUESTION = "What does a meeting cost from calls, from social selling, and from an external call centre?"

_CHANNELS = {  # channel → (hours, meetings, trials, yield per 100 trials)
    "calls": ("call_hours", "meetings_from_calls", "dials", "meetings_per_100_dials"),
    "social": ("social_hours", "meetings_from_social", "conversations", "meetings_per_100_conversations"),
}


def _levels(con: duckdb.DuckDBPyConnection, d: Definitions) -> pl.DataFrame:
    """The headline report per rep, team and total in the insights' level layout."""
    parts = []
    for level, counts in level_counts(con, d).items():
        frame = report(con, d, by=level, counts=counts).rename({level: "group"})
        if level == "rep":
            frame = frame.with_columns(pl.col("display_name").fill_null(pl.col("group")))
        elif level == "team":
            frame = frame.with_columns(display_name=pl.col("group"), team=pl.col("group"))
        else:
            frame = frame.with_columns(display_name=pl.lit("All reps"), team=pl.lit(None, dtype=pl.String))
        parts.append(frame.with_columns(level=pl.lit(level), group=pl.col("group").cast(pl.String)))
    return pl.concat(parts, how="diagonal_relaxed")


def level_counts(con: duckdb.DuckDBPyConnection, d: Definitions) -> dict[str, pl.DataFrame]:
    """`activity` per rep, team and total from one pass by rep: every count is additive, and a rep's
    team is the one `metrics.DIMENSIONS["team"]` groups by (three passes cost ~3x on 10 M touches)."""
    counts = activity(con, d, by="rep")
    teams = con.sql(f'SELECT rep_id AS "group", {DIMENSIONS["team"]} AS team FROM reps').pl()
    by_team = (
        counts.join(teams, on="group", how="left")
        .with_columns(group=pl.col("team").fill_null("(no team)"))  # no rep: as DIMENSIONS["team"]
        .drop("team")
        .group_by("group")
        .agg(pl.all().sum())
        .sort("group")
    )
    return {"rep": counts, "team": by_team, "total": total_of(counts)}


def _channel_cost(name: str, d: Definitions) -> list[pl.Expr]:
    hours, meetings, trials, rate = _CHANNELS[name]
    cost = pl.col(hours) * d.cost_per_rep_hour
    per_trial = pl.when(pl.col(trials) > 0).then(cost / pl.col(trials))
    return [
        cost.alias(f"cost_{name}"),
        pl.when(pl.col(meetings) > 0).then(cost / pl.col(meetings)).alias(f"cost_per_meeting_{name}"),
        pl.when(pl.col(f"{rate}_high") > 0)
        .then(per_trial / (pl.col(f"{rate}_high") / 100))
        .alias(f"cost_per_meeting_{name}_low"),
        pl.when(pl.col(f"{rate}_low") > 0)
        .then(per_trial / (pl.col(f"{rate}_low") / 100))
        .alias(f"cost_per_meeting_{name}_high"),
    ]


def compute(con: duckdb.DuckDBPyConnection, d: Definitions | None = None) -> pl.DataFrame:
    """Per rep, team and total: hours and cost per channel, meetings per channel, cost per meeting
    from calls and from social selling (with intervals, € per meeting), and the call centre's price
    per meeting for as many meetings (null unless `call_center_price_per_meeting` is set)."""
    d = d or Definitions()
    base = _levels(con, d)
    meetings = pl.col("meetings_from_calls") + pl.col("meetings_from_social")
    price = d.call_center_price_per_meeting
    call_centre = (
        pl.lit(price) + pl.when(meetings > 0).then(d.call_center_setup_fee / meetings).otherwise(None)
        if price is not None
        else pl.lit(None, dtype=pl.Float64)
    )
    columns = [
        "call_hours",
        "social_hours",
        "dials",
        "conversations",
        "meetings_from_calls",
        "meetings_from_social",
        "small_sample",
    ]
    return base.select(
        *KEYS,
        *columns,
        *_channel_cost("calls", d),
        *_channel_cost("social", d),
        call_centre.cast(pl.Float64).alias("call_center_cost_per_meeting"),
        pl.lit(d.cost_per_rep_hour, dtype=pl.Float64).alias("cost_per_rep_hour"),
    )


def finding(frame: pl.DataFrame, d: Definitions | None = None) -> str:
    """Team-wide cost per meeting from calls vs social selling (and the call centre), honest about
    overlapping intervals; the rep whose meetings cost least overall."""
    d = d or Definitions()
    total = rows_at(frame, "total")
    if not len(total):
        return "No activity in this scope."
    t = total.row(0, named=True)
    calls, social = _euro(t, "calls"), _euro(t, "social")
    text = f"At €{d.cost_per_rep_hour:g} per rep hour a meeting costs {calls} from calls and {social} from social selling"
    text += f"; {_verdict(t)}."
    centre = t["call_center_cost_per_meeting"]
    if centre is not None:
        text += f" An external call centre would cost €{centre:,.0f} per meeting"
        calls = t["cost_per_meeting_calls"]
        text += f" ({centre / calls:.1f}× a meeting from own calls)." if calls else "."
    reps = rows_at(frame, "rep").with_columns(
        per_meeting=(pl.col("cost_calls") + pl.col("cost_social"))
        / (pl.col("meetings_from_calls") + pl.col("meetings_from_social"))
    )
    reps = reps.filter(pl.col("per_meeting").is_finite()).sort("per_meeting")
    if len(reps) > 1:
        low, high = reps.row(0, named=True), reps.row(-1, named=True)
        text += (
            f" Per rep, all channels: {low['display_name']} €{low['per_meeting']:,.0f}, "
            f"{high['display_name']} €{high['per_meeting']:,.0f}."
        )
    return text


def _euro(row: dict, channel: str) -> str:
    value = row[f"cost_per_meeting_{channel}"]
    if value is None:
        return "nothing (no meetings yet)"
    low, high = row[f"cost_per_meeting_{channel}_low"], row[f"cost_per_meeting_{channel}_high"]
    lower = f"€{low:,.0f}" if low is not None else "unknown"
    upper = f"€{high:,.0f}" if high is not None else "open-ended"
    return f"€{value:,.0f} (95 % range {lower}–{upper})"


def _verdict(row: dict) -> str:
    bounds = {c: (row[f"cost_per_meeting_{c}_low"], row[f"cost_per_meeting_{c}_high"]) for c in _CHANNELS}
    if any(row[f"cost_per_meeting_{c}"] is None for c in _CHANNELS):
        return "no comparison yet"
    (cheap, (_, cheap_high)), (_, (dear_low, _)) = sorted(
        bounds.items(), key=lambda item: row[f"cost_per_meeting_{item[0]}"]
    )
    names = {"calls": "calls", "social": "social selling"}
    if cheap_high is not None and dear_low is not None and cheap_high < dear_low:
        return f"{names[cheap]} is clearly cheaper (the ranges do not overlap)"
    return f"{names[cheap]} looks cheaper, but the ranges overlap: the difference may be noise"
