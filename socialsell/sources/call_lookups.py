"""Per-distinct-value lookups of a call log: outcome, contact and rep for each distinct combination
of the raw fields (calls.py joins them to the rows in SQL), and the readings the SQL left to polars."""

from __future__ import annotations

import re

import polars as pl

from socialsell import identity
from socialsell.sources import Context
from socialsell.sources.call_presets import KEYWORDS, Preset, fold_label
from socialsell.sources.call_values import instants, phones_e164, seconds

__all__ = ["contact_lookup", "date_lookup", "duration_lookup", "outcome_lookup", "rep_lookup"]

# When several tags name an outcome, the strongest evidence wins.
_PRIORITY = ("meeting_booked", "connected", "gatekeeper", "voicemail", "wrong_number", "busy", "no_answer")
_NO = ["no", "nein", "false", "0", "n"]


def _column(f: pl.DataFrame, name: str) -> pl.Series:
    return f[name] if name in f.columns else pl.repeat(None, len(f), dtype=pl.String, eager=True).alias(name)


def _label(preset: Preset, context: Context):
    """Label → outcome: the user's overrides, the preset's table, then keyword fragments; else None."""
    table = dict(preset.outcomes)
    table.update({fold_label(k): v for k, v in context.config.outcome_map(preset.name).items()})

    def outcome(label: str) -> str | None:
        key = fold_label(label)
        return table.get(key) or next((o for fragment, o in KEYWORDS if fragment in key), None)

    return outcome


def outcome_lookup(keys: pl.DataFrame, preset: Preset, context: Context) -> pl.DataFrame:
    """For each row of distinct (outcome, status, tags, answered, reason): `outcome` in the schema's
    vocabulary (RingCentral: IF_HUMAN, decided per row by reason and duration) and `raw_outcome`
    as the export wrote it."""
    lookup = _label(preset, context)
    label, status, tags, reason = (_column(keys, n) for n in ("outcome", "status", "tags", "reason"))
    mapped = pl.lit(identity.map_distinct(label, lookup))
    if preset.outcome_rule == "tags":  # Aircall: Answered=Yes includes voicemail; tags tell the rest

        def strongest(text: str) -> str | None:
            found = {lookup(tag) for tag in re.split(r"[,;|]", text) if tag.strip()}
            return next((o for o in _PRIORITY if o in found), None)

        answered = _column(keys, "answered")
        tagged = pl.lit(identity.map_distinct(tags, strongest)).fill_null("other")
        outcome = (
            pl.when(pl.lit(answered.str.to_lowercase().is_in(_NO)))
            .then(pl.lit("no_answer"))
            .otherwise(tagged)
        )
        raw = pl.coalesce(pl.lit(tags), pl.lit(label), "Answered: " + pl.lit(answered))
    elif preset.outcome_rule == "result":  # RingCentral: a voicemail system also "connects"
        outcome = mapped
        raw = pl.concat_str([pl.lit(label), pl.lit(reason)], separator=" / ", ignore_nulls=True)
    else:
        outcome = pl.coalesce(mapped, pl.lit(identity.map_distinct(status, lookup)), pl.lit("other"))
        raw = pl.coalesce(pl.lit(label), pl.lit(status))
    return keys.select(outcome=outcome, raw_outcome=raw)


def contact_lookup(keys: pl.DataFrame, region: str) -> pl.DataFrame:
    """For each row of distinct (phone as written, contact, name, e-mail, company): E.164 phone,
    name, e-mail, company and contact key. HubSpot's `contact` reads `Name (mail@host); Other Name (…)`."""
    phone = keys["phone"]
    name, mail = _column(keys, "contact_name"), _column(keys, "contact_email")
    if "contact" in keys.columns:
        first = keys["contact"].str.replace(r";.*$", "").str.strip_chars()
        name = name.fill_null(first.str.replace(r"\s*\([^()]*@[^()]*\)$", ""))
        mail = mail.fill_null(first.str.extract(r"([^\s()<>;,]+@[^\s()<>;,]+)"))
    found = pl.DataFrame(
        {
            "contact_phone": phones_e164(phone, region),
            "contact_name": name,
            "contact_email": identity.email(mail) if mail.null_count() < len(mail) else mail,
            "contact_company": _column(keys, "contact_company"),
        }
    )
    by_phone = identity.contact_key(phone=pl.col("contact_phone"))
    return found.with_columns(
        contact_key=pl.coalesce(by_phone, identity.contact_key(mail=pl.col("contact_email")))
    )


def rep_lookup(raw: pl.Series, context: Context) -> tuple[pl.DataFrame, pl.DataFrame]:
    """raw owner value → rep_id, and a reps frame for the reps the config does not know."""
    resolved = context.config.resolve_reps(raw.drop_nulls().unique().sort())
    team = pl.lit(None, pl.String).alias("team")
    new = resolved.filter(~pl.col("from_config")).select("rep_id", "display_name", team, "from_config")
    return resolved.select(raw=pl.col("raw").cast(pl.String), rep_id="rep_id"), new.unique(
        "rep_id", keep="first", maintain_order=True
    ).sort("rep_id")


def date_lookup(texts: pl.Series, formats: tuple[str, ...], zone: str, day_zone: str) -> pl.DataFrame:
    """Each distinct text → its instant (null if none) and whether it fell in a daylight-saving gap."""
    at, _, gap = instants(texts, formats, zone, day_zone, ordered=True)
    return pl.DataFrame({"text": texts, "at": at.cast(pl.Datetime("us", "UTC")), "gap": gap})


def duration_lookup(texts: pl.Series, header: str, preset: Preset) -> pl.DataFrame:
    """Each distinct text → whole seconds (null if not a duration)."""
    value, _ = seconds(texts, header, preset.duration_unit, preset.decimal_comma)
    return pl.DataFrame({"text": texts, "seconds": value})
