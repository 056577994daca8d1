"""Planner: the activity each rep needs for N meetings next month, per channel, and the quickest mix.

From each rep's own record in scope: meetings per dial (phone) and per conversation (LinkedIn),
each with the report's 95 % interval (exact Poisson, as for every meeting yield), and the rep hours per dial and per conversation from the report's
effort model. Needed activity = N ÷ rate; its range comes from the rate's interval (an open upper
end when the lower rate bound is 0). LinkedIn also gives the outreach threads and invitations that
many conversations took so far.

The quickest mix fills the channel with the fewest hours per meeting first, up to its *capacity*
(`planner_capacity_factor` × the rep's monthly activity so far: prospects to talk to do not grow
without limit), then the other channel; what neither can reach is the `shortfall`.
"""

from __future__ import annotations

import math

import duckdb
import polars as pl

from socialsell.definitions import Definitions
from socialsell.insights.grouping import scope
from socialsell.metrics import report

__all__ = ["NAME", "QUESTION", "TITLE", "compute", "finding", "plan"]

NAME = "planner"
TITLE = "Planner"
QUESTION = (
    "How many dials or conversations does each rep need for N meetings next month, and which mix is quickest?"
)

DAYS_PER_MONTH = 365.25 / 12

_CHANNELS = {  # channel → (activity unit, meetings, trials, hours, rate column)
    "phone": ("dials", "meetings_from_calls", "dials", "call_hours", "meetings_per_100_dials"),
    "linkedin": (
        "conversations",
        "meetings_from_social",
        "conversations",
        "social_hours",
        "meetings_per_100_conversations",
    ),
}


def _months(con: duckdb.DuckDBPyConnection, d: Definitions) -> pl.DataFrame:
    """Months of activity per rep in scope (first to last day with a call, message or invitation)."""
    sql = f"""SELECT f.rep_id, (max(f.local_day) - min(f.local_day) + 1) / {DAYS_PER_MONTH} AS months_observed
              FROM touch_facts f LEFT JOIN reps r ON r.rep_id = f.rep_id
              WHERE f.kind IN ('call', 'message', 'invitation') AND f.direction = 'outbound' {scope(d)}
              GROUP BY 1"""
    return con.sql(sql).pl()


def _channel_rows(rep: dict, months: float, wanted: int, d: Definitions) -> list[dict]:
    rows = []
    for channel, (unit, meetings, trials, hours, rate) in _CHANNELS.items():
        n, k = rep[trials] or 0, rep[meetings] or 0.0
        p, low, high = (
            (rep[rate] or 0) / 100,
            (rep[f"{rate}_low"] or 0) / 100,
            (rep[f"{rate}_high"] or 0) / 100,
        )
        per_unit = rep[hours] / n if n else None
        row = {
            "rep_id": rep["rep"], "display_name": rep["display_name"], "team": rep["team"],
            "channel": channel, "unit": unit, "meetings_observed": k, "activity_observed": n,
            "meetings_per_100": rep[rate], "meetings_per_100_low": rep[f"{rate}_low"],
            "meetings_per_100_high": rep[f"{rate}_high"], "months_observed": months,
            "activity_per_month_now": n / months if months else None, "hours_per_unit": per_unit,
            "needed": _div(wanted, p), "needed_low": _div(wanted, high), "needed_high": _div(wanted, low),
            "small_sample": f"only {n} {unit}" if n < d.min_sample else None,
        }  # fmt: skip
        for suffix in ("", "_low", "_high"):
            row[f"hours_needed{suffix}"] = _times(row[f"needed{suffix}"], per_unit)
        extra = row["needed"] if channel == "linkedin" else None
        row["outreach_threads_needed"] = _times(extra, rep["outreach"] / n if n else None)
        row["invitations_needed"] = _times(extra, rep["invitations_sent"] / n if n else None)
        row["capacity_units"] = float(
            math.floor((row["activity_per_month_now"] or 0) * d.planner_capacity_factor)
        )
        rows.append(row)
    return rows


def _div(a: float, b: float | None) -> float | None:
    return a / b if b else None


def _times(a: float | None, b: float | None) -> float | None:
    return a * b if a is not None and b is not None else None


def _mix(rows: list[dict], wanted: int) -> None:
    """Assign the wanted meetings to channels, fewest hours per meeting first, within capacity."""
    usable = [r for r in rows if r["meetings_per_100"] and r["hours_per_unit"] is not None]
    usable.sort(key=lambda r: r["hours_per_unit"] / (r["meetings_per_100"] / 100))
    remaining = float(wanted)
    for row in rows:
        row.update(mix_meetings=0.0, mix_units=0.0, mix_hours=0.0)
    for row in usable:
        rate = row["meetings_per_100"] / 100
        meetings = min(remaining, row["capacity_units"] * rate)
        units = min(math.ceil(meetings / rate - 1e-9), row["capacity_units"]) if meetings > 0 else 0
        row.update(mix_meetings=meetings, mix_units=float(units), mix_hours=units * row["hours_per_unit"])
        remaining -= meetings
    for row in rows:
        row["mix_shortfall_meetings"] = max(remaining, 0.0)
        row["mix_hours_total"] = sum(r["mix_hours"] for r in rows)


def plan(
    con: duckdb.DuckDBPyConnection, d: Definitions | None = None, meetings_wanted: int = 10
) -> pl.DataFrame:
    """Per rep and channel: the rate (meetings per 100 dials / conversations, 95 % interval), the
    activity and hours needed for `meetings_wanted` via that channel alone (with ranges), and the
    quickest mix within capacity: meetings, activity and hours per channel, the rep's total hours
    (`mix_hours_total`) and the meetings no mix reaches (`mix_shortfall_meetings`)."""
    d = d or Definitions()
    reps = report(con, d, by="rep").join(_months(con, d), left_on="rep", right_on="rep_id", how="left")
    rows = []
    for rep in reps.iter_rows(named=True):
        channel_rows = _channel_rows(rep, rep["months_observed"] or 0.0, meetings_wanted, d)
        _mix(channel_rows, meetings_wanted)
        rows += channel_rows
    frame = pl.DataFrame(rows, infer_schema_length=None)
    if not len(frame):
        return frame
    return frame.with_columns(
        meetings_wanted=pl.lit(meetings_wanted), capacity_factor=pl.lit(float(d.planner_capacity_factor))
    ).sort("display_name", "channel")


def compute(con: duckdb.DuckDBPyConnection, d: Definitions | None = None) -> pl.DataFrame:
    """`plan` for `planner_meetings_wanted` meetings next month."""
    d = d or Definitions()
    return plan(con, d, d.planner_meetings_wanted)


def finding(frame: pl.DataFrame, d: Definitions | None = None) -> str:
    """The quickest and slowest rep to reach the target with their best mix."""
    if not len(frame):
        return "No rep activity in this scope to plan from."
    wanted = frame["meetings_wanted"][0]
    reps = frame.group_by("rep_id", "display_name").agg(
        pl.col("mix_hours_total").first(),
        pl.col("mix_shortfall_meetings").first(),
        pl.format("{} via {}", pl.col("mix_meetings").round(1), pl.col("channel"))
        .filter(pl.col("mix_meetings") > 0)
        .str.join(", ")
        .alias("mix"),
    )
    reachable = reps.filter(pl.col("mix_shortfall_meetings") < 1e-9).sort("mix_hours_total")
    text = f"For {wanted} meetings next month"
    if len(reachable):
        best, worst = reachable.row(0, named=True), reachable.row(-1, named=True)
        text += (
            f", {best['display_name']} needs the fewest hours ({best['mix_hours_total']:.1f} h: {best['mix']}), "
            f"{worst['display_name']} the most ({worst['mix_hours_total']:.1f} h: {worst['mix']})"
        )
    short = reps.filter(pl.col("mix_shortfall_meetings") >= 1e-9)
    if len(short):
        names = ", ".join(short.sort("display_name")["display_name"])
        factor = frame["capacity_factor"][0]
        text += (
            f"{';' if len(reachable) else ','} the target is out of reach for {names} within capacity "
            f"({factor:g} × the activity per month so far)"
        )
    return text + ". Ranges per channel follow each rep's rate interval (see needed_low/needed_high)."
