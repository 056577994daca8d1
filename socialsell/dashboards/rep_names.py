"""How a dashboard page names reps: by name, or by pseudonym ("Rep K4QZ") where the view asks for it.

Who keeps a name is `socialsell.privacy.name_reps`' rule (coach view: everyone when `coach_view =
true`, in a ranking only the reps in `leaderboard_opt_in`; the self view shows the viewer's own rows
and the team view no per-rep rows, so both keep names). A page builds one `RepNames` and hands it to
its panels, so a rep has the same label in every table, chart, dropdown and finding of the page. A
page built around a ranking (the coach table) names all its panels as a ranking: a named chart beside
a pseudonymised ranking would give the pseudonyms away.

Frames are named before anything is computed from them (an insight's finding sentence included), so no
sentence is patched afterwards; rows named by pseudonym are re-sorted by it, since an order by real
name would hint at the names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import duckdb
import polars as pl

from socialsell import privacy
from socialsell.insights.grouping import LEVELS

__all__ = ["RepNames"]

_LEVEL_ORDER = {level: i for i, level in enumerate(LEVELS)}  # rep rows, then team, then total


class RepNames:
    """The naming of one page: `label()` for a rep, `frame()` for per-rep rows.

    Args:
        con: the page's connection (the reps and their identities are read once).
        leaderboard: the page ranks reps, so only reps in `leaderboard_opt_in` keep their names.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, *, leaderboard: bool = False) -> None:
        self.view = privacy.current_view()
        self.leaderboard = leaderboard
        self.settings = privacy.settings() if self.view == "coach" else None
        self._kept: dict[str, bool] = {}
        self._remember(r[0] for r in con.sql("SELECT rep_id FROM reps").fetchall())

    @property
    def hides(self) -> bool:
        """Whether reps on this page may be shown by pseudonym (some may still keep their names)."""
        open_page = self.settings is None or (self.settings.coach_view and not self.leaderboard)
        return not open_page

    def _remember(self, rep_ids: Iterable[str]) -> None:
        new = sorted({r for r in rep_ids if r is not None} - set(self._kept))
        if not new or not self.hides:
            self._kept.update(dict.fromkeys(new, True))
            return
        shown = privacy.name_reps(
            pl.DataFrame({"rep_id": new}, schema={"rep_id": pl.String}),
            self.settings,
            "coach",
            leaderboard=self.leaderboard,
        )["rep_id"]
        self._kept.update({rep: alias == rep for rep, alias in zip(new, shown, strict=True)})

    def keeps_name(self, rep_id: str) -> bool:
        """Whether `rep_id` is shown by name (and id) on this page."""
        self._remember([rep_id])
        return self._kept[rep_id]

    def label(self, rep_id: str, name: str | None = None) -> str:
        """How the page calls the rep: `name` (else the id) or the pseudonym."""
        return (name or rep_id) if self.keeps_name(rep_id) else privacy.pseudonym(rep_id)

    def _aliases(self, rep_ids: Iterable[str]) -> dict[str, str]:
        ids = [r for r in set(rep_ids) if r is not None]
        self._remember(ids)
        return {r: privacy.pseudonym(r) for r in ids if not self._kept[r]}

    def frame(
        self,
        frame: pl.DataFrame,
        rep_col: str = "rep_id",
        name_cols: tuple[str, ...] = ("display_name",),
        *,
        rows: pl.Expr | None = None,
    ) -> pl.DataFrame:
        """Per-rep rows as the page shows them: `rep_col` and `name_cols` hold the pseudonym for each
        rep who does not keep the name (only in the `rows` that hold a rep, when given)."""
        if not self.hides or rep_col not in frame.columns or not len(frame):
            return frame
        aliases = self._aliases(frame[rep_col].cast(pl.String).to_list())
        if not aliases:
            return frame
        rep = pl.col(rep_col).cast(pl.String)
        hidden = rep.is_in(list(aliases)) if rows is None else rep.is_in(list(aliases)) & rows
        alias = rep.replace_strict(aliases, default=None, return_dtype=pl.String)
        columns = [c for c in (rep_col, *name_cols) if c in frame.columns]
        return frame.with_columns(
            [pl.when(hidden).then(alias).otherwise(pl.col(c).cast(pl.String)).alias(c) for c in columns]
        )

    def id_lists(self, frame: pl.DataFrame, column: str) -> pl.DataFrame:
        """A column of rep id lists (e.g. the reps who touched an account), named as on the page."""
        if not self.hides or column not in frame.columns or not len(frame):
            return frame
        aliases = self._aliases(frame[column].explode().cast(pl.String).to_list())
        return frame.with_columns(pl.col(column).list.eval(pl.element().replace(aliases)))

    def insight(self, frame: pl.DataFrame) -> pl.DataFrame:
        """An insight's frame before its finding is written: rep rows (`level` "rep", rep id in
        `group`) or one row per rep (`rep_id`), named; pseudonymised rows sorted by pseudonym."""
        if "level" in frame.columns:
            named = self.frame(frame, "group", rows=pl.col("level") == "rep")
            order = [pl.col("level").replace_strict(_LEVEL_ORDER, default=9, return_dtype=pl.Int8)]
        else:
            named, order = self.frame(frame), []
        if named is frame or "display_name" not in frame.columns:
            return named
        return named.sort([*order, pl.col("display_name")], nulls_last=True, maintain_order=True)

    def files(
        self, con: duckdb.DuckDBPyConnection, frame: pl.DataFrame, rep_id: str, columns: Iterable[str]
    ) -> pl.DataFrame:
        """Mask file names that name a pseudonymised rep (an export called `anna.becker@….ics` or
        `Anrufliste_anna-becker.csv`): "(rep's file).ics:12" keeps the kind of file and the line."""
        columns = [c for c in columns if c in frame.columns]
        if self.keeps_name(rep_id) or not columns or not len(frame):
            return frame
        pattern = "(?i)" + "|".join(re.escape(w) for w in _identifiers(con, rep_id))
        masked = [
            pl.when(pl.col(c).str.contains(pattern))
            .then(pl.col(c).str.replace(r"^.*?((?:\.[A-Za-z0-9]{1,5})?(?::\d+)?)$", "(rep's file)$1"))
            .otherwise(pl.col(c))
            .alias(c)
            for c in columns
        ]
        return frame.with_columns(masked)


def _identifiers(con: duckdb.DuckDBPyConnection, rep_id: str) -> list[str]:
    """What a file name could call the rep by: id, name, e-mail (and its local part), name keys, and
    each word of four letters or more in them (a surname alone)."""
    values = con.execute(
        "SELECT rep_id, display_name FROM reps WHERE rep_id = $rep "
        "UNION ALL SELECT value, NULL FROM rep_identities WHERE rep_id = $rep AND kind IN ('email', 'name')",
        {"rep": rep_id},
    ).fetchall()
    found = {rep_id}
    for value, name in values:
        for text in (value, name):
            if text:
                found.update({text, text.split("@")[0]})
                found.update(w for w in re.split(r"[\W_\d]+", text.split("@")[0]) if len(w) >= 4)
    return sorted(found, key=len, reverse=True)
