"""Data-quality figures: what was imported, what was left out and why, what could not be matched."""

from __future__ import annotations

import duckdb
import polars as pl

__all__ = ["QUALITY_SQL", "quality"]

# Named SQL, one query per figure; read by the CLI, the Data quality dashboard and the tests.
QUALITY_SQL: dict[str, str] = {
    "totals": """
        SELECT count(*) AS files, coalesce(sum(rows_read), 0) AS rows_read,
               coalesce(sum(rows_loaded), 0) AS rows_loaded, coalesce(sum(rows_duplicate), 0) AS rows_duplicate,
               coalesce(sum(rows_quarantined), 0) AS rows_quarantined, coalesce(sum(rows_skipped), 0) AS rows_skipped
        FROM imports""",
    "imports": """
        SELECT strftime(finished_at, '%Y-%m-%d %H:%M') AS finished_at, regexp_extract(file, '[^/]+$') AS file, format, rep_id, rows_read, rows_loaded,
               rows_duplicate, rows_quarantined, rows_skipped, notes
        FROM imports ORDER BY imports.finished_at DESC, file""",
    "quarantine_reasons": """
        SELECT regexp_replace(reason, '''[^'']*''', '''…''', 'g') AS reason, count(*) AS rows,
               count(DISTINCT file) AS files
        FROM quarantine GROUP BY 1 ORDER BY rows DESC, reason""",
    "quarantine_rows": """
        SELECT regexp_extract(file, '[^/]+$') AS file, line, column_name, reason, raw
        FROM quarantine ORDER BY file, line""",
    "exclusions": """
        SELECT channel, kind, exclusion, count(*) AS touches FROM touches
        WHERE exclusion IS NOT NULL GROUP BY ALL ORDER BY touches DESC""",
    "unmatched_reps": """
        SELECT r.rep_id, r.display_name, count(t.source_id) AS touches
        FROM reps r LEFT JOIN touches t USING (rep_id)
        WHERE NOT r.from_config GROUP BY ALL ORDER BY touches DESC""",
    "contact_matching": """
        WITH per_contact AS (
            SELECT ci.contact_id, list_sort(list(DISTINCT t.channel)) AS channels
            FROM touches t JOIN contact_identities ci ON ci.identity = t.contact_key
            GROUP BY ci.contact_id
        )
        SELECT array_to_string(p.channels, ' + ') AS channels,
               count(*) AS contacts,
               count(*) FILTER (WHERE c.records > 0) AS with_crm_or_connection_record,
               count(*) FILTER (WHERE c.records = 0) AS without_record
        FROM per_contact p JOIN contacts c USING (contact_id)
        GROUP BY ALL ORDER BY contacts DESC""",
    "touches_without_contact": """
        SELECT channel, kind, count(*) AS touches FROM touches
        WHERE contact_key IS NULL GROUP BY ALL ORDER BY touches DESC""",
}


def quality(con: duckdb.DuckDBPyConnection, name: str) -> pl.DataFrame:
    """One named data-quality query as a polars frame."""
    return con.sql(QUALITY_SQL[name]).pl()
