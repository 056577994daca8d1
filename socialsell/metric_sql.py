"""Metrics as named SQL, each count's condition defined once: `METRIC_SQL` counts the rows of `ROWS`
on the conditions of `COUNTED`, socialsell.metrics runs it, socialsell.trace lists the same rows.
"""

from __future__ import annotations

from socialsell import rollups
from socialsell.definitions import Definitions

__all__ = [
    "COUNTED",
    "DIMENSIONS",
    "METRIC_SQL",
    "ROWS",
    "attribution_sql",
    "candidate_touches_sql",
    "conditions",
    "dimension_sql",
    "named_sql",
    "scope",
]

# Grouping dimensions: the SQL expression per source table (touches/threads/meetings share these names).
DIMENSIONS = {
    "total": "'all'",
    "rep": "rep_id",
    "team": "coalesce(team, '(no team)')",
    "week": "local_week",
    "month": "date_trunc('month', local_day)::DATE",
    "warm": "CASE WHEN warm THEN 'warm' WHEN warm IS NULL THEN 'unknown' ELSE 'cold' END",
}

# The rows behind every count, each condition named once: METRIC_SQL counts them, socialsell.trace
# lists them. ROWS: the fact rows a metric query reads (table, condition). COUNTED: per count, its
# rows (a ROWS name, or "attribution": the rows of `attribution`) and the condition a row counts on;
# {placeholders} are settings (`conditions(d)` fills them in). Meetings from calls/social sum `credit`.
ROWS: dict[str, tuple[str, str]] = {
    "calls": ("touch_facts", "kind = 'call' AND direction = 'outbound'"),
    "threads": ("thread_facts", "true"),
    "messages": ("touch_facts", "kind = 'message' AND direction = 'outbound'"),
    "invitations": ("invitation_facts", "direction = 'outbound'"),
}
_CONVERSATION = "outbound_messages >= {min_each_way} AND inbound_messages >= {min_each_way}"
COUNTED: dict[str, tuple[str, str]] = {
    # Outbound calls counted once (the same call from a dialer and a CRM export is one dial).
    "dials": ("calls", "NOT duplicate"),
    "connects": (
        "calls",
        "NOT duplicate AND (outcome IN ('connected', 'meeting_booked')"
        " OR (outcome IS NULL AND duration_s >= {connect_min_talk_s}))",
    ),
    "booked_on_call": ("calls", "NOT duplicate AND outcome = 'meeting_booked'"),
    "outreach": ("threads", "started_by_rep"),
    "replied": ("threads", "started_by_rep AND first_reply_at IS NOT NULL"),
    "conversations": ("threads", _CONVERSATION),
    "outreach_conversations": ("threads", f"started_by_rep AND {_CONVERSATION}"),
    "messages_sent": ("messages", "true"),
    "invitations_sent": ("invitations", "true"),
    "invitations_with_note": ("invitations", "has_note"),
    "invitations_accepted": ("invitations", "accepted"),
    "meetings": ("attribution", "meeting_row"),
    "meetings_held": ("attribution", "meeting_row AND held"),
    "meetings_from_calls": ("attribution", "channel = 'phone'"),
    "meetings_from_social": ("attribution", "channel = 'linkedin'"),
    "meetings_unattributed": ("attribution", "channel = 'unattributed'"),
}

# Meetings attribution credits: not cancelled; `ref` ends the window (when booked, else when it starts).
_MEETINGS = """SELECT mu.*, coalesce(mu.booked_at, mu.starts_at) AS ref, r.team
            FROM meetings_unique mu LEFT JOIN reps r USING (rep_id)
            WHERE mu.status <> 'cancelled' {dates}"""
# How attribution ranks a meeting's touches: latest first / earliest first (ties: channel, source, id).
_LAST_KEY = "(-epoch_us(f.occurred_at), f.channel, f.source, f.source_id)"
_FIRST_KEY = "(epoch_us(f.occurred_at), f.channel, f.source, f.source_id)"

METRIC_SQL: dict[str, str] = {
    "calls": """
        SELECT {dim} AS "group", count(*) FILTER (WHERE {dials}) AS dials,
            count(*) FILTER (WHERE {connects}) AS connects,
            count(*) FILTER (WHERE {booked_on_call}) AS booked_on_call,
            coalesce(sum(duration_s) FILTER (WHERE {dials}), 0)::BIGINT AS talk_s,
            count(*) FILTER (WHERE duplicate) AS duplicate_calls_excluded
        FROM (SELECT f.*, r.team FROM touch_facts f LEFT JOIN reps r USING (rep_id)
              WHERE {calls} {dates})
        GROUP BY 1""",
    "social": """
        SELECT {dim} AS "group",
            count(*) FILTER (WHERE {outreach}) AS outreach,
            count(*) FILTER (WHERE {replied}) AS replied,
            count(*) FILTER (WHERE {conversations}) AS conversations,
            count(*) FILTER (WHERE {outreach_conversations}) AS outreach_conversations
        FROM (SELECT t.*, r.team FROM thread_facts t LEFT JOIN reps r USING (rep_id) WHERE {threads} {dates})
        GROUP BY 1""",
    "messages": """
        SELECT {dim} AS "group", count(*) FILTER (WHERE {messages_sent}) AS messages_sent
        FROM (SELECT f.* REPLACE (f.episode_warm AS warm), r.team FROM touch_facts f LEFT JOIN reps r USING (rep_id)
              WHERE {messages} {dates})
        GROUP BY 1""",
    "invitations": """
        SELECT {dim} AS "group", count(*) FILTER (WHERE {invitations_sent}) AS invitations_sent,
            count(*) FILTER (WHERE {invitations_with_note}) AS invitations_with_note,
            count(*) FILTER (WHERE {invitations_accepted}) AS invitations_accepted
        FROM (SELECT i.*, r.team FROM invitation_facts i LEFT JOIN reps r USING (rep_id)
              WHERE {invitations} {dates})
        GROUP BY 1""",
    # Rep activity by local weekday (1 = Monday) and hour: dials and LinkedIn messages written.
    "heatmap": """
        SELECT isodow(local_day) AS weekday, local_hour AS hour,
            count(*) FILTER (WHERE kind = 'call') AS dials,
            count(*) FILTER (WHERE kind = 'message') AS messages
        FROM (SELECT f.*, r.team FROM touch_facts f LEFT JOIN reps r USING (rep_id)
              WHERE direction = 'outbound' AND kind IN ('call', 'message') AND NOT duplicate {dates})
        GROUP BY ALL ORDER BY ALL""",
    # Candidate touches of a meeting: the rep's touches with that contact in the window before
    # the meeting was booked (or, without a booking time, before it started).
    "attribution": """
        WITH m AS ({meetings}),
        -- Per (meeting, channel): touches and the channel's last and first touch as sort keys
        -- (latest first / earliest first; ties broken by channel, source, source_id).
        per_channel AS (
            SELECT m.meeting_id, f.channel, count(*) AS touches,
                   min({last_key}) AS last_key, arg_min(f.episode_warm, {last_key}) AS last_warm,
                   min({first_key}) AS first_key
            {candidate_join}
            GROUP BY ALL
        ),
        -- warm or cold is the meeting's: as of its last touch (a thread: as of its start)
        per_meeting AS (
            SELECT meeting_id, sum(touches) AS touches, arg_min(channel, last_key) AS last_channel,
                   arg_min(channel, first_key) AS first_channel, arg_min(last_warm, last_key) AS warm,
                   min(channel) AS min_channel
            FROM per_channel GROUP BY meeting_id
        ),
        credit AS (
            SELECT m.meeting_id, 'phone' AS channel, 1.0 AS credit, b.warm, 'booked on call' AS how,
                   true AS meeting_row
            FROM m LEFT JOIN {booking_calls} WHERE m.booked_by_call IS NOT NULL
            UNION ALL
            {credit}
        )
        SELECT m.meeting_id, m.rep_id, m.team, m.contact_id, m.starts_at, m.booked_at, m.status, m.origin,
               m.local_day, m.local_week, coalesce(c.channel, 'unattributed') AS channel,
               coalesce(c.credit, 1.0)::DOUBLE AS credit, c.warm, coalesce(c.how, 'no touch in window') AS how,
               m.status IN ('completed') OR (m.status = 'scheduled' AND m.starts_at < now()) AS held,
               m.booked_by_call, coalesce(c.meeting_row, true) AS meeting_row
        FROM m LEFT JOIN credit c USING (meeting_id)""",
}

# Attribution at the default window, precomputed per rule (socialsell.rollups `meeting_credits`).
_FROM_CREDITS = """
        SELECT mu.meeting_id, mu.rep_id, r.team, mu.contact_id, mu.starts_at, mu.booked_at, mu.status,
               mu.origin, mu.local_day, mu.local_week, mu.channel, mu.credit, mu.warm, mu.how,
               mu.status IN ('completed') OR (mu.status = 'scheduled' AND mu.starts_at < now()) AS held,
               mu.booked_by_call, mu.meeting_row
        FROM meeting_credits mu LEFT JOIN reps r USING (rep_id)
        WHERE mu.rule = '{rule}' {dates}"""

# Where attribution finds a meeting's candidate touches and its booking call: straight from touch_facts,
# or from the precomputed `meeting_touches` (socialsell.rollups) when it covers the window.
_CANDIDATES = {
    "touch_facts": (
        """FROM m JOIN touch_facts f
              ON f.rep_id = m.rep_id AND f.contact_id = m.contact_id
             AND f.occurred_at BETWEEN m.ref - INTERVAL {window_days} DAY AND m.ref
            WHERE m.booked_by_call IS NULL AND NOT f.duplicate
              AND ((f.kind = 'call' AND f.direction = 'outbound') OR f.kind IN ('message', 'invitation'))""",
        """(SELECT source || ':' || source_id AS call, episode_warm AS warm FROM touch_facts
                              WHERE outcome = 'meeting_booked' AND NOT duplicate) b ON b.call = m.booked_by_call""",
    ),
    "meeting_touches": (
        """FROM m JOIN meeting_touches f
              ON f.meeting_id = m.meeting_id AND NOT f.booking_call
             AND f.occurred_at >= m.ref - INTERVAL {window_days} DAY""",
        """(SELECT meeting_id, episode_warm AS warm FROM meeting_touches WHERE booking_call) b
                 ON b.meeting_id = m.meeting_id""",
    ),
}

_RULES = {
    "last_touch": "SELECT meeting_id, last_channel, 1.0, warm, 'last_touch', true FROM per_meeting",
    "first_touch": "SELECT meeting_id, first_channel, 1.0, warm, 'first_touch', true FROM per_meeting",
    "split": """SELECT meeting_id, pc.channel, pc.touches / pm.touches, pm.warm, 'split',
                   pc.channel = pm.min_channel
            FROM per_channel pc JOIN per_meeting pm USING (meeting_id)""",
}


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def scope(d: Definitions, day: str = "local_day", prefix: str = "") -> str:
    """SQL conditions (each starting with AND) for the date range, reps and teams of `d`."""
    parts = []
    if d.date_from:
        parts.append(f"AND {prefix}{day} >= DATE '{d.date_from.isoformat()}'")
    if d.date_to:
        parts.append(f"AND {prefix}{day} <= DATE '{d.date_to.isoformat()}'")
    if d.reps:
        parts.append(f"AND {prefix}rep_id IN ({', '.join(map(_quote, d.reps))})")
    if d.teams:
        parts.append(f"AND r.team IN ({', '.join(map(_quote, d.teams))})")
    return " ".join(parts)


def conditions(d: Definitions) -> dict[str, str]:
    """Every named condition of ROWS and COUNTED as SQL for the settings of `d`, in parentheses."""
    settings = {
        "connect_min_talk_s": int(d.connect_min_talk_s),
        "min_each_way": int(d.conversation_min_each_way),
    }
    named = {name: rows for name, (_, rows) in ROWS.items()} | {name: c for name, (_, c) in COUNTED.items()}
    return {name: f"({condition.format(**settings)})" for name, condition in named.items()}


def dimension_sql(dim: str) -> str:
    """SQL of a grouping: a DIMENSIONS name, or several joined by "+" ("week+warm"), grouped in one pass
    as a struct with a field per dimension."""
    names = dim.split("+")
    unknown = [name for name in names if name not in DIMENSIONS]
    if unknown or len(set(names)) < len(names):
        raise ValueError(f"--by {dim!r}: use one of {', '.join(DIMENSIONS)}, or several joined by '+'")
    if len(names) == 1:
        return DIMENSIONS[dim]
    return "{" + ", ".join(f"'{name}': {DIMENSIONS[name]}" for name in names) + "}"


def named_sql(name: str, d: Definitions, dim: str = "total", fast: rollups.Coverage = rollups.NONE) -> str:
    """The named metric's SQL for `d` and grouping `dim`; `fast` = rollups.covers(con, d)."""
    if name == "attribution":
        return attribution_sql(d, fast)
    template = rollups.ROLLUP_SQL[name] if fast.activity and name in rollups.ROLLUP_SQL else METRIC_SQL[name]
    return template.format(dim=dimension_sql(dim), dates=scope(d), **conditions(d))


def attribution_sql(d: Definitions, fast: rollups.Coverage = rollups.NONE) -> str:
    """SQL of `attribution(con, d)`: from the precomputed credits, the candidate rollup, or touch_facts."""
    dates = scope(d, prefix="mu.")
    if fast.credits:
        return _FROM_CREDITS.format(rule=d.attribution_rule, dates=dates)
    candidate_join, booking_calls = _CANDIDATES["meeting_touches" if fast.candidates else "touch_facts"]
    return METRIC_SQL["attribution"].format(
        meetings=_MEETINGS.format(dates=dates),
        candidate_join=candidate_join.format(window_days=int(d.attribution_window_days)),
        booking_calls=booking_calls,
        last_key=_LAST_KEY,
        first_key=_FIRST_KEY,
        credit=_RULES[d.attribution_rule],
    )


def candidate_touches_sql(d: Definitions) -> str:
    """SQL of the touches attribution may credit with each meeting in scope of `d`: meeting_id,
    channel, source, source_id, occurred_at, and `last_rank` / `first_rank` (1 on the touch the
    last_touch / first_touch rule credits). A meeting booked on a call has none: `booked_by_call`
    names its call, which takes the whole credit."""
    candidate_join = _CANDIDATES["touch_facts"][0].format(window_days=int(d.attribution_window_days))
    return f"""WITH m AS ({_MEETINGS.format(dates=scope(d, prefix="mu."))})
        SELECT m.meeting_id, f.channel, f.source, f.source_id, f.occurred_at,
               row_number() OVER (PARTITION BY m.meeting_id ORDER BY {_LAST_KEY}) AS last_rank,
               row_number() OVER (PARTITION BY m.meeting_id ORDER BY {_FIRST_KEY}) AS first_rank
        {candidate_join}"""
