"""The coach dashboard's drill-down: the rows behind one rep's figure, each with its file and line."""

from __future__ import annotations

import html

import duckdb
import ipywidgets as widgets
import polars as pl

from socialsell import privacy, trace
from socialsell.config import Config, ConfigError
from socialsell.dashboards.panels import frame_table
from socialsell.dashboards.rep_names import RepNames
from socialsell.definitions import Definitions

__all__ = ["TITLE", "TracePanel"]

TITLE = "Where does this number come from?"
SHOWN = 200  # rows listed; the sentence gives the full count
# Counts the per-rep table does not show as a column, and the column they feed.
_FEEDS = {
    "meetings_from_calls": "meetings / 100 dials",
    "meetings_from_social": "meetings / 100 conv.",
    "replied": "reply %",
}
# The rows scroll inside their own box, one line each, so the charts below stay in reach.
_SCROLL = (
    "<style>.ss-trace .ss-table td,.ss-trace .ss-table th{{white-space:nowrap}}</style>"
    '<div style="max-height:460px;overflow:auto">{}</div>'
)


class TracePanel:
    """A rep and a measure; a sentence that ties the rows' count to the per-rep table; the rows."""

    def __init__(
        self, con: duckdb.DuckDBPyConnection, table_columns: dict[str, str], names: RepNames | None = None
    ) -> None:
        privacy.require_view("coach")  # contacts by name, per rep: the coach view only
        self.con, self.table_columns = con, table_columns
        self.names = names or RepNames(con)  # the page's naming: the same label as its table
        self.d, self.per_rep = Definitions(), pl.DataFrame()
        self.rep = widgets.Dropdown(description="Rep", layout={"width": "300px"})
        self.measure = widgets.Dropdown(
            description="Measure",
            options=[(label, key) for key, label in trace.MEASURES.items()],
            value="dials",
            layout={"width": "420px"},
        )
        self.rows = widgets.HTML()
        self.rows.add_class("ss-trace")
        self._quiet, self._stale = False, True
        for control in (self.rep, self.measure):
            control.observe(lambda _: self._quiet or self.render(), names="value")
        # Collapsed until a coach opens it: listing a rep's rows with file and line reads the whole
        # touches table (~0.5 s on 10 M touches), which a filter change should not pay unasked.
        self.widget = widgets.Accordion(
            children=[widgets.VBox([widgets.HBox([self.rep, self.measure]), self.rows])],
            titles=(f"{TITLE} The rows behind a rep's figure, with file and line",),
            selected_index=None,
        )
        self.widget.add_class("ss-drill-down")
        self.widget.observe(lambda _: self._stale and self.render(), names="selected_index")
        try:
            self.time_zone = Config.load().time_zone
        except ConfigError:
            self.time_zone = "UTC"

    def update(self, d: Definitions, per_rep: pl.DataFrame) -> None:
        """Follow the page: its definitions, and its per-rep report (what the sentence compares with)."""
        self.d, self.per_rep = d, per_rep.filter(pl.col("rep").is_not_null())
        options = sorted(
            (self.names.label(rep, name), rep)
            for rep, name in self.per_rep.select("rep", "display_name").iter_rows()
        )
        self._quiet = True
        try:
            current = self.rep.value
            self.rep.options = options
            self.rep.value = (
                current if current in dict(options).values() else (options[0][1] if options else None)
            )
        finally:
            self._quiet = False
        self.render()

    @property
    def is_open(self) -> bool:
        return self.widget.selected_index is not None

    def render(self) -> None:
        """List the rows when the panel is open; otherwise remember to when it opens."""
        self._stale = not self.is_open
        if self._stale:
            return
        if not self.rep.value:
            self.rows.value = frame_table(pl.DataFrame(), empty="No rep has activity in this selection.")
            return
        found = trace.trace(self.con, self.measure.value, self.d, rep=self.rep.value, limit=SHOWN)
        # One rep's rows: named as the table above names the rep (the sentence), not again per row.
        shown = trace.readable(found, self.time_zone).drop("rep")
        # An export named after the rep (a calendar, a dialer log) would name a pseudonymised rep.
        shown = self.names.files(self.con, shown, self.rep.value, ("file", "touch file"))
        more = found.count - len(shown)
        table = frame_table(shown, empty="No rows: nothing was counted.", max_rows=SHOWN)
        if more > 0:
            table += f'<div class="ss-empty">… and {more:,} more</div>'
        self.rows.value = self._sentence(found) + _SCROLL.format(table)

    def _sentence(self, found: trace.Trace) -> str:
        row = self.per_rep.filter(pl.col("rep") == self.rep.value).row(0, named=True)
        measure, value = found.measure, found.value
        shown = _number(value)
        name = self.names.label(self.rep.value, row["display_name"])
        text = f"<b>{shown}</b> {trace.MEASURES[measure]} by {html.escape(name)} {_period(self.d)}"
        reported = row[measure]
        if abs(value - reported) > 1e-6:
            note = f" — but the report says {_number(reported)}: the trace and the figures disagree."
            return f'<div class="ss-verdict" style="border-color:#dc2626">{text}{html.escape(note)}</div>'
        if measure in self.table_columns:
            where = "as in the table above"
        elif measure in _FEEDS:
            where = f"behind “{_FEEDS[measure]}” in the table above"
        else:
            where = "as in the per-rep report (socialsell report)"
        shared = f", credited to {found.count:,} touches" if abs(value - found.count) > 1e-9 else ""
        return f'<div class="ss-verdict">{text} — the same {shown} {where}{shared}.</div>'


def _number(value: float) -> str:
    """412 for a count, 27.33 for a sum of split credits (float noise aside)."""
    return f"{value:,.0f}" if abs(value - round(value)) < 1e-9 else f"{value:,.2f}"


def _period(d: Definitions) -> str:
    if d.date_from and d.date_to:
        return f"in this period ({d.date_from:%Y-%m-%d} – {d.date_to:%Y-%m-%d})"
    return "in this period"
