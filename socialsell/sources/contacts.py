"""CRM contact exports (HubSpot in English or German, any CSV by mapping) → the contact master."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from socialsell import identity
from socialsell.sources import Context, Parsed
from socialsell.sources.crm_csv import (
    Preset,
    blank_to_null,
    canonical_fields,
    find_preset,
    owner_reps,
    parse_dates,
    preset_from_mapping,
    stable_ids,
)
from socialsell.sources.tabular import ImportError_, norm_header, read_rows, sniff_layout, split_invalid

__all__ = ["GENERIC", "HUBSPOT", "NAME", "PRESETS", "matches", "parse", "preset_from_mapping"]

NAME = "contacts"

# HubSpot contact export labels, English and German UI (German: HubSpot's DE property labels). Segment
# and consent are portal-defined properties, so the common labels are listed. "Legal basis for processing
# contact's data" and "Marketing contact status" are deliberately not read as consent: a GDPR legal basis
# is not permission to call, and marketing status is HubSpot's billing flag.
HUBSPOT = Preset(
    "hubspot",
    {
        "record_id": ("Record ID", "Datensatz-ID"),
        "first_name": ("First Name", "Vorname"),
        "last_name": ("Last Name", "Nachname"),
        "email": ("Email", "E-Mail"),
        "phone": ("Phone Number", "Telefonnummer"),
        "mobile": ("Mobile Phone Number", "Mobiltelefonnummer"),
        "company": ("Company Name", "Unternehmensname"),
        "title": ("Job Title", "Berufsbezeichnung"),
        "linkedin": ("LinkedIn URL", "LinkedIn Profile", "hs_linkedin_url", "LinkedIn-Profil",
                     "LinkedIn-URL"),
        "owner": ("Contact owner", "Kontaktinhaber"),
        "segment": ("Segment", "Customer segment", "Customer type", "Kundensegment", "Kundentyp", "B2B/B2C"),
        "consent_calls": ("Cold call consent", "Call consent", "Einwilligung Kaltakquise",
                          "Telefon-Einwilligung"),
        "consent_email": ("Email consent", "Marketing email consent", "Einwilligung E-Mail",
                          "E-Mail-Einwilligung"),
        "email_optout": ("Unsubscribed from all email", "Von allen E-Mails abgemeldet"),
        "customer_since": ("Became a Customer Date", "Customer since", "Kunde seit", "Kunde geworden am"),
    },
    signature=("record_id",),
    any_of=("email", "first_name", "last_name", "phone"),
)  # fmt: skip

# Any other contact list (CRM export, Excel sheet): the usual English and German labels.
GENERIC = Preset(
    "csv",
    {
        "record_id": ("ID", "Contact ID", "Kontakt-ID", "Record ID", "Datensatz-ID"),
        "full_name": ("Name", "Full Name", "Contact Name", "Kontakt", "Vollständiger Name"),
        "first_name": ("First Name", "Firstname", "Given Name", "Vorname"),
        "last_name": ("Last Name", "Lastname", "Surname", "Family Name", "Nachname"),
        "email": ("Email", "E-Mail", "Email Address", "E-Mail-Adresse", "Mail", "Work Email"),
        "phone": ("Phone", "Phone Number", "Business Phone", "Telefon", "Telefonnummer", "Tel."),
        "mobile": ("Mobile", "Mobile Phone", "Mobile Phone Number", "Mobil", "Handy", "Mobiltelefonnummer"),
        "company": ("Company", "Company Name", "Account Name", "Organization", "Firma", "Unternehmen"),
        "title": ("Title", "Job Title", "Position", "Funktion", "Berufsbezeichnung"),
        **{f: HUBSPOT.fields[f] for f in ("linkedin", "segment", "consent_calls", "consent_email")},
        "owner": ("Owner", "Contact Owner", "Account Owner", "Kontaktinhaber", "Betreuer", "Zuständig"),
        "email_optout": HUBSPOT.fields["email_optout"] + ("Email Opt Out", "Opted out of email"),
        "customer_since": HUBSPOT.fields["customer_since"],
    },
    any_of=("email", "phone", "mobile", "linkedin"),
)
PRESETS = {p.name: p for p in (HUBSPOT, GENERIC)}

# Columns of activity exports (calls, meetings, LinkedIn connections) that a contact list never has.
_NOT_CONTACTS = {
    "activity date", "call outcome", "call duration", "call direction", "call result", "disposition",
    "duration", "direction", "outcome", "meeting start time", "meeting outcome", "start date & time",
    "startzeit des meetings", "aktivitätsdatum", "anrufdauer", "connected on",
}  # fmt: skip
_NAMES = ("full_name", "first_name", "last_name", "company")

_SEGMENTS = {
    "B2B": {"b2b", "business", "business customer", "corporate", "geschäftskunde", "geschäftskunden",
            "geschaeftskunde", "firmenkunde", "firmenkunden", "gewerbekunde", "gewerbekunden", "gewerblich"},
    "B2C": {"b2c", "consumer", "consumers", "private", "private customer", "privat", "privatkunde",
            "privatkunden", "privatperson", "verbraucher", "endverbraucher"},
}  # fmt: skip
# Consent values; German Excel turns TRUE/FALSE into WAHR/FALSCH when it re-saves a CSV.
_CONSENT = {
    True: {"yes", "ja", "true", "wahr", "1", "opt-in", "opt in", "optin", "double opt-in", "double opt in",
           "double-opt-in", "doi", "granted", "erteilt"},
    False: {"no", "nein", "false", "falsch", "0", "opt-out", "opt out", "optout", "revoked", "widerrufen"},
}  # fmt: skip
DUPLICATE = "duplicate contact record (same e-mail)"


def matches(path: Path) -> bool:
    """A CSV whose header is a contact list's (not a call, meeting or LinkedIn export)."""
    if path.suffix.lower() not in (".csv", ".tsv", ".txt") or not path.is_file():
        return False
    return sniff_layout(path, _is_contact_list) is not None


def _is_contact_list(header: tuple[str, ...]) -> bool:
    if {norm_header(h) for h in header} & _NOT_CONTACTS:
        return False
    return any(not p.missing(header) and set(_NAMES) & set(p.columns(header)) for p in PRESETS.values())


# Record ID,First Name,Last Name,Email,Phone Number,Mobile Phone Number,Company Name,…,Contact owner,…
# 51234002,Peter,Lenz,Peter.Lenz@Brauhaus-Lenz.example,040 5550192,,Brauhaus Lenz,…,jonas.weber@…,…,Business,…
# 51234003,Peter,Lenz,peter.lenz@brauhaus-lenz.example,,+49 160 9876543,"Brauhaus Lenz GmbH & Co. KG",…,No,…
# German Excel: Datensatz-ID;Vorname;Nachname;E-Mail;…;Kontaktinhaber;…;Einwilligung Kaltakquise;… (cp1252)
def parse(path: Path, context: Context, preset: Preset | None = None) -> Parsed:
    """Contact records, one per person and e-mail address; owner → rep; phones E.164; consent as booleans.

    `preset` reads any CSV by a mapping (`preset_from_mapping("crm", {"email": "Mail", …})`). Records of
    one file with the same e-mail (any case) merge into the first: its empty fields are filled from the
    later ones, and an opt-out in any of them wins over an opt-in.
    """
    found, layout = find_preset(path, _candidates(path, context, preset), "contacts")
    columns = found.columns(layout.header)
    if not set(columns) & {"email", "phone", "mobile", "linkedin", *_NAMES}:
        raise ImportError_(f"{path}: no e-mail, phone, LinkedIn or name column in {list(layout.header)}")
    rows, quarantined = read_rows(layout)
    rows = rows.with_columns(_normalised(rows, columns, context))
    rows, bad = split_invalid(rows, _checks(columns), layout.delimiter)
    records = rows.select(pl.col(f"_{c}").alias(c) for c in _FIELDS).with_columns(source_row=rows["_line"])
    records, duplicates = _merge_same_email(records)
    rep_id, reps = owner_reps(context.config, [records["owner"]])
    out = records.with_columns(
        rep_id=rep_id.fill_null(context.rep) if context.rep else rep_id,
        source=pl.lit(f"contacts.{found.name}"),
        source_id=pl.coalesce(pl.col("record_id"), pl.lit("h:") + stable_ids(records, ["identity"])),
        source_file=pl.lit(path.name),
    ).drop("record_id", "owner", "identity")
    return Parsed(
        f"contacts.{found.name}",
        {"contact_records": out} | ({"reps": reps} if len(reps) else {}),
        rows_read=len(rows) + len(bad) + len(quarantined),
        quarantined=quarantined + bad,
        skipped={DUPLICATE: duplicates} if duplicates else {},
        rep_id=context.rep,
    )


def _candidates(path: Path, context: Context, preset: Preset | None) -> list[Preset]:
    if preset is not None:
        unknown = sorted(set(preset.fields) - set(GENERIC.fields))
        if unknown:
            raise ImportError_(
                f"{path}: unknown contact fields {unknown}; known: {', '.join(GENERIC.fields)}"
            )
        return [preset]
    if context.preset and context.preset not in PRESETS:
        raise ImportError_(f"{path}: unknown contacts preset {context.preset!r}; known: {', '.join(PRESETS)}")
    return [PRESETS[context.preset]] if context.preset else list(PRESETS.values())


def _checks(columns: dict[str, str]) -> list[tuple[str, pl.Expr, str]]:
    """Rows to quarantine: an unreadable customer-since date; nothing to identify the person by."""
    nobody = pl.all_horizontal(pl.col(f"_{c}").is_null() for c in _IDENTITY)
    checks = [(columns.get("email", "email"), nobody, "no e-mail, phone, LinkedIn or name")]
    if since := columns.get("customer_since"):
        bad_date = blank_to_null(pl.col(since)).is_not_null() & pl.col("_customer_since").is_null()
        checks.insert(0, (since, bad_date, "unparseable customer-since date"))
    return checks


_IDENTITY = ("email", "phone_e164", "mobile_e164", "linkedin_url", "full_name")
_FIELDS = (
    "full_name", "company", "title", "email", "phone_e164", "mobile_e164", "linkedin_url", "segment",
    "consent_calls", "consent_email", "customer_since", "record_id", "owner", "identity",
)  # fmt: skip


def _normalised(rows: pl.DataFrame, columns: dict[str, str], context: Context) -> list[pl.Series]:
    """The canonical fields as `_`-prefixed columns (so quarantine shows the original row)."""
    text = canonical_fields(rows, columns, list(GENERIC.fields))
    name = pl.concat_str(pl.col("first_name"), pl.col("last_name"), separator=" ", ignore_nulls=True)
    full_name = text.select(blank_to_null(pl.coalesce(pl.col("full_name"), name)))
    consent = _vocabulary(_CONSENT, pl.Boolean)
    # Being unsubscribed withdraws e-mail consent; not being unsubscribed grants nothing.
    withdrawn = consent(text["email_optout"]).replace_strict(
        {True: False}, default=None, return_dtype=pl.Boolean
    )
    out = {
        "full_name": full_name.to_series(),
        "email": identity.email(text["email"]),
        "phone_e164": identity.phone_e164(text["phone"], context.config.region),
        "mobile_e164": identity.phone_e164(text["mobile"], context.config.region),
        "linkedin_url": identity.linkedin_url(text["linkedin"]),
        "segment": _vocabulary(_SEGMENTS, pl.String)(text["segment"]),
        "consent_calls": consent(text["consent_calls"]),
        "consent_email": consent(text["consent_email"]).fill_null(withdrawn),
        "customer_since": parse_dates(text["customer_since"], context.source_tz),
        **{c: text[c] for c in ("company", "title", "owner", "record_id")},
    }
    series = [s.alias(f"_{name}") for name, s in out.items()]
    keyed = pl.DataFrame([s.alias(n) for n, s in out.items()]).select(_identity_text())
    return [*series, keyed.to_series().alias("_identity")]


def _identity_text() -> pl.Expr:
    """What makes a record without an id the same record in the next export: e-mail, else phone, else name."""
    name = pl.concat_str(
        pl.col("full_name").str.to_lowercase(),
        pl.col("company").str.to_lowercase().fill_null(""),
        separator="|",
    )
    return pl.coalesce(
        pl.lit("mail:") + pl.col("email"),
        pl.lit("tel:") + pl.coalesce("mobile_e164", "phone_e164"),
        pl.lit("li:") + pl.col("linkedin_url"),
        pl.lit("name:") + name,
    )


def _vocabulary(vocabulary: dict, dtype: pl.DataType):
    """A mapper from labels (folded: case, spaces, underscores) to vocabulary keys; unknown labels → null."""
    lookup = {label: key for key, labels in vocabulary.items() for label in labels}

    def fold(values: pl.Series) -> pl.Series:
        folded = values.str.to_lowercase().str.replace_all(r"[\s_]+", " ").str.strip_chars()
        return folded.replace_strict(lookup, default=None, return_dtype=dtype).alias(values.name)

    return fold


def _merge_same_email(records: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    """One record per e-mail address: the first one's fields, gaps filled from later ones in file order."""
    records = records.sort("source_row")
    with_email = records.filter(pl.col("email").is_not_null())
    consent = ("consent_calls", "consent_email")
    merged = with_email.group_by("email", maintain_order=True).agg(
        *(pl.col(c).drop_nulls().first() for c in records.columns if c != "email" and c not in consent),
        # False < True: any opt-out wins, else any opt-in, else unknown.
        *(pl.col(c).min() for c in consent),
    )
    rest = records.filter(pl.col("email").is_null())
    out = pl.concat([merged.select(records.columns), rest]).sort("source_row")
    return out, len(with_email) - len(merged)
