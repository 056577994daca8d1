"""Dashboard building blocks (panels) and one `App` per dashboard; notebooks only instantiate them."""

from __future__ import annotations

import html
import os

import duckdb
import ipywidgets as widgets
import polars as pl

from socialsell import store
from socialsell.quality import quality

__all__ = ["DataQualityApp", "cards", "frame_table", "open_store"]

_CSS = """
<style>
.ss-cards{display:flex;flex-wrap:wrap;gap:12px;margin:8px 0 16px}
.ss-card{border:1px solid #d0d7de;border-radius:8px;padding:10px 14px;min-width:150px;background:#fff}
.ss-card .v{font-size:26px;font-weight:600;color:#1f2937}
.ss-card .l{font-size:13px;color:#4b5563}
.ss-card .n{font-size:11px;color:#6b7280}
.ss-table{border-collapse:collapse;font-size:13px;margin:4px 0 12px}
.ss-table th{background:#f3f4f6;text-align:left;padding:4px 8px;border-bottom:1px solid #d0d7de}
.ss-table td{padding:3px 8px;border-bottom:1px solid #eef0f2;vertical-align:top}
.ss-table td.num{text-align:right;font-variant-numeric:tabular-nums}
.ss-empty{color:#6b7280;font-style:italic;margin:6px 0 12px}
</style>
"""


def open_store(path: str | None = None) -> duckdb.DuckDBPyConnection:
    """The dashboards' connection: read-only, to `$SOCIALSELL_DB` or the default database."""
    return store.connect(path or os.environ.get("SOCIALSELL_DB"), read_only=True)


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


def cards(items: list[tuple[str, str, str]]) -> str:
    """Headline cards: (label, value, note)."""
    body = "".join(
        f'<div class="ss-card"><div class="v">{html.escape(v)}</div><div class="l">{html.escape(label)}</div>'
        f'<div class="n">{html.escape(note)}</div></div>'
        for label, v, note in items
    )
    return f'<div class="ss-cards">{body}</div>'


def _section(title: str, body: str) -> str:
    return f"<h3>{html.escape(title)}</h3>{body}"


class DataQualityApp:
    """Data quality: what was imported when, duplicates, quarantined rows, unmatched people."""

    QUESTION = "Can we trust the numbers? What was imported, what was left out and why, and who is unmatched."

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        files = quality(con, "quarantine_rows")["file"].unique().sort().to_list()
        self.file_filter = widgets.Dropdown(
            options=["All files", *files], description="Quarantine of", layout={"width": "480px"}
        )
        self.summary = widgets.HTML()
        self.quarantine = widgets.HTML()
        self.file_filter.observe(lambda _: self._update(), names="value")
        self.container = widgets.VBox(
            [
                widgets.HTML(_CSS + f"<p><b>{self.QUESTION}</b></p>"),
                self.summary,
                self.file_filter,
                self.quarantine,
            ]
        )
        self._render_summary()
        self._update()

    @classmethod
    def from_db(cls, path: str | None = None) -> DataQualityApp:
        return cls(open_store(path))

    def _render_summary(self) -> None:
        totals = quality(self.con, "totals").row(0, named=True)
        if not totals["files"]:
            self.summary.value = frame_table(
                pl.DataFrame(), empty="No imports yet: run `socialsell demo` or import files."
            )
            return
        self.summary.value = cards(
            [
                ("files imported", f"{totals['files']:,}", "one row per import in `imports`"),
                ("rows loaded", f"{totals['rows_loaded']:,}", f"of {totals['rows_read']:,} read"),
                ("duplicates", f"{totals['rows_duplicate']:,}", "already loaded; left unchanged"),
                ("quarantined", f"{totals['rows_quarantined']:,}", "bad rows kept with file, line, reason"),
                ("skipped", f"{totals['rows_skipped']:,}", "recognised and left out on purpose"),
            ]
        ) + "".join(
            [
                _section("Imports", frame_table(quality(self.con, "imports"))),
                _section(
                    "Kept out of 1:1 selling metrics",
                    frame_table(
                        quality(self.con, "exclusions"),
                        empty="No group chats, spam, drafts or sponsored messages.",
                    ),
                ),
                _section(
                    "Contacts matched across channels", frame_table(quality(self.con, "contact_matching"))
                ),
                _section(
                    "Touches with no identifiable contact",
                    frame_table(
                        quality(self.con, "touches_without_contact"), empty="Every touch names its contact."
                    ),
                ),
                _section(
                    "Owners not in the team config (auto-created reps)",
                    frame_table(
                        quality(self.con, "unmatched_reps"), empty="Every owner matched a rep in the config."
                    ),
                ),
                _section(
                    "Quarantine reasons",
                    frame_table(quality(self.con, "quarantine_reasons"), empty="No quarantined rows."),
                ),
            ]
        )

    def _update(self) -> None:
        rows = quality(self.con, "quarantine_rows")
        if self.file_filter.value != "All files":
            rows = rows.filter(pl.col("file") == self.file_filter.value)
        self.quarantine.value = _section(
            "Quarantined rows", frame_table(rows, empty="No quarantined rows for this selection.")
        )
