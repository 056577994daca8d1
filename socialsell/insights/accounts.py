"""Accounts and buying centres: how many people per company each rep works, on which channel.

An *account* is a company as the contacts name it (trimmed, case-insensitive). A contact is
*touched* by an outbound call, LinkedIn message or invitation; *dialled* / *touched on LinkedIn*
per channel; *responded* when a call connected or they wrote on LinkedIn. A *target account* has
at least one touched contact; it is *single-threaded* when exactly one contact there was touched.
Meetings are unique meetings (not cancelled) with any contact of the account.
"""

from __future__ import annotations

import duckdb
import polars as pl

from socialsell.definitions import Definitions
from socialsell.insights.grouping import by_levels, rows_at, scope, small_sample
from socialsell.stats import compare, wilson_exprs

__all__ = ["NAME", "QUESTION", "TITLE", "accounts", "compute", "finding", "single_threaded"]

NAME = "accounts"
TITLE = "Accounts and buying centres"
QUESTION = "How many people per target account do reps reach, and which accounts hang on a single thread?"

CONTACTS_SQL = """
WITH t AS (
    SELECT f.* FROM touch_facts f LEFT JOIN reps r ON r.rep_id = f.rep_id
    WHERE f.contact_id IS NOT NULL AND NOT f.duplicate AND f.kind IN ('call', 'message', 'invitation') {scope}
),
met AS (
    SELECT mu.rep_id, mu.contact_id, count(*) AS meetings FROM meetings_unique mu
    LEFT JOIN reps r ON r.rep_id = mu.rep_id
    WHERE mu.status <> 'cancelled' AND mu.contact_id IS NOT NULL {meeting_scope}
    GROUP BY ALL
),
per_contact AS (
    SELECT rep_id, contact_id,
        bool_or(direction = 'outbound') AS touched,
        bool_or(kind = 'call' AND direction = 'outbound') AS dialled,
        bool_or(channel = 'linkedin' AND direction = 'outbound') AS touched_on_linkedin,
        bool_or(kind = 'call' AND (outcome IN ('connected', 'meeting_booked')
                OR (outcome IS NULL AND duration_s >= {connect_min_talk_s}))) AS connected_by_phone,
        bool_or(kind = 'message' AND direction = 'inbound') AS replied_on_linkedin
    FROM t GROUP BY ALL
)
SELECT coalesce(p.rep_id, m.rep_id) AS rep_id, r.display_name, r.team,
    lower(trim(c.company)) AS account, c.company, coalesce(p.contact_id, m.contact_id) AS contact_id,
    coalesce(p.touched, false) AS touched, coalesce(p.dialled, false) AS dialled,
    coalesce(p.touched_on_linkedin, false) AS touched_on_linkedin,
    coalesce(p.connected_by_phone, false) AS connected_by_phone,
    coalesce(p.replied_on_linkedin, false) AS replied_on_linkedin, coalesce(m.meetings, 0) AS meetings
FROM per_contact p FULL JOIN met m ON m.rep_id = p.rep_id AND m.contact_id = p.contact_id
JOIN contacts c ON c.contact_id = coalesce(p.contact_id, m.contact_id)
LEFT JOIN reps r ON r.rep_id = coalesce(p.rep_id, m.rep_id)
WHERE nullif(trim(c.company), '') IS NOT NULL
"""


def _contacts(con: duckdb.DuckDBPyConnection, d: Definitions) -> pl.DataFrame:
    """One row per (rep, contact at a company) touched or met in scope."""
    sql = CONTACTS_SQL.format(
        scope=scope(d),
        meeting_scope=scope(d, prefix="mu."),
        connect_min_talk_s=int(d.connect_min_talk_s),
    )
    return (
        con.sql(sql).pl().with_columns(responded=pl.col("connected_by_phone") | pl.col("replied_on_linkedin"))
    )


def _per_account(frame: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Contacts of the same account under the same keys counted once."""
    people = frame.group_by([*keys, "account", "contact_id"]).agg(
        pl.col("company").first(),
        pl.col(
            "touched", "dialled", "touched_on_linkedin", "connected_by_phone", "replied_on_linkedin"
        ).any(),
        pl.col("responded").any(),
        pl.col("meetings").sum(),
    )
    return people.group_by([*keys, "account"]).agg(
        pl.col("company").first(),
        pl.col("touched").sum().alias("contacts_touched"),
        pl.col("dialled").sum().alias("contacts_dialled"),
        pl.col("connected_by_phone").sum().alias("contacts_connected_by_phone"),
        pl.col("touched_on_linkedin").sum().alias("contacts_touched_on_linkedin"),
        pl.col("replied_on_linkedin").sum().alias("contacts_replied_on_linkedin"),
        pl.col("responded").sum().alias("contacts_responded"),
        pl.col("meetings").sum().alias("meetings"),
        (pl.col("meetings") > 0).sum().alias("contacts_met"),
    )


def accounts(con: duckdb.DuckDBPyConnection, d: Definitions | None = None) -> pl.DataFrame:
    """One row per account (all reps in scope): contacts known, touched, dialled, connected,
    touched and replied on LinkedIn, meetings, the reps working it and whether it is single-threaded."""
    d = d or Definitions()
    people = _contacts(con, d)
    reps = people.group_by("account").agg(pl.col("rep_id").unique().sort().alias("reps"))
    known = con.sql(
        "SELECT lower(trim(company)) AS account, count(*) AS contacts_known FROM contacts "
        "WHERE nullif(trim(company), '') IS NOT NULL GROUP BY 1"
    ).pl()
    out = _per_account(people, []).join(reps, on="account").join(known, on="account", how="left")
    return out.with_columns(
        single_threaded=pl.col("contacts_touched") == 1,
    ).sort("meetings", "contacts_touched", "account", descending=[True, True, False])


def single_threaded(con: duckdb.DuckDBPyConnection, d: Definitions | None = None) -> pl.DataFrame:
    """Target accounts with only one contact touched, those with colleagues on file first."""
    frame = accounts(con, d).filter(pl.col("single_threaded"))
    return frame.sort("contacts_known", "meetings", "account", descending=[True, True, False])


def _summary(frame: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    per_account = _per_account(frame, keys).filter(pl.col("contacts_touched") > 0)
    single = pl.col("contacts_touched") == 1
    met = pl.col("meetings") > 0
    return per_account.group_by(keys).agg(
        pl.len().alias("target_accounts"),
        single.sum().alias("single_threaded_accounts"),
        (~single).sum().alias("multi_threaded_accounts"),
        pl.col("contacts_touched").mean().alias("contacts_touched_per_account"),
        met.sum().alias("accounts_with_meeting"),
        (single & met).sum().alias("single_threaded_with_meeting"),
        (~single & met).sum().alias("multi_threaded_with_meeting"),
    )


def compute(con: duckdb.DuckDBPyConnection, d: Definitions | None = None) -> pl.DataFrame:
    """Per rep, team and total: target accounts, the share single-threaded (Wilson interval),
    contacts touched per account, and the meeting rate of single- vs multi-threaded accounts."""
    d = d or Definitions()
    frame = by_levels(_contacts(con, d), _summary)
    return frame.with_columns(
        *wilson_exprs("single_threaded_accounts", "target_accounts", "single_threaded_pct"),
        *wilson_exprs("single_threaded_with_meeting", "single_threaded_accounts", "meeting_rate_single_pct"),
        *wilson_exprs("multi_threaded_with_meeting", "multi_threaded_accounts", "meeting_rate_multi_pct"),
        small_sample(d, ("target_accounts", "target accounts")),
    )


def finding(frame: pl.DataFrame, d: Definitions | None = None) -> str:
    """How many target accounts hang on one thread, and whether multi-threading goes with meetings."""
    d = d or Definitions()
    total = rows_at(frame, "total")
    if not len(total) or not total["target_accounts"][0]:
        return "No target accounts (touched contacts with a company) in this scope."
    t = total.row(0, named=True)
    text = (
        f"{t['single_threaded_accounts']:,} of {t['target_accounts']:,} target accounts "
        f"({t['single_threaded_pct']:.0f} %) hang on a single contact."
    )
    result = compare(
        t["multi_threaded_with_meeting"],
        t["multi_threaded_accounts"],
        t["single_threaded_with_meeting"],
        t["single_threaded_accounts"],
        label_a="accounts with several contacts",
        label_b="single-threaded accounts",
        unit="accounts",
        min_trials=d.min_sample,
    )
    return (
        f"{text} Accounts with a meeting: {result.verdict} (Several people touched also means more chances "
        "for a meeting; this compares accounts, not the effect of one more contact.)"
    )
