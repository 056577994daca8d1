"""Panel builders shared by the dashboards: read-only store, filters, cards, tables, figures."""

from __future__ import annotations

import functools
import html
import json
import os
from collections.abc import Callable
from datetime import date

import duckdb
import ipywidgets as widgets
import plotly.graph_objects as go
import polars as pl

from socialsell import privacy, snapshot
from socialsell.dashboards.rep_names import RepNames
from socialsell.definitions import ATTRIBUTION_RULES, Definitions
from socialsell.serve import PAGE_PLOTLY_ENV

__all__ = ["CSS", "Chart", "Filters", "cards", "fmt_rate", "frame_table", "header", "open_store", "section"]

CSS = """
<style>
.ss-cards{display:flex;flex-wrap:wrap;gap:12px;margin:8px 0 16px}
.ss-card{border:1px solid #d0d7de;border-radius:8px;padding:10px 14px;min-width:170px;max-width:260px;background:#fff}
.ss-card .v{font-size:26px;font-weight:600;color:#1f2937}
.ss-card .l{font-size:13px;color:#374151}
.ss-card .n{font-size:11px;color:#6b7280}
.ss-card.ss-phone{border-top:4px solid #2563eb}.ss-card.ss-social{border-top:4px solid #0d9488}
.ss-table{border-collapse:collapse;font-size:13px;margin:4px 0 12px}
.ss-table th{background:#f3f4f6;text-align:left;padding:4px 8px;border-bottom:1px solid #d0d7de}
.ss-table td{padding:3px 8px;border-bottom:1px solid #eef0f2;vertical-align:top}
.ss-table td.num{text-align:right;font-variant-numeric:tabular-nums}
.ss-empty{color:#6b7280;font-style:italic;margin:6px 0 12px}
.ss-verdict{font-size:15px;padding:8px 12px;background:#f8fafc;border-left:4px solid #64748b;margin:6px 0}
</style>
"""

PHONE, SOCIAL, NEUTRAL = "#2563eb", "#0d9488", "#9ca3af"


def open_store(path: str | None = None) -> snapshot.Reader:
    """The dashboards' connection: read-only, to `$SOCIALSELL_DB` or the default database.

    A published database is read from its current snapshot, which `snapshot.refresh(con)` at the
    start of an update replaces with a newer one (see socialsell.snapshot); imports never wait.
    """
    return snapshot.open_reader(path or os.environ.get("SOCIALSELL_DB"))


def header(question: str) -> widgets.HTML:
    """The dashboards' styles. The notebook's opening sentence states the question, so the app does
    not repeat it on the page; it travels as the container's tooltip for JupyterLab users."""
    return widgets.HTML(CSS, tooltip=question)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return html.escape(str(value))


def frame_table(frame: pl.DataFrame, *, empty: str = "Nothing to show.", max_rows: int = 200) -> str:
    """An HTML table of a frame (numbers right-aligned), or a friendly sentence when it is empty."""
    if not len(frame):
        return f'<div class="ss-empty">{html.escape(empty)}</div>'
    numeric = {c for c, t in frame.schema.items() if t.is_numeric()}
    head = "".join(f"<th>{html.escape(c.replace('_', ' '))}</th>" for c in frame.columns)
    rows = []
    for row in frame.head(max_rows).iter_rows():
        cells = "".join(
            f'<td class="{"num" if c in numeric else ""}">{_cell(v)}</td>'
            for c, v in zip(frame.columns, row, strict=True)
        )
        rows.append(f"<tr>{cells}</tr>")
    more = (
        f"<div class='ss-empty'>… and {len(frame) - max_rows:,} more rows</div>"
        if len(frame) > max_rows
        else ""
    )
    return f'<table class="ss-table"><tr>{head}</tr>{"".join(rows)}</table>{more}'


def cards(items: list[tuple[str, str, str]] | list[tuple[str, str, str, str]]) -> str:
    """Headline cards: (label, value, note[, css class])."""
    body = "".join(
        f'<div class="ss-card {html.escape(item[3] if len(item) > 3 else "")}">'
        f'<div class="v">{html.escape(item[1])}</div><div class="l">{html.escape(item[0])}</div>'
        f'<div class="n">{html.escape(item[2])}</div></div>'
        for item in items
    )
    return f'<div class="ss-cards">{body}</div>'


def section(title: str, body: str) -> str:
    return f"<h3>{html.escape(title)}</h3>{body}"


def fmt_rate(value: float | None, low: float | None, high: float | None, digits: int = 1) -> str:
    if value is None:
        return "–"
    return f"{value:.{digits}f} ({low:.{digits}f}–{high:.{digits}f})"


@functools.cache
def _template() -> dict:
    """Plotly's "plotly_white" template as JSON, computed once per process."""
    return json.loads(go.Figure(layout={"template": "plotly_white"}).to_json())["layout"]["template"]


# Served by `socialsell serve`, whose page template loads plotly.js once (socialsell.serve), a figure
# is a <div> and a script drawing it with that plotly.js. Elsewhere (JupyterLab, plain Voilà) it is
# Plotly's MIME bundle, drawn by the Plotly extension. The served way halves a page's first render:
# the MIME renderer starts loading plotly.js only at the first figure, after the kernel answered,
# and draws every figure a second time off-screen to store a PNG copy that Voilà never saves.

_DRAW_JS = """(function () {
  var el = document.currentScript.previousElementSibling, fig = %s;
  function draw() {
    if (!window.Plotly) { setTimeout(draw, 20); return; }
    Plotly.newPlot(el, fig.data, fig.layout, {responsive: true, displaylogo: false});
    var width = el.offsetWidth;  // redraw when shown (a tab opened) or resized, not on first sight
    new ResizeObserver(function () {
      if (el.offsetWidth && el.offsetWidth !== width) { width = el.offsetWidth; Plotly.Plots.resize(el); }
    }).observe(el);
  }
  draw();
})();"""


def _figure_html(figure: dict) -> str:
    """A figure as HTML drawn by the page's plotly.js; the JSON cannot end the script early."""
    payload = json.dumps(figure, separators=(",", ":"))
    payload = payload.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f'<div class="ss-plot"></div><script>{_DRAW_JS % payload}</script>'


class Chart:
    """A figure slot. Figures are shown as output (HTML drawn by the page's plotly.js when served by
    `socialsell serve`, else Plotly's MIME bundle), not as FigureWidget: that keeps first render fast
    and works offline."""

    def __init__(self, title: str, height: int = 360, **layout) -> None:
        self.title, self.height, self.layout = title, height, layout
        self.widget = widgets.Output(layout={"min_height": f"{height}px"})

    def show(self, fig: go.Figure | dict) -> None:
        """Show a figure, or a figure as a plain dict (data, layout) where building a go.Figure with
        its validation would cost more than the query behind it (charts redrawn on every filter change)."""
        # The house layout is merged into the figure's JSON rather than applied with update_layout:
        # validating the template on every update costs ~30 ms per chart, a third of a filter change.
        figure = json.loads(fig.to_json() if isinstance(fig, go.Figure) else json.dumps(fig, default=str))
        layout = figure.setdefault("layout", {})
        for key, value in {
            "title": {"text": self.title, "x": 0.01, "font": {"size": 15}},
            "template": _template(),
            "height": self.height,
            "margin": {"l": 60, "r": 20, "t": 50, "b": 50},
            "legend": {"orientation": "h", "y": -0.2},
            **self.layout,
        }.items():
            current = layout.get(key)
            layout[key] = (
                {**current, **value} if isinstance(current, dict) and isinstance(value, dict) else value
            )
        if os.environ.get(PAGE_PLOTLY_ENV):
            bundle = {"text/html": _figure_html(figure)}
        else:
            bundle = {"application/vnd.plotly.v1+json": figure}
        # Set the outputs directly rather than capturing with `with output:` + clear_output: the capture
        # path depends on the executing cell's message id and intermittently stalls Voilà pages.
        self.widget.outputs = ({"output_type": "display_data", "data": bundle, "metadata": {}},)

    def clear(self, message: str = "") -> None:
        data = {"text/html": f'<div class="ss-empty">{html.escape(message)}</div>'} if message else None
        self.widget.outputs = ({"output_type": "display_data", "data": data, "metadata": {}},) if data else ()


class Filters:
    """Date range, team, rep, attribution window and rule; `definitions()` turns them into a scope.

    The privacy view (socialsell.privacy) decides what can be chosen: *team* offers no rep and only
    teams (and an all-teams total) with at least k active reps, small teams being suppressed with
    their complement; *self* fixes the scope to the viewer's own rep; *coach* labels reps as the page's
    `RepNames` does (pseudonyms unless `[privacy]` allows names; values stay rep ids). `blocked` says
    why nothing can be shown (e.g. fewer than k reps in the whole database)."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        *,
        attribution: bool = True,
        rep: bool = True,
        names: RepNames | None = None,
    ) -> None:
        self.view = privacy.current_view()
        self.names = names or RepNames(con)  # the rep dropdown names reps as the page does
        bounds, team_options = self._read(con)
        self.bounds = bounds
        rep = rep and self.view == "coach"  # team: no rep; self: the viewer's own only
        self.date_from = widgets.DatePicker(description="From", value=bounds[0], layout={"width": "230px"})
        self.date_to = widgets.DatePicker(description="To", value=bounds[1], layout={"width": "230px"})
        self.team = widgets.Dropdown(
            description="Team", options=team_options or ["All teams"], layout={"width": "220px"}
        )
        self.rep = widgets.Dropdown(description="Rep", layout={"width": "260px"})
        self._quiet = False
        self.window = widgets.IntSlider(
            description="Window (days)",
            value=30,
            min=1,
            max=120,
            step=1,
            continuous_update=False,
            style={"description_width": "initial"},
            layout={"width": "300px"},
        )
        self.rule = widgets.Dropdown(
            description="Attribution",
            options=[(r.replace("_", " "), r) for r in ATTRIBUTION_RULES],
            layout={"width": "230px"},
        )
        self._set_rep_options()
        self.team.observe(lambda _: self._set_rep_options(), names="value")
        controls = [self.date_from, self.date_to] + ([self.team] if self.view != "self" else [])
        controls += [self.rep] if rep else []
        second = [self.window, self.rule] if attribution else []
        self.widget = widgets.VBox([widgets.HBox(controls), widgets.HBox(second)])

    def _read(self, con: duckdb.DuckDBPyConnection) -> tuple[tuple, list[str]]:
        """The selectable date range, reps (`self.reps`) and team options the view allows."""
        self.blocked = ""
        # Connections go back years; the selectable range is that of calls, messages and invitations.
        bounds = con.sql(
            "SELECT min(local_day), max(local_day) FROM touches WHERE kind IN ('call', 'message', 'invitation')"
        ).fetchall()[0]
        self.reps = con.sql(
            "SELECT rep_id, display_name, team FROM reps ORDER BY team, display_name"
        ).fetchall()
        team_options = ["All teams", *sorted({t for _, _, t in self.reps if t})]
        if self.view == "team":
            team_options = self._team_view_options(con)
        elif self.view == "self":
            team_options = ["All teams"]
            self.reps = [r for r in self.reps if r[0] == privacy.current_rep()]
            if not self.reps:
                self.blocked = "This self view has no rep set (SOCIALSELL_REP) or the rep has no data."
        return bounds, team_options

    def refresh(self, con: duckdb.DuckDBPyConnection) -> None:
        """Move a published page to a newer snapshot, if one was published (call it at the top of an
        update, never in the middle of one), and let the controls follow the new data."""
        if snapshot.refresh(con):
            self.follow(con)

    def follow(self, con: duckdb.DuckDBPyConnection) -> None:
        """After a newer snapshot (an import): the date range grows with the data where it was at the
        old edge (a range the user narrowed stays), new reps and teams become choosable, and the
        current choices stay. Quiet: the page's update that noticed the snapshot draws once."""
        old_low, old_high = self.bounds
        quiet, self._quiet = self._quiet, True
        try:
            (low, high), team_options = self._read(con)
            self.bounds = (low, high)
            if self.date_from.value == old_low:
                self.date_from.value = low
            if self.date_to.value == old_high:
                self.date_to.value = high
            team, rep = self.team.value, self.rep.value
            self.team.options = team_options or ["All teams"]
            self.team.value = team if team in self.team.options else self.team.options[0]
            self._set_rep_options()
            if rep in [value for _, value in self.rep.options]:
                self.rep.value = rep
        finally:
            self._quiet = quiet

    def _team_view_options(self, con: duckdb.DuckDBPyConnection) -> list[str]:
        """Teams with ≥ k active reps after complementary suppression, and the total if it has ≥ k."""
        k = privacy.settings().k_min_group
        active = con.sql(
            "SELECT r.team, count(DISTINCT r.rep_id) AS reps FROM reps r "
            "WHERE r.rep_id IN (SELECT DISTINCT rep_id FROM touches WHERE kind IN ('call', 'message')) "
            "GROUP BY ALL"
        ).pl()
        total = int(active["reps"].sum() or 0)
        if total < k:
            self.blocked = f"The team view shows groups of at least {k} reps; this database has {total}."
            return []
        shown = privacy.suppress(
            active.with_columns(pl.col("team").fill_null("(no team)")), "team", "reps", k
        )
        teams = shown.filter(pl.col("suppressed").is_null() & (pl.col("team") != "(no team)"))["team"]
        return ["All teams", *sorted(teams.to_list())]

    def _set_rep_options(self) -> None:
        # Resetting the rep list fires the rep control's observers; the team change that caused it
        # already triggers one update, so they stay quiet meanwhile (one click, one recomputation).
        quiet, self._quiet = self._quiet, True
        try:
            team = None if self.team.value == "All teams" else self.team.value
            # Sorted by label: an order by real name would hint at the reps behind the pseudonyms.
            labels = sorted(
                (self.names.label(rep_id, name), rep_id) for rep_id, name, t in self.reps if team in (None, t)
            )
            self.rep.options = [("All reps", ""), *labels]
            self.rep.value = ""
        finally:
            self._quiet = quiet

    def on_change(self, callback: Callable[[], None]) -> None:
        """Call `callback` once per user change of any filter."""

        def changed(_) -> None:
            if not self._quiet:
                callback()

        for control in (self.date_from, self.date_to, self.team, self.rep, self.window, self.rule):
            control.observe(changed, names="value")

    def definitions(self, base: Definitions | None = None) -> Definitions:
        """The current selection as metric definitions (an inverted date range is swapped, not refused)."""
        start, end = self.date_from.value, self.date_to.value
        if isinstance(start, date) and isinstance(end, date) and start > end:
            start, end = end, start
        reps = (self.rep.value,) if self.rep.value else ()
        if self.view == "self":
            reps = (privacy.current_rep() or "",)
        return (base or Definitions()).with_(
            date_from=start,
            date_to=end,
            attribution_window_days=self.window.value,
            attribution_rule=self.rule.value,
            teams=() if self.team.value == "All teams" else (self.team.value,),
            reps=reps,
        )
