"""Overview dashboard: meetings per 100 dials vs per 100 conversations, the equivalence, weekly trends."""

from __future__ import annotations

import html

import duckdb
import ipywidgets as widgets
import plotly.graph_objects as go
import polars as pl

from socialsell import metrics
from socialsell.dashboards.panels import (
    NEUTRAL,
    PHONE,
    SOCIAL,
    Chart,
    Filters,
    cards,
    fmt_rate,
    frame_table,
    header,
    open_store,
    section,
)
from socialsell.definitions import baseline, baselines
from socialsell.reporting import baseline_check
from socialsell.stats import compare

__all__ = ["OverviewApp"]


class OverviewApp:
    """Social vs cold calls: headline yields with intervals and baseline, trend, attributed channels."""

    QUESTION = "Does an hour of social selling bring more meetings than an hour of cold calling?"

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.filters = Filters(con)
        self.cards = widgets.HTML()
        self.trend = Chart("Weekly meeting yield per channel, with 95 % intervals", height=480)
        self.channels = Chart("Meetings per week by attributed channel", barmode="stack")
        self.warm = widgets.HTML()
        self.filters.on_change(self._update)
        self.container = widgets.VBox(
            [
                header(self.QUESTION),
                self.filters.widget,
                self.cards,
                self.trend.widget,
                self.channels.widget,
                self.warm,
            ]
        )
        self._update()

    @classmethod
    def from_db(cls, path: str | None = None) -> OverviewApp:
        return cls(open_store(path))

    def _update(self) -> None:
        self.filters.refresh(self.con)  # a newer published snapshot, between updates only
        if self.filters.blocked:
            self.cards.value = frame_table(pl.DataFrame(), empty=self.filters.blocked)
            self._clear()
            return
        d = self.filters.definitions()
        # One pass by week and warmth; the week and warm/cold tables are its sums.
        counts = metrics.activity(self.con, d, by="week+warm")
        weekly_counts = metrics.regroup(counts, "week")
        total = metrics.report(self.con, d, by="total", counts=metrics.total_of(weekly_counts))
        if not len(total) or not (total["dials"][0] or total["outreach"][0] or total["meetings"][0]):
            self.cards.value = frame_table(
                pl.DataFrame(),
                empty="No activity in this selection: widen the dates or pick another team or rep.",
            )
            self._clear()
            return
        row = total.row(0, named=True)
        self.cards.value = self._cards(row, d) + _hour_verdict(row)
        weekly = metrics.report(self.con, d, by="week", counts=weekly_counts).sort("week")
        self._trend(weekly)
        self._channels(weekly)
        warm = metrics.report(self.con, d, by="warm", counts=metrics.regroup(counts, "warm")).filter(
            pl.col("warm") != "unknown"
        )
        self.warm.value = section(
            "Warm vs cold (warm: already a connection, customer or conversation partner before the touch)",
            frame_table(
                warm.select(
                    "warm",
                    "dials",
                    pl.col("meetings_per_100_dials").round(2),
                    "outreach",
                    pl.col("reply_rate_pct").round(1),
                    "conversations",
                    pl.col("meetings_per_100_conversations").round(1),
                ),
                empty="No warm/cold split for this selection.",
            ),
        )

    def _cards(self, row: dict, d) -> str:
        base = baseline(d.baseline_id)
        equivalence = row["one_conversation_equals_dials"]
        per_hour = lambda v: f"{v:.2f}" if v is not None else "–"  # noqa: E731
        return cards(
            [
                (
                    "meetings per 100 dials (cold calls)",
                    fmt_rate(
                        row["meetings_per_100_dials"],
                        row["meetings_per_100_dials_low"],
                        row["meetings_per_100_dials_high"],
                        2,
                    ),
                    f"{row['meetings_from_calls']:,.0f} meetings from {row['dials']:,} dials; 95 % interval",
                    "ss-phone",
                ),
                (
                    "meetings per 100 conversations (LinkedIn)",
                    fmt_rate(
                        row["meetings_per_100_conversations"],
                        row["meetings_per_100_conversations_low"],
                        row["meetings_per_100_conversations_high"],
                    ),
                    f"{row['meetings_from_social']:,.0f} meetings from {row['conversations']:,} conversations",
                    "ss-social",
                ),
                (
                    f"baseline: meetings per 100 {base['denominator']}",
                    f"{base['value_per_100']:g}",
                    _baseline_note(base),
                ),
                (
                    "dials brought as many meetings as one LinkedIn conversation",
                    f"{equivalence:.1f}" if equivalence is not None else "–",
                    "dials per meeting ÷ conversations per meeting; the literature says ≈ 100 calls",
                ),
                (
                    "meetings per hour: calls",
                    per_hour(row["meetings_per_call_hour"]),
                    f"{row['call_hours']:,.0f} h = talk time + {d.dial_overhead_s} s per dial",
                    "ss-phone",
                ),
                (
                    "meetings per hour: social",
                    per_hour(row["meetings_per_social_hour"]),
                    f"{row['social_hours']:,.0f} h = {d.minutes_per_message:g} min per message",
                    "ss-social",
                ),
                (
                    "meetings without a preceding touch",
                    f"{row['meetings_unattributed']:,}",
                    f"of {row['meetings']:,} meetings (not cancelled), {d.attribution_window_days}-day window",
                ),
            ]
        )

    def _trend(self, weekly: pl.DataFrame) -> None:
        """One panel per channel, each with its 95 % band: a week has few conversations, so the band
        shows how much of the week-to-week swing is noise. Built as a plain figure dict (fast)."""
        weeks = weekly["week"].cast(pl.String).to_list()
        data = []
        panels = (
            ("meetings_per_100_dials", "per 100 dials", PHONE, "rgba(37,99,235,0.15)", "y"),
            (
                "meetings_per_100_conversations",
                "per 100 conversations",
                SOCIAL,
                "rgba(13,148,136,0.15)",
                "y2",
            ),
        )
        for rate, name, color, fill, axis in panels:
            band = weekly[f"{rate}_high"].to_list() + weekly[f"{rate}_low"].to_list()[::-1]
            data.append(
                {"type": "scatter", "x": weeks + weeks[::-1], "y": band, "fill": "toself", "fillcolor": fill,
                 "line": {"width": 0}, "hoverinfo": "skip", "name": "95 % interval", "yaxis": axis,
                 "showlegend": axis == "y", "legendgroup": "band"}
            )  # fmt: skip
            data.append(
                {"type": "scatter", "x": weeks, "y": weekly[rate].to_list(), "name": f"meetings {name}",
                 "mode": "lines+markers", "line": {"color": color}, "yaxis": axis}
            )  # fmt: skip
        layout = {
            "yaxis": {"title": {"text": "per 100 dials"}, "rangemode": "tozero", "domain": [0.54, 1]},
            "yaxis2": {
                "title": {"text": "per 100 conversations"},
                "rangemode": "tozero",
                "domain": [0, 0.46],
            },
            "xaxis": {"title": {"text": "week (Monday)"}, "anchor": "y2"},
        }
        self.trend.show({"data": data, "layout": layout})

    def _channels(self, weekly: pl.DataFrame) -> None:
        weeks = weekly["week"].cast(pl.String).to_list()
        fig = go.Figure()
        for column, name, color in (
            ("meetings_from_calls", "calls", PHONE),
            ("meetings_from_social", "LinkedIn", SOCIAL),
            ("meetings_unattributed", "no preceding touch", NEUTRAL),
        ):
            fig.add_bar(x=weeks, y=weekly[column].to_list(), name=name, marker_color=color)
        fig.update_layout(yaxis={"title": "meetings"}, xaxis={"title": "week (Monday)"})
        self.channels.show(fig)

    def _clear(self) -> None:
        for chart in (self.trend, self.channels):
            chart.clear()
        self.warm.value = ""


def _baseline_note(base: dict) -> str:
    """Whether the chosen baseline compares with meetings per 100 dials, and the published ranges."""
    check = baseline_check(base, "meetings_per_100_dials")
    published = (
        baselines()
        .filter(pl.col("metric") == "meetings", pl.col("id") != base["id"])
        .group_by("denominator")
        .agg(pl.col("value_per_100").min().alias("low"), pl.col("value_per_100").max().alias("high"))
        .sort("denominator", descending=True)
    )
    ranges = "; ".join(
        f"{_span(r['low'], r['high'])} per 100 {r['denominator']}" for r in published.iter_rows(named=True)
    )
    verdict = (
        "comparable with meetings per 100 dials"
        if check == "comparable"
        else "not comparable with per-dial figures"
    )
    return f"{base['quality']}: {verdict}. Published: {ranges}"


def _span(low: float, high: float) -> str:
    return f"{low:g}" if low == high else f"{low:g}–{high:g}"


def _hour_verdict(row: dict) -> str:
    """The page's question answered: meetings per rep-hour, social vs calls, and whether it is noise."""
    if not row["call_hours"] or not row["social_hours"]:
        return '<div class="ss-verdict">One of the two channels has no effort in this selection.</div>'
    result = compare(
        row["meetings_from_social"],
        row["social_hours"],
        row["meetings_from_calls"],
        row["call_hours"],
        label_a="An hour of social selling",
        label_b="an hour of cold calling",
        unit="hours",
        min_trials=10,
        kind="yield",
    )
    per_hour = result.verdict.replace(" per 100 hours", " meetings per 100 hours")
    return f'<div class="ss-verdict"><b>Per rep-hour:</b> {html.escape(per_hour)}</div>'
