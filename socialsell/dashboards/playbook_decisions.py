"""Review meetings the exports do not record: candidates found in LinkedIn conversations, with
Confirm / Reject buttons whose decisions are stored in the database (`meeting_decisions`).

Published dashboards open the database read-only, so there the table is shown and the buttons are
disabled with a note; in JupyterLab (`socialsell` on your own database) a decision opens a short
write connection, records it, and the page is redrawn.
"""

from __future__ import annotations

import html
import os
from collections.abc import Callable

import duckdb
import ipywidgets as widgets
import polars as pl

from socialsell import snapshot, store
from socialsell.dashboards.panels import frame_table
from socialsell.dashboards.rep_names import RepNames
from socialsell.definitions import Definitions
from socialsell.insights import inferred_meetings

__all__ = ["InferredMeetings"]

_SHOWN = ["display_name", "contact", "local_day", "score", "likelihood", "reasons", "status", "note"]


class InferredMeetings:
    """The candidates table and the review controls for one Playbook."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        on_decided: Callable[[], None] | None = None,
        names: RepNames | None = None,
    ) -> None:
        self.con = con
        self.on_decided = on_decided
        self.names = names or RepNames(con)  # the Playbook's naming of reps
        self.table, self.message = widgets.HTML(), widgets.HTML()
        self.pick = widgets.Dropdown(description="Candidate", layout={"width": "520px"})
        self.note = widgets.Text(placeholder="note (optional)", layout={"width": "260px"})
        self.buttons = {
            decision: widgets.Button(description=label, button_style=style, layout={"width": "110px"})
            for decision, label, style in (
                ("confirmed", "Confirm", "success"),
                ("rejected", "Reject", "danger"),
                ("undecided", "Undo", ""),
            )
        }
        for decision, button in self.buttons.items():
            button.on_click(lambda _, decision=decision: self._decide(decision))
        self.writable = os.environ.get("SOCIALSELL_READ_ONLY") != "1"
        controls = widgets.HBox([self.pick, self.note, *self.buttons.values()])
        self.widget = widgets.VBox([self.table, controls, self.message])
        if not self.writable:
            for control in (self.pick, self.note, *self.buttons.values()):
                control.disabled = True
            self.message.value = (
                '<div class="ss-empty">This published dashboard is read-only: open the Playbook notebook '
                "in JupyterLab on the database to confirm or reject candidates.</div>"
            )

    def refresh(self, d: Definitions) -> None:
        """Redraw the candidates for the current filters (unreviewed first, then by score)."""
        found = self.names.frame(inferred_meetings.candidates(self.con, d)).sort(
            [pl.col("status") != "unconfirmed", pl.col("score"), pl.col("display_name")],
            descending=[False, True, False],
        )
        self.table.value = frame_table(
            found.select([c for c in _SHOWN if c in found.columns]),
            empty="No LinkedIn conversation in this selection looks like an unrecorded meeting.",
            max_rows=25,
        )
        self.pick.options = [
            (f"{r['display_name']} · {r['contact']} · {r['local_day']} · score {r['score']} · {r['status']}", r["candidate_id"])
            for r in found.head(200).iter_rows(named=True)
        ]  # fmt: skip

    def _decide(self, decision: str) -> None:
        candidate = self.pick.value
        if not candidate:
            self.message.value = '<div class="ss-empty">Pick a candidate first.</div>'
            return
        path = self.con.execute(
            "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
        )
        db = path.fetchall()[0][0]
        try:
            self._write(db, candidate, decision)
        except (store.StoreError, duckdb.Error, KeyError, ValueError) as exc:
            self.message.value = f'<div class="ss-empty">Not recorded: {html.escape(str(exc))}</div>'
            return
        self.message.value = f'<div class="ss-verdict">Recorded: {html.escape(decision)}.</div>'
        if self.on_decided:
            self.on_decided()

    def _write(self, db: str, candidate: str, decision: str) -> None:
        # DuckDB allows one configuration per file in a process: close the read-only connection,
        # write, reopen it. Another process holding the file (a running import) makes this fail.
        # A snapshot reader writes to the database itself (not the snapshot `db` names), republishes,
        # and reopens on the new snapshot.
        reader = self.con if isinstance(self.con, snapshot.Reader) else None
        self.con.close()
        try:
            with store.connect(reader.main_path if reader else db) as writer:
                inferred_meetings.decide(writer, candidate, decision, self.note.value or None)
                snapshot.republish(writer)
        finally:
            self.con = reader.reopen() if reader else store.connect(db, read_only=True)
