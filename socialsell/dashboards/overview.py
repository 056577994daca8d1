"""Overview dashboard: meetings per 100 dials vs per 100 conversations, the equivalence, weekly trends."""

from __future__ import annotations

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
from socialsell.definitions import baseline
from socialsell.reporting import baseline_check

__all__ = ["OverviewApp"]


class OverviewApp:
    """Social vs cold calls: headline yields with intervals and baseline, trend, attributed channels."""

    QUESTION = "Does an hour of social selling bring more meetings than an hour of cold calling?"

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.filters = Filters(con)
        self.cards = widgets.HTML()
        self.trend = Chart("Weekly yield per channel (meetings per 100 dials / per 100 conversations)")
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
        d = self.filters.definitions()
        attributed = metrics.attribution(self.con, d)  # once for the three groupings below
        total = metrics.report(self.con, d, by="total", attributed=attributed)
        if not len(total) or not (total["dials"][0] or total["outreach"][0] or total["meetings"][0]):
            self.cards.value = frame_table(
                pl.DataFrame(),
                empty="No activity in this selection: widen the dates or pick another team or rep.",
            )
            self._clear()
            return
        self.cards.value = self._cards(total.row(0, named=True), d)
        weekly = metrics.report(self.con, d, by="week", attributed=attributed).sort("week")
        self._trend(weekly)
        self._channels(weekly)
        warm = metrics.report(self.con, d, by="warm", attributed=attributed).filter(
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
                    f"baseline per 100 {base['denominator']}",
                    f"{base['value_per_100']:g}",
                    f"{base['quality']}; {baseline_check(base, 'meetings_per_100_dials')}",
                ),
                (
                    "1 conversation ≈ dials",
                    f"{equivalence:.1f}" if equivalence is not None else "–",
                    "dials per meeting ÷ conversations per meeting",
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
        weeks = weekly["week"].cast(pl.String).to_list()
        fig = go.Figure()
        fig.add_scatter(
            x=weeks,
            y=weekly["meetings_per_100_dials"].to_list(),
            name="per 100 dials",
            mode="lines+markers",
            line={"color": PHONE},
        )
        fig.add_scatter(
            x=weeks,
            y=weekly["meetings_per_100_conversations"].to_list(),
            name="per 100 conversations",
            mode="lines+markers",
            line={"color": SOCIAL},
            yaxis="y2",
        )
        fig.update_layout(
            yaxis={"title": "meetings per 100 dials", "rangemode": "tozero"},
            yaxis2={
                "title": "per 100 conversations",
                "overlaying": "y",
                "side": "right",
                "rangemode": "tozero",
            },
            xaxis={"title": "week (Monday)"},
        )
        self.trend.show(fig)

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
