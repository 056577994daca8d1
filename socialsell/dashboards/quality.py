"""Data quality dashboard: what was imported when, duplicates, quarantine, unmatched people."""

from __future__ import annotations

import duckdb
import ipywidgets as widgets
import polars as pl

from socialsell import privacy, snapshot
from socialsell.dashboards.panels import cards, frame_table, header, open_store, section
from socialsell.quality import quality

__all__ = ["DataQualityApp"]


class DataQualityApp:
    """Data quality: what was imported when, duplicates, quarantined rows, unmatched people."""

    QUESTION = "Can we trust the numbers? What was imported, what was left out and why, and who is unmatched."

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        privacy.require_view("coach")  # named per-rep figures: the coach view only
        self.con = con
        files = quality(con, "quarantine_rows")["file"].unique().sort().to_list()
        self.file_filter = widgets.Dropdown(
            options=["All files", *files],
            description="Quarantine of",
            layout={"width": "480px"},
            style={"description_width": "initial"},
        )
        self.summary = widgets.HTML()
        self.quarantine = widgets.HTML()
        self.file_filter.observe(lambda _: self._update(), names="value")
        self.container = widgets.VBox(
            [header(self.QUESTION), self.summary, self.file_filter, self.quarantine]
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
        q = lambda name: quality(self.con, name)  # noqa: E731 - local shorthand
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
                section("Imports", frame_table(q("imports"))),
                section(
                    "Kept out of 1:1 selling metrics",
                    frame_table(q("exclusions"), empty="No group chats, spam, drafts or sponsored messages."),
                ),
                section("Contacts matched across channels", frame_table(q("contact_matching"))),
                section(
                    "Touches with no identifiable contact",
                    frame_table(q("touches_without_contact"), empty="Every touch names its contact."),
                ),
                section(
                    "Owners not in the team config (auto-created reps)",
                    frame_table(q("unmatched_reps"), empty="Every owner matched a rep in the config."),
                ),
                section(
                    "Quarantine reasons", frame_table(q("quarantine_reasons"), empty="No quarantined rows.")
                ),
            ]
        )

    def _update(self) -> None:
        if snapshot.refresh(self.con):  # a newer published snapshot, between updates only
            self._render_summary()
        rows = quality(self.con, "quarantine_rows")
        if self.file_filter.value != "All files":
            rows = rows.filter(pl.col("file") == self.file_filter.value)
        self.quarantine.value = section(
            "Quarantined rows", frame_table(rows, empty="No quarantined rows for this selection.")
        )
