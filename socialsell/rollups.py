"""Small pre-aggregated tables that let reports and dashboards skip scanning every touch.

- `activity_rollup`: outbound dials and LinkedIn messages per rep, local day, hour, kind and warmth,
  with the counts the call and message metrics sum (dials, connects, booked, talk time, duplicates).
- `meeting_touches`: per meeting, the touches that attribution may credit with it — the rep's
  non-duplicate outbound calls, messages and invitations with that contact in the
  CANDIDATE_WINDOW_DAYS before the meeting was booked (or started) — plus, for a meeting booked on a
  call, that call's warmth.
- `meeting_credits`: the attribution of every meeting under each rule at the default window
  (Definitions().attribution_window_days), so changing dates, team or rep re-reads credits
  instead of re-attributing; another window is attributed live from `meeting_touches`.
- `rollup_meta`: the settings the rollups were built with.

They are rebuilt with the other derived tables after every import. A query whose definitions ask for
something they did not precompute (a connect talk-time threshold other than the one in `rollup_meta`,
an attribution window longer than CANDIDATE_WINDOW_DAYS) or a database built before they existed
reads `touch_facts` directly: same numbers, just slower (`socialsell.metrics` decides per query).
"""

from __future__ import annotations

from typing import NamedTuple

import duckdb

from socialsell.definitions import ATTRIBUTION_RULES, Definitions

__all__ = ["CANDIDATE_WINDOW_DAYS", "NONE", "ROLLUP_SQL", "Coverage", "covers", "rebuild_rollups"]

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


class Coverage(NamedTuple):
    """Which rollups can answer a query's definitions."""

    activity: bool  # activity_rollup: same connect talk-time threshold
    candidates: bool  # meeting_touches: window within CANDIDATE_WINDOW_DAYS
    credits: bool  # meeting_credits: the default window


NONE = Coverage(False, False, False)


def rebuild_rollups(con: duckdb.DuckDBPyConnection, d: Definitions | None = None) -> None:
    """Recompute the rollups from touch_facts and meetings_unique (after those are rebuilt)."""
    from socialsell import metrics  # metrics reads the rollups; the credits are its attribution

    d = d or Definitions()
    con.execute(_ACTIVITY.format(connect_min_talk_s=int(d.connect_min_talk_s)))
    con.execute(_MEETING_TOUCHES)
    window = Definitions().attribution_window_days
    credits = " UNION ALL ".join(
        f"SELECT '{rule}' AS rule, * EXCLUDE (team, held) FROM ("
        + metrics.attribution_sql(Definitions(attribution_rule=rule), Coverage(True, True, False))
        + ")"
        for rule in ATTRIBUTION_RULES
    )
    con.execute(f"CREATE OR REPLACE TABLE meeting_credits AS {credits}")
    con.execute(
        "CREATE OR REPLACE TABLE rollup_meta AS "
        f"SELECT {int(d.connect_min_talk_s)} AS connect_min_talk_s, {CANDIDATE_WINDOW_DAYS} AS window_days, "
        f"{window} AS credits_window_days"
    )


def covers(con: duckdb.DuckDBPyConnection, d: Definitions) -> Coverage:
    """Whether the rollups can answer `d` (NONE on a database built before they existed)."""
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'rollup_meta' AND schema_name = 'main'"
    ).fetchall()[0][0]
    if not exists:
        return NONE
    talk_s, window, credits_window = con.execute(
        "SELECT connect_min_talk_s, window_days, credits_window_days FROM rollup_meta"
    ).fetchall()[0]
    return Coverage(
        talk_s == d.connect_min_talk_s,
        d.attribution_window_days <= window,
        d.attribution_window_days == credits_window,
    )
