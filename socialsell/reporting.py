"""`socialsell report`: the headline table for the terminal, and JSON / CSV / Parquet for tools."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
from rich.table import Table

from socialsell.definitions import Definitions, baseline

__all__ = ["baseline_check", "headline_table", "payload", "write"]

_DENOMINATORS = {"meetings_per_100_dials": "dials", "meetings_per_100_connects": "connects"}


def baseline_check(baseline_row: dict, figure: str) -> str:
    """`comparable` when the baseline counts per the figure's denominator; otherwise a flag saying why not."""
    denominator = _DENOMINATORS.get(figure, figure)
    if baseline_row["denominator"] == denominator:
        return "comparable"
    return f"flagged: baseline is per 100 {baseline_row['denominator']}, figure per 100 {denominator}"


def payload(frame: pl.DataFrame, d: Definitions, by: str) -> dict:
    """The JSON document: definitions and baseline travel with the rows."""
    base = baseline(d.baseline_id)
    return {
        "by": by,
        "definitions": d.describe(),
        "baseline": {
            **{
                k: base[k]
                for k in ("id", "value_per_100", "denominator", "source", "quality", "version", "note")
            },
            "vs_meetings_per_100_dials": baseline_check(base, "meetings_per_100_dials"),
            "vs_meetings_per_100_connects": baseline_check(base, "meetings_per_100_connects"),
        },
        "rows": frame.with_columns(pl.col(pl.Date).cast(pl.String)).to_dicts(),
    }


def write(frame: pl.DataFrame, d: Definitions, by: str, fmt: str, output: Path | None) -> str | None:
    """Write the report as json/csv/parquet to `output` (or return the text for stdout)."""
    if fmt == "json":
        text = json.dumps(payload(frame, d, by), indent=2, default=str, ensure_ascii=False) + "\n"
    elif fmt == "csv":
        text = frame.write_csv()
    elif fmt == "parquet":
        if output is None:
            raise ValueError("--format parquet needs --output FILE")
        frame.write_parquet(output)
        return None
    else:
        raise ValueError(f"--format {fmt!r}: use table, json, csv or parquet")
    if output:
        output.write_text(text, encoding="utf-8")
        return None
    return text


def _rate(value, low, high, digits: int = 1) -> str:
    if value is None:
        return "–"
    return f"{value:.{digits}f} [{low:.{digits}f}–{high:.{digits}f}]"


def headline_table(frame: pl.DataFrame, d: Definitions, by: str) -> Table:
    """Per group: cold-call yield beside the social conversation-to-meeting rate and the equivalence."""
    base = baseline(d.baseline_id)
    title = (
        f"Calls vs social selling by {by} — {d.attribution_rule.replace('_', ' ')} attribution, "
        f"{d.attribution_window_days}-day window; 95 % intervals (Wilson; exact Poisson for meeting yields)"
    )
    table = Table(title=title, caption=_caption(base, d), caption_justify="left")
    columns = [
        (by, "left"),
        ("dials", "right"),
        ("connects", "right"),
        ("meetings from calls", "right"),
        ("per 100 dials", "right"),
        ("per 100 connects", "right"),
        ("conversations", "right"),
        ("meetings from social", "right"),
        ("per 100 conversations", "right"),
        ("1 conversation ≈ dials", "right"),
        (f"vs {base['value_per_100']:g}/100 baseline*", "left"),
        ("note", "left"),
    ]
    for name, justify in columns:
        table.add_column(name, justify=justify, overflow="fold")
    for row in frame.iter_rows(named=True):
        label = row.get("display_name") or str(row[by])
        equivalence = row["one_conversation_equals_dials"]
        table.add_row(
            label,
            f"{row['dials']:,}",
            f"{row['connects']:,}",
            f"{row['meetings_from_calls']:,.0f}",
            _rate(
                row["meetings_per_100_dials"],
                row["meetings_per_100_dials_low"],
                row["meetings_per_100_dials_high"],
                2,
            ),
            _rate(
                row["meetings_per_100_connects"],
                row["meetings_per_100_connects_low"],
                row["meetings_per_100_connects_high"],
            ),
            f"{row['conversations']:,}",
            f"{row['meetings_from_social']:,.0f}",
            _rate(
                row["meetings_per_100_conversations"],
                row["meetings_per_100_conversations_low"],
                row["meetings_per_100_conversations_high"],
            ),
            f"{equivalence:.1f}" if equivalence is not None else "–",
            _versus(
                base["value_per_100"], row["meetings_per_100_dials_low"], row["meetings_per_100_dials_high"]
            ),
            row["small_sample"] or "",
        )
    return table


def _versus(value: float, low: float | None, high: float | None) -> str:
    """Where the baseline sits relative to the per-dial interval."""
    if low is None:
        return "–"
    if high < value:
        return "below (per dial)"
    if low > value:
        return "above (per dial)"
    return "within interval (per dial)"


def _caption(base: dict, d: Definitions) -> str:
    return (
        f"* Baseline: {base['value_per_100']:g} meetings per 100 {base['denominator']} ({base['id']}, "
        f"{base['quality']}); vs per-dial figures: {baseline_check(base, 'meetings_per_100_dials')}; "
        f"vs per-connect figures: {baseline_check(base, 'meetings_per_100_connects')}.\n"
        f"Connect = outcome connected/meeting booked, or ≥ {d.connect_min_talk_s} s talk when a call has no "
        f"outcome. Conversation = ≥ {d.conversation_min_each_way} message each way in a 1:1 thread. "
        "'1 conversation ≈ dials' = dials per meeting ÷ conversations per meeting."
    )
