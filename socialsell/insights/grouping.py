"""Rep, team and total rows from per-event frames, shared by the insights.

An insight first builds one row per event (a prospect's message, a lead, a call…) carrying
`rep_id`, `display_name` and `team`, then summarises it at every level with `by_levels`.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from socialsell.definitions import Definitions
from socialsell.metric_sql import scope as _scope

__all__ = ["DATA_END", "KEYS", "LEVELS", "by_levels", "one_rep_caveat", "rows_at", "scope", "small_sample"]

LEVELS = ("rep", "team", "total")
KEYS = ["level", "group", "display_name", "team"]
_NO_TEAM = "(no team)"


def scope(d: Definitions, prefix: str = "f.", day: str = "local_day") -> str:
    """SQL conditions (each starting with AND) for the dates, reps and teams of `d`.

    The query must name the reps table `r` when `d.teams` is set.
    """
    return _scope(d, day=day, prefix=prefix)


def by_levels(
    events: pl.DataFrame, summarise: Callable[[pl.DataFrame, list[str]], pl.DataFrame]
) -> pl.DataFrame:
    """`summarise(frame, keys)` once per level (rep, team, total), stacked and sorted.

    `events` needs `rep_id`, `display_name` and `team`; the result starts with the columns
    `level`, `group` (rep id, team name or "all"), `display_name` and `team`.
    """
    team = pl.col("team").fill_null(_NO_TEAM)
    levels = {
        "rep": (pl.col("rep_id"), pl.col("display_name").fill_null(pl.col("rep_id")), pl.col("team")),
        "team": (team, team, team),
        "total": (pl.lit("all"), pl.lit("All reps"), pl.lit(None, dtype=pl.String)),
    }
    parts = []
    for level, (group, name, team_expr) in levels.items():
        keyed = events.with_columns(
            level=pl.lit(level), group=group.cast(pl.String), display_name=name, team=team_expr
        )
        parts.append(summarise(keyed, KEYS))
    out = pl.concat(parts, how="diagonal_relaxed")
    order = pl.col("level").replace_strict({name: i for i, name in enumerate(LEVELS)}, return_dtype=pl.Int8)
    # Sub-groups (a channel, a weekday) sort by their labels too, so the rows have one order.
    labels = [c for c, t in out.schema.items() if c not in KEYS and t == pl.String]
    return out.sort(order, "display_name", "group", *labels).select(*KEYS, pl.exclude(KEYS))


def rows_at(frame: pl.DataFrame, level: str) -> pl.DataFrame:
    """The rows of one level (`rep`, `team` or `total`)."""
    return frame.filter(pl.col("level") == level)


def small_sample(d: Definitions, *counts: tuple[str, str]) -> pl.Expr:
    """A `small_sample` note such as "only 12 leads" for each (count column, unit) below `min_sample`."""
    notes = [
        pl.when(pl.col(column) < d.min_sample).then(pl.format(f"only {{}} {unit}", pl.col(column)))
        for column, unit in counts
    ]
    return pl.concat_str(notes, separator="; ", ignore_nulls=True).alias("small_sample")


# The last moment the data covers (the latest timed touch): deadlines after it cannot be judged yet.
DATA_END = "(SELECT max(occurred_at) FROM touch_facts WHERE kind IN ('call', 'message', 'invitation'))"


def one_rep_caveat(reps: pl.DataFrame, column: str, total: int) -> str:
    """A caveat when one rep wrote most (two thirds or more) of the `total` `column` messages:
    comparing them with the others is then also a comparison of reps. Empty when there is none."""
    if not total:
        return ""
    top = reps.sort(column, descending=True).row(0, named=True)
    share = top[column] / total
    if share < 2 / 3:
        return ""
    return f" ({share:.0%} of {column} messages are {top['display_name']}'s, so this also compares reps.)"
