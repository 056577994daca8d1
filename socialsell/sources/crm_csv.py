"""Shared by the CRM and scheduler CSV sources: header presets, owners → reps, stable ids, dates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from socialsell.config import Config
from socialsell.sources.tabular import CsvLayout, ImportError_, local_to_utc, norm_header, sniff_layout

__all__ = [
    "Preset",
    "blank_to_null",
    "canonical_fields",
    "find_preset",
    "owner_reps",
    "parse_dates",
    "parse_instants",
    "preset_from_mapping",
    "stable_ids",
]


@dataclass(frozen=True)
class Preset:
    """One export's header labels: canonical field → the labels it appears under (any UI language).

    A header is this preset's when it has every `signature` field and, if `any_of` is given, one of those.
    """

    name: str
    fields: dict[str, tuple[str, ...]]
    signature: tuple[str, ...] = ()
    any_of: tuple[str, ...] = ()

    def columns(self, header: Sequence[str]) -> dict[str, str]:
        """Canonical field → the header name it has in this file (first matching label wins)."""
        folded: dict[str, str] = {}
        for name in header:
            folded.setdefault(norm_header(name), name)
        found = {}
        for field, labels in self.fields.items():
            match = next(
                (folded[norm_header(label)] for label in labels if norm_header(label) in folded), None
            )
            if match is not None:
                found[field] = match
        return found

    def missing(self, header: Sequence[str]) -> list[str]:
        """Labels this header lacks to be recognised (empty when it is recognised)."""
        columns = self.columns(header)
        absent = [self.fields[f][0] for f in self.signature if f not in columns]
        if self.any_of and not any(f in columns for f in self.any_of):
            absent.append("one of " + " / ".join(self.fields[f][0] for f in self.any_of))
        return absent


def preset_from_mapping(name: str, mapping: dict[str, str]) -> Preset:
    """A preset for any CSV from a mapping canonical field → header name; every mapped column is required."""
    return Preset(name, {field: (header,) for field, header in mapping.items()}, signature=tuple(mapping))


def find_preset(path: Path, presets: Sequence[Preset], what: str) -> tuple[Preset, CsvLayout]:
    """The first preset whose header appears among the file's first lines, and the file's layout.

    Raises:
        ImportError_: no preset's header found; the message lists the columns that are missing.
    """
    best: dict[str, list[str]] = {}
    chosen: list[Preset] = []

    def is_header(header: tuple[str, ...]) -> bool:
        for preset in presets:
            absent = preset.missing(header)
            if not absent:
                chosen.append(preset)
                return True
            if preset.name not in best or len(absent) < len(best[preset.name]):
                best[preset.name] = absent
        return False

    layout = sniff_layout(path, is_header) if path.is_file() else None
    if layout is None:
        wanted = "; ".join(f"{name}: {', '.join(absent)}" for name, absent in best.items()) or "no header"
        raise ImportError_(f"{path}: not a {what} export; missing columns ({wanted})")
    return chosen[0], layout


def blank_to_null(expr: pl.Expr) -> pl.Expr:
    """Trimmed text; empty strings become null."""
    text = expr.str.strip_chars()
    return pl.when(text == "").then(None).otherwise(text)


def canonical_fields(
    rows: pl.DataFrame, columns: dict[str, str], fields: Sequence[str], prefix: str = ""
) -> pl.DataFrame:
    """One trimmed text column per canonical field (null where the file lacks it), named `prefix + field`."""
    return rows.select(
        (blank_to_null(pl.col(columns[f])) if f in columns else pl.lit(None, dtype=pl.String)).alias(
            prefix + f
        )
        for f in fields
    )


# Zone-less formats first: US dates with a two-digit year before four-digit ones ("%Y" would read "26").
_NAIVE_FORMATS = (
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%dT%H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%m/%d/%y %H:%M",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%y %I:%M %p",
    "%m/%d/%Y %I:%M %p",
    "%Y-%m-%d %I:%M %p",
    "%Y-%m-%d %I:%M:%S %p",
)
_AWARE_FORMATS = ("%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%d %H:%M:%S%.f%z", "%Y-%m-%dT%H:%M%z")
_DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%m/%d/%y", "%m/%d/%Y")
_ZONE_SUFFIX = r"(?i)\s*(Z|UTC|GMT)$"


def _distinct_map(values: pl.Series, parsed: pl.Expr, dtype: pl.DataType) -> pl.Series:
    distinct = pl.DataFrame({"raw": values.cast(pl.String).drop_nulls().unique()})
    table = distinct.with_columns(parsed.alias("value"))
    return values.cast(pl.String).replace_strict(
        table["raw"], table["value"], default=None, return_dtype=dtype
    )


def parse_instants(values: pl.Series, time_zone: str) -> pl.Series:
    """Date-times as CRMs and schedulers write them → UTC instants, parsing each distinct value once.

    A value with an offset or `Z`/`UTC` is that instant; a value without one is a wall-clock time in
    `time_zone`. Slashed dates are US month/day/year. Unparseable values become null.
    """
    text = pl.col("raw").str.strip_chars().str.replace(_ZONE_SUFFIX, "+00:00")
    aware = pl.coalesce([text.str.to_datetime(f, strict=False, time_zone="UTC") for f in _AWARE_FORMATS])
    naive = pl.coalesce([text.str.to_datetime(f, strict=False, time_unit="us") for f in _NAIVE_FORMATS])
    at = pl.coalesce(aware, local_to_utc(naive, time_zone))
    return _distinct_map(values, at, pl.Datetime("us", "UTC")).alias(values.name)


def parse_dates(values: pl.Series, time_zone: str) -> pl.Series:
    """Calendar dates (`2025-11-03`, `03.11.2025`, `11/3/2025`); date-times give their day in `time_zone`."""
    text = pl.col("raw").str.strip_chars()
    day = pl.coalesce([text.str.to_date(f, strict=False) for f in _DATE_FORMATS])
    naive = pl.coalesce([text.str.to_datetime(f, strict=False, time_unit="us") for f in _NAIVE_FORMATS])
    zoned = text.str.replace(_ZONE_SUFFIX, "+00:00")
    aware = pl.coalesce([zoned.str.to_datetime(f, strict=False, time_zone="UTC") for f in _AWARE_FORMATS])
    parsed = pl.coalesce(day, naive.dt.date(), aware.dt.convert_time_zone(time_zone).dt.date())
    return _distinct_map(values, parsed, pl.Date).alias(values.name)


def stable_ids(frame: pl.DataFrame, columns: Sequence[str]) -> pl.Series:
    """md5 of the given normalised columns joined by `|`: the same content gives the same id in every run."""
    keys = frame.select(
        key=pl.concat_str([pl.col(c).cast(pl.String).fill_null("") for c in columns], separator="|")
    )
    con = duckdb.connect()
    try:
        con.register("keys", keys)
        ids = con.sql("SELECT md5(key) AS id FROM keys").pl()["id"]
    finally:
        con.close()
    return ids


def owner_reps(config: Config, owners: Sequence[pl.Series]) -> tuple[pl.Series, pl.DataFrame]:
    """rep_id per row from one or more owner columns (name, e-mail, id), resolved once per distinct value.

    A column whose value names a configured rep wins over the others; otherwise the first non-empty
    column gives a rep id made from its value. Also returns a `reps` frame for those unknown owners.
    """
    resolved = [config.resolve_reps(series) for series in owners]
    known = [_lookup(s, r, only_config=True) for s, r in zip(owners, resolved, strict=True)]
    fallback = [_lookup(s, r, only_config=False) for s, r in zip(owners, resolved, strict=True)]
    rep_id = pl.DataFrame({f"c{i}": s for i, s in enumerate(known + fallback)}).select(
        pl.coalesce(pl.all()).alias("rep_id")
    )["rep_id"]
    unknown = (
        pl.concat([r.filter(~pl.col("from_config")) for r in resolved])
        .filter(pl.col("rep_id").is_in(rep_id.drop_nulls().unique().implode()))
        .unique(subset=["rep_id"], keep="first", maintain_order=True)
        .select("rep_id", "display_name", team=pl.lit(None, dtype=pl.String), from_config=pl.lit(False))
    )
    return rep_id, unknown


def _lookup(series: pl.Series, resolved: pl.DataFrame, *, only_config: bool) -> pl.Series:
    table = resolved.filter(pl.col("from_config")) if only_config else resolved
    return series.cast(pl.String).replace_strict(
        table["raw"].cast(pl.String), table["rep_id"], default=None, return_dtype=pl.String
    )
