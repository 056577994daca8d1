"""The CSV layer: header search, encodings, and physical line numbers for good and bad rows."""

from __future__ import annotations

import pytest

from socialsell.sources.tabular import find_header, read_rows

CASES = {
    # name: (bytes, header line, expected good (first field, line), expected rejects (line, raw))
    "multi-line quoted field and bad rows": (
        b'a,b,c\n1,"x\ny",3\n2,z,4,5\n3,"q",\n4,5\n5,6,7\n',
        [("1", 2), ("3", 5), ("5", 7)],
        [(4, "2,z,4,5"), (6, "4,5")],
    ),
    "preamble with a quoted comma line": (
        b'Notes:\n"pre, amble"\n\na,b,c\n1,"x\ny",3\n2,z,4,5\n3,"q",\n4,5\n5,6,7\n6,"m\nn\no",8\n7,9\n8,8,8\n',
        [("1", 5), ("3", 8), ("5", 10), ("6", 11), ("8", 15)],
        [(7, "2,z,4,5"), (9, "4,5"), (14, "7,9")],
    ),
    "footer after blank lines, LF": (
        b'a,b,c\n1,2,3\n4,5,6\n\n"Grand"\n\n"Conf"\n"Copy"\n7,8,9,0\n',
        [("1", 2), ("4", 3)],
        [(5, '"Grand"'), (7, '"Conf"'), (8, '"Copy"'), (9, "7,8,9,0")],
    ),
    "footer after blank lines, CRLF": (
        b'a,b,c\r\n1,2,3\r\n4,5,6\r\n\r\n"Grand"\r\n\r\n"Conf"\r\n"Copy"\r\n7,8,9,0\r\n',
        [("1", 2), ("4", 3)],
        [(5, '"Grand"'), (7, '"Conf"'), (8, '"Copy"'), (9, "7,8,9,0")],
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_lines_of_good_and_rejected_rows(tmp_path, name):
    data, good, bad = CASES[name]
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    frame, quarantined = read_rows(find_header(path, ["a", "b", "c"]))
    assert list(zip(frame["a"], frame["_line"], strict=True)) == good
    assert [(q.line, q.raw) for q in quarantined] == bad


def test_cp1252_bytes_and_a_utf8_file_with_a_stray_latin1_byte(tmp_path):
    cp = tmp_path / "cp.csv"
    cp.write_bytes("a;b;c\n–„Grüße“;€;x\n".encode("cp1252"))
    layout = find_header(cp, ["a", "b", "c"])
    frame, _ = read_rows(layout)
    assert (layout.encoding, layout.delimiter) == ("cp1252", ";")
    assert frame.row(0)[:3] == ("–„Grüße“", "€", "x")
    mixed = tmp_path / "mixed.csv"
    mixed.write_bytes(b"a,b,c\n" + b"1,2,3\n" * 3000 + b"\xe4,b,c\n")  # the sample looks like UTF-8
    frame, _ = read_rows(find_header(mixed, ["a", "b", "c"]))
    assert frame["a"][-1] == "ä" and frame["_line"][-1] == 3002


def test_strict_utf8_formats_name_the_line_of_bad_bytes(tmp_path):
    from socialsell.sources.tabular import ImportError_

    for rows in (50, 50_000):  # the bad byte inside the sniffed sample, and far below it
        path = tmp_path / "messages.csv"
        path.write_bytes(b"a,b,c\n" + b"1,2,3\n" * rows + b"\xe4,b,c\n")
        with pytest.raises(
            ImportError_, match=rf"messages.csv: bytes that are not UTF-8 at line {rows + 2}$"
        ):
            read_rows(find_header(path, ["a", "b", "c"]), legacy_encoding=False)


def test_header_is_found_below_a_preamble_and_utf16_is_read(tmp_path):
    path = tmp_path / "u16.csv"
    path.write_bytes("Export of calls\n\nName\tDauer\tErgebnis\nJörg\t12\tok\n".encode("utf-16"))
    layout = find_header(path, ["Name", "Dauer"])
    frame, _ = read_rows(layout)
    assert (layout.header_line, layout.delimiter, layout.encoding) == (3, "\t", "utf-16")
    assert frame.rows() == [("Jörg", "12", "ok", 4)]


@pytest.mark.parametrize("name", CASES)
def test_a_duckdb_scan_finds_the_same_lines(tmp_path, name):
    """CsvScan (rows stay in DuckDB) numbers good and rejected records like read_rows."""
    import duckdb

    from socialsell.sources.csv_scan import CsvScan

    data, good, bad = CASES[name]
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    scan = CsvScan(find_header(path, ["a", "b", "c"]))
    with duckdb.connect() as con:
        first = con.sql(f"SELECT c0 FROM {scan.records(rejects='rejects')} ORDER BY _i").fetchall()
        lines, rejected = scan.lines(con, len(first), "rejects")
    assert list(zip([f for (f,) in first], lines.tolist(), strict=True)) == good
    assert [(q.line, q.raw) for q in rejected] == bad
