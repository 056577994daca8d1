"""What is loaded: row counts per table, per rep and per source (the `socialsell status` payload)."""

from __future__ import annotations

import duckdb

__all__ = ["STATUS_TABLES", "status"]

STATUS_TABLES = (
    "reps",
    "touches",
    "meetings",
    "meetings_unique",
    "contact_records",
    "contacts",
    "imports",
    "quarantine",
)


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict]:
    rel = con.sql(sql)
    return [dict(zip(rel.columns, row, strict=True)) for row in rel.fetchall()]


def status(con: duckdb.DuckDBPyConnection) -> dict:
    """Counts per table, per rep (touches by channel and kind, meetings) and per source.

    Returns a JSON-ready dict; its keys are documented in the README ("Status JSON").
    """
    tables = {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in STATUS_TABLES}
    reps = _rows(
        con,
        """SELECT r.rep_id, r.display_name, r.team, r.from_config,
                  count(*) FILTER (WHERE t.kind = 'call') AS calls,
                  count(*) FILTER (WHERE t.kind = 'message') AS linkedin_messages,
                  count(*) FILTER (WHERE t.kind = 'invitation') AS linkedin_invitations,
                  count(*) FILTER (WHERE t.kind = 'connection') AS linkedin_connections,
                  (SELECT count(*) FROM meetings_unique m WHERE m.rep_id = r.rep_id) AS meetings,
                  min(t.occurred_at)::VARCHAR AS first_touch, max(t.occurred_at)::VARCHAR AS last_touch
           FROM reps r LEFT JOIN touches t USING (rep_id)
           GROUP BY ALL ORDER BY r.team NULLS LAST, r.rep_id""",
    )
    by_source = _rows(
        con,
        """SELECT source, 'touches' AS "table", count(*) AS rows, count(DISTINCT source_file) AS files
           FROM touches GROUP BY source
           UNION ALL SELECT source, 'meetings', count(*), count(DISTINCT source_file) FROM meetings GROUP BY source
           UNION ALL SELECT source, 'contact_records', count(*), count(DISTINCT source_file)
               FROM contact_records GROUP BY source
           ORDER BY 2, 1""",
    )
    last = con.execute("SELECT max(finished_at)::VARCHAR FROM imports").fetchall()[0][0]
    return {"tables": tables, "reps": reps, "sources": by_source, "last_import": last}
