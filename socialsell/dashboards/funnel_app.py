"""Funnel dashboard: each channel's stages and conversions, and the what-if: more reach or better conversion?"""

from __future__ import annotations

import html

import duckdb
import ipywidgets as widgets
import plotly.graph_objects as go

from socialsell import funnel
from socialsell.dashboards.panels import PHONE, SOCIAL, Chart, Filters, cards, header, open_store
from socialsell.funnel import TEXTBOOK

__all__ = ["FunnelApp"]

_COLORS = {"phone": PHONE, "linkedin": SOCIAL}
_TITLES = {"phone": "Cold calls", "linkedin": "LinkedIn"}


class FunnelApp:
    """Funnels per channel from the data, and sliders for reach and per-stage conversion."""

    QUESTION = (
        "Where does each channel lose people — and would more reach or better conversion bring more meetings?"
    )

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.filters = Filters(con)
        self.figures = {c: Chart(f"{_TITLES[c]} funnel", height=300) for c in _TITLES}
        self.channel = widgets.ToggleButtons(
            options=[("Cold calls", "phone"), ("LinkedIn", "linkedin"), ("Textbook", "textbook")],
            description="What-if for",
        )
        self.reach = widgets.IntSlider(
            description="Reach", min=0, max=10_000, continuous_update=False, layout={"width": "520px"}
        )
        self.stage_box = widgets.VBox()
        self.example = widgets.Button(description="Textbook: 10,000 at 10 %", layout={"width": "220px"})
        self.result = widgets.HTML()
        self.stage_sliders: list[widgets.FloatSlider] = []
        self.filters.on_change(self._update)
        self.channel.observe(lambda _: self._load_what_if(), names="value")
        self.reach.observe(lambda _: self._what_if(), names="value")
        self.example.on_click(lambda _: self._textbook())
        self.container = widgets.VBox(
            [
                header(self.QUESTION),
                self.filters.widget,
                widgets.HBox([self.figures["phone"].widget, self.figures["linkedin"].widget]),
                widgets.HTML(
                    "<h3>What if?</h3><p>Start from this selection's own funnel; move reach or a stage's "
                    "conversion and see the meetings it would give.</p>"
                ),
                self.channel,
                widgets.HBox([self.reach, self.example]),
                self.stage_box,
                self.result,
            ]
        )
        self._update()

    @classmethod
    def from_db(cls, path: str | None = None) -> FunnelApp:
        return cls(open_store(path))

    def _update(self) -> None:
        self.filters.refresh(self.con)  # a newer published snapshot, between updates only
        if self.filters.blocked:
            self.funnels = {c: funnel.Funnel(c, ()) for c in _TITLES}
            for chart in self.figures.values():
                chart.clear(self.filters.blocked)
            self.stage_box.children = ()
            return
        self.funnels = funnel.funnels(self.con, self.filters.definitions())
        for channel, chart in self.figures.items():
            f = self.funnels[channel]
            rates = [""] + [f"{r:.1%} of previous" if r is not None else "–" for r in f.rates]
            chart.show(
                go.Figure(
                    go.Funnel(
                        y=[name for name, _ in f.stages],
                        x=[c for _, c in f.stages],
                        marker={"color": _COLORS[channel]},
                        text=[f"{c:,.0f}  {r}" for (_, c), r in zip(f.stages, rates, strict=True)],
                        textinfo="text",
                    )
                )
            )
        self._load_what_if()

    def _load_what_if(self) -> None:
        f = self.funnels[self.channel.value] if self.channel.value != "textbook" else TEXTBOOK
        reach = f.stages[0][1]
        self.reach.max = max(int(reach * 5), 1000)
        self.stage_sliders = [
            widgets.FloatSlider(
                description=f"→ {name}",
                value=round((r or 0) * 100, 1),
                min=0,
                max=100,
                step=0.5,
                continuous_update=False,
                readout_format=".1f",
                style={"description_width": "160px"},
                layout={"width": "520px"},
            )
            for (name, _), r in zip(f.stages[1:], f.rates, strict=True)
        ]
        for slider in self.stage_sliders:
            slider.observe(lambda _: self._what_if(), names="value")
        self.stage_box.children = [
            widgets.HTML("<small>conversion from the previous stage, %</small>"),
            *self.stage_sliders,
        ]
        self.reach.value = int(reach)
        self._what_if()

    def _textbook(self) -> None:
        if self.channel.value == "textbook":
            self._load_what_if()  # back to 10,000 at 10 % after the sliders moved
        else:
            self.channel.value = "textbook"

    def _what_if(self) -> None:
        rates = [s.value / 100 for s in self.stage_sliders]
        counts = funnel.what_if(self.reach.value, rates)
        lever = funnel.levers(self.reach.value, rates)
        f = self.funnels[self.channel.value] if self.channel.value != "textbook" else TEXTBOOK
        names = [name for name, _ in f.stages]
        path = " → ".join(f"{c:,.0f} {html.escape(n)}" for n, c in zip(names, counts, strict=True))
        self.result.value = cards(
            [
                ("meetings with these settings", f"{counts[-1]:,.1f}", path),
                ("with 10 % more reach", f"{lever['meetings_with_more_reach']:,.1f}", "conversion unchanged"),
                (
                    "with every stage converting 10 % better",
                    f"{lever['meetings_with_better_conversion']:,.1f}",
                    "e.g. 10 % → 11 %; gains compound across stages",
                ),
                ("the bigger lever here", lever["better_lever"], "for the same relative improvement"),
            ]
        )
