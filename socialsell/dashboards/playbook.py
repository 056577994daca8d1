"""Playbook dashboard: the insights no sales tool offers, each as its finding, a chart and its rows.

Templates vs personalised first messages, du vs Sie, responsiveness, compliance flags, cost per
meeting, accounts, lead response time, channel order, meetings the exports do not record, planner.
The numbers come from `socialsell.insights`; this module only lays them out.
"""

from __future__ import annotations

import html

import duckdb
import ipywidgets as widgets
import plotly.graph_objects as go
import polars as pl

from socialsell import insights, privacy
from socialsell.dashboards.panels import (
    NEUTRAL,
    PHONE,
    SOCIAL,
    Chart,
    Filters,
    frame_table,
    header,
    open_store,
)
from socialsell.dashboards.playbook_decisions import InferredMeetings
from socialsell.dashboards.rep_names import RepNames

__all__ = ["PlaybookApp"]

WARN = "#dc2626"

# Per insight: the two (or one) rates drawn per rep with their intervals → (column, label, colour);
# the axis title; the columns of the table under the chart.
_PAIRS: dict[str, tuple[list[tuple[str, str, str]], str, list[str]]] = {
    "templates": (
        [("templated_reply_rate_pct", "templated", WARN), ("personalised_reply_rate_pct", "personalised", SOCIAL)],
        "reply rate of first messages, %",
        ["first_messages", "templated", "templated_share_pct", "largest_template_recipients", "mass_templating"],
    ),
    "address": (
        [("informal_reply_rate_pct", "informal (du)", WARN), ("formal_reply_rate_pct", "formal (Sie)", SOCIAL)],
        "reply rate of first messages, %",
        ["first_messages", "formal", "informal", "unknown", "informal_share_pct", "writes_informally"],
    ),
    "responsiveness": (
        [("answered_within_sla_pct", "answered within the target", SOCIAL)],
        "prospect messages answered in time, %",
        ["turns", "answered", "median_answer_hours", "p90_answer_hours", "answered_within_sla_pct"],
    ),
    "compliance": (
        [("flagged_calls_pct", "calls to consumers without consent", WARN), ("unknown_segment_pct", "calls to unknown segment", NEUTRAL)],
        "share of calls, %",
        ["calls", "calls_b2c_without_consent", "contacts_called_without_consent", "calls_unknown_segment", "calls_b2c_asked_first"],
    ),
    "cost": (
        [("cost_per_meeting_calls", "calls", PHONE), ("cost_per_meeting_social", "social selling", SOCIAL)],
        "€ per meeting",
        ["call_hours", "social_hours", "meetings_from_calls", "meetings_from_social", "cost_per_meeting_calls", "cost_per_meeting_social", "call_center_cost_per_meeting"],
    ),
    "accounts": (
        [("meeting_rate_single_pct", "single-threaded accounts", WARN), ("meeting_rate_multi_pct", "several contacts", SOCIAL)],
        "accounts with a meeting, %",
        ["target_accounts", "single_threaded_accounts", "single_threaded_pct", "contacts_touched_per_account", "accounts_with_meeting"],
    ),
    "lead_response": (
        [("responded_within_sla_pct", "answered within the target", SOCIAL)],
        "new leads answered in time, %",
        ["leads", "responded", "median_response_hours_at_least", "median_response_hours_at_most", "responded_within_sla_pct"],
    ),
    "channel_order": (
        [("connect_rate_pct", "connect rate", PHONE), ("meeting_rate_pct", "meeting rate", SOCIAL)],
        "first dials, %",
        ["before_first_dial", "first_dials", "connects", "first_dials_with_meeting"],
    ),
}  # fmt: skip


_TAB_TITLES = {
    "templates": "Templates",
    "address": "du / Sie",
    "responsiveness": "Responsiveness",
    "compliance": "Compliance",
    "cost": "Cost per meeting",
    "accounts": "Accounts",
    "lead_response": "Lead response",
    "channel_order": "Channel order",
    "inferred_meetings": "Unrecorded meetings",
    "planner": "Planner",
}


class PlaybookApp:
    """One section per insight: the question, the finding in plain words, a chart and the rows."""

    QUESTION = (
        "What in each rep's way of working wins or loses meetings — and what would a month's plan take?"
    )

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        privacy.require_view("coach")  # named per-rep figures: the coach view only
        self.con = con
        self.names = RepNames(con)  # every table, chart, finding and dropdown names reps alike
        self.filters = Filters(con, names=self.names)
        self.cost = widgets.BoundedFloatText(
            value=60,
            min=1,
            max=1000,
            step=5,
            description="€ per rep-hour",
            style={"description_width": "initial"},
        )
        self.wanted = widgets.BoundedIntText(
            value=10,
            min=1,
            max=500,
            description="meetings wanted next month",
            style={"description_width": "initial"},
        )
        self.sections = {name: _Section(name) for name in insights.INSIGHTS}
        self.decisions = InferredMeetings(con, on_decided=self._after_decision, names=self.names)
        self.filters.on_change(self._update)
        for control in (self.cost, self.wanted):
            control.observe(lambda _: self._update(), names="value")
        # One tab per insight; only the open tab is computed (the others when opened), so a filter
        # change costs one insight's queries, not ten.
        self.tabs = widgets.Tab(children=[self.sections[n].widget for n in insights.INSIGHTS])
        for index, name in enumerate(insights.INSIGHTS):
            self.tabs.set_title(index, _TAB_TITLES.get(name, name.replace("_", " ")))
        self.tabs.observe(lambda _: self._show_current(), names="selected_index")
        self.container = widgets.VBox(
            [header(self.QUESTION), self.filters.widget, widgets.HBox([self.cost, self.wanted]), self.tabs]
        )
        self.details = {name: widgets.HTML() for name in _DETAILS}
        for name, detail in self.details.items():
            self.sections[name].extra.children = [detail]
        self.sections["inferred_meetings"].extra.children = [self.decisions.widget]
        self.stale: set[str] = set()
        self._update()

    @classmethod
    def from_db(cls, path: str | None = None) -> PlaybookApp:
        return cls(open_store(path))

    def _after_decision(self) -> None:
        self.con = self.decisions.con  # the decision reopened the read-only connection
        self._update()

    def _update(self) -> None:
        self.filters.refresh(self.con)  # a newer published snapshot, between updates only
        self.stale = set(insights.INSIGHTS)
        self._show_current()

    def _show_current(self) -> None:
        name = insights.INSIGHTS[self.tabs.selected_index or 0]
        if name not in self.stale:
            return
        d = self.filters.definitions().with_(
            cost_per_rep_hour=float(self.cost.value), planner_meetings_wanted=int(self.wanted.value)
        )
        self.sections[name].show(_insight(self.con, d, name, self.names))
        if name in self.details:
            self.details[name].value = _details(self.con, d, name, self.names)
        if name == "inferred_meetings":
            self.decisions.refresh(d)
        self.stale.discard(name)


class _Section:
    def __init__(self, name: str) -> None:
        self.name = name
        self.head, self.table, self.extra = widgets.HTML(), widgets.HTML(), widgets.VBox()
        self.chart = Chart("", height=300)
        self.widget = widgets.VBox([self.head, self.chart.widget, self.table, self.extra])

    def show(self, found: insights.Insight) -> None:
        self.head.value = (
            f"<h3>{html.escape(found.title)}</h3><p><i>{html.escape(found.question)}</i></p>"
            f'<div class="ss-verdict">{html.escape(found.finding)}</div>'
        )
        self.chart.widget.layout.display = None
        if self.name == "planner":
            self._planner(found.frame)
            return
        # Channel order compares kinds of first dials (x axis), all reps together.
        by_group = self.name == "channel_order"
        rows = found.frame.filter(pl.col("level") == "total") if by_group else _rep_rows(found.frame)
        if self.name not in _PAIRS or not len(rows):
            self.chart.clear()
            self.chart.widget.layout.display = "none"  # no empty chart frame
            self.table.value = ""
            return
        pairs, axis, columns = _PAIRS[self.name]
        self.chart.title = found.title + (
            ": all reps, by what came before the first dial" if by_group else ""
        )
        self.chart.show(_rates_chart(rows, pairs, axis, x="before_first_dial" if by_group else None))
        self.table.value = frame_table(
            _readable(found.frame.filter(pl.col("level") != "team"), columns),
            empty="No rows in this selection.",
        )

    def _planner(self, frame: pl.DataFrame) -> None:
        if not len(frame):
            self.chart.clear()
            self.table.value = frame_table(frame, empty="No rep has rates to plan from in this selection.")
            return
        fig = go.Figure()
        for channel, color in (("phone", PHONE), ("linkedin", SOCIAL)):
            part = frame.filter(pl.col("channel") == channel)
            fig.add_bar(
                x=part["display_name"].to_list(),
                y=part["mix_hours"].to_list(),
                name=channel,
                marker_color=color,
            )
        fig.update_layout(barmode="stack", yaxis={"title": "hours in the quickest mix"})
        self.chart.title = "Planner: hours per rep in the quickest mix, by channel"
        self.chart.show(fig)
        columns = ["display_name", "channel", "unit", "meetings_per_100", "needed", "needed_low", "needed_high",
                   "hours_needed", "mix_meetings", "mix_units", "mix_hours", "mix_shortfall_meetings"]  # fmt: skip
        self.table.value = frame_table(_readable(frame, columns, label=False))


def _insight(con: duckdb.DuckDBPyConnection, d, name: str, names: RepNames) -> insights.Insight:
    """As `insights.run`, but the finding is written from the rows as the page names them, so the
    sentence names a rep exactly as the chart and the table below it do."""
    insight = insights.module(name)
    frame = names.insight(insight.compute(con, d))
    return insights.Insight(name, insight.TITLE, insight.QUESTION, insight.finding(frame, d), frame)


def _rep_rows(frame: pl.DataFrame) -> pl.DataFrame:
    if "level" not in frame.columns:
        return frame
    return frame.filter(pl.col("level") == "rep")


def _readable(frame: pl.DataFrame, columns: list[str], *, label: bool = True) -> pl.DataFrame:
    """The label column (rep, team or total) and the chosen columns, floats rounded."""
    keep = [c for c in columns if c in frame.columns]
    if label and "level" in frame.columns:
        name = pl.coalesce(pl.col("display_name"), pl.col("group").cast(pl.String)).alias("who")
        frame = frame.select(name, *keep)
    else:
        frame = frame.select(keep)
    return frame.with_columns(pl.col(pl.Float64).round(1))


def _rates_chart(
    reps: pl.DataFrame, pairs: list[tuple[str, str, str]], axis: str, x: str | None = None
) -> go.Figure:
    """Per rep (or per value of column `x`), each rate as a marker with its 95 % interval."""
    if x:
        names = reps[x].cast(pl.String).str.replace_all("_", " ").to_list()
    else:
        names = reps["display_name"].fill_null(reps["group"].cast(pl.String)).to_list()
    fig = go.Figure()
    for column, label, color in pairs:
        if column not in reps.columns:
            continue
        value = reps[column]
        low = reps[f"{column}_low"] if f"{column}_low" in reps.columns else value
        high = reps[f"{column}_high"] if f"{column}_high" in reps.columns else value
        fig.add_scatter(
            x=names,
            y=value.to_list(),
            name=label,
            mode="markers",
            marker={"color": color, "size": 10},
            error_y={
                "type": "data",
                "symmetric": False,
                "array": (high - value).to_list(),
                "arrayminus": (value - low).to_list(),
            },
        )
    fig.update_layout(yaxis={"title": axis, "rangemode": "tozero"}, scattermode="group")
    return fig


# Detail tables the issue asks for besides the per-rep rows: (function, title, columns, sort).
_DETAILS = {
    "responsiveness": (
        "by_weekday_hour",
        "When prospects wait longest: by weekday (1 = Monday) and hour of their message",
        ["weekday", "hour", "turns", "median_answer_hours", "p90_answer_hours", "answered_within_sla_pct"],
        ("median_answer_hours", True),
    ),
    "compliance": (
        "flagged_by_week",
        "Flagged calls per rep and week",
        ["display_name", "week", "flagged_calls", "contacts", "calls_unknown_segment"],
        ("week", False),
    ),
    "accounts": (
        "single_threaded",
        "Target accounts that hang on a single contact (those with a meeting first: add a second contact)",
        [
            "company",
            "contacts_touched",
            "contacts_dialled",
            "contacts_touched_on_linkedin",
            "meetings",
            "reps",
        ],
        ("meetings", True),
    ),
}


def _details(con: duckdb.DuckDBPyConnection, d, name: str, names: RepNames) -> str:
    function, title, columns, (key, descending) = _DETAILS[name]
    frame = names.id_lists(names.frame(getattr(insights.module(name), function)(con, d)), "reps")
    if name == "responsiveness":
        frame = frame.filter(pl.col("turns") >= d.min_sample // 3)  # cells with a few turns at least
    tie = ["display_name"] if "display_name" in frame.columns else []  # by label, not by real name
    shown = frame.sort([key, *tie], descending=[descending] + [False] * len(tie), nulls_last=True).select(
        [c for c in columns if c in frame.columns]
    )
    return f"<h4>{html.escape(title)}</h4>" + frame_table(
        shown.with_columns(pl.col(pl.Float64).round(1), pl.col(pl.List(pl.String)).list.join(", ")),
        empty="Nothing in this selection.",
        max_rows=15,
    )
