"""Call logs from dialers and CRMs (HubSpot, Salesforce, Aircall, RingCentral, German CSVs) as touches.

A call log can hold millions of rows, so its rows never pass through Python: DuckDB reads the
file, and the SQL in call_rows turns records into touches. This module reads the file once for
what the SQL needs to know (the usual date format, counts of skipped rows, the distinct outcome
labels, contacts and owners, values only polars can read, bad rows) and makes the lookups; the
store then inserts the rows with one `INSERT … SELECT` (`stage`), or `parse` returns them as a frame.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from socialsell.sources import Context, Parsed, call_presets
from socialsell.sources.call_lookups import (
    contact_lookup,
    date_lookup,
    duration_lookup,
    outcome_lookup,
    rep_lookup,
)
from socialsell.sources.call_presets import FOOTER, PRESETS, Preset
from socialsell.sources.call_rows import (
    DATE_FIELDS,
    DURATION_FIELDS,
    OUTCOME_FIELDS,
    TOUCH_COLUMNS,
    CallRows,
)
from socialsell.sources.call_values import format_words, order_formats
from socialsell.sources.csv_scan import JOINS_AS_WRITTEN, CsvScan, Staged
from socialsell.sources.tabular import CsvLayout, ImportError_, Quarantined, sniff_layout

__all__ = ["NAME", "matches", "parse", "stage"]

NAME = "calls"
_STEPS = 5


def matches(path: Path) -> bool:
    """A CSV whose header (in the first lines) fits one of the built-in presets."""
    if path.suffix.lower() not in (".csv", ".txt", ".tsv") or not path.is_file():
        return False
    return sniff_layout(path, lambda header: _choose(header, PRESETS.values()) is not None) is not None


def _choose(header: tuple[str, ...], presets) -> Preset | None:
    fits = [p for p in presets if not p.missing(header)]
    return max(fits, key=lambda p: len(p.resolve(header)), default=None)


def _layout(path: Path, context: Context, mapping: dict | None) -> tuple[Preset, CsvLayout]:
    presets = list(PRESETS.values())
    if mapping is not None:
        try:
            presets = [call_presets.preset_from_mapping(mapping)]
        except ValueError as exc:
            raise ImportError_(f"{path}: column mapping: {exc}") from exc
    elif context.preset:
        name = context.preset.removeprefix("calls.")
        if name not in PRESETS:
            known = ", ".join(PRESETS)
            raise ImportError_(f"{path}: no call-log preset {name!r} ({known}; generic needs a mapping)")
        presets = [PRESETS[name]]
    layout = sniff_layout(path, lambda header: _choose(header, presets) is not None)
    if layout is None:
        first = sniff_layout(path, lambda header: True)
        found = ", ".join(first.header) if first else "nothing, the file is empty"
        needs = "; ".join(f"{p.name} needs {p.needs()}" for p in presets)
        raise ImportError_(f"{path}: no call-log preset fits the header ({found}). {needs}")
    return _choose(layout.header, presets), layout


@dataclass
class _Summary:
    """What the first scan found."""

    good: int = 0  # records DuckDB read (rejected ones aside)
    skipped: dict[str, int] = field(default_factory=dict)
    unsure: int = 0  # calls the SQL could not vouch for: the second scan checks them
    keys: dict[str, pl.DataFrame] = field(default_factory=dict)  # set → distinct keys (and counts)
    calls_without_id: int = 0
    without_id: int = 0  # records (calls or not) without an id of their own
    repeats: bool = False  # an id may repeat in the file


def _summary_sql(rows: CallRows, context: Context) -> str:
    """The first scan, one row of aggregates: rows read and skipped (by reason), calls the SQL
    cannot vouch for, the distinct outcome labels, owners, contacts and unread values, whether an
    id repeats (by its hash: a collision only costs the store a check), which fields are padded."""
    extra = {
        "_unsure": rows.unsure(),
        "_noid": "_id IS NULL",
        "_idhash": "CASE WHEN _id IS NOT NULL THEN hash(_id) END",
    }
    distinct = {
        "_outcomes": f"struct_pack({', '.join(f'f_{f}' for f in OUTCOME_FIELDS if rows.has(f)) or 'NULL AS _'})",
        "_contacts": f"struct_pack({', '.join([*rows.contact_keys(), '_contact'])})",
    }
    if not context.rep:
        distinct["_reps"] = "_rep"
    for f in (n for n in (*DATE_FIELDS, *DURATION_FIELDS) if rows.has(n)):
        text, reading = (f"t_{f}", f"_at_{f}") if f in DATE_FIELDS else (f"f_{f}", f"_dur_{f}")
        extra[f"_bad_{f}"] = f"CASE WHEN _skip IS NULL AND {reading} IS NULL THEN {text} END"
        distinct[f"_bad_{f}"] = f"_bad_{f}"
    aggregates = [
        "count(*) AS _good",
        "map_entries(histogram(_skip)) AS _skipped",
        "count(*) FILTER (WHERE _unsure) AS _unsure",
        "count(*) FILTER (WHERE _noid AND _skip IS NULL) AS _calls_without_id",
        "count(*) FILTER (WHERE _noid) AS _without_id",
        "count(_idhash) - count(DISTINCT _idhash) AS _repeats",
        *(
            f"list(DISTINCT {sql}) FILTER (WHERE {sql} IS NOT NULL) AS {name}"
            for name, sql in distinct.items()
        ),
        # A field is trimmed on the second scan only where some value has blanks around it (or is blank).
        *(f"bool_or(c{rows.index(f)} IS DISTINCT FROM f_{f}) AS _pad_{f}" for f in rows.cols),
    ]
    listed = ", ".join(f"{sql} AS {name}" for name, sql in extra.items())
    return f"SELECT {', '.join(aggregates)} FROM (SELECT *, {listed} FROM {rows.rows(rejects='rejects')})"


def _summarise(con: duckdb.DuckDBPyConnection, rows: CallRows, context: Context) -> _Summary:
    """One scan of the file: counts, distinct keys, values the SQL could not read, repeated ids."""
    found = con.sql(_summary_sql(rows, context)).pl()
    rows.padded = {f for f in rows.cols if found[f"_pad_{f}"].item()}

    def listed(name: str) -> pl.DataFrame:
        values = found.select(pl.col(name).explode()).drop_nulls()
        return values.unnest(name) if isinstance(values.schema[name], pl.Struct) else values

    keys = {"contacts": listed("_contacts"), "outcomes": listed("_outcomes").drop("_", strict=False)}
    keys |= {"reps": listed("_reps").rename({"_reps": "_rep"})} if "_reps" in found.columns else {}
    keys |= {f: listed(f"_bad_{f}") for f in (*DATE_FIELDS, *DURATION_FIELDS) if rows.has(f)}
    skipped = listed("_skipped")
    return _Summary(
        good=int(found["_good"].item()),
        skipped=dict(sorted(zip(skipped["key"], skipped["value"], strict=True))) if len(skipped) else {},
        unsure=int(found["_unsure"].item()),
        keys=keys,
        calls_without_id=int(found["_calls_without_id"].item()),
        without_id=int(found["_without_id"].item()),
        repeats=bool(found["_repeats"].item()),
    )


def _read_formats(con: duckdb.DuckDBPyConnection, rows: CallRows) -> None:
    """Each date field's formats, the one most of the first 2000 calls fit first."""
    names = [n for n in DATE_FIELDS if rows.has(n)]
    if not names:
        return
    sample = con.sql(rows.sample(2000)).pl()
    for name in names:
        rows.formats[name] = order_formats(sample[f"t_{name}"], rows.preset.date_formats)
        rows.words[name] = format_words(rows.formats[name])


def _keyed(keys: pl.DataFrame, found: pl.DataFrame) -> pl.DataFrame:
    """A lookup: the key columns as `k<column>`, then what was found for them."""
    return pl.concat([keys.select(pl.all().name.prefix("k")), found], how="horizontal")


def _fallbacks(rows: CallRows, summary: _Summary) -> dict[str, pl.DataFrame]:
    """`_fb_<field>`: each distinct date or duration the SQL did not read, read by polars."""
    frames = {}
    for name in (n for n in (*DATE_FIELDS, *DURATION_FIELDS) if n in summary.keys):
        texts = summary.keys[name][f"_bad_{name}"].drop_nulls().alias("text")
        if len(texts):
            frames[f"_fb_{name}"] = (
                date_lookup(texts, rows.formats[name], rows.zone, rows.day_zone)
                if name in DATE_FIELDS
                else duration_lookup(texts, rows.cols[name], rows.preset)
            )
            rows.fallbacks.add(name)
    return frames


def _rep_lookups(summary: _Summary, context: Context) -> tuple[pl.DataFrame | None, pl.DataFrame]:
    """`_reps` (raw owner → rep_id; None with --rep) and the reps the config does not know."""
    if not context.rep:
        found, reps = rep_lookup(summary.keys["reps"]["_rep"], context)
        return found.rename({"raw": "k_rep"}), reps
    schema = {"rep_id": pl.String, "display_name": pl.String, "team": pl.String, "from_config": pl.Boolean}
    new = [] if context.config.rep(context.rep) else [(context.rep, context.rep, None, False)]
    return None, pl.DataFrame(new, schema=schema, orient="row")


def _lookups(rows: CallRows, summary: _Summary, context: Context) -> tuple[dict, dict, pl.DataFrame]:
    """The lookups the SQL joins (name → frame), their key columns, and the reps to add."""
    frames, keys = _fallbacks(rows, summary), {}
    outcomes = summary.keys.get("outcomes", pl.DataFrame())
    named = outcomes.rename(lambda c: c.removeprefix("f_")) if outcomes.width else pl.DataFrame({"_": [None]})
    frames["_outcomes"] = _keyed(outcomes, outcome_lookup(named, rows.preset, context))
    keys["_outcomes"] = outcomes.columns
    contacts = summary.keys["contacts"]
    named = contacts.drop("_contact").rename(lambda c: "phone" if c == "_phone" else c.removeprefix("f_"))
    frames["_contacts"] = _keyed(contacts, contact_lookup(named, context.config.region))
    # Rows find their contact by a hash of the fields, exact as long as no two combinations share one.
    unique = frames["_contacts"]["k_contact"].n_unique() == len(contacts)
    keys["_contacts"] = ["_contact"] if unique else [c for c in contacts.columns if c != "_contact"]
    reps_lookup, reps = _rep_lookups(summary, context)
    if reps_lookup is not None:
        frames["_reps"], keys["_reps"] = reps_lookup, ["_rep"]
    return frames, keys, reps


def _problems(con: duckdb.DuckDBPyConnection, rows: CallRows, summary: _Summary) -> tuple[pl.DataFrame, int]:
    """A second scan, only when needed: the calls failing a check (index, reason, column, fields as
    written), and how many legs were merged into the session they belong to."""
    bad = pl.DataFrame(schema={"_i": pl.Int64, "_reason": pl.String, "_column": pl.String, "raw": pl.String})
    if summary.unsure:
        bad = con.sql(
            f"SELECT _i, _reason, _column, {rows.raw()} AS raw FROM {rows.checked()} WHERE _reason IS NOT NULL ORDER BY _i"
        ).pl()
    legs = 0
    if rows.preset.sessions and rows.has("session_id"):
        legs = con.sql(
            f"SELECT count(f_session_id) - count(DISTINCT f_session_id) FROM {rows.kept_before_sessions()}"
        ).fetchall()[0][0]
    return bad, int(legs)


def _footers(quarantined: list[Quarantined], skipped: dict[str, int]) -> list[Quarantined]:
    """Salesforce report footers DuckDB rejected (fewer fields) are skipped, not quarantined."""

    def is_footer(q: Quarantined) -> bool:
        return bool(FOOTER.match((q.raw or "").strip().strip('"').strip()))

    if count := sum(map(is_footer, quarantined)):
        skipped["Salesforce report footer"] = skipped.get("Salesforce report footer", 0) + count
    return [q for q in quarantined if not is_footer(q)]


# HubSpot calls export (English labels; German: Datensatz-ID, Aktivitätsdatum, Anrufdauer …):
#   Record ID,Activity date,Activity assigned to,Call direction,Call outcome,Call duration (ms),To number
#   51234567001,2026-01-13 09:42,Jonas Weber,OUTBOUND,f240bbac-87c9-4f6e-bf70-924b57d47db7,125000,+49 40 1234
# Salesforce report, de_DE, ISO-8859-1, footer after a blank line:
#   "Zugewiesen zu","Betreff","Fälligkeitsdatum","Anruftyp","Anrufdauer","Anrufergebnis","Aktivitäts-ID"
#   "Jonas Weber","Anruf","13.01.2026","Ausgehend","125","Termin vereinbart","00T5g00000AbCdE"
#   (blank) "Grand Totals (1 records)" / "Confidential Information - Do Not Distribute" / "Copyright © …"
# Salesforce Data Loader: ID,WHOID,OWNERID,SUBJECT,ACTIVITYDATE,CREATEDDATE,CALLTYPE,CALLDURATIONINSECONDS,…
# Aircall: Call ID,Date,Time,Direction,User,External number,Answered,In-call duration,Tags
#          CA84aedbe1d875cd01,2026-01-13,09:42:10,Outbound,Jonas Weber,+49 40 1234567,Yes,00:02:05,Mailbox
# RingCentral: Session Id,Id,Start Time,Type,Direction,Result,Reason,From,To,Extension,Name,Duration (per leg)
# German dialer, Excel CSV (;, cp1252): Datum;Uhrzeit;Mitarbeiter;Rufnummer;Richtung;Dauer;Ergebnis
#                                        13.01.2026;09:42;Jonas Weber;040 1234567;ausgehend;1,5;Erreicht
def parse(path: Path, context: Context, mapping: dict | None = None) -> Parsed:
    """Read a call log with the preset its header fits (or `context.preset`, or a column `mapping`:
    canonical field → header, see call_presets.FIELDS and preset_from_mapping).

    Raises:
        ImportError_: no preset fits the header (the message lists what each preset needs).
    """
    parsed = stage(path, context, mapping)
    staged = parsed.tables["touches"]
    try:
        parsed.tables["touches"] = staged.frame(order_by="source_row")
    finally:
        staged.scan.close()
    return parsed


def stage(path: Path, context: Context, mapping: dict | None = None) -> Parsed:
    """`parse`, with the touches left as a query over the file (`csv_scan.Staged`) for the store
    to insert without bringing the rows into Python; close `tables["touches"].scan` afterwards.

    Raises:
        ImportError_: no preset fits the header (the message lists what each preset needs).
    """
    preset, layout = _layout(path, context, mapping)
    step = (lambda done: context.progress(done, _STEPS)) if context.progress else (lambda done: None)
    zone = context.source_tz if preset.time_zone == "source" else preset.time_zone
    scan = CsvScan(layout)
    cols = preset.resolve(layout.header)
    rows = CallRows(scan, preset, cols, zone, context.source_tz, f"{NAME}.{preset.name}", rep=context.rep)
    try:
        with duckdb.connect() as con:
            con.execute(JOINS_AS_WRITTEN)
            _read_formats(con, rows)
            step(1)
            summary = _summarise(con, rows, context)
            good_lines, rejected = scan.lines(con, summary.good, "rejects")
            step(2)
            lookups, keys, reps = _lookups(rows, summary, context)
            for name, frame in lookups.items():
                con.register(name, frame)
            step(3)
            bad, legs = _problems(con, rows, summary)
    except BaseException:
        scan.close()
        raise
    step(4)
    skipped = dict(summary.skipped) | ({"additional leg of the same call": legs} if legs else {})
    quarantined = _footers(rejected, skipped) if preset.footer else rejected
    invalid = [Quarantined(int(good_lines[i]), why, raw, column) for i, why, column, raw in bad.iter_rows()]
    staged = _staged(rows, summary, lookups, keys, good_lines, bad, legs)
    step(5)
    tables = {"touches": staged, **({"reps": reps} if len(reps) else {})}
    rows_read = summary.good + len(rejected)
    return Parsed(f"{NAME}.{preset.name}", tables, rows_read, quarantined + invalid, skipped, context.rep)


def _staged(rows: CallRows, summary: _Summary, lookups: dict, keys: dict, lines, bad, legs: int) -> Staged:
    """The touches as a query: records numbered in file order (joined to their numbers by their
    own ids when those are unique), their physical lines, the bad rows and merged legs left out."""
    rows.ids_missing = summary.calls_without_id > 0
    rows.unique_ids = summary.without_id == 0 and not summary.repeats
    first = rows.scan.layout.header_line + 1
    line: str | int = first  # each record one line: line = first + index
    if len(lines) and lines[-1] != first + len(lines) - 1:
        lookups["_lines"], line = pl.DataFrame({"_line": lines}), "_lines"
    if len(bad):
        lookups["_bad"] = bad.select("_i")
    kept = summary.good - sum(summary.skipped.values()) - len(bad) - legs
    sql = rows.touches(keys, line, "_bad" if len(bad) else None)
    return Staged(sql, TOUCH_COLUMNS, lookups, kept, summary.repeats, rows.scan)
