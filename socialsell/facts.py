"""Derived fact tables the metrics read, rebuilt after every import (after identities are resolved).

- `touch_facts`: every counted touch with its contact_id, whether it repeats the same call from
  another export (`duplicate_call`), and whether the contact was warm at that moment.
- `thread_facts`: one row per 1:1 LinkedIn thread: who started it, replies, messages each way.
- `invitation_facts`: one row per LinkedIn invitation, with whether it was accepted.

Warm: before the touch, the contact was already the rep's LinkedIn connection (an earlier day),
an earlier customer, or an earlier conversation partner (wrote to the rep, or took a connected
call). Cold otherwise.
"""

from __future__ import annotations

import duckdb

__all__ = ["DUPLICATE_CALL_SECONDS", "rebuild_facts"]

# The same call logged by a dialer and by the CRM: same rep, contact and direction, this close in time.
DUPLICATE_CALL_SECONDS = 120

# Warm needs only three "since" moments per (rep, contact), not a window over every touch:
# connected (day), customer (day), first two-way contact (instant). A touch is warm when one of them
# lies before it. Duplicate calls are looked for only when calls come from more than one source.
_TOUCH_FACTS = f"""
CREATE OR REPLACE TABLE touch_facts AS
WITH base AS NOT MATERIALIZED (  -- read where used: materialised, it holds every touch in memory
    SELECT t.source, t.source_id, t.rep_id, ci.contact_id, t.contact_key, t.channel, t.kind, t.direction,
           t.occurred_at, t.local_day, t.local_week, t.local_hour, t.duration_s, t.outcome, t.thread_id,
           t.message_length, t.template_hash, t.address_form, t.language,
           t.template_bands, t.has_scheduling_link, t.proposes_time, t.confirms_meeting,
           coalesce(ci.contact_id, t.contact_key) AS who
    FROM touches t LEFT JOIN contact_identities ci ON ci.identity = t.contact_key
    WHERE t.exclusion IS NULL
),
since AS (
    SELECT rep_id, who,
        min(local_day) FILTER (WHERE kind = 'connection') AS connected_day,
        min(occurred_at) FILTER (WHERE kind <> 'connection') AS two_way_at
    FROM base
    WHERE who IS NOT NULL AND (kind = 'connection' OR (kind = 'message' AND direction = 'inbound')
                               OR (kind = 'call' AND outcome IN ('connected', 'meeting_booked')))
    GROUP BY ALL
),
threads AS (
    SELECT rep_id, thread_id, min(occurred_at) AS thread_at, arg_min(local_day, occurred_at) AS thread_day
    FROM base WHERE kind = 'message' AND thread_id IS NOT NULL GROUP BY ALL
),
calls_from_several_sources AS (
    SELECT count(DISTINCT source) > 1 AS several FROM base WHERE kind = 'call'
),
duplicates AS (
    SELECT source, source_id FROM (
        SELECT source, source_id,
            lag(source) OVER w IS DISTINCT FROM source
            AND occurred_at - lag(occurred_at) OVER w <= INTERVAL {DUPLICATE_CALL_SECONDS} SECOND AS dup
        FROM base WHERE kind = 'call' AND contact_id IS NOT NULL
                    AND (SELECT several FROM calls_from_several_sources)
        WINDOW w AS (PARTITION BY rep_id, contact_id, direction ORDER BY occurred_at, source, source_id)
    ) WHERE dup
),
marked AS (
    SELECT b.*, s.connected_day, s.two_way_at, c.customer_since, th.thread_at, th.thread_day,
           d.source_id IS NOT NULL AS duplicate
    FROM base b
    LEFT JOIN since s ON s.rep_id = b.rep_id AND s.who = b.who
    LEFT JOIN contacts c ON c.contact_id = b.contact_id
    LEFT JOIN threads th ON th.rep_id = b.rep_id AND th.thread_id = b.thread_id AND b.kind = 'message'
    LEFT JOIN duplicates d ON d.source = b.source AND d.source_id = b.source_id
)
SELECT * EXCLUDE (who, connected_day, two_way_at, customer_since, thread_at, thread_day),
    CASE WHEN contact_id IS NULL THEN NULL
         WHEN connected_day < local_day THEN 'connection'
         WHEN customer_since < local_day THEN 'customer'
         WHEN two_way_at < occurred_at THEN 'conversation' END AS warm_reason,
    {{warm_at}} AS warm,
    CASE WHEN kind = 'message' AND thread_at IS NOT NULL THEN {{warm_thread}} ELSE {{warm_at}} END AS episode_warm
FROM marked
"""


def _warm(day: str, instant: str) -> str:
    return (
        f"CASE WHEN contact_id IS NOT NULL THEN coalesce(connected_day < {day}, false) "
        f"OR coalesce(customer_since < {day}, false) OR coalesce(two_way_at < {instant}, false) END"
    )


_TOUCH_FACTS = _TOUCH_FACTS.format(
    warm_at=_warm("local_day", "occurred_at"), warm_thread=_warm("thread_day", "thread_at")
)

_THREAD_FACTS = """
CREATE OR REPLACE TABLE thread_facts AS
WITH m AS (
    SELECT *, min(occurred_at) FILTER (WHERE direction = 'outbound') OVER (PARTITION BY rep_id, thread_id)
              AS first_outbound_at
    FROM touch_facts WHERE kind = 'message' AND thread_id IS NOT NULL
)
SELECT rep_id, thread_id, any_value(contact_id) AS contact_id, any_value(contact_key) AS contact_key,
    min(occurred_at) AS started_at, arg_min(local_day, occurred_at) AS local_day,
    arg_min(local_week, occurred_at) AS local_week,
    arg_min(direction, occurred_at) = 'outbound' AS started_by_rep,
    min(first_outbound_at) AS first_outbound_at,
    min(occurred_at) FILTER (WHERE direction = 'inbound' AND occurred_at > first_outbound_at) AS first_reply_at,
    count(*) FILTER (WHERE direction = 'outbound') AS outbound_messages,
    count(*) FILTER (WHERE direction = 'inbound') AS inbound_messages,
    arg_min(warm, occurred_at) AS warm, arg_min(warm_reason, occurred_at) AS warm_reason,
    arg_min(template_hash, occurred_at) FILTER (WHERE direction = 'outbound') AS first_template_hash,
    arg_min(address_form, occurred_at) FILTER (WHERE direction = 'outbound') AS first_address_form,
    arg_min(language, occurred_at) FILTER (WHERE direction = 'outbound') AS first_language,
    arg_min(message_length, occurred_at) FILTER (WHERE direction = 'outbound') AS first_message_length
FROM m GROUP BY rep_id, thread_id
"""

_INVITATION_FACTS = """
CREATE OR REPLACE TABLE invitation_facts AS
WITH connections AS (
    SELECT rep_id, contact_id, min(local_day) AS connected_day
    FROM touch_facts WHERE kind = 'connection' AND contact_id IS NOT NULL GROUP BY ALL
)
SELECT i.rep_id, i.contact_id, i.direction, i.occurred_at, i.local_day, i.local_week, i.warm,
    coalesce(i.message_length, 0) > 0 AS has_note,
    c.connected_day IS NOT NULL AND c.connected_day >= i.local_day - 1 AS accepted
FROM touch_facts i LEFT JOIN connections c USING (rep_id, contact_id)
WHERE i.kind = 'invitation'
"""


def rebuild_facts(con: duckdb.DuckDBPyConnection) -> None:
    """Recompute touch, thread and invitation facts from touches and resolved identities."""
    for sql in (_TOUCH_FACTS, _THREAD_FACTS, _INVITATION_FACTS):
        con.execute(sql)
