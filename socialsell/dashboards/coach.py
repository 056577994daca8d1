"""Coach dashboard: compare reps — activity, yields with intervals against the team median, verdicts."""

from __future__ import annotations

import duckdb
import ipywidgets as widgets
import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from socialsell import metrics, privacy
from socialsell.dashboards.panels import (
    PHONE,
    SOCIAL,
    Chart,
    Filters,
    frame_table,
    header,
    open_store,
    section,
)
from socialsell.dashboards.rep_names import RepNames
from socialsell.dashboards.trace_panel import TracePanel

__all__ = ["CoachApp"]

_TABLE_COLUMNS = {
    "display_name": "rep",
    "team": "team",
    "dials": "dials",
    "connects": "connects",
    "meetings_per_100_dials": "meetings / 100 dials",
    "outreach": "outreach",
    "reply_rate_pct": "reply %",
    "conversations": "conversations",
    "meetings_per_100_conversations": "meetings / 100 conv.",
    "rank_conversations": "rank (shrunk)",
    "small_sample": "small sample",
}
_WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


class CoachApp:
    """Per-rep table, activity, yields vs the team median, a two-rep verdict and a weekday/hour heat-map."""

    QUESTION = "Which reps differ for real — and which differences are still noise?"

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        privacy.require_view("coach")  # named per-rep figures: the coach view only
        self.con = con
        # The table ranks reps, so the whole page names them as a ranking does (socialsell.privacy):
        # a named chart beside a pseudonymised ranking would give the pseudonyms away.
        self.names = RepNames(con, leaderboard=True)
        self.filters = Filters(con, rep=False, names=self.names)
        labels = sorted((self.names.label(rep_id, name), rep_id) for rep_id, name, _ in self.filters.reps)
        self.sort = widgets.Dropdown(
            description="Sort by",
            options=[(v, k) for k, v in _TABLE_COLUMNS.items() if k != "small_sample"],
            value="meetings_per_100_conversations",
            layout={"width": "300px"},
        )
        self.rep_a = widgets.Dropdown(description="Compare", options=labels, layout={"width": "260px"})
        self.rep_b = widgets.Dropdown(
            description="with",
            options=labels,
            layout={"width": "240px"},
            value=labels[1][1] if len(labels) > 1 else None,
        )
        self.rate = widgets.Dropdown(
            description="on",
            options=[(k.replace("_", " "), k) for k in metrics.RATES],
            value="meetings_per_100_conversations",
            layout={"width": "360px"},
        )
        self.table, self.verdict = widgets.HTML(), widgets.HTML()
        self.activity = Chart("Activity per rep", barmode="group")
        self.yields = Chart("Yields per rep with 95 % intervals against the team median", height=380)
        self.heat = Chart("When reps work: outbound dials and messages by weekday and hour", height=320)
        # after require_view: built in the coach view only
        self.trace = TracePanel(con, _TABLE_COLUMNS, names=self.names)
        self.filters.on_change(self._update)
        self.sort.observe(lambda _: self._render_table(), names="value")
        for control in (self.rep_a, self.rep_b, self.rate):
            control.observe(lambda _: self._compare(), names="value")
        self.container = widgets.VBox(
            [
                header(self.QUESTION),
                self.filters.widget,
                self.sort,
                self.table,
                self.trace.widget,
                self.activity.widget,
                self.yields.widget,
                widgets.HBox([self.rep_a, self.rep_b, self.rate]),
                self.verdict,
                self.heat.widget,
            ]
        )
        self._update()

    @classmethod
    def from_db(cls, path: str | None = None) -> CoachApp:
        return cls(open_store(path))

    def _update(self) -> None:
        self.filters.refresh(self.con)  # a newer published snapshot, between updates only
        self.d = self.filters.definitions()
        self.counts = metrics.activity(self.con, self.d, by="rep")
        self.per_rep = metrics.report(self.con, self.d, by="rep", counts=self.counts)
        ranks = metrics.ranking(
            self.con, "meetings_per_100_conversations", self.d, counts=self.counts
        ).select(pl.col("rep"), pl.col("rank").alias("rank_conversations"))
        self.per_rep = self.per_rep.join(ranks, on="rep", how="left")
        # What the page shows: reps named as the page names them, in the order of their labels.
        self.shown = self.names.frame(self.per_rep, "rep").sort("display_name", nulls_last=True)
        self._render_table()
        self.trace.update(self.d, self.per_rep)
        self._activity()
        self._yields()
        self._compare()
        self._heatmap()

    def _render_table(self) -> None:
        frame = self.shown.filter((pl.col("dials") + pl.col("outreach") + pl.col("meetings")) > 0)
        key = self.sort.value
        frame = frame.sort(
            key, descending=key not in ("display_name", "team", "rank_conversations"), nulls_last=True
        )
        flagged = frame["small_sample"].fill_null("").str.len_chars().sum() > 0
        columns = [k for k in _TABLE_COLUMNS if k != "small_sample" or flagged]
        shown = frame.select(
            [pl.col(k).round(2) if frame.schema[k] == pl.Float64 else pl.col(k) for k in columns]
        ).rename({k: _TABLE_COLUMNS[k] for k in columns})
        note = (
            f"Rank: empirical-Bayes meetings per 100 conversations, shrunk toward the team; "
            f"a small-sample column appears when a rep has fewer than {self.d.min_sample} dials or "
            "conversations."
        )
        if any(not self.names.keeps_name(r) for r in self.per_rep["rep"].drop_nulls()):
            note += (
                " A ranking names only the reps who agreed to it (`leaderboard_opt_in`); the others "
                "appear by pseudonym throughout this page."
            )
        self.table.value = section(
            "Reps",
            frame_table(shown, empty="No rep has activity in this selection.")
            + f'<div class="ss-empty">{note}</div>',
        )

    def _activity(self) -> None:
        names = self.shown["display_name"].to_list()
        fig = go.Figure()
        for column, label, color in (
            ("dials", "dials", PHONE),
            ("outreach", "LinkedIn outreach", "#5eead4"),
            ("conversations", "conversations", SOCIAL),
        ):
            fig.add_bar(x=names, y=self.shown[column].to_list(), name=label, marker_color=color)
        # Dials outnumber conversations ~50:1, so a log axis with ticks at powers of ten only.
        fig.update_layout(yaxis={"title": "count (log scale)", "type": "log", "dtick": 1})
        self.activity.show(fig)

    def _yields(self) -> None:
        """Side by side: meetings per 100 dials and per 100 conversations, each rep with its 95 %
        interval and the team median; an interval that crosses the median is not a real difference."""
        frame = self.shown
        names = frame["display_name"].to_list()
        fig = make_subplots(
            rows=1, cols=2, subplot_titles=("meetings per 100 dials", "meetings per 100 conversations")
        )
        for col, (rate, color) in enumerate(
            (("meetings_per_100_dials", PHONE), ("meetings_per_100_conversations", SOCIAL)), start=1
        ):
            fig.add_scatter(
                x=names,
                y=frame[rate].to_list(),
                name=rate.replace("_", " "),
                mode="markers",
                marker={"color": color, "size": 10},
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": (frame[f"{rate}_high"] - frame[rate]).to_list(),
                    "arrayminus": (frame[rate] - frame[f"{rate}_low"]).to_list(),
                },
                showlegend=False,
                row=1,
                col=col,
            )
            median = frame[rate].median()
            if median is not None:
                fig.add_hline(
                    y=median,
                    line={"color": color, "dash": "dash"},
                    annotation_text=f"team median {median:.1f}",
                    annotation_position="top right",
                    row=1,
                    col=col,
                )
            fig.update_yaxes(rangemode="tozero", row=1, col=col)
        self.yields.show(fig)

    def _compare(self) -> None:
        if not self.rep_a.value or not self.rep_b.value or self.rep_a.value == self.rep_b.value:
            self.verdict.value = '<div class="ss-verdict">Pick two different reps to compare.</div>'
            return
        names = dict((v, k) for k, v in self.rep_a.options)
        try:
            result = metrics.compare_groups(
                self.con, self.rep_a.value, self.rep_b.value, self.rate.value, self.d, counts=self.counts
            )
        except KeyError:
            self.verdict.value = (
                '<div class="ss-verdict">One of the two reps has no activity in this selection.</div>'
            )
            return
        text = result.verdict.replace(self.rep_a.value, names[self.rep_a.value]).replace(
            self.rep_b.value, names[self.rep_b.value]
        )
        self.verdict.value = f'<div class="ss-verdict">{text} <small>({result.test})</small></div>'

    def _heatmap(self) -> None:
        cells = metrics.heatmap(self.con, self.d).with_columns(total=pl.col("dials") + pl.col("messages"))
        grid = [[0] * 24 for _ in range(7)]
        for weekday, hour, total in cells.select("weekday", "hour", "total").iter_rows():
            grid[weekday - 1][hour] = total
        fig = go.Figure(
            go.Heatmap(
                z=grid,
                x=[f"{h:02d}" for h in range(24)],
                y=_WEEKDAYS,
                colorscale="Blues",
                colorbar={"title": "touches"},
            )
        )
        fig.update_layout(xaxis={"title": "hour (team time zone)"}, yaxis={"autorange": "reversed"})
        self.heat.show(fig)
