"""Who may see what: the `[privacy]` settings and the self / team / coach views of rep figures.

A works council must agree to a system that can monitor employees' performance (BetrVG §87(1)
Nr. 6), and named leaderboards are contested under the GDPR. So rep figures come in three views:

- **self**: a rep sees their own rows only (`SOCIALSELL_REP`);
- **team**: aggregates only; a group with fewer than `k_min_group` reps is suppressed, and so is
  whatever would let someone subtract it back out of a total (complementary suppression);
- **coach**: per-rep rows, named only when `coach_view = true`; rankings name only the reps in
  `leaderboard_opt_in`; every other rep gets a pseudonym ("Rep K4QZ").

`socialsell serve` sets `SOCIALSELL_VIEW` for its kernels. Unset (a notebook in JupyterLab, a
script) it means "coach": whoever holds the database file can read every row with SQL anyway;
the views decide what a *served* dashboard shows to other people.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

__all__ = [
    "NOTEBOOK_VIEWS",
    "VIEWS",
    "PrivacyError",
    "PrivacySettings",
    "count_reps",
    "current_rep",
    "current_view",
    "name_reps",
    "notebook_views",
    "pseudonym",
    "require_view",
    "settings",
    "shows_reps",
    "suppress",
]

VIEWS = ("self", "team", "coach")
# Which views serve which dashboard. A notebook not listed here is served in the coach view only.
NOTEBOOK_VIEWS: dict[str, tuple[str, ...]] = {
    "1_overview.ipynb": ("self", "team", "coach"),
    "2_coach.ipynb": ("coach",),
    "3_funnel.ipynb": ("self", "team", "coach"),
    "4_data_quality.ipynb": ("coach",),  # quarantined raw rows, owners by name
    "5_playbook.ipynb": ("coach",),  # per-rep ways of working, compliance findings per rep
}
_KEY = secrets.token_bytes(16)  # pseudonym key of this process when SOCIALSELL_PSEUDONYM_KEY is unset


class PrivacyError(ValueError):
    """A figure may not be shown in this view, or the view itself is misconfigured."""


@dataclass(frozen=True)
class PrivacySettings:
    """The `[privacy]` table of `socialsell.toml`.

    Attributes:
        k_min_group: groups with fewer reps than this are suppressed in the team view.
        coach_view: the coach view names reps (and may be published); only once agreed with the
            works council / DPO.
        leaderboard_opt_in: rep ids who agreed to be named in rankings.
        retention_months: how long imported data is kept (`socialsell prune`, `socialsell inventory`).
        pseudonymise: store prospects' e-mails, phones, LinkedIn URLs and names as keyed hashes
            (decided at a database's first import).
        key_file: the pseudonym key file (default: `<database>.key`; keep it apart from the database).
    """

    k_min_group: int = 5
    coach_view: bool = False
    leaderboard_opt_in: tuple[str, ...] = ()
    retention_months: int = 24
    pseudonymise: bool = False
    key_file: str | None = None

    @classmethod
    def from_settings(cls, section: dict) -> PrivacySettings:
        """From a `[privacy]` table; unknown keys and wrong types are refused.

        Raises:
            ValueError: one line naming the setting and what is wrong with it.
        """
        known = set(cls.__dataclass_fields__)
        unknown = set(section) - known
        if unknown:
            raise ValueError(f"[privacy]: unknown settings {sorted(unknown)}; known: {sorted(known)}")
        k = section.get("k_min_group", 5)
        if not _is_int(k) or k < 2:
            raise ValueError(f"[privacy]: k_min_group = {k!r} must be a whole number of reps, at least 2")
        months = section.get("retention_months", 24)
        if not _is_int(months) or months < 1:
            raise ValueError(f"[privacy]: retention_months = {months!r} must be a whole number ≥ 1")
        coach = section.get("coach_view", False)
        if not isinstance(coach, bool):
            raise ValueError(f"[privacy]: coach_view = {coach!r} must be true or false")
        opt_in = section.get("leaderboard_opt_in", [])
        if not isinstance(opt_in, list) or not all(isinstance(r, str) and r for r in opt_in):
            raise ValueError("[privacy]: leaderboard_opt_in must be a list of rep ids")
        pseudonymise = section.get("pseudonymise", False)
        if not isinstance(pseudonymise, bool):
            raise ValueError(f"[privacy]: pseudonymise = {pseudonymise!r} must be true or false")
        key_file = section.get("key_file")
        if key_file is not None and (not isinstance(key_file, str) or not key_file.strip()):
            raise ValueError(f"[privacy]: key_file = {key_file!r} must be a file path")
        return cls(k, coach, tuple(opt_in), months, pseudonymise, key_file)


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def settings() -> PrivacySettings:
    """The `[privacy]` settings of the config in use (`$SOCIALSELL_CONFIG` or `./socialsell.toml`)."""
    from socialsell.config import Config

    return Config.load().privacy


def current_view() -> str:
    """The view this process shows: `$SOCIALSELL_VIEW`, or "coach" when unset (local use).

    Raises:
        PrivacyError: `$SOCIALSELL_VIEW` holds something else than self, team or coach.
    """
    view = os.environ.get("SOCIALSELL_VIEW", "").strip() or "coach"
    if view not in VIEWS:
        raise PrivacyError(f"SOCIALSELL_VIEW={view!r} is not one of {', '.join(VIEWS)}")
    return view


def current_rep() -> str | None:
    """The rep whose figures the self view shows (`$SOCIALSELL_REP`), if any."""
    return os.environ.get("SOCIALSELL_REP", "").strip() or None


def require_view(*allowed: str, view: str | None = None) -> str:
    """Stop a dashboard that is not part of the current view; returns the view.

    Raises:
        PrivacyError: the current view is not among `allowed`.
    """
    view = view or current_view()
    if view not in allowed:
        raise PrivacyError(f"this dashboard is not part of the {view} view")
    return view


def shows_reps(view: str | None = None) -> bool:
    """Whether the view shows per-rep rows at all (self: one rep's own; coach: all; team: none)."""
    return (view or current_view()) != "team"


def notebook_views(name: str) -> tuple[str, ...]:
    """The views that serve the notebook file `name` (unlisted notebooks: coach only)."""
    return NOTEBOOK_VIEWS.get(name, ("coach",))


def pseudonym(rep_id: str, key: bytes | str | None = None) -> str:
    """A stable pseudonym such as "Rep K4QZ": a keyed hash, so it cannot be reversed by guessing ids.

    The key is `key`, else `$SOCIALSELL_PSEUDONYM_KEY` (`socialsell serve` draws one per run, so all
    its dashboards agree), else a random key of this process.
    """
    key = key or os.environ.get("SOCIALSELL_PSEUDONYM_KEY") or _KEY
    key = key.encode() if isinstance(key, str) else key
    digest = hmac.new(key, rep_id.encode(), hashlib.sha256).digest()
    return "Rep " + base64.b32encode(digest)[:4].decode()


def count_reps(
    per_rep: pl.DataFrame, group_col: str, rep_col: str = "rep_id", active: Sequence[str] = ()
) -> pl.DataFrame:
    """Distinct reps per group (column `reps`), counting only reps with activity when `active` names
    count columns (a rep with 0 dials and 0 messages in the period adds nothing to the figures)."""
    rows = per_rep
    if active:
        rows = rows.filter(pl.any_horizontal([pl.col(c).fill_null(0) > 0 for c in active]))
    counted = rows.group_by(group_col).agg(pl.col(rep_col).drop_nulls().n_unique().alias("reps"))
    groups = per_rep.select(group_col).unique()
    return groups.join(counted, on=group_col, how="left", nulls_equal=True).with_columns(
        pl.col("reps").fill_null(0).cast(pl.Int64)
    )


def suppress(
    frame: pl.DataFrame,
    group_col: str,
    reps_col: str,
    k: int,
    *,
    figures: Sequence[str] | None = None,
    within: str | Sequence[str] | None = None,
) -> pl.DataFrame:
    """Null the figures of groups with fewer than `k` reps, plus complementary groups.

    The rows (within each `within` partition, e.g. one week) must be disjoint groups of one
    population whose total may be shown elsewhere. Suppressing one small group alone would not hide
    it: total − the other groups = the small group. So while the suppressed groups are a single
    group, or together have fewer than `k` reps, the next-smallest group is suppressed as well; what
    can be worked out is then only the sum of ≥ 2 groups with ≥ `k` reps. A total over fewer than
    `k` reps must be hidden too: pass it as a one-row frame. Rows stay in place and in order;
    `suppressed` says why a row's figures are null. For a two-way table (team × week), a cell can
    also be worked out from its row total across weeks: show one margin only.

    Args:
        frame: one row per group.
        group_col: the group's label (kept).
        reps_col: distinct reps behind the row's figures (kept; null counts as 0).
        k: the smallest group shown, `PrivacySettings.k_min_group`.
        figures: the columns to null [default: every column but the group, reps and `within`].
        within: columns that split the frame into separate populations.
    """
    if not _is_int(k) or k < 1:
        raise PrivacyError(f"k = {k!r} must be a whole number ≥ 1")
    keep = {group_col, reps_col, *_as_list(within)}
    figures = [c for c in frame.columns if c not in keep] if figures is None else list(figures)
    numbered = frame.with_row_index("_row")
    reasons: dict[int, str] = {}
    parts = numbered.partition_by(_as_list(within), maintain_order=True) if within else [numbered]
    for part in parts:
        reasons.update(_suppressed_rows(part["_row"].to_list(), part[reps_col].fill_null(0).to_list(), k))
    reason = pl.Series("suppressed", [reasons.get(i) for i in range(frame.height)], dtype=pl.String)
    hidden = reason.is_not_null()
    return frame.with_columns(
        [pl.when(hidden).then(None).otherwise(pl.col(c)).alias(c) for c in figures]
    ).with_columns(reason)


def _as_list(columns: str | Sequence[str] | None) -> list[str]:
    if columns is None:
        return []
    return [columns] if isinstance(columns, str) else list(columns)


def _suppressed_rows(rows: list[int], reps: list[int], k: int) -> dict[int, str]:
    """Row number → reason, for one population: small groups, then complements until safe."""
    small = {r: f"fewer than {k} reps" for r, n in zip(rows, reps, strict=True) if n < k}
    if not small:
        return {}
    size = dict(zip(rows, reps, strict=True))
    hidden = dict(small)
    while len(hidden) == 1 or sum(size[r] for r in hidden) < k:
        rest = [r for r in rows if r not in hidden]
        if not rest:
            break
        smallest = min(rest, key=lambda r: (size[r], r))
        hidden[smallest] = "hidden too, so a smaller group cannot be worked out from the total"
    return hidden


def name_reps(
    frame: pl.DataFrame,
    privacy: PrivacySettings | None = None,
    view: str | None = None,
    *,
    rep_col: str = "rep_id",
    name_cols: Sequence[str] = ("display_name",),
    leaderboard: bool = False,
    rep: str | None = None,
) -> pl.DataFrame:
    """Per-rep rows as the view may show them.

    - self: only the rows of `rep` (default `$SOCIALSELL_REP`), names kept;
    - team: no rows (same columns), since the team view shows no per-rep figures;
    - coach: every row; a rep keeps `rep_col` and `name_cols` when `coach_view` is on (and, for a
      ranking with `leaderboard=True`, only when the rep is in `leaderboard_opt_in`); any other rep
      shows `pseudonym(rep_id)` in those columns.

    Raises:
        PrivacyError: the self view without a rep.
    """
    view = view or current_view()
    if view not in VIEWS:
        raise PrivacyError(f"view {view!r} is not one of {', '.join(VIEWS)}")
    if view == "team":
        return frame.clear()
    if view == "self":
        rep = rep or current_rep()
        if not rep:
            raise PrivacyError("the self view needs the rep: set SOCIALSELL_REP (socialsell serve --rep)")
        return frame.filter(pl.col(rep_col) == rep)
    privacy = privacy or settings()
    opted_in = list(privacy.leaderboard_opt_in)
    named = pl.col(rep_col).is_in(opted_in)
    if privacy.coach_view and not leaderboard:
        named = pl.lit(True)
    alias = pl.col(rep_col).map_elements(pseudonym, return_dtype=pl.String)
    columns = [rep_col, *(c for c in name_cols if c in frame.columns)]
    return frame.with_columns(
        [pl.when(named).then(pl.col(c).cast(pl.String)).otherwise(alias).alias(c) for c in columns]
    )
