"""Reading CSV exports with DuckDB's CSV reader: header search, encoding, delimiter, line numbers."""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

__all__ = [
    "CsvLayout",
    "ImportError_",
    "Quarantined",
    "dedupe",
    "find_header",
    "local_to_utc",
    "norm_header",
    "physical_lines",
    "quarantined_rejects",
    "read_csv_sql",
    "read_rows",
    "sniff_layout",
    "split_invalid",
    "sql_string",
    "transcode",
    "with_lines",
]

_SAMPLE_BYTES = 64 * 1024
_HEADER_SEARCH_LINES = 12
# cp1252 leaves five bytes undefined; read those as latin-1 instead of failing the whole file.
codecs.register_error("socialsell-latin1", lambda e: (e.object[e.start : e.end].decode("latin-1"), e.end))


class ImportError_(ValueError):  # noqa: N801, N818 - named after the builtin it would shadow
    """A file that cannot be imported at all; the message names the file and what is wrong."""


@dataclass(frozen=True)
class Quarantined:
    """A row that could not be loaded."""

    line: int | None
    reason: str
    raw: str | None = None
    column: str | None = None


@dataclass(frozen=True)
class CsvLayout:
    """Where the header is and how the file is written."""

    path: Path
    encoding: str  # utf-8, utf-16 or cp1252
    delimiter: str
    header_line: int  # 1-based physical line of the header
    header: tuple[str, ...]
    crlf: bool = False  # Windows line endings
    notes: tuple[str, ...] = field(default=())


def _decode_sample(raw: bytes) -> tuple[str, str]:
    if raw.startswith(codecs.BOM_UTF16_LE) or raw.startswith(codecs.BOM_UTF16_BE):
        return "utf-16", raw.decode("utf-16", errors="replace")
    try:
        # A multi-byte character may be cut at the end of the sample.
        return "utf-8", codecs.getincrementaldecoder("utf-8")().decode(raw, final=False)
    except UnicodeDecodeError:
        return "cp1252", raw.decode("cp1252", errors="replace")


def _split_header(line: str) -> tuple[str, tuple[str, ...]]:
    counts = {d: line.count(d) for d in (",", ";", "\t")}
    delimiter = max(counts, key=counts.get)
    fields = next(csv.reader([line], delimiter=delimiter))
    return delimiter, tuple(f.strip().lstrip("\ufeff").strip() for f in fields)


def sniff_layout(path: Path, is_header: Callable[[tuple[str, ...]], bool]) -> CsvLayout | None:
    """Find the header row among the first lines (preambles exist) and the file's encoding.

    Returns None when no line in the first few looks like the header `is_header` wants.
    """
    with open(path, "rb") as fh:
        raw = fh.read(_SAMPLE_BYTES)
    encoding, text = _decode_sample(raw)
    text = text.lstrip("\ufeff")
    physical = 0
    # csv.reader keeps a quoted preamble line with commas in one piece and counts its newlines.
    lines = io.StringIO(text, newline="")
    for line in itertools.islice(lines, _HEADER_SEARCH_LINES):
        physical += 1
        stripped = line.rstrip("\r\n")
        if not stripped.strip():
            continue
        delimiter, header = _split_header(stripped)
        if is_header(header):
            return CsvLayout(path, encoding, delimiter, physical, header, crlf="\r\n" in text)
    return None


def find_header(path: Path, required: Iterable[str]) -> CsvLayout | None:
    """`sniff_layout` for a header containing all `required` names (case-insensitive)."""
    want = {r.lower() for r in required}
    return sniff_layout(path, lambda header: want <= {h.lower() for h in header})


def sql_string(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def read_csv_sql(layout: CsvLayout, source: Path, rejects: str | None = None) -> str:
    """`read_csv(…)` of the records below the header, columns c0…cN as VARCHAR (NULL when empty).

    Rows with the wrong number of fields are left out; with `rejects` they are listed in that table.
    Every reader of a file uses these same options, so two scans see the same records in the same order.
    """
    columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(layout.header)))
    store = (
        f"store_rejects=true, rejects_table={sql_string(rejects)}, "
        f"rejects_scan={sql_string(rejects + '_scan')}, "
        if rejects
        else ""
    )
    return f"""read_csv({sql_string(str(source))},
            delim={sql_string(layout.delimiter)}, quote='"', escape='"', header=false,
            skip={layout.header_line}, all_varchar=true, auto_detect=false, columns={{{columns}}},
            encoding='utf-8', strict_mode=true, ignore_errors=true, {store}max_line_size=4194304)"""


def _scan(con: duckdb.DuckDBPyConnection, layout: CsvLayout, source: Path, rejects: str):
    return con.sql(f"SELECT * FROM {read_csv_sql(layout, source, rejects)}").pl()


def _first_bad_line(path: Path) -> int:
    """Physical line of the first byte sequence that is not UTF-8 (streamed; error path only)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            try:
                decoder.decode(block)
            except UnicodeDecodeError as exc:
                return line + block[: exc.start].count(b"\n")
            line += block.count(b"\n")
    return line


def transcode(path: Path, encoding: str, target: Path) -> Path:
    """Stream a cp1252 / UTF-16 file into UTF-8 (line numbers unchanged) for DuckDB's reader."""
    errors = "socialsell-latin1" if encoding == "cp1252" else "strict"
    decoder = codecs.getincrementaldecoder(encoding)(errors=errors)
    with open(path, "rb") as src, open(target, "wb") as dst:
        for block in iter(lambda: src.read(1 << 20), b""):
            dst.write(decoder.decode(block).encode("utf-8"))
        dst.write(decoder.decode(b"", final=True).encode("utf-8"))
    return target


def physical_lines(
    count: int, newlines: np.ndarray | None, rejects: pl.DataFrame, first_line: int
) -> tuple[np.ndarray, np.ndarray]:
    """1-based physical lines of the `count` good and the rejected records, counting quoted newlines.

    `newlines` holds each good record's line breaks inside quotes (None: there are none); `rejects`
    comes from `quarantined_rejects`. DuckDB numbers rows, not lines: a multi-line quoted record is
    one row, and a blank line is a row too (it is skipped, but shows as leading line breaks in the
    next reject's text). Rejects and the blank rows before them take their positions; good records
    fill the others in order. Blank lines between two good records leave no trace, so lines after
    them read that much low.
    """
    rejects = rejects.sort("record")
    blank_pos = [
        r - k
        for r, n in zip(rejects["record"], rejects["blank_before"], strict=True)
        for k in range(1, n + 1)
    ]
    taken = np.concatenate([rejects["record"].to_numpy(), np.array(blank_pos, dtype=np.int64)]).astype(
        np.int64
    )
    taken_newlines = np.concatenate(
        [rejects["newlines"].to_numpy(), np.zeros(len(blank_pos), dtype=np.int64)]
    )
    order = np.argsort(taken, kind="stable")
    taken, taken_newlines = taken[order], taken_newlines[order]
    shifted = taken - np.arange(len(taken))
    index = np.arange(count)
    record = index + np.searchsorted(shifted, index, side="right")
    extra = np.zeros(count + len(taken) + 1, dtype=np.int64)
    if newlines is not None:
        extra[record + 1] = newlines
    extra[taken + 1] = taken_newlines
    before = np.cumsum(extra)
    reject_pos = rejects["record"].to_numpy().astype(np.int64)
    return first_line + record + before[record], first_line + reject_pos + before[reject_pos]


def quarantined_rejects(rejects: pl.DataFrame, layout: CsvLayout) -> tuple[pl.DataFrame, list[Quarantined]]:
    """DuckDB's rejects table (line, column_name, error_type, csv_line, error_message) → one row per
    bad record with `record`, `blank_before` and `newlines` for `physical_lines`, and the
    quarantine entries (their `line` is filled in by `with_lines`)."""
    # DuckDB reports a short line once per missing field: one record, one reject.
    rejects = rejects.sort("line").unique(subset=["line"], keep="first", maintain_order=True)
    leading = pl.col("csv_line").fill_null("").str.extract(r"^([\r\n]*)", 1)
    rejects = rejects.with_columns(
        record=(pl.col("line") - layout.header_line - 1).cast(pl.Int64),
        # With CRLF endings the previous line's "\n" leads the text; each blank line is one break.
        blank_before=(leading.str.count_matches("\r\n") if layout.crlf else leading.str.count_matches("\n")),
        newlines=pl.col("csv_line").fill_null("").str.strip_chars_start("\r\n").str.count_matches("\n"),
        csv_line=pl.col("csv_line").str.strip_chars_start("\r\n"),
    ).sort("record")
    quarantined = [
        Quarantined(
            line=None,
            reason=_reject_reason(row),
            raw=(row["csv_line"] or "").rstrip("\r\n"),
            column=_header_name(row["column_name"], layout.header),
        )
        for row in rejects.iter_rows(named=True)
    ]
    return rejects, quarantined


def with_lines(quarantined: list[Quarantined], lines: np.ndarray) -> list[Quarantined]:
    """The same entries with their physical lines."""
    return [Quarantined(int(n), q.reason, q.raw, q.column) for q, n in zip(quarantined, lines, strict=True)]


def _newlines(frame: pl.DataFrame) -> np.ndarray | None:
    if not frame.width or not len(frame):
        return None
    return (
        frame.select(pl.sum_horizontal(pl.all().str.count_matches("\n").fill_null(0))).to_series().to_numpy()
    )


def read_rows(layout: CsvLayout, *, legacy_encoding: bool = True) -> tuple[pl.DataFrame, list[Quarantined]]:
    """Read every record below the header as strings, named by the header, with a `_line` column.

    Rows with the wrong number of fields are returned as quarantined with their physical line.
    cp1252 and UTF-16 files are transcoded to UTF-8 first; a UTF-8 file with bytes that are not
    UTF-8 is re-read as cp1252 when `legacy_encoding`, otherwise the import fails naming the line.
    """
    if layout.encoding == "cp1252" and not legacy_encoding:
        raise ImportError_(f"{layout.path}: bytes that are not UTF-8 at line {_first_bad_line(layout.path)}")
    con = duckdb.connect()
    with tempfile.TemporaryDirectory(prefix="socialsell-") as tmp:
        encoding = layout.encoding
        source = layout.path if encoding == "utf-8" else transcode(layout.path, encoding, Path(tmp) / "u.csv")
        frame = _scan(con, layout, source, "rejects")
        rejects = con.sql("SELECT line, column_name, error_type, csv_line, error_message FROM rejects").pl()
        bad_bytes = rejects.filter(pl.col("error_type") == "INVALID ENCODING")
        if len(bad_bytes) and encoding == "utf-8":
            if not legacy_encoding:
                raise ImportError_(
                    f"{layout.path}: bytes that are not UTF-8 at line {_first_bad_line(layout.path)}"
                )
            con.sql("DELETE FROM rejects")
            frame = _scan(con, layout, transcode(layout.path, "cp1252", Path(tmp) / "u.csv"), "rejects")
            rejects = con.sql(
                "SELECT line, column_name, error_type, csv_line, error_message FROM rejects"
            ).pl()
    con.close()
    frame.columns = list(dedupe(layout.header))
    rejects, quarantined = quarantined_rejects(rejects, layout)
    good_lines, reject_lines = physical_lines(len(frame), _newlines(frame), rejects, layout.header_line + 1)
    quarantined = with_lines(quarantined, reject_lines)
    return frame.with_columns(pl.Series("_line", good_lines, dtype=pl.Int32)), quarantined


def _header_name(internal: str | None, header: tuple[str, ...]) -> str | None:
    if internal and internal.startswith("c") and internal[1:].isdigit() and int(internal[1:]) < len(header):
        return header[int(internal[1:])]
    return internal


def _reject_reason(row: dict) -> str:
    kind = (row["error_type"] or "").lower().replace("_", " ")
    message = (row["error_message"] or "").split("\n")[0]
    return f"{kind}: {message}" if message else kind


def dedupe(names: Iterable[str]) -> Iterable[str]:
    seen: dict[str, int] = {}
    for name in names:
        if name in seen:
            seen[name] += 1
            yield f"{name}_{seen[name]}"
        else:
            seen[name] = 0
            yield name


_WS = re.compile(r"\s+")


def norm_header(name: str) -> str:
    """Header name folded for matching: case, spaces, underscores."""
    return _WS.sub(" ", name.replace("_", " ")).strip().lower()


def split_invalid(
    frame: pl.DataFrame, checks: list[tuple[str, pl.Expr, str]], delimiter: str = ","
) -> tuple[pl.DataFrame, list[Quarantined]]:
    """Move rows failing a check to quarantine: checks are (column, bad-row expression, reason).

    The first failing check names the row's reason; `raw` is the row's fields re-joined.
    Needs the `_line` column from `read_rows`.
    """
    if not checks or not len(frame):
        return frame, []
    reason = pl.lit(None, dtype=pl.String)
    column = pl.lit(None, dtype=pl.String)
    for name, bad, text in reversed(checks):
        reason = pl.when(bad).then(pl.lit(text)).otherwise(reason)
        column = pl.when(bad).then(pl.lit(name)).otherwise(column)
    marked = frame.with_columns(_reason=reason, _column=column)
    bad_rows = marked.filter(pl.col("_reason").is_not_null())
    fields = [c for c in frame.columns if not c.startswith("_") and frame.schema[c] == pl.String]
    raw = bad_rows.select(pl.concat_str([pl.col(c).fill_null("") for c in fields], separator=delimiter))
    quarantined = [
        Quarantined(line=line, reason=r, raw=text, column=col)
        for line, r, col, text in zip(
            bad_rows["_line"].to_list(),
            bad_rows["_reason"].to_list(),
            bad_rows["_column"].to_list(),
            raw.to_series().to_list() if len(raw.columns) else [None] * len(bad_rows),
            strict=True,
        )
    ]
    good = marked.filter(pl.col("_reason").is_null()).drop("_reason", "_column")
    return good, quarantined


def local_to_utc(naive: pl.Expr, time_zone: str) -> pl.Expr:
    """Wall-clock times written in `time_zone` → UTC instants.

    A time in the autumn overlap takes the earlier instant; a time inside the spring gap (it never
    existed on a wall clock) becomes null, so the caller quarantines it with a reason.
    """
    return naive.dt.replace_time_zone(
        time_zone, ambiguous="earliest", non_existent="null"
    ).dt.convert_time_zone("UTC")
