"""Insights beyond the headline metrics; one module per insight.

Every module has `NAME`, `TITLE`, `QUESTION`, `compute(con, d) -> pl.DataFrame` and
`finding(frame, d) -> str`. `INSIGHTS` lists them in the order the Playbook dashboard and
`socialsell report --insights` show them; `run` computes one or all.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module

import duckdb
import polars as pl

from socialsell.definitions import Definitions

__all__ = ["INSIGHTS", "Insight", "module", "run"]

# Module names in socialsell.insights, in the order.
INSIGHTS = (
    "templates",
    "address",
    "responsiveness",
    "compliance",
    "cost",
    "accounts",
    "lead_response",
    "channel_order",
    "inferred_meetings",
    "planner",
)


@dataclass(frozen=True)
class Insight:
    """One insight computed: what it asks, what it found (a sentence), and the rows behind it."""

    name: str
    title: str
    question: str
    finding: str
    frame: pl.DataFrame


def module(name: str):
    """The insight module called `name`.

    Raises:
        KeyError: unknown name (the message lists the known ones).
    """
    if name not in INSIGHTS:
        raise KeyError(f"unknown insight {name!r}; known: {', '.join(INSIGHTS)}")
    return import_module(f"socialsell.insights.{name}")


def run(
    con: duckdb.DuckDBPyConnection, d: Definitions | None = None, names: tuple[str, ...] = INSIGHTS
) -> list[Insight]:
    """Compute the named insights (all by default) for the scope and settings of `d`."""
    d = d or Definitions()
    out = []
    for name in names:
        insight = module(name)
        frame = insight.compute(con, d)
        out.append(Insight(name, insight.TITLE, insight.QUESTION, insight.finding(frame, d), frame))
    return out
