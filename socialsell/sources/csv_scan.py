"""A CSV export read by DuckDB without bringing its rows into Python: a UTF-8 source, the rejected
records with their lines, the physical line of every good record, and `Staged` rows for the store.

A big export is read twice: once by its parser (counts, distinct values, bad rows) and once by the
store, which inserts the rows with `INSERT … SELECT`. Both reads use `read_csv_sql`, so they see the
same records in the same order; `_i` numbers them from 0.
"""

from __future__ import annotations

import codecs
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from socialsell.sources.tabular import (
    CsvLayout,
    ImportError_,
    Quarantined,
    physical_lines,
    quarantined_rejects,
    read_csv_sql,
    sql_string,
    transcode,
    with_lines,
)

__all__ = ["JOINS_AS_WRITTEN", "WHITESPACE", "CsvScan", "Staged", "sql_string", "sql_trimmed"]

# Unicode White_Space: what polars' strip_chars() removes and label folding splits on.
WHITESPACE = "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"


def sql_trimmed(column: str) -> str:
    """A field without spaces around it; blank → NULL. (Other white space stays: DuckDB trims a
    set of characters twenty times slower than spaces, and a value padded with tabs is rare.)"""
    return f"nullif(trim({column}), '')"


def _utf8_lines(path: Path) -> tuple[int | None, int]:
    """(physical line of the first byte sequence that is not UTF-8 or None, lines in the file)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    newlines, bad, last = 0, None, b""
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 22), b""):
            if bad is None:
                try:
                    decoder.decode(block)
                except UnicodeDecodeError as exc:
                    bad = newlines + block[: max(exc.start, 0)].count(b"\n") + 1
            newlines += block.count(b"\n")
            last = block[-1:]
    return bad, newlines + (1 if last not in (b"", b"\n") else 0)


# Staged SQL joins every record to small lookups written on the build side. DuckDB's estimate of a
# CSV scan behind a join can be off enough to build the hash table on the records instead, holding
# every row in memory, so staged SQL runs with its joins as written.
JOINS_AS_WRITTEN = "SET disabled_optimizers = 'join_order,build_side_probe_side'"


class CsvScan:
    """One CSV export prepared for DuckDB's reader: UTF-8 (a cp1252 or UTF-16 file, or a UTF-8 file
    with stray legacy bytes, is transcoded into a temporary copy first) and numbered records."""

    def __init__(self, layout: CsvLayout, *, legacy_encoding: bool = True) -> None:
        self.layout = layout
        self._tmp: tempfile.TemporaryDirectory | None = None
        encoding = layout.encoding
        if encoding == "utf-8":
            bad, self.line_count = _utf8_lines(layout.path)
            if bad is None:
                self.source = layout.path
                return
            encoding = "cp1252"
            if not legacy_encoding:
                raise ImportError_(f"{layout.path}: bytes that are not UTF-8 at line {bad}")
        elif not legacy_encoding:
            raise ImportError_(
                f"{layout.path}: bytes that are not UTF-8 at line {_utf8_lines(layout.path)[0]}"
            )
        self._tmp = tempfile.TemporaryDirectory(prefix="socialsell-")
        self.source = transcode(layout.path, encoding, Path(self._tmp.name) / "u.csv")
        self.line_count = _utf8_lines(self.source)[1]

    def records(
        self, rejects: str | None = None, lines: str | int | None = None, key: str | None = None
    ) -> str:
        """A FROM-clause subquery: `_i` (0, 1, …), c0…cN and, with `lines`, `_line`: the line of the
        first record when each record is one line, or the name of a registered frame of lines.

        Numbering records in file order keeps DuckDB's reader, and all that follows it, on one
        thread. With `key`, an expression over c0…cN unique to each record (the export's own id),
        only the keys are read in order; the records are read on all threads and joined to their
        numbers. That costs a hash table of the keys (~85 MB per million records) and a second
        read, so it only pays where a second core is free.
        """
        scan = read_csv_sql(self.layout, self.source, rejects)
        if isinstance(lines, str):
            numbered = f"(SELECT row_number() OVER () - 1 AS _i, s.*, l._line FROM {scan} s POSITIONAL JOIN {lines} l)"
        else:
            line = f", row_number() OVER () - 1 + {lines} AS _line" if lines is not None else ""
            numbered = f"(SELECT row_number() OVER () - 1 AS _i{line}, * FROM {scan})"
        if key is None:
            return numbered
        line = "_line, " if lines is not None else ""
        return f"""(SELECT n.* EXCLUDE (_key), s.* FROM {scan} s
            JOIN (SELECT _i, {line}{key} AS _key FROM {numbered}) n ON n._key = {key})"""

    def lines(
        self, con: duckdb.DuckDBPyConnection, good: int, rejects: str
    ) -> tuple[np.ndarray, list[Quarantined]]:
        """After a scan that stored `rejects`: the physical line of each of the `good` records and the
        rejected records as quarantine entries."""
        table = con.sql(f"SELECT line, column_name, error_type, csv_line, error_message FROM {rejects}").pl()
        table, quarantined = quarantined_rejects(table, self.layout)
        one_line_each = self.line_count == self.layout.header_line + good + len(table)
        if one_line_each and not len(table):  # the usual case, without a 64-bit array per step below
            return np.arange(
                self.layout.header_line + 1, self.layout.header_line + 1 + good, dtype=np.int32
            ), []
        newlines = None if one_line_each else self._newlines(con, good)
        good_lines, reject_lines = physical_lines(good, newlines, table, self.layout.header_line + 1)
        return good_lines.astype(np.int32), with_lines(quarantined, reject_lines)

    def _newlines(self, con: duckdb.DuckDBPyConnection, good: int) -> np.ndarray:
        """Line breaks inside each good record's quoted fields (only read when the file has any)."""
        count = " + ".join(
            f"coalesce(length(c{i}) - length(replace(c{i}, chr(10), '')), 0)"
            for i in range(len(self.layout.header))
        )
        found = con.sql(f"SELECT _i, {count} AS n FROM {self.records()} WHERE n > 0").fetchnumpy()
        newlines = np.zeros(good, dtype=np.int64)
        newlines[found["_i"].astype(np.int64)] = found["n"]
        return newlines

    def close(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None


@dataclass
class Staged:
    """The rows of one table as a DuckDB query over an export file, for the store to insert with
    `INSERT … SELECT` instead of bringing them into Python.

    `sql` is one SELECT yielding `columns`; it may name the frames in `lookups` (small maps made
    once per distinct value, and the records' lines) as tables. `rows` is how many rows it yields;
    `repeats`: a row may repeat the key of an earlier one (the store keeps the first). `frame()` runs it.
    """

    sql: str
    columns: tuple[str, ...]
    lookups: dict[str, pl.DataFrame]
    rows: int
    repeats: bool = True
    scan: CsvScan | None = field(default=None, repr=False)  # keeps a transcoded copy while needed

    def register(self, con: duckdb.DuckDBPyConnection) -> None:
        """Make the lookups visible to `con` and run its joins as written (undo with `unregister`)."""
        con.execute(JOINS_AS_WRITTEN)
        for name, frame in self.lookups.items():
            con.register(name, frame)

    def unregister(self, con: duckdb.DuckDBPyConnection) -> None:
        for name in self.lookups:
            con.unregister(name)
        con.execute("RESET disabled_optimizers")

    def frame(self, order_by: str | None = None) -> pl.DataFrame:
        """The rows as a polars frame (instants in UTC)."""
        with duckdb.connect() as con:
            con.execute("SET TimeZone = 'UTC'")
            self.register(con)
            order = f" ORDER BY {order_by}" if order_by else ""
            return con.sql(f"SELECT * FROM ({self.sql}){order}").pl()

    def __len__(self) -> int:
        return self.rows
