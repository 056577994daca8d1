"""The rows behind every count on the dashboards, each with the file and line it was imported from.

`trace(con, "dials", d, rep="anna-becker")` lists the touches, threads, invitations or meetings a
rep's figure counts. It reads the same named conditions (`metric_sql.COUNTED`, `metric_sql.ROWS`), the same
scope and, for meetings, `metrics.attribution`'s own rows, so a trace's `value` (its rows, or for
meetings their credits) is the figure `metrics.report` shows. A LinkedIn thread is shown by the
message that makes it count: its first message, or for a reply the prospect's first reply. A meeting
carries the touch its credit went to (under `split`, one row per credited touch with its share).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from socialsell import metric_sql, rollups
from socialsell.definitions import Definitions

__all__ = ["MEASURES", "Trace", "readable", "trace", "trace_sql"]

# Measure (a count of `metrics.activity`) → what one sentence calls its rows.
MEASURES: dict[str, str] = {
    "dials": "dials",
    "connects": "connects",
    "booked_on_call": "calls that booked a meeting",
    "outreach": "LinkedIn outreach threads",
    "replied": "outreach threads with a reply",
    "conversations": "LinkedIn conversations",
    "outreach_conversations": "outreach threads that became conversations",
    "messages_sent": "LinkedIn messages sent",
    "invitations_sent": "invitations sent",
    "invitations_accepted": "invitations accepted",
    "meetings": "meetings",
    "meetings_held": "meetings held",
    "meetings_from_calls": "meetings from calls",
    "meetings_from_social": "meetings from LinkedIn",
    "meetings_unattributed": "unattributed meetings",
}


@dataclass(frozen=True)
class Trace:
    """The rows behind one measure.

    Attributes:
        measure: a key of MEASURES.
        definitions: the scope and settings the rows were selected with.
        rows: most recent first; at most the `limit` asked for.
        count: how many rows there are in all.
        value: the measure as `metrics.report` shows it: `count`, or for meetings the sum of credits.
    """

    measure: str
    definitions: Definitions
    rows: pl.DataFrame
    count: int
    value: float


def _file_line(alias: str) -> str:
    """`calls.csv:1234`: the file's name (an archive's member name) and the record's line."""
    return f"regexp_extract({alias}.source_file, '[^/\\\\!]+$') || coalesce(':' || {alias}.source_row, '')"


# One row per touch of relation `f` (touch_facts columns plus `detail`), with lineage and names.
_TOUCH_ROWS = f"""
    SELECT f.occurred_at AS "when", f.channel, f.kind, f.direction, f.outcome, f.duration_s,
           coalesce(c.display_name, t.contact_name, f.contact_key) AS contact,
           coalesce(r.display_name, f.rep_id) AS rep, {_file_line("t")} AS file, t.source_file, t.source_row,
           t.import_id, f.detail, f.rep_id, f.source, f.source_id
    FROM ({{relation}}) f
    LEFT JOIN touches t ON t.source = f.source AND t.source_id = f.source_id
    LEFT JOIN contacts c ON c.contact_id = f.contact_id
    LEFT JOIN reps r ON r.rep_id = f.rep_id"""

# Fact rows in scope that the measure counts, exactly as its METRIC_SQL query selects them.
_COUNTED = """SELECT * FROM (SELECT x.*, r.team FROM {table} x LEFT JOIN reps r USING (rep_id)
                            WHERE {rows} {dates}) WHERE {counted}"""

# Each thread by one message: the first reply (replies) or the first message (all else).
_THREAD_MESSAGE = """
    SELECT f.*, th.outbound_messages || ' sent, ' || th.inbound_messages || ' received' AS detail
    FROM ({counted}) th
    JOIN touch_facts f ON f.kind = 'message' AND f.rep_id = th.rep_id AND f.thread_id = th.thread_id
     AND f.occurred_at = th.{anchor} {direction}
    QUALIFY row_number() OVER (PARTITION BY th.rep_id, th.thread_id ORDER BY f.source, f.source_id) = 1"""

# invitation_facts holds touch_facts' invitations one for one, without their ids: pair them back up.
# Rows alike in every column the pairing uses are alike in every column invitation_facts derives
# (warmth, acceptance, scope), so any pairing among them lists exactly the counted rows.
_PAIR = "rep_id, contact_id, direction, occurred_at, local_day"
_INVITATION = f"""
    WITH i AS (SELECT *, row_number() OVER (PARTITION BY {_PAIR}) AS nth FROM ({{counted}})),
    f AS (SELECT *, row_number() OVER (PARTITION BY {_PAIR} ORDER BY source, source_id) AS nth
          FROM touch_facts WHERE kind = 'invitation')
    SELECT f.*, CASE WHEN i.accepted THEN 'accepted' END AS detail
    FROM i JOIN f ON f.nth = i.nth AND f.rep_id IS NOT DISTINCT FROM i.rep_id
     AND f.contact_id IS NOT DISTINCT FROM i.contact_id AND f.direction IS NOT DISTINCT FROM i.direction
     AND f.occurred_at IS NOT DISTINCT FROM i.occurred_at AND f.local_day IS NOT DISTINCT FROM i.local_day"""

# The touch a meeting's credit went to under each rule (candidates ranked as attribution ranks them).
_CREDITED = {"last_touch": "c.last_rank = 1", "first_touch": "c.first_rank = 1", "split": "true"}

_MEETINGS = f"""
    WITH a AS ({{attribution}}),
    candidates AS ({{candidates}}),
    credited AS (  -- per attribution row its touches, each with its share of the row's credit
        SELECT a.meeting_id, a.channel, c.source, c.source_id, c.occurred_at,
               a.credit / count(*) OVER (PARTITION BY a.meeting_id, a.channel) AS credit
        FROM a JOIN candidates c ON c.meeting_id = a.meeting_id AND c.channel = a.channel AND {{rule}}
        WHERE a.booked_by_call IS NULL
        UNION ALL
        SELECT a.meeting_id, a.channel, f.source, f.source_id, f.occurred_at, a.credit
        FROM a JOIN (SELECT * FROM touch_facts WHERE outcome = 'meeting_booked') f
          ON f.source || ':' || f.source_id = a.booked_by_call
    ),
    shown AS ({{shown}})
    SELECT coalesce(s.booked_at, s.starts_at) AS "when", s.channel, 'meeting' AS kind, NULL::VARCHAR AS direction,
           s.status AS outcome, NULL::INTEGER AS duration_s,
           coalesce(c.display_name, mt.contact_name, mu.contact_key) AS contact,
           coalesce(r.display_name, s.rep_id) AS rep, coalesce({_file_line("mt")}, {_file_line("tt")}) AS file,
           coalesce(mt.source_file, tt.source_file) AS source_file,
           coalesce(mt.source_row, tt.source_row) AS source_row,
           coalesce(mt.import_id, tt.import_id) AS import_id, s.how AS detail, s.rep_id, mu.source, mu.source_id,
           s.starts_at, s.booked_at, s.origin, s.held, mu.records, s.credit, s.credited_touches,
           s.touch_at, {_file_line("touch")} AS touch_file, touch.source_file AS touch_source_file,
           touch.source_row AS touch_source_row, touch.import_id AS touch_import_id
    FROM shown s
    JOIN meetings_unique mu ON mu.meeting_id = s.meeting_id
    LEFT JOIN meetings mt ON mt.source = mu.source AND mt.source_id = mu.source_id
    LEFT JOIN touches tt ON tt.source = mu.source AND tt.source_id = mu.source_id
    LEFT JOIN touches touch ON touch.source = s.touch_source AND touch.source_id = s.touch_source_id
    LEFT JOIN contacts c ON c.contact_id = s.contact_id
    LEFT JOIN reps r ON r.rep_id = s.rep_id"""

# Meetings from calls / LinkedIn: one row per credited touch with its share of the credit.
_PER_TOUCH = """
    SELECT a.*, coalesce(cr.credit, a.row_credit) AS credit, cr.occurred_at AS touch_at,
           cr.source AS touch_source, cr.source_id AS touch_source_id,
           count(cr.source) OVER (PARTITION BY a.meeting_id) AS credited_touches
    FROM (SELECT * RENAME (credit AS row_credit) FROM a WHERE {counted}) a
    LEFT JOIN credited cr ON cr.meeting_id = a.meeting_id AND cr.channel = a.channel"""

# Meetings counted once: one row per meeting, with its most recent credited touch.
_PER_MEETING = """
    SELECT a.* EXCLUDE (credit), 1.0::DOUBLE AS credit, cr.occurred_at AS touch_at,
           cr.source AS touch_source, cr.source_id AS touch_source_id,
           coalesce(cr.touches, 0) AS credited_touches
    FROM (SELECT * FROM a WHERE {counted}) a
    LEFT JOIN (SELECT *, count(*) OVER (PARTITION BY meeting_id) AS touches FROM credited
               QUALIFY row_number() OVER (PARTITION BY meeting_id
                                          ORDER BY occurred_at DESC, source, source_id) = 1) cr
      ON cr.meeting_id = a.meeting_id"""

# Rows latest first, ties by id: the order of every trace, limited or not ("when" is a touch's occurred_at).
_LATEST_FIRST = "DESC NULLS LAST, source, source_id"
_ORDER_TOUCHES = ", touch_at DESC NULLS LAST, touch_source_file, touch_source_row"
_SUMMED = ("meetings_from_calls", "meetings_from_social")  # counts that add up credits


def trace_sql(con: duckdb.DuckDBPyConnection, measure: str, d: Definitions) -> str:
    """SQL of the rows behind `measure` for `d` (unordered; trace() orders and limits them)."""
    rows, _ = metric_sql.COUNTED[measure]
    where = metric_sql.conditions(d)
    if rows == "attribution":
        shown = (_PER_TOUCH if measure in _SUMMED else _PER_MEETING).format(counted=where[measure])
        return _MEETINGS.format(
            attribution=metric_sql.attribution_sql(d, rollups.covers(con, d)),
            candidates=metric_sql.candidate_touches_sql(d),
            rule=_CREDITED[d.attribution_rule],
            shown=shown,
        )
    return _TOUCH_ROWS.format(relation=_relation(measure, d))


def _relation(measure: str, d: Definitions) -> str:
    """The touches (touch_facts columns plus `detail`) behind a measure that counts touches, threads or
    invitations: one row per counted fact, before lineage and names are joined."""
    rows, _ = metric_sql.COUNTED[measure]
    where = metric_sql.conditions(d)
    table, _ = metric_sql.ROWS[rows]
    counted = _COUNTED.format(
        table=table, rows=where[rows], dates=metric_sql.scope(d), counted=where[measure]
    )
    if rows == "threads":
        anchor, direction = (
            ("first_reply_at", "AND f.direction = 'inbound'") if measure == "replied" else ("started_at", "")
        )
        relation = _THREAD_MESSAGE.format(counted=counted, anchor=anchor, direction=direction)
    elif rows == "invitations":
        relation = _INVITATION.format(counted=counted)
    else:
        relation = f"SELECT *, NULL::VARCHAR AS detail FROM ({counted})"
    return relation


def trace(
    con: duckdb.DuckDBPyConnection,
    measure: str,
    d: Definitions | None = None,
    *,
    rep: str | None = None,
    limit: int | None = None,
) -> Trace:
    """The rows behind `measure` (a key of MEASURES) in the scope of `d`, narrowed to `rep`.

    Each row: when, channel, kind, direction, outcome, duration_s, contact, rep, file (`calls.csv:12`),
    source_file, source_row, import_id, detail (a thread's messages each way; an invitation's
    acceptance; how a meeting was attributed), rep_id, source, source_id. Meetings add starts_at,
    booked_at, origin, held, records (copies merged), credit, credited_touches and the credited touch's
    touch_at, touch_file, touch_source_file, touch_source_row and touch_import_id.

    Raises:
        ValueError: an unknown measure (the message lists the known ones).
    """
    if measure not in MEASURES:
        raise ValueError(f"measure {measure!r}: use one of {', '.join(MEASURES)}")
    d = (d or Definitions()).with_(reps=(rep,) if rep else None)
    meetings = metric_sql.COUNTED[measure][0] == "attribution"
    value = "sum(credit)" if meetings else "count(*)"
    if not meetings and limit is not None:
        return _latest_touches(con, measure, d, max(int(limit), 0))
    # One pass: the totals ride along as window columns of the (limited) rows.
    sql = f"""SELECT *, count(*) OVER () AS _count, coalesce({value} OVER (), 0)::DOUBLE AS _value
              FROM ({trace_sql(con, measure, d)})
              ORDER BY "when" {_LATEST_FIRST}{_ORDER_TOUCHES if meetings else ""}"""
    rows = con.sql(sql + ("" if limit is None else f" LIMIT {max(int(limit), 1)}")).pl()
    count, total = (rows["_count"][0], rows["_value"][0]) if len(rows) else (0, 0.0)
    shown = rows.drop("_count", "_value")
    return Trace(
        measure, d, shown if limit is None else shown.head(max(int(limit), 0)), int(count), float(total)
    )


def _latest_touches(con: duckdb.DuckDBPyConnection, measure: str, d: Definitions, limit: int) -> Trace:
    """`trace()` of a touch measure, limited: the count over the bare relation, then lineage and names
    joined to the `limit` latest rows only (on 10 M touches, joining first costs seconds)."""
    relation = _relation(measure, d)
    count = int(con.sql(f"SELECT count(*) FROM ({relation})").fetchall()[0][0])
    latest = f"""SELECT * FROM ({relation})
                 ORDER BY occurred_at {_LATEST_FIRST} LIMIT {max(limit, 1)}"""
    rows = con.sql(
        f"""SELECT * FROM ({_TOUCH_ROWS.format(relation=latest)})
            ORDER BY "when" {_LATEST_FIRST}"""
    ).pl()
    return Trace(measure, d, rows.head(limit), count, float(count))


_READABLE = {  # column → heading, for touches and threads; the file:line early, it is the point
    "when": "when",
    "file": "file",
    "channel": "channel",
    "kind": "kind",
    "direction": "direction",
    "outcome": "outcome",
    "duration_s": "talk (s)",
    "contact": "contact",
    "rep": "rep",
    "detail": "detail",
    "import_id": "import",
}
_READABLE_MEETINGS = {
    "when": "booked (or starts)",
    "file": "file",
    "contact": "contact",
    "rep": "rep",
    "channel": "credited to",
    "credit": "credit",
    "detail": "how",
    "touch_at": "credited touch",
    "touch_file": "touch file",
    "starts_at": "starts",
    "origin": "origin",
    "outcome": "status",
    "import_id": "import",
}


def readable(t: Trace, time_zone: str = "UTC") -> pl.DataFrame:
    """The rows as a person reads them: times in `time_zone`, files as `name:line`, named headings."""
    columns = _READABLE_MEETINGS if metric_sql.COUNTED[t.measure][0] == "attribution" else _READABLE
    times = [c for c in ("when", "starts_at", "touch_at") if c in columns]
    return t.rows.with_columns(
        pl.col(times).dt.convert_time_zone(time_zone).dt.strftime("%Y-%m-%d %H:%M")
    ).select([pl.col(c).alias(heading) for c, heading in columns.items()])
