"""`socialsell report --insights`: each insight's question and finding as text, or all rows as JSON."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
from rich.console import Group
from rich.panel import Panel
from rich.text import Text

from socialsell.definitions import Definitions
from socialsell.insights import Insight

__all__ = ["panels", "write"]


def panels(insights: list[Insight]) -> Group:
    """One panel per insight: its title, the question it answers and the finding in plain words."""
    return Group(
        *(
            Panel(
                Text.assemble((insight.question, "italic"), "\n\n", (insight.finding, "bold")),
                title=f"[bold]{insight.title}[/]",
                title_align="left",
                subtitle=f"socialsell report --insight {insight.name} --format json",
                subtitle_align="right",
            )
            for insight in insights
        )
    )


def payload(insights: list[Insight], d: Definitions) -> dict:
    """The JSON document: the settings used, and per insight its question, finding and rows."""
    return {
        "definitions": d.describe(),
        "insights": {
            i.name: {
                "title": i.title,
                "question": i.question,
                "finding": i.finding,
                "rows": i.frame.with_columns(pl.col(pl.Date, pl.Datetime).cast(pl.String)).to_dicts(),
            }
            for i in insights
        },
    }


def write(insights: list[Insight], d: Definitions, fmt: str, output: Path | None) -> str | None:
    """JSON to `output` (or returned for stdout); other formats hold one table and are refused."""
    if fmt != "json":
        raise ValueError(f"--insights --format {fmt!r}: use table or json (each insight has its own rows)")
    text = json.dumps(payload(insights, d), indent=2, default=str, ensure_ascii=False) + "\n"
    if output is None:
        return text
    output.write_text(text, encoding="utf-8")
    return None
