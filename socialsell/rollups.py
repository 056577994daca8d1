"""Small pre-aggregated tables that let reports and dashboards skip scanning every touch.

- `activity_rollup`: outbound dials and LinkedIn messages per rep, local day, hour, kind and warmth,
  with the counts the call and message metrics sum (dials, connects, booked, talk time, duplicates).
- `meeting_touches`: per meeting, the touches that attribution may credit with it — the rep's
  non-duplicate outbound calls, messages and invitations with that contact in the
  CANDIDATE_WINDOW_DAYS before the meeting was booked (or started) — plus, for a meeting booked on a
  call, that call's warmth.
- `rollup_meta`: the settings the rollups were built with.

They are rebuilt with the other derived tables after every import. A query whose definitions ask for
something they did not precompute (a connect talk-time threshold other than the one in `rollup_meta`,
an attribution window longer than CANDIDATE_WINDOW_DAYS) or a database built before they existed
reads `touch_facts` directly: same numbers, just slower (`socialsell.metrics` decides per query).
"""

from __future__ import annotations

import duckdb

from socialsell.definitions import Definitions

__all__ = ["CANDIDATE_WINDOW_DAYS", "ROLLUP_SQL", "covers", "rebuild_rollups"]

# The dashboards' attribution-window slider goes up to 120 days.
CANDIDATE_WINDOW_DAYS = 120

_ACTIVITY = """
CREATE OR REPLACE TABLE activity_rollup AS
SELECT rep_id, local_day, local_week, local_hour, kind,
       CASE WHEN kind = 'message' THEN episode_warm ELSE warm END AS warm,
       count(*) FILTER (WHERE NOT duplicate)::BIGINT AS touches,
       count(*) FILTER (WHERE NOT duplicate AND kind = 'call' AND (outcome IN ('connected', 'meeting_booked')
                        OR (outcome IS NULL AND duration_s >= {connect_min_talk_s})))::BIGINT AS connects,
       count(*) FILTER (WHERE NOT duplicate AND outcome = 'meeting_booked')::BIGINT AS booked,
       coalesce(sum(duration_s) FILTER (WHERE NOT duplicate), 0)::BIGINT AS talk_s,
       count(*) FILTER (WHERE duplicate)::BIGINT AS duplicates
FROM touch_facts
WHERE direction = 'outbound' AND kind IN ('call', 'message')
GROUP BY ALL
"""

_MEETING_TOUCHES = f"""
CREATE OR REPLACE TABLE meeting_touches AS
WITH m AS (
    SELECT meeting_id, rep_id, contact_id, coalesce(booked_at, starts_at) AS ref, booked_by_call
    FROM meetings_unique WHERE status <> 'cancelled'
)
SELECT m.meeting_id, f.channel, f.occurred_at, f.source, f.source_id, f.episode_warm, false AS booking_call
FROM m JOIN touch_facts f
  ON f.rep_id = m.rep_id AND f.contact_id = m.contact_id
 AND f.occurred_at BETWEEN m.ref - INTERVAL {CANDIDATE_WINDOW_DAYS} DAY AND m.ref
WHERE m.booked_by_call IS NULL AND NOT f.duplicate
  AND ((f.kind = 'call' AND f.direction = 'outbound') OR f.kind IN ('message', 'invitation'))
UNION ALL
SELECT m.meeting_id, 'phone', f.occurred_at, f.source, f.source_id, f.episode_warm, true
FROM m JOIN touch_facts f ON f.source || ':' || f.source_id = m.booked_by_call
WHERE f.outcome = 'meeting_booked' AND NOT f.duplicate
"""

# The same metrics as socialsell.metrics.METRIC_SQL (same columns, same numbers), summed from the rollup.
ROLLUP_SQL: dict[str, str] = {
    "calls": """
        SELECT {dim} AS "group", sum(touches)::BIGINT AS dials, sum(connects)::BIGINT AS connects,
            sum(booked)::BIGINT AS booked_on_call, sum(talk_s)::BIGINT AS talk_s,
            sum(duplicates)::BIGINT AS duplicate_calls_excluded
        FROM (SELECT a.*, r.team FROM activity_rollup a LEFT JOIN reps r USING (rep_id)
              WHERE kind = 'call' {dates})
        GROUP BY 1""",
    "messages": """
        SELECT {dim} AS "group", sum(touches)::BIGINT AS messages_sent
        FROM (SELECT a.*, r.team FROM activity_rollup a LEFT JOIN reps r USING (rep_id)
              WHERE kind = 'message' {dates})
        GROUP BY 1""",
    "heatmap": """
        SELECT isodow(local_day) AS weekday, local_hour AS hour,
            coalesce(sum(touches) FILTER (WHERE kind = 'call'), 0)::BIGINT AS dials,
            coalesce(sum(touches) FILTER (WHERE kind = 'message'), 0)::BIGINT AS messages
        FROM (SELECT a.*, r.team FROM activity_rollup a LEFT JOIN reps r USING (rep_id) WHERE true {dates})
        GROUP BY ALL HAVING sum(touches) > 0 ORDER BY ALL""",
}


def rebuild_rollups(con: duckdb.DuckDBPyConnection, d: Definitions | None = None) -> None:
    """Recompute the rollups from touch_facts and meetings_unique (after those are rebuilt)."""
    d = d or Definitions()
    con.execute(_ACTIVITY.format(connect_min_talk_s=int(d.connect_min_talk_s)))
    con.execute(_MEETING_TOUCHES)
    con.execute(
        "CREATE OR REPLACE TABLE rollup_meta AS "
        f"SELECT {int(d.connect_min_talk_s)} AS connect_min_talk_s, {CANDIDATE_WINDOW_DAYS} AS window_days"
    )


def covers(con: duckdb.DuckDBPyConnection, d: Definitions) -> tuple[bool, bool]:
    """Whether the rollups can answer `d`: (activity counts, attribution candidates)."""
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'rollup_meta' AND schema_name = 'main'"
    ).fetchall()[0][0]
    if not exists:
        return False, False
    talk_s, window = con.execute("SELECT connect_min_talk_s, window_days FROM rollup_meta").fetchall()[0]
    return talk_s == d.connect_min_talk_s, d.attribution_window_days <= window
