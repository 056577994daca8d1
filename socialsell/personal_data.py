"""Which stored columns hold personal data, whose, and of what kind: the data behind `socialsell inventory`.

Columns are classified by name, with per-table exceptions. Every column of every table a migrated
database holds must be classified, personal or not (tests/test_inventory.py checks it), so a new
column cannot reach the database without someone deciding what it is.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CATEGORIES", "DERIVED_TABLES", "SOURCE_DATA", "Field", "classify", "unclassified"]


@dataclass(frozen=True)
class Field:
    """How one column is classified: whose data (None: not personal), its category and a note."""

    whose: str | None  # "prospect", "rep", "rep and prospect", or None
    category: str
    note: str = ""

    @property
    def personal(self) -> bool:
        return self.whose is not None


# Categories of personal data (GDPR Art. 30(1)(c) asks for them), with what they cover.
CATEGORIES = {
    "identity": "names and ids that point at one person (a rep id is a slug of the rep's name)",
    "contact details": "e-mail addresses, phone numbers, LinkedIn profile URLs, identity keys built from them",
    "professional profile": "company, job title, B2B/B2C segment, customer since, team",
    "consent": "whether a prospect agreed to calls or e-mails (as the CRM export says)",
    "sales activity": "who contacted whom, when, on which channel, how long and with what outcome "
    "(for reps this is performance data)",
    "message features": "figures derived from a message's text: length, hashes, language, du/Sie, "
    "scheduling link, proposed time",
    "free text": "text as written: message bodies (only with --keep-message-text), meeting titles, "
    "coach notes, unreadable raw rows",
    "lineage": "export file names, which often carry the rep's name",
}

_P, _R, _B = "prospect", "rep", "rep and prospect"


def _not(note: str) -> Field:
    return Field(None, "not personal", note)


def _each(names: str, field: Field) -> dict[str, Field]:
    return dict.fromkeys(names.split(), field)


_KEY = _not("record key: points at a row, says nothing about a person by itself")
_TECH = _not("bookkeeping of imports and settings")
_ACTIVITY = Field(_B, "sales activity")
_FEATURE = Field(_B, "message features", "derived at import; the text itself is not kept")

# By column name, wherever the column appears.
BY_NAME: dict[str, Field] = {
    "rep_id": Field(_R, "identity", "slug of the rep's name"),
    "team": Field(_R, "professional profile"),
    **dict.fromkeys(("full_name", "contact_name"), Field(_P, "identity")),
    "contact_id": Field(_P, "identity", "pseudonymous id of a merged person"),
    **dict.fromkeys(
        ("email", "contact_email", "phone_e164", "mobile_e164", "contact_phone", "linkedin_url"),
        Field(_P, "contact details"),
    ),
    **dict.fromkeys(
        ("identity", "contact_key", "attendee_keys"),
        Field(_P, "contact details", "li:/in/…, mail:…, tel:+49…, name:…|company"),
    ),
    "identity_kinds": Field(_P, "contact details", "which kinds of identity are on record"),
    **dict.fromkeys(
        ("company", "contact_company", "segment", "customer_since"), Field(_P, "professional profile")
    ),
    "connected_on": Field(_B, "sales activity", "day the prospect connected with the rep on LinkedIn"),
    **dict.fromkeys(("consent_calls", "consent_email"), Field(_P, "consent")),
    **_each(
        """
            channel kind direction occurred_at local_day local_week local_hour duration_s outcome
            raw_outcome participants folder exclusion starts_at ends_at booked_at status origin
            accepted has_note warm warm_reason episode_warm booking_call booked_by_call
            first_outbound_at first_reply_at outbound_messages inbound_messages started_by_rep
            duplicate connects booked talk_s touches duplicates credit how decision decided_at
        """,
        _ACTIVITY,
    ),
    **_each(
        """
            message_length message_hash template_hash template_bands language address_form
            has_scheduling_link proposes_time confirms_meeting first_address_form first_language
            first_message_length first_template_hash
        """,
        _FEATURE,
    ),
    "message_text": Field(_B, "free text", "stored only with `socialsell import --keep-message-text`"),
    "raw": Field(_B, "free text", "the unreadable line as it was in the file: may hold any field above"),
    "note": Field(_B, "free text", "a coach's note on an inferred meeting"),
    **dict.fromkeys(("file", "source_file"), Field(_R, "lineage", "export file path; often names the rep")),
    **dict.fromkeys(
        ("source_id", "thread_id", "session_id", "meeting_id", "candidate_id", "import_id"), _KEY
    ),
    **_each(
        """
            source source_row source_tz checksum line column_name reason format rows_read rows_loaded
            rows_duplicate rows_quarantined rows_skipped notes finished_at from_config records rule
            meeting_row
        """,
        _TECH,
    ),
}

# Exceptions: the same name meaning something else in one table.
BY_COLUMN: dict[str, Field] = {
    "reps.display_name": Field(_R, "identity"),
    "contacts.display_name": Field(_P, "identity"),
    "rep_identities.value": Field(_R, "contact details", "the rep's e-mails, phones, LinkedIn URL, CRM ids"),
    "rep_identities.kind": _not("which kind of identity (email, phone, …)"),
    "contact_identities.kind": _not("which kind of identity (email, phone, …)"),
    "contact_records.title": Field(_P, "professional profile", "job title"),
    "meetings.title": Field(_B, "free text", "meeting title: often names the prospect or company"),
    "imports.started_at": _TECH,
    "tombstones.identity_hash": Field(
        _P,
        "contact details",
        "keyed hash (HMAC-SHA-256) of an erased person's identity; cannot be reversed without the key file",
    ),
    "tombstones.erasure_id": _KEY,
    "thread_facts.started_at": _ACTIVITY,
}

# Tables of pure bookkeeping: no column is personal.
TECHNICAL_TABLES = {
    "schema_migrations": "database version history",
    "store_settings": "whether prospects are pseudonymised, the key's fingerprint, the pruned horizon",
    "erasures": "log of erasures (`forget`, `prune`): when, how many rows, no personal data",
    "rollup_meta": "settings the pre-aggregated rollups were built with",
}

# Tables the importer does not fill directly: rebuilt from the canonical tables after each import.
DERIVED_TABLES = {
    "contact_identities": "Every identity seen (e-mail, phone, LinkedIn URL, name|company) → one contact.",
    "contacts": "One merged person per contact across CRM records, calls and LinkedIn.",
    "meetings_unique": "Each real meeting once (calendar and CRM copies merged).",
    "meeting_credits": "Which channel and rep each meeting is credited to, per attribution rule.",
    "meeting_touches": "The touches that led to each meeting.",
    "touch_facts": "Touches with their contact, warm/cold and duplicate flags, for the metrics.",
    "thread_facts": "One row per LinkedIn thread: who started it, replies, first message's features.",
    "invitation_facts": "LinkedIn invitations with note and acceptance.",
    "activity_rollup": "Touches counted per rep, day, hour and kind (pre-aggregated for speed).",
    "meeting_decisions": "A coach's confirmation or rejection of a meeting inferred from messages "
    "(user data: never rebuilt).",
    "rollup_meta": "Settings the rollups were built with.",
    "schema_migrations": "Database version history.",
    "tombstones": "Keyed hashes of erased people's identities: imports skip their rows (never rebuilt).",
    "store_settings": "How the database is kept: pseudonymised or clear, key fingerprint, pruned horizon.",
    "erasures": "One row per `socialsell forget` or `prune`: when and how many rows, no personal data.",
}

# What each export format brings in, by source NAME (every registered source must be listed).
SOURCE_DATA = {
    "linkedin": "the rep's LinkedIn archive: messages (sender, recipients, date, text → features; "
    "text only with --keep-message-text), invitations, connections (name, company, title, profile "
    "URL, e-mail when shared), the rep's own profile",
    "calls": "call logs from a CRM or dialer: rep, contact name/phone/e-mail/company, time, "
    "duration, outcome",
    "contacts": "CRM contacts: name, company, job title, e-mail, phones, LinkedIn URL, segment, "
    "consent, owner (rep)",
    "meetings": "CRM / Calendly meetings: rep, attendees' e-mails and names, times, status, title",
    "calendar": "the rep's .ics calendar: external attendees' e-mails and names, times, title "
    "(internal-only and all-day events skipped)",
}


def classify(table: str, column: str) -> Field | None:
    """The classification of `table.column`, or None when nobody has classified it yet."""
    if table in TECHNICAL_TABLES:
        return _not(TECHNICAL_TABLES[table])
    return BY_COLUMN.get(f"{table}.{column}") or BY_NAME.get(column)


def unclassified(columns: list[tuple[str, str]]) -> list[str]:
    """`table.column` of every (table, column) pair `classify` does not know."""
    return [f"{t}.{c}" for t, c in columns if classify(t, c) is None]
