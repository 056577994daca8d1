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

_TOUCH_FACTS = f"""
CREATE OR REPLACE TABLE touch_facts AS
WITH base AS (
    SELECT t.source, t.source_id, t.rep_id, ci.contact_id, t.contact_key, t.channel, t.kind, t.direction,
           t.occurred_at, t.local_day, t.local_week, t.local_hour, t.duration_s, t.outcome, t.thread_id,
           t.message_length, t.template_hash, t.address_form, t.language, t.has_scheduling_link,
           t.proposes_time, t.source_file, t.source_row
    FROM touches t LEFT JOIN contact_identities ci ON ci.identity = t.contact_key
    WHERE t.exclusion IS NULL
),
ordered AS (
    SELECT *,
        kind = 'call' AND contact_id IS NOT NULL
        AND lag(source) OVER w IS DISTINCT FROM source
        AND occurred_at - lag(occurred_at) OVER w <= INTERVAL {DUPLICATE_CALL_SECONDS} SECOND AS duplicate_call
    FROM base
    WINDOW w AS (PARTITION BY rep_id, contact_id, kind, direction ORDER BY occurred_at, source, source_id)
),
customers AS (SELECT contact_id, customer_since FROM contacts WHERE customer_since IS NOT NULL)
SELECT o.*,
    coalesce(o.duplicate_call, false) AS duplicate,
    max(CASE WHEN o.kind = 'connection' THEN o.local_day END) OVER prior AS connected_day,
    max(CASE WHEN (o.kind = 'message' AND o.direction = 'inbound')
              OR (o.kind = 'call' AND o.outcome IN ('connected', 'meeting_booked'))
             THEN o.occurred_at END) OVER prior AS last_two_way_at,
    c.customer_since
FROM ordered o LEFT JOIN customers c USING (contact_id)
WINDOW prior AS (PARTITION BY o.rep_id, coalesce(o.contact_id, o.contact_key)
                 ORDER BY o.occurred_at ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
"""

_WARM_EXPR = """CASE WHEN contact_id IS NOT NULL THEN coalesce(connected_day < local_day, false)
         OR coalesce(customer_since < local_day, false) OR last_two_way_at IS NOT NULL END"""

# `episode_warm`: for a LinkedIn message, whether the contact was warm when its thread started (a
# cold thread stays a cold episode after the prospect replies); for other touches, `warm`.
_WARM = f"""
CREATE OR REPLACE TABLE touch_facts AS
SELECT * EXCLUDE (connected_day, last_two_way_at, customer_since, duplicate_call),
    CASE WHEN contact_id IS NULL THEN NULL
         WHEN connected_day < local_day THEN 'connection'
         WHEN customer_since < local_day THEN 'customer'
         WHEN last_two_way_at IS NOT NULL THEN 'conversation' END AS warm_reason,
    {_WARM_EXPR} AS warm,
    CASE WHEN kind = 'message' AND thread_id IS NOT NULL
         THEN first_value({_WARM_EXPR}) OVER (PARTITION BY rep_id, thread_id ORDER BY occurred_at)
         ELSE {_WARM_EXPR} END AS episode_warm
FROM touch_facts
"""

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
    for sql in (_TOUCH_FACTS, _WARM, _THREAD_FACTS, _INVITATION_FACTS):
        con.execute(sql)
