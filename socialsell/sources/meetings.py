"""Meeting exports as CSV: HubSpot meetings (English or German labels) and Calendly scheduled events."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from socialsell.sources import Context, Parsed
from socialsell.sources.crm_csv import (
    Preset,
    blank_to_null,
    canonical_fields,
    find_preset,
    owner_reps,
    parse_instants,
    stable_ids,
)
from socialsell.sources.tabular import ImportError_, Quarantined, read_rows, sniff_layout, split_invalid

__all__ = ["CALENDLY", "HUBSPOT", "NAME", "PRESETS", "matches", "parse"]

NAME = "meetings"

# HubSpot meetings export (index page → Export). German labels as HubSpot's DE UI names the
# properties (unconfirmed). Times are in the portal's time zone, written without an offset.
HUBSPOT = Preset(
    "hubspot",
    {
        "record_id": ("Record ID", "Datensatz-ID"),
        "title": ("Meeting name", "Meeting title", "Meeting-Name", "Meetingname", "Titel des Meetings"),
        "type": ("Call and meeting type", "Anruf- und Meeting-Typ"),
        "starts": ("Meeting start time", "Startzeit des Meetings", "Meeting-Startzeit"),
        "ends": ("Meeting end time", "Endzeit des Meetings", "Meeting-Endzeit"),
        "outcome": ("Meeting outcome", "Meeting-Ergebnis", "Ergebnis des Meetings"),
        "owner": ("Activity assigned to", "Aktivität zugewiesen an", "Zugewiesen an"),
        "contacts": (
            "Associated Contact",
            "Associated Contacts",
            "Zugeordneter Kontakt",
            "Zugeordnete Kontakte",
        ),
        "emails": ("Associated contact email", "Contact email", "Attendee email", "E-Mail des Kontakts"),
        "booked": ("Create date", "Erstellungsdatum", "Erstellt am"),
    },
    signature=("starts",),
)
# Calendly → Scheduled events → Export (CSV with a BOM). Calendly writes the times in the exporting
# user's time zone, i.e. the host's — not in "Invitee Time Zone", which only says how the invitee saw them.
CALENDLY = Preset(
    "calendly",
    {
        "record_id": ("Invitee UUID",),
        "name": ("Invitee Name",),
        "first_name": ("Invitee First Name",),
        "last_name": ("Invitee Last Name",),
        "emails": ("Invitee Email",),
        "title": ("Event Type Name",),
        "starts": ("Start Date & Time",),
        "ends": ("End Date & Time",),
        "booked": ("Event Created Date & Time",),
        "canceled": ("Canceled",),
        "no_show": ("Marked as No-Show",),
        "owner": ("Host Name", "Host"),
        "owner_email": ("Host Email",),
    },
    signature=("starts", "emails"),
)
PRESETS = {p.name: p for p in (HUBSPOT, CALENDLY)}
ORIGINS = {"hubspot": "crm", "calendly": "scheduler"}
_FIELDS = tuple(dict.fromkeys([*HUBSPOT.fields, *CALENDLY.fields]))

# HubSpot outcome labels (English, German, internal values) → meeting status.
_STATUS = {
    "scheduled": "scheduled", "geplant": "scheduled",
    "completed": "completed", "abgeschlossen": "completed", "durchgeführt": "completed",
    "rescheduled": "rescheduled", "verschoben": "rescheduled",
    "no show": "no_show", "no_show": "no_show", "nicht erschienen": "no_show",
    "canceled": "cancelled", "cancelled": "cancelled", "abgesagt": "cancelled", "storniert": "cancelled",
}  # fmt: skip
_YES = ["yes", "true", "ja", "wahr", "1", "x"]
_EMAIL = r"[^@\s<>\"'();,]+@[^@\s<>\"'();,]+\.[A-Za-z]{2,}"


def matches(path: Path) -> bool:
    """A CSV with a HubSpot meetings or Calendly events header."""
    if path.suffix.lower() not in (".csv", ".tsv", ".txt") or not path.is_file():
        return False
    return sniff_layout(path, lambda h: any(not p.missing(h) for p in PRESETS.values())) is not None


# Record ID,Meeting name,Call and meeting type,Meeting start time,Meeting end time,Meeting outcome,…
# 81002002,Kennenlernen Brauhaus Lenz,Discovery Call,2026-01-29 15:00,2026-01-29 15:30,No show,Anna Schmidt,
#   Peter Lenz (Peter.Lenz@Brauhaus-Lenz.example);Tim Brandt (tim.brandt@…),Brauhaus Lenz,2026-01-15 17:30
# \ufeffInvitee Name,…,Invitee Email,…,Event Type Name,Start Date & Time,End Date & Time,Invitee Time Zone,…
# Tim Brandt,…,Tim.Brandt@Brauhaus-Lenz.example,…,30 Minuten Kennenlernen,01/29/2026 17:00,01/29/2026 17:30,
#   America/New_York,Zoom,01/20/2026 22:05,true,"Terminkonflikt, melde mich neu",Anna Schmidt,anna.schmidt@…
def parse(path: Path, context: Context) -> Parsed:
    """Meetings with start/end/booking times in UTC, status, owner → rep and the contact's e-mail key.

    Times without an offset are wall-clock times in `context.source_tz`; rows whose start, end or
    booking time cannot be read are quarantined.
    """
    if context.preset and context.preset not in PRESETS:
        raise ImportError_(f"{path}: unknown meetings preset {context.preset!r}; known: {', '.join(PRESETS)}")
    candidates = [PRESETS[context.preset]] if context.preset else list(PRESETS.values())
    preset, layout = find_preset(path, candidates, "meetings")
    columns = preset.columns(layout.header)
    rows, quarantined = read_rows(layout)
    rows, bad = _with_times(rows, columns, context.source_tz, layout.delimiter)
    meetings = _meetings(rows, preset)
    rep_id, reps = owner_reps(context.config, [rows["_owner"], rows["_owner_email"]])
    if context.rep:
        rep_id = rep_id.fill_null(context.rep)
    source = f"meetings.{preset.name}"
    out = meetings.with_columns(
        rep_id=rep_id,
        source=pl.lit(source),
        source_id=pl.coalesce(rows["_record_id"], pl.lit("h:") + _content_ids(meetings)),
        source_file=pl.lit(path.name),
        source_row=rows["_line"],
    )
    return Parsed(
        source,
        {"meetings": out} | ({"reps": reps} if len(reps) else {}),
        rows_read=len(rows) + len(bad) + len(quarantined),
        quarantined=quarantined + bad,
        rep_id=context.rep,
    )


def _with_times(
    rows: pl.DataFrame, columns: dict[str, str], time_zone: str, delimiter: str
) -> tuple[pl.DataFrame, list[Quarantined]]:
    """Rows plus `_<field>` text and `_<time>_at` UTC columns; rows with unreadable times quarantined."""
    text = canonical_fields(rows, columns, _FIELDS, prefix="_")
    times = [parse_instants(text[f"_{f}"], time_zone).alias(f"_{f}_at") for f in _TIMES]
    rows = pl.concat([rows, text, pl.DataFrame(times)], how="horizontal")
    checks = [(columns["starts"], pl.col("_starts").is_null(), "no start time")] + [
        (columns.get(f, f), pl.col(f"_{f}").is_not_null() & pl.col(f"_{f}_at").is_null(), reason)
        for f, reason in _TIMES.items()
    ]
    return split_invalid(rows, checks, delimiter)


_TIMES = {
    "starts": "unparseable start time",
    "ends": "unparseable end time",
    "booked": "unparseable booking time",
}


def _content_ids(meetings: pl.DataFrame) -> pl.Series:
    """A row without the export's own id is the same meeting when invitee, event type and start agree."""
    content = meetings.select("contact_key", "title", pl.col("starts_at").dt.strftime("%Y-%m-%dT%H:%M:%SZ"))
    return stable_ids(content, content.columns)


def _meetings(rows: pl.DataFrame, preset: Preset) -> pl.DataFrame:
    """The canonical meeting columns (without lineage) from the `_`-prefixed fields."""
    found = rows.select(
        emails=pl.concat_str(pl.col("_contacts"), pl.col("_emails"), separator=";", ignore_nulls=True)
        .str.extract_all(_EMAIL)
        .list.eval(pl.element().str.to_lowercase())
        .list.unique(maintain_order=True),
    )
    keys = found.select(
        pl.when(pl.col("emails").list.len() > 0).then(
            pl.col("emails").list.eval(pl.lit("mail:") + pl.element())
        )
    ).to_series()
    first_contact = (
        pl.col("_contacts").str.split(";").list.first().str.replace(r"\s*\(.*$", "").str.strip_chars()
    )
    name = pl.coalesce(
        pl.col("_name"),
        blank_to_null(
            pl.concat_str(pl.col("_first_name"), pl.col("_last_name"), separator=" ", ignore_nulls=True)
        ),
        blank_to_null(pl.when(~first_contact.str.contains("@")).then(first_contact)),
    )
    return rows.select(
        starts_at=pl.col("_starts_at"),
        ends_at=pl.col("_ends_at"),
        booked_at=pl.col("_booked_at"),
        status=_status(preset),
        title=pl.coalesce("_title", "_type"),
        origin=pl.lit(ORIGINS[preset.name]),
        contact_key=keys.list.first(),
        attendee_keys=keys,
        contact_name=blank_to_null(name),
    )


def _status(preset: Preset) -> pl.Expr:
    if preset.name == "calendly":
        yes = pl.col("_canceled").str.to_lowercase().is_in(_YES)
        no_show = pl.col("_no_show").str.to_lowercase().is_in(_YES)
        return (
            pl.when(yes)
            .then(pl.lit("cancelled"))
            .when(no_show)
            .then(pl.lit("no_show"))
            .otherwise(pl.lit("scheduled"))
        )
    # An empty outcome is HubSpot's default "Scheduled"; a portal's own label is unknown (null).
    label = pl.col("_outcome").str.to_lowercase().str.replace_all(r"\s+", " ")
    return (
        pl.when(label.is_null())
        .then(pl.lit("scheduled"))
        .otherwise(label.replace_strict(_STATUS, default=None))
    )
