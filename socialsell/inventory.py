"""The data inventory a works council or DPO asks for, as Markdown, generated from the schema and config.

Which personal data socialsell stores (every column of every table, classified in
`personal_data.py`), from which exports, for which purpose, how long, who sees what in which view,
the legal notes, and what the current database holds.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from socialsell import personal_data, privacy, store
from socialsell.config import Config
from socialsell.schema import TABLES

__all__ = ["columns", "inventory_markdown", "table_doc"]

_WHO_SEES = {
    "self": "a rep, their own figures only (`SOCIALSELL_REP`); names kept",
    "team": "everyone with the team token: aggregates only, no per-rep rows; groups of fewer than "
    "{k} reps are suppressed together with the groups that would let them be worked out from a total",
    "coach": "whoever holds the coach token: per-rep figures, {named}; rankings name only the reps "
    "who opted in ({opt_in}), every other rep as a pseudonym such as “Rep K4QZ”",
}
_PURPOSES = [
    "Compare the yield of cold calling with social selling (meetings per 100 dials / conversations) "
    "for the team, so the sales lead can decide where reps spend their hours.",
    "Attribute meetings to the touches that led to them (last touch, first touch or split).",
    "Coach reps on their way of working (templates, du/Sie, response times), where agreed (coach view).",
    "Check compliance: calls to consumers without recorded consent (UWG §7) and e-mails without consent.",
    "Data quality: what was imported, what was left out and why.",
]
_LEGAL = [
    "**BetrVG §87(1) Nr. 6**: socialsell attributes calls, messages and meetings to named reps, so it "
    "is a technical system suited to monitor performance; the works council co-determines its "
    "introduction and use. Agree the `[privacy]` settings (k, coach view, opt-ins, retention) in a "
    "works agreement before the dashboards are served to anyone but the analyst.",
    "**GDPR Art. 6 / Art. 88, §26 BDSG**: a legal basis is needed for each purpose: for prospects' "
    "business contact data usually legitimate interests (Art. 6(1)(f)); for reps' data a works "
    "agreement (Art. 88 GDPR, §26(4) BDSG) or legitimate interests. After CJEU C-34/21 (2023) "
    "§26(1) BDSG alone is doubtful as a basis: ask your DPO.",
    "**GDPR Art. 5(1)(c), (e)**: data minimisation and storage limitation: message bodies are not "
    "stored by default (only derived features), and data is kept for the retention period (see Retention).",
    "**GDPR Art. 17 / Art. 21**: a prospect may object to direct marketing at any time and ask for "
    "erasure; erase them in the CRM and in socialsell with `socialsell forget` (see Retention and erasure).",
    "**Named leaderboards** need each rep's free, informed opt-in (`leaderboard_opt_in`); in an "
    "employment relationship consent is only voluntary where the rep gains something or can refuse "
    "without any disadvantage (§26(2) BDSG).",
    "**UWG §7(2) Nr. 1 and 2, §7a**: advertising calls to consumers need prior express consent, to "
    "businesses at least presumed consent; advertising e-mail needs express consent. Proof of a "
    "consumer's consent to calls must be kept for five years (§7a UWG), longer than socialsell's "
    "retention: keep it in the CRM.",
]


def columns() -> list[tuple[str, str, str]]:
    """(table, column, type) of every table a freshly migrated database holds, in table order."""
    con = store.connect(":memory:")
    try:
        rows = con.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "ORDER BY table_name, ordinal_position"
        ).fetchall()
    finally:
        con.close()
    order = list(TABLES) + sorted({t for t, _, _ in rows} - set(TABLES))
    return sorted(rows, key=lambda r: order.index(r[0]))


def table_doc(table: str) -> str:
    """What one row of `table` is (canonical tables: schema.py; derived ones: personal_data.py)."""
    if table in TABLES:
        return TABLES[table].doc
    return personal_data.DERIVED_TABLES.get(table, "")


def inventory_markdown(config: Config, db: Path | None = None, today: date | None = None) -> str:
    """The whole inventory; the figures of `db` when that database exists.

    Raises:
        ValueError: a stored column nobody has classified (tests catch this before a release).
    """
    today = today or date.today()
    found = columns()
    missing = personal_data.unclassified([(t, c) for t, c, _ in found])
    if missing:
        raise ValueError(f"columns not classified in personal_data.py: {', '.join(missing)}")
    sections = [
        _header(config, db, today),
        _subjects(),
        _sources(),
        _personal(found),
        _not_personal(found),
        _purposes(),
        _retention(config.privacy),
        _views(config.privacy),
        _publishing(),
        _legal(),
        _database(db, config.privacy, today),
    ]
    return "\n".join(line for section in sections for line in [*section, ""]).rstrip() + "\n"


def _header(config: Config, db: Path | None, today: date) -> list[str]:
    return [
        "# socialsell data inventory",
        "",
        f"Generated on {today.isoformat()} by `socialsell inventory` from the schema of this socialsell "
        f"version, the config `{config.path or 'built-in defaults'}` and the database "
        f"`{db or store.db_path()}`. Regenerate it after every upgrade or config change.",
        "",
        "Controller: ______  Data protection officer: ______  Works agreement: ______",
    ]


def _subjects() -> list[str]:
    return [
        "## Whose data",
        "",
        "- **Prospects**: people the reps call, write to, invite or meet (business contacts and, for B2C, "
        "consumers).",
        "- **Reps**: the sales team, as named in `socialsell.toml` or as exports name the owner of a record.",
        "",
        "Categories of personal data:",
        "",
        *[f"- **{name}**: {text}" for name, text in personal_data.CATEGORIES.items()],
    ]


def _sources() -> list[str]:
    from socialsell.sources import sources

    lines = ["## Sources", "", "| export | personal data read |", "|---|---|"]
    for name in sources():
        lines.append(f"| `{name}` | {personal_data.SOURCE_DATA[name]} |")
    lines += ["", "Nothing is fetched from any service: socialsell reads export files a user imports."]
    return lines


def _personal(found: list[tuple[str, str, str]]) -> list[str]:
    lines = ["## Personal data stored, table by table"]
    for table in dict.fromkeys(t for t, _, _ in found):
        fields = [(c, personal_data.classify(t, c)) for t, c, _ in found if t == table]
        fields = [(c, f) for c, f in fields if f.personal]
        if not fields:
            continue
        lines += ["", f"### `{table}`", "", table_doc(table), "", "| column | whose | category | note |"]
        lines.append("|---|---|---|---|")
        lines += [f"| `{c}` | {f.whose} | {f.category} | {_cell(f.note)} |" for c, f in fields]
    return lines


def _not_personal(found: list[tuple[str, str, str]]) -> list[str]:
    lines = ["## Columns that are not personal data", "", "| columns | why |", "|---|---|"]
    reasons: dict[str, list[str]] = {}
    for table, column, _ in found:
        field = personal_data.classify(table, column)
        if not field.personal:
            reasons.setdefault(field.note, []).append(f"`{table}.{column}`")
    lines += [f"| {', '.join(cols)} | {_cell(why)} |" for why, cols in reasons.items()]
    return lines


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _purposes() -> list[str]:
    return ["## Purposes", "", *[f"- {p}" for p in _PURPOSES]]


def _retention(settings: privacy.PrivacySettings) -> list[str]:
    pseudo = "on" if settings.pseudonymise else "off (`[privacy] pseudonymise = false`)"
    return [
        "## Pseudonyms, retention and erasure",
        "",
        f"- Pseudonymisation at import: **{pseudo}**. With `socialsell import --pseudonymise` (or "
        "`[privacy] pseudonymise = true`) a new database stores prospects' e-mails, phone numbers, "
        "LinkedIn URLs and names only as keyed hashes (HMAC-SHA-256; key in a file outside the "
        "database, `[privacy] key_file`, default `<database>.key`); meeting titles and quarantined raw "
        "lines are not stored. Every metric is the same as on clear data. Keep the key file apart from "
        "the database and its backups: whoever holds both can test a guessed e-mail address.",
        "- Message bodies are stored only with `socialsell import --keep-message-text` (refused in a "
        "pseudonymised database).",
        f"- Retention period: **{settings.retention_months} months** after the touch or meeting "
        "(`[privacy] retention_months`). `socialsell prune` (`--older-than 24m`, `--dry-run` to count "
        "first) deletes older touches and meetings, the contact records and quarantined rows only "
        "they needed; later imports skip rows that old. Run it on a schedule (e.g. monthly cron).",
        "- Erasure of one person (GDPR Art. 17): `socialsell forget --contact <e-mail | phone | LinkedIn "
        "URL | contact id>` deletes them from touches, meetings, contact records, quarantine and every "
        "derived table, logs the erasure without personal data (`erasures`), and stores keyed hashes "
        "of their identities (`tombstones`) so that re-importing an old export does not bring them "
        "back. Rows that carry only their name are erased with `--name`. Both commands rewrite the "
        "database file, so deleted values do not linger in it, and republish the dashboards' snapshot.",
        "- Backups and copies of the database file are outside socialsell's reach: erase there too, or "
        "keep backups no longer than the retention period.",
    ]


def _views(settings: privacy.PrivacySettings) -> list[str]:
    named = "named (`coach_view = true`)" if settings.coach_view else "pseudonymised (`coach_view = false`)"
    opt_in = ", ".join(f"`{r}`" for r in settings.leaderboard_opt_in) or "nobody"
    lines = ["## Who sees what", "", "| view | who sees what | dashboards |", "|---|---|---|"]
    for view in privacy.VIEWS:
        text = _WHO_SEES[view].format(k=settings.k_min_group, named=named, opt_in=opt_in)
        boards = [n for n in privacy.NOTEBOOK_VIEWS if view in privacy.notebook_views(n)]
        lines.append(f"| {view} | {text} | {', '.join(f'`{b}`' for b in boards)} |")
    lines += [
        "",
        f"Settings: `k_min_group = {settings.k_min_group}`, `coach_view = {str(settings.coach_view).lower()}`"
        f", `leaderboard_opt_in` = {opt_in}. Whoever holds the database file can read every row; keep it "
        "with the analyst. Dashboards not listed are served in the coach view only.",
    ]
    return lines


def _publishing() -> list[str]:
    return [
        "## Publishing",
        "",
        "- `socialsell serve` binds 127.0.0.1; another address needs a token, and publishing the coach "
        "view there needs its own coach token and `coach_view = true`.",
        "- A deployment serves one view and only that view's dashboards; the database is opened "
        "read-only; Voilà shows no notebook source, no file browser, no terminal and starts no kernel "
        "a visitor asks for.",
    ]


def _legal() -> list[str]:
    return ["## Legal notes (not legal advice)", "", *[f"- {text}" for text in _LEGAL]]


def _database(db: Path | None, settings: privacy.PrivacySettings, today: date) -> list[str]:
    path = store.db_path(db)
    lines = ["## This database", ""]
    if not path.exists():
        return [*lines, f"No database at `{path}` yet."]
    try:
        con = store.connect(path, read_only=True)
    except store.StoreError as exc:
        return [*lines, f"Cannot read `{path}`: {exc}"]
    try:
        return lines + _counts(con, settings, today)
    finally:
        con.close()


def _counts(con: duckdb.DuckDBPyConnection, settings: privacy.PrivacySettings, today: date) -> list[str]:
    months = settings.retention_months
    cutoff = _months_before(today, months)

    def one(sql: str, *params) -> int:
        return con.execute(sql, list(params)).fetchall()[0][0]

    lines = ["| table | rows |", "|---|---|"]
    lines += [f"| `{t}` | {one(f'SELECT count(*) FROM {t}'):,} |" for t in _stored(con)]
    return [
        *lines,
        "",
        f"- Reps: {one('SELECT count(*) FROM reps'):,}; merged contacts: {one('SELECT count(*) FROM contacts'):,}.",
        f"- Message bodies stored: {one('SELECT count(message_text) FROM touches'):,}.",
        f"- Prospects pseudonymised: {'yes' if _setting(con, 'pseudonymise') == 'true' else 'no'}; "
        f"erasures logged: {one('SELECT count(*) FROM erasures'):,}; "
        f"tombstones: {one('SELECT count(*) FROM tombstones'):,}; "
        f"pruned before: {_setting(con, 'pruned_before') or 'never pruned'}.",
        f"- Past the {months}-month retention (before {cutoff.isoformat()}): "
        f"{one('SELECT count(*) FROM touches WHERE local_day < ?', cutoff):,} touches, "
        f"{one('SELECT count(*) FROM meetings WHERE local_day < ?', cutoff):,} meetings, "
        f"{one('SELECT count(*) FROM contact_records WHERE connected_on < ?', cutoff):,} LinkedIn connections.",
    ]


def _setting(con: duckdb.DuckDBPyConnection, name: str) -> str | None:
    from socialsell.pseudonyms import stored_setting

    return stored_setting(con, name)


def _stored(con: duckdb.DuckDBPyConnection) -> list[str]:
    names = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    return [t for t in dict.fromkeys(t for t, _, _ in columns()) if t in names]


def _months_before(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, 28))
