"""Derived tables rebuilt after every import: who is who across channels, and each meeting once.

`contact_identities` maps every identity seen (li:…, mail:…, tel:…, name:…|company) to one contact;
identities are linked when one record or touch carries both (a CRM contact with e-mail, phone and
LinkedIn URL; a call logged with the contact's name and company). `meetings_unique` keeps one row per
real meeting: a calendar event and the CRM record of the same meeting merge, and a call whose outcome
says "meeting booked" becomes a meeting of its own only when no calendar/CRM meeting follows it.
"""

from __future__ import annotations

import hashlib

import duckdb
import numpy as np
import polars as pl
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from socialsell import facts, identity, rollups

__all__ = ["DERIVED_DDL", "create_derived", "rebuild"]

DERIVED_DDL = {
    "contact_identities": """CREATE TABLE contact_identities (
        identity VARCHAR NOT NULL, contact_id VARCHAR NOT NULL, kind VARCHAR NOT NULL)""",
    "contacts": """CREATE TABLE contacts (
        contact_id VARCHAR NOT NULL, display_name VARCHAR, company VARCHAR, email VARCHAR,
        phone_e164 VARCHAR, linkedin_url VARCHAR, segment VARCHAR, consent_calls BOOLEAN,
        consent_email BOOLEAN, connected_on DATE, customer_since DATE, identity_kinds VARCHAR[],
        records INTEGER)""",
    "meetings_unique": """CREATE TABLE meetings_unique (
        meeting_id VARCHAR NOT NULL, rep_id VARCHAR, contact_id VARCHAR, contact_key VARCHAR,
        starts_at TIMESTAMPTZ, booked_at TIMESTAMPTZ, status VARCHAR, origin VARCHAR,
        booked_by_call VARCHAR, records INTEGER, local_day DATE, local_week DATE,
        source VARCHAR, source_id VARCHAR)""",
}

# How long after a "meeting booked" call a calendar/CRM meeting with the same contact is that meeting.
BOOKED_CALL_WINDOW_DAYS = 60


def create_derived(con: duckdb.DuckDBPyConnection) -> None:
    for ddl in DERIVED_DDL.values():
        con.execute(ddl)
    facts.rebuild_facts(con)
    rollups.rebuild_rollups(con)


def rebuild(con: duckdb.DuckDBPyConnection) -> None:
    """Recompute every derived table from the fact tables (deterministic, so imports stay idempotent)."""
    _rebuild_identities(con)
    _rebuild_contacts(con)
    facts.rebuild_facts(con)
    _rebuild_meetings(con)
    rollups.rebuild_rollups(con)


def _record_links(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    records = con.sql(
        f"""SELECT source || ':' || source_id AS node,
                  'mail:' || email AS mail, 'tel:' || phone_e164 AS tel, 'tel:' || mobile_e164 AS mobile,
                  'li:' || replace(linkedin_url, 'https://www.linkedin.com/', '') AS li,
                  {identity.name_key_sql("full_name", "company")} AS name
           FROM contact_records"""
    ).pl()
    if not len(records):
        return pl.DataFrame(schema={"node": pl.String, "identity": pl.String})
    return records.unpivot(
        index="node", on=["mail", "tel", "mobile", "li", "name"], value_name="identity"
    ).select("node", "identity")


def _touch_links(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    # Distinct contact fields first: the name key's folding then runs once per contact, not per touch.
    touches = con.sql(
        f"""SELECT DISTINCT contact_key, 'mail:' || contact_email AS mail, 'tel:' || contact_phone AS tel,
                  {identity.name_key_sql("contact_name", "contact_company")} AS name
           FROM (SELECT DISTINCT contact_key, contact_email, contact_phone, contact_name, contact_company
                 FROM touches WHERE contact_key IS NOT NULL)"""
    ).pl()
    links = touches.unpivot(index="contact_key", on=["mail", "tel", "name"], value_name="identity")
    meeting_keys = con.sql(
        "SELECT DISTINCT unnest(list_append(coalesce(attendee_keys, []), contact_key)) AS k FROM meetings"
    ).pl()
    return pl.concat(
        [
            links.select(pl.col("contact_key").alias("node"), "identity"),
            touches.select(pl.col("contact_key").alias("node"), pl.col("contact_key").alias("identity")),
            meeting_keys.select(pl.col("k").alias("node"), pl.col("k").alias("identity")),
        ]
    )


def _components(links: pl.DataFrame) -> pl.DataFrame:
    """Connected components of the (node, identity) graph: identity → contact_id, kind.

    A contact's id is named after the smallest identity in its component, so it does not depend
    on record ids or import order.
    """
    nodes = pl.concat([("#" + links["node"]), links["identity"]])
    names = nodes.unique().sort()
    index = pl.DataFrame({"name": names, "i": pl.int_range(len(names), eager=True)})
    edges = (
        links.select(a="#" + pl.col("node"), b="identity")
        .join(index.rename({"name": "a", "i": "ia"}), on="a")
        .join(index.rename({"name": "b", "i": "ib"}), on="b")
    )
    graph = coo_matrix(
        (np.ones(len(edges), dtype=np.int8), (edges["ia"].to_numpy(), edges["ib"].to_numpy())),
        shape=(len(names), len(names)),
    )
    _, label = connected_components(graph, directed=False)
    identities = index.with_columns(component=pl.Series(label)).filter(~pl.col("name").str.starts_with("#"))
    first = identities.group_by("component").agg(pl.col("name").min().alias("first"))
    first = first.with_columns(contact_id="c-" + _md5_12(first["first"]))
    return identities.join(first, on="component").select(
        pl.col("name").alias("identity"),
        "contact_id",
        pl.col("name").str.split(":").list.first().alias("kind"),
    )


def _md5_12(values: pl.Series) -> pl.Series:
    return pl.Series([hashlib.md5(v.encode()).hexdigest()[:12] for v in values.to_list()], dtype=pl.String)


def _rebuild_identities(con: duckdb.DuckDBPyConnection) -> None:
    links = pl.concat([_record_links(con), _touch_links(con)]).drop_nulls().unique()
    frame = _components(links) if len(links) else pl.DataFrame(schema=["identity", "contact_id", "kind"])
    con.execute("DELETE FROM contact_identities")
    if len(frame):
        con.register("_identities", frame)
        con.execute("INSERT INTO contact_identities SELECT identity, contact_id, kind FROM _identities")
        con.unregister("_identities")


def _rebuild_contacts(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("DELETE FROM contacts")
    con.execute(
        """INSERT INTO contacts
        WITH rec AS (
            SELECT ci.contact_id, r.* FROM contact_records r
            JOIN contact_identities ci ON ci.identity = coalesce(
                'mail:' || r.email, 'tel:' || r.phone_e164, 'tel:' || r.mobile_e164,
                'li:' || replace(r.linkedin_url, 'https://www.linkedin.com/', ''))
        ),
        from_records AS (
            SELECT contact_id, first(full_name ORDER BY source, source_id) AS display_name,
                   first(company ORDER BY source, source_id) FILTER (WHERE company IS NOT NULL) AS company,
                   min(email) AS email, min(phone_e164) AS phone_e164, min(linkedin_url) AS linkedin_url,
                   CASE WHEN bool_or(segment = 'B2C') THEN 'B2C' WHEN bool_or(segment = 'B2B') THEN 'B2B' END
                       AS segment,
                   CASE WHEN bool_or(consent_calls = false) THEN false ELSE bool_or(consent_calls) END
                       AS consent_calls,
                   CASE WHEN bool_or(consent_email = false) THEN false ELSE bool_or(consent_email) END
                       AS consent_email,
                   min(connected_on) AS connected_on, min(customer_since) AS customer_since,
                   count(*) AS records
            FROM rec GROUP BY contact_id
        ),
        from_touches AS (
            SELECT ci.contact_id, min(t.contact_name) AS display_name, min(t.contact_company) AS company
            FROM touches t JOIN contact_identities ci ON ci.identity = t.contact_key GROUP BY ci.contact_id
        ),
        kinds AS (SELECT contact_id, list_sort(list(DISTINCT kind)) AS kinds FROM contact_identities GROUP BY 1)
        SELECT k.contact_id, coalesce(r.display_name, t.display_name), coalesce(r.company, t.company), r.email,
               r.phone_e164, r.linkedin_url, r.segment, r.consent_calls, r.consent_email, r.connected_on,
               r.customer_since, k.kinds, coalesce(r.records, 0)
        FROM kinds k LEFT JOIN from_records r USING (contact_id) LEFT JOIN from_touches t USING (contact_id)"""
    )


def _rebuild_meetings(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("DELETE FROM meetings_unique")
    con.execute(
        f"""INSERT INTO meetings_unique
        WITH m AS (
            SELECT m.*, ci.contact_id,
                   CASE origin WHEN 'calendar' THEN 1 WHEN 'crm' THEN 2 WHEN 'scheduler' THEN 3 ELSE 4 END AS rank
            FROM meetings m LEFT JOIN contact_identities ci ON ci.identity = m.contact_key
        ),
        grouped AS (
            SELECT rep_id, coalesce(contact_id, contact_key, source || ':' || source_id) AS who,
                   date_trunc('minute', starts_at) AS minute,
                   arg_min(source, (rank, source, source_id)) AS source,
                   arg_min(source_id, (rank, source, source_id)) AS source_id,
                   arg_min(origin, (rank, source, source_id)) AS origin,
                   any_value(contact_id) AS contact_id, arg_min(contact_key, rank) AS contact_key,
                   min(starts_at) AS starts_at, min(booked_at) AS booked_at,
                   -- the CRM knows whether a meeting took place; a calendar only that it was planned
                   coalesce(arg_min(status, rank) FILTER (WHERE status <> 'scheduled'), 'scheduled') AS status,
                   count(*) AS records, min(local_day) AS local_day, min(local_week) AS local_week
            FROM m GROUP BY ALL
        ),
        booked AS (  -- calls with outcome "meeting booked", each call once across exports
            SELECT source, source_id, rep_id, contact_id, contact_key, occurred_at, local_day, local_week
            FROM touch_facts WHERE outcome = 'meeting_booked' AND NOT duplicate
        ),
        matched AS (
            SELECT b.source || ':' || b.source_id AS call, g.source, g.source_id,
                   row_number() OVER (PARTITION BY b.source, b.source_id ORDER BY g.starts_at) AS nth_meeting,
                   row_number() OVER (PARTITION BY g.source, g.source_id ORDER BY b.occurred_at DESC) AS nth_call
            FROM booked b JOIN grouped g
              ON g.rep_id = b.rep_id AND g.contact_id = b.contact_id
             AND g.starts_at BETWEEN b.occurred_at - INTERVAL 1 DAY
                                 AND b.occurred_at + INTERVAL {BOOKED_CALL_WINDOW_DAYS} DAY
        ),
        pairs AS (SELECT * FROM matched WHERE nth_meeting = 1 AND nth_call = 1)
        SELECT 'm-' || md5(g.source || ':' || g.source_id)[:16], g.rep_id, g.contact_id, g.contact_key,
               g.starts_at, g.booked_at, g.status, g.origin, p.call, g.records, g.local_day, g.local_week,
               g.source, g.source_id
        FROM grouped g LEFT JOIN pairs p USING (source, source_id)
        UNION ALL
        SELECT 'm-' || md5(b.source || ':' || b.source_id)[:16], b.rep_id, b.contact_id, b.contact_key,
               NULL, b.occurred_at, 'scheduled', 'call_outcome', b.source || ':' || b.source_id, 1,
               b.local_day, b.local_week, b.source, b.source_id
        FROM booked b WHERE b.source || ':' || b.source_id NOT IN (SELECT call FROM pairs)"""
    )
