"""Call-log presets as data: header names, date formats, duration units and outcome vocabularies per tool."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import polars as pl

from socialsell.schema import OUTCOMES

__all__ = [
    "CONNECT_THRESHOLD_S",
    "DIRECTIONS",
    "FIELDS",
    "FOOTER",
    "IF_HUMAN",
    "KEYWORDS",
    "PRESETS",
    "UNIT_HINT",
    "Preset",
    "fold_header",
    "fold_label",
    "outcome_table",
    "preset_from_mapping",
]

# A RingCentral "Call connected" counts as a conversation only from this many seconds on, unless
# `reason` says Accepted: a voicemail system also "connects".
CONNECT_THRESHOLD_S = 30
IF_HUMAN = "connected if a human answered"  # RingCentral: decided per row by reason and duration

# Canonical fields a preset maps headers to.
FIELDS = {
    "call_id": "the export's own id of the call (source_id)",
    "session_id": "dialer session/call object id; legs of one call share it",
    "occurred_at": "date and time of the call",
    "date": "date of the call (with `time`, or alone)",
    "time": "time of day of the call",
    "created_at": "when the call was logged (Salesforce): used when it falls on `date`",
    "rep": "the rep: owner / assigned to / user (name, e-mail or CRM id)",
    "rep_ext": "the rep's phone extension (RingCentral)",
    "direction": "inbound / outbound",
    "duration": "call duration (unit from the preset or the header, e.g. `(ms)`)",
    "talk_duration": "in-call duration without ringing; preferred over `duration`",
    "outcome": "outcome / disposition / result label",
    "status": "call status: the outcome when the outcome label is empty or unknown",
    "reason": "result reason (RingCentral: Accepted = a human answered)",
    "tags": "tags holding the outcome (Aircall), separated by , ; or |",
    "answered": "Yes/No: the call was picked up (by a person or a machine)",
    "subtype": "task subtype (Salesforce): only Call rows are calls",
    "type": "record type (RingCentral Voice/Fax): only voice rows are calls",
    "contact_phone": "the other party's number",
    "from_number": "caller number (the contact on inbound calls)",
    "to_number": "called number (the contact on outbound calls)",
    "contact": "associated contact, `Name (mail@host)`; several separated by ;",
    "contact_name": "the other party's name",
    "contact_email": "the other party's e-mail",
    "contact_company": "the other party's company / account",
}


@dataclass(frozen=True)
class Preset:
    """One tool's export: field → header names (any language), and how to read the values."""

    name: str
    columns: dict[str, tuple[str, ...]]
    required: tuple[tuple[str, ...], ...]  # each group: at least one of these fields must be present
    date_formats: tuple[str, ...]  # never two formats that read one text differently (d/m and m/d)
    time_zone: str = "source"  # zone of times without offset: "source" (context.source_tz) or an IANA name
    duration_unit: str = "s"  # ms, s or min; a header hint like "(ms)" wins; h:mm:ss is always understood
    decimal_comma: bool = False
    outcomes: dict[str, str] = field(default_factory=dict)  # folded label → outcome
    outcome_rule: str = "label"  # label (+ status) | tags (Aircall) | result (RingCentral)
    calls_only: bool = False  # Salesforce API: rows without TaskSubtype=Call or a CallType are not calls
    footer: bool = False  # Salesforce report footer lines after the data
    sessions: bool = False  # several legs share a session id: keep one row per session
    notes: str = ""

    def resolve(self, header: tuple[str, ...] | list[str]) -> dict[str, str]:
        """Field → the header name carrying it (first alias found, ignoring case and punctuation)."""
        folded: dict[str, str] = {}
        for name in header:
            folded.setdefault(fold_header(name), name)
        found = {}
        for name, aliases in self.columns.items():
            hit = next((folded[a] for a in map(fold_header, aliases) if a in folded), None)
            if hit is not None:
                found[name] = hit
        return found

    def missing(self, header: tuple[str, ...] | list[str]) -> list[tuple[str, ...]]:
        found = self.resolve(header)
        return [group for group in self.required if not any(f in found for f in group)]

    def needs(self) -> str:
        """The required headers in words, for error messages: `'A'/'B' + one of ('C', 'D')`."""

        def spellings(name: str) -> str:
            return "/".join(f"'{a}'" for a in self.columns[name][:2])

        groups = [
            spellings(g[0]) if len(g) == 1 else f"one of ({', '.join(map(spellings, g))})"
            for g in self.required
        ]
        return " + ".join(groups)


# A duration unit in a header, `Call duration (ms)`, `Dauer (Sek.)`, `CallDurationInSeconds`.
UNIT_HINT = re.compile(r"\s*\((ms|milli|sec|sek|s|min)[a-z.]*\)|in(sec)onds$", re.IGNORECASE)


def fold_header(name: str) -> str:
    """`Call duration (ms)` → `callduration`, `CALL_TYPE` → `calltype`; umlauts stay."""
    return re.sub(r"[\W_]+", "", UNIT_HINT.sub("", name.lstrip("\ufeff")).casefold())


def fold_label(label: str) -> str:
    """Outcome labels are compared lower-cased, single-spaced, with one kind of dash."""
    return " ".join(re.sub(r"[\u2010-\u2015]", "-", label).lower().split())


def _preset(name: str, columns: dict[str, str], required: str, formats: tuple[str, ...], **options) -> Preset:
    """Columns as `field: "Alias|Alias"`, required as `"a|b c"` (groups of alternatives)."""
    aliases = {f: tuple(a.strip() for a in names.split("|")) for f, names in columns.items()}
    groups = tuple(tuple(group.split("|")) for group in required.split())
    return Preset(name, aliases, groups, formats, **options)


def _vocab(**by_outcome: str) -> dict[str, str]:
    return {fold_label(label): o for o, labels in by_outcome.items() for label in labels.split("|")}


DIRECTIONS = _vocab(
    outbound="outbound|outgoing|out|ausgehend|abgehend|outbound-dial|outbound-api",
    inbound="inbound|incoming|in|eingehend|ankommend",
)
FOOTER = re.compile(
    r"^(grand totals?\b|total\b|confidential information|copyright\b|\(c\)|©|generated by\b)", re.IGNORECASE
)
# Labels no table knows (custom outcomes) by fragment, first match wins; order matters.
KEYWORDS = tuple(
    (fragment, outcome)
    for outcome, fragments in [
        ("meeting_booked", "termin|meeting"),
        ("voicemail", "voicemail|voice mail|mailbox|anrufbeantworter|left vm"),
        ("gatekeeper", "gatekeeper|sekretariat|zentrale|live message"),
        ("wrong_number", "wrong|falsch|kein anschluss"),
        ("busy", "busy|besetzt"),
        ("no_answer", "no answer|not reached|nicht erreicht|keine antwort|missed|verpasst"),
        ("failed", "fail|fehlgeschlagen"),
        ("connected", "connected|spoke|conversation|gespräch|erreicht|interest|call back|rückruf"),
    ]
    for fragment in fragments.split("|")
)
_GERMAN = _vocab(
    connected="erreicht|gespräch|gespräch geführt|kein interesse|interessiert|rückruf|wiedervorlage",
    meeting_booked="termin vereinbart|termin|termin gebucht",
    voicemail="mailbox|ab|anrufbeantworter|nachricht hinterlassen",
    gatekeeper="sekretariat|zentrale|vorzimmer|empfang",
    no_answer="nicht erreicht|keine antwort|niemand erreicht",
    busy="besetzt",
    wrong_number="falsche nummer|kein anschluss|kein anschluss unter dieser nummer",
    failed="fehlgeschlagen|abgebrochen",
)
_ENGLISH = _vocab(
    connected="connected|spoke|spoke with prospect|had conversation|conversation|not interested|"
    "call back later|interested",
    meeting_booked="meeting booked|meeting scheduled|connected - meeting booked|demo booked",
    voicemail="left voicemail|left voice mail|left vm|voicemail|voice mail",
    gatekeeper="gatekeeper|left live message",
    no_answer="no answer|no voicemail|not reached|missed",
    busy="busy",
    wrong_number="wrong number|bad data|bad number",
    failed="failed",
    other="do not call",
)
# Default dispositions (GET /calling/v1/dispositions), German labels (assumed) and call statuses.
_HUBSPOT = (
    _ENGLISH
    | _GERMAN
    | _vocab(
        busy="9d9162e7-6cf3-4944-bf63-4dff82258764",
        connected="f240bbac-87c9-4f6e-bf70-924b57d47db7|verbunden|connected - qualified|"
        "connected - not qualified",
        gatekeeper="a4c4c377-d246-4b32-a13b-75a56a4cd0ff|live-nachricht hinterlassen",
        voicemail="b2cf5968-551e-4856-9783-52b3da59a7d0|voicemail hinterlassen",
        no_answer="73a0d17f-1163-4015-bdd5-ec830791da20|no_answer|verpasst",
        wrong_number="17b47fee-58de-441e-a44c-c6300d46f273",
        failed="canceled|cancelled",
        other="hang up|completed|abgeschlossen|in progress|connecting|queued|ringing",
    )
)
_RINGCENTRAL = _vocab(
    no_answer="missed|no answer|abandoned|not answered",
    voicemail="voicemail",
    busy="busy|line busy",
    wrong_number="wrong number",
    failed="call failed|call failure|failed|rejected|declined|internal error|ip phone offline|"
    "restricted number|international disabled|international restriction|blocked|suspended|poor line quality",
    other="hang up|stopped|unknown|resultinprogress|resultempty",
) | dict.fromkeys(("call connected", "call accepted", "accepted", "connected"), IF_HUMAN)

_DE = ("%d.%m.%Y %H:%M", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y", "%d.%m.%y %H:%M", "%d.%m.%y")
_ISO = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S%.fZ", "%Y-%m-%dT%H:%M:%S%:z", "%Y-%m-%d")
_US = ("%m/%d/%Y %I:%M %p", "%m/%d/%Y, %I:%M %p", "%m/%d/%Y %H:%M", "%m/%d/%Y")
_COMMON = _ENGLISH | _GERMAN

PRESETS: dict[str, Preset] = {
    p.name: p
    for p in [
        _preset(
            "hubspot",
            {
                "call_id": "Record ID|Datensatz-ID",
                "occurred_at": "Activity date|Aktivitätsdatum|Call date",
                "rep": "Activity assigned to|Aktivität zugewiesen zu|Call owner",
                "direction": "Call direction|Anrufrichtung",
                "outcome": "Call outcome|Anrufergebnis",
                "status": "Call status|Anrufstatus",
                "duration": "Call duration|Anrufdauer",
                "to_number": "To number|An-Nummer|Angerufene Nummer",
                "from_number": "From number|Von-Nummer|Anrufer-Nummer",
                "contact": "Associated Contact|Zugeordneter Kontakt|Verknüpfter Kontakt",
                "contact_company": "Associated Company|Zugeordnetes Unternehmen|Verknüpftes Unternehmen",
            },
            "call_id occurred_at duration|outcome|direction|status",
            _ISO + _DE + _US,
            duration_unit="ms",
            outcomes=_HUBSPOT,
            notes="German labels are assumptions: HubSpot exports German headers, the words are unconfirmed.",
        ),
        _preset(
            "salesforce_api",
            {
                "call_id": "Id",
                "session_id": "CallObject",
                "date": "ActivityDate",
                "created_at": "CreatedDate",
                "rep": "Owner.Name|OwnerId",
                "direction": "CallType",
                "duration": "CallDurationInSeconds",
                "outcome": "CallDisposition",
                "subtype": "TaskSubtype",
            },
            "call_id date|created_at duration|outcome|subtype|direction",
            _ISO,
            time_zone="UTC",
            outcomes=_COMMON,
            calls_only=True,
            notes="Data Loader may write the headers in UPPER CASE; datetimes are UTC.",
        ),
        _preset(
            "salesforce_report",
            {
                "call_id": "Activity ID|Aktivitäts-ID",
                "session_id": "Call Object Identifier|Anrufobjekt-ID",
                "rep": "Assigned To|Zugewiesen zu|Assigned",
                "date": "Date|Due Date|Fälligkeitsdatum|Datum",
                "created_at": "Created Date|Erstellungsdatum|Erstellt am",
                "direction": "Call Type|Anruftyp",
                "duration": "Call Duration|Anrufdauer",
                "outcome": "Call Result|Anrufergebnis",
                "subtype": "Task Subtype|Aufgabenuntertyp",
                "contact_name": "Name|Contact|Kontakt",
                "contact_company": "Company / Account|Company|Account|Account Name|Firma / Account|Firma",
                "contact_phone": "Phone|Telefon",
                "contact_email": "Email|E-Mail",
            },
            "rep date|created_at duration|outcome|direction",
            _DE + _US + _ISO,
            outcomes=_COMMON,
            footer=True,
            notes="German labels are assumptions; the footer is matched in English.",
        ),
        _preset(
            "aircall",
            {
                "call_id": "Call ID|Call UUID|Call ID (UUID)|Call ID (internal)|ID",
                "occurred_at": "datetime|Date/Time|Started at",
                "date": "Date",
                "time": "Time",
                "direction": "Direction|Call direction",
                "rep": "User|User name|Agent",
                "contact_phone": "External number|Phone number|Raw digits",
                "contact_name": "Contact|Contact name",
                "answered": "Answered",
                "duration": "Duration (total)|Total duration|Duration",
                "talk_duration": "In-call duration|Duration (in call)",
                "tags": "Tags",
                "outcome": "Missed call reason|Unanswered Call Reason",
            },
            "answered occurred_at|date call_id|tags|contact_phone",
            (*_ISO, "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", *_DE),
            outcomes=_COMMON,
            outcome_rule="tags",
            notes="Column names unconfirmed (a plausible set); Answered=Yes includes voicemail.",
        ),
        _preset(
            "ringcentral",
            {
                "session_id": "Session Id|Session",
                "call_id": "Id|Call Id|Record Id",
                "occurred_at": "Start Time|Start",
                "date": "Date",
                "time": "Time",
                "duration": "Duration",
                "direction": "Direction",
                "outcome": "Result|Action Result",
                "reason": "Reason|Result Description",
                "type": "Type",
                "from_number": "From|From Number",
                "to_number": "To|To Number",
                "rep": "Name|Extension Name|User",
                "rep_ext": "Extension|Ext",
            },
            "session_id occurred_at|date outcome",
            (*_ISO, *_US, "%a %m/%d/%Y %I:%M %p", "%a %m/%d/%Y %I:%M:%S %p"),
            outcomes=_RINGCENTRAL,
            outcome_rule="result",
            sessions=True,
            notes="Column names unconfirmed (API names as labels); `Name` is the rep's extension name.",
        ),
        _preset(
            "generic_de",
            {
                "call_id": "Anruf-ID|ID",
                "occurred_at": "Zeitpunkt|Datum/Uhrzeit|Beginn|Startzeit",
                "date": "Datum",
                "time": "Uhrzeit|Zeit",
                "rep": "Mitarbeiter|Mitarbeiterin|Benutzer|Agent|Vertriebsmitarbeiter|Bearbeiter",
                "contact_phone": "Rufnummer|Telefonnummer|Nummer|Telefon",
                "direction": "Richtung|Anrufrichtung",
                "duration": "Dauer|Gesprächsdauer|Anrufdauer",
                "outcome": "Ergebnis|Status|Anrufergebnis",
                "contact_name": "Kontakt|Ansprechpartner|Name",
                "contact_company": "Firma|Unternehmen",
                "contact_email": "E-Mail|Email",
            },
            "date|occurred_at duration rep|contact_phone",
            _DE + _ISO,
            duration_unit="min",
            decimal_comma=True,
            outcomes=_GERMAN | _ENGLISH,
            notes="A German dialer export from Excel; Dauer in minutes unless the header says (s)/(Sek.).",
        ),
    ]
}


def preset_from_mapping(mapping: dict[str, str]) -> Preset:
    """A `generic` preset from a user mapping: canonical field → header name, plus the optional keys
    date_format (strptime format or a list of them), duration_unit (ms/s/min), time_zone, decimal_comma.

    Every mapped header must be in the file.
    """
    options = {"date_format", "duration_unit", "time_zone", "decimal_comma"}
    unknown = sorted(set(mapping) - set(FIELDS) - options)
    if unknown:
        raise ValueError(f"unknown keys {unknown}; fields are {', '.join(FIELDS)}")
    columns = {k: (v,) for k, v in mapping.items() if k in FIELDS}
    if not {"occurred_at", "date", "created_at"} & set(columns):
        raise ValueError("map occurred_at (or date) to the column holding the call's date")
    formats = mapping.get("date_format") or (_ISO + _DE + _US)
    return Preset(
        "generic",
        columns,
        tuple((f,) for f in columns),
        (formats,) if isinstance(formats, str) else tuple(formats),
        time_zone=mapping.get("time_zone", "source"),
        duration_unit=mapping.get("duration_unit", "s"),
        decimal_comma=bool(mapping.get("decimal_comma", False)),
        outcomes=_COMMON,
    )


def outcome_table() -> pl.DataFrame:
    """Every built-in label → outcome rule: preset, raw_label, outcome, match (exact / contains)."""
    rows = [(n, label, o, "exact") for n, p in PRESETS.items() for label, o in p.outcomes.items()]
    rows += [("*", fragment, o, "contains") for fragment, o in KEYWORDS]
    assert all(o in OUTCOMES or o == IF_HUMAN for _, _, o, _ in rows)
    return pl.DataFrame(rows, schema=["preset", "raw_label", "outcome", "match"], orient="row")
