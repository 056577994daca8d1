"""Call logs from dialers and CRMs (HubSpot, Salesforce, Aircall, RingCentral, German CSVs) as touches."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import polars as pl

from socialsell import identity
from socialsell.sources import Context, Parsed, call_presets
from socialsell.sources.call_presets import (
    DIRECTIONS,
    FOOTER,
    IF_HUMAN,
    KEYWORDS,
    PRESETS,
    Preset,
    fold_label,
)
from socialsell.sources.call_values import instants, phones_e164, seconds, trimmed
from socialsell.sources.tabular import (
    CsvLayout,
    ImportError_,
    Quarantined,
    read_rows,
    sniff_layout,
    split_invalid,
)

__all__ = ["NAME", "matches", "parse"]

NAME = "calls"
_STEPS = 5
# When several tags name an outcome, the strongest evidence wins.
_PRIORITY = ("meeting_booked", "connected", "gatekeeper", "voicemail", "wrong_number", "busy", "no_answer")
_NO = ["no", "nein", "false", "0", "n"]


def matches(path: Path) -> bool:
    """A CSV whose header (in the first lines) fits one of the built-in presets."""
    if path.suffix.lower() not in (".csv", ".txt", ".tsv") or not path.is_file():
        return False
    return sniff_layout(path, lambda header: _choose(header, PRESETS.values()) is not None) is not None


def _choose(header: tuple[str, ...], presets) -> Preset | None:
    fits = [p for p in presets if not p.missing(header)]
    return max(fits, key=lambda p: len(p.resolve(header)), default=None)


def _layout(path: Path, context: Context, mapping: dict | None) -> tuple[Preset, CsvLayout]:
    presets = list(PRESETS.values())
    if mapping is not None:
        try:
            presets = [call_presets.preset_from_mapping(mapping)]
        except ValueError as exc:
            raise ImportError_(f"{path}: column mapping: {exc}") from exc
    elif context.preset:
        name = context.preset.removeprefix("calls.")
        if name not in PRESETS:
            known = ", ".join(PRESETS)
            raise ImportError_(f"{path}: no call-log preset {name!r} ({known}; generic needs a mapping)")
        presets = [PRESETS[name]]
    layout = sniff_layout(path, lambda header: _choose(header, presets) is not None)
    if layout is None:
        first = sniff_layout(path, lambda header: True)
        found = ", ".join(first.header) if first else "nothing, the file is empty"
        needs = "; ".join(f"{p.name} needs {p.needs()}" for p in presets)
        raise ImportError_(f"{path}: no call-log preset fits the header ({found}). {needs}")
    return _choose(layout.header, presets), layout


def _fields(frame: pl.DataFrame, cols: dict[str, str]) -> pl.DataFrame:
    """The mapped columns under their field names (not copied unless blanks pad them: then trimmed).

    DuckDB's reader already gives NULL for empty fields.
    """
    return pl.DataFrame([trimmed(frame[h]).alias(name) for name, h in cols.items()] + [frame["_line"]])


def _column(f: pl.DataFrame, name: str) -> pl.Series:
    return f[name] if name in f.columns else pl.repeat(None, len(f), dtype=pl.String, eager=True).alias(name)


def _drop(frame: pl.DataFrame, drop: pl.Expr, reason: str, skipped: dict[str, int]) -> pl.DataFrame:
    kept = frame.filter(~drop.fill_null(False))
    if len(kept) < len(frame):
        skipped[reason] = skipped.get(reason, 0) + len(frame) - len(kept)
    return kept


def _footer(frame: pl.DataFrame, quarantined: list[Quarantined], skipped) -> tuple[pl.DataFrame, list]:
    # "Grand Totals (5 records)" / "Confidential Information - Do Not Distribute" / "Copyright © 2000-2025 …"
    def is_footer(q: Quarantined) -> bool:
        return bool(FOOTER.match((q.raw or "").strip().strip('"').strip()))

    if count := sum(map(is_footer, quarantined)):
        skipped["Salesforce report footer"] = count
    first, *rest = [c for c in frame.columns if c != "_line"]
    footer = pl.col(first).str.strip_chars().str.contains("(?i)" + FOOTER.pattern)
    alone = footer & pl.all_horizontal(pl.col(c).is_null() for c in rest)  # a footer padded to full width
    kept = [q for q in quarantined if not is_footer(q)]
    return _drop(frame, alone, "Salesforce report footer", skipped), kept


def _calls_only(f: pl.DataFrame, preset: Preset, skipped: dict[str, int]) -> pl.DataFrame:
    """Salesforce tasks that are not calls and RingCentral faxes are skipped, with the reason."""
    has_type = pl.col("direction").is_not_null() if "direction" in f.columns else pl.lit(False)
    if "subtype" in f.columns:
        call = (pl.col("subtype").str.to_lowercase() == "call") | has_type
        f = _drop(f, ~call, "not a call (Task Subtype is not Call, no Call Type)", skipped)
    elif preset.calls_only and "direction" in f.columns:
        f = _drop(f, ~has_type, "not a call (no Call Type)", skipped)
    if "type" in f.columns:
        voice = pl.col("type").str.to_lowercase().is_in(["voice", "call", "anruf"])
        f = _drop(f, ~voice, "not a voice call (fax, sms)", skipped)
    return f


def _times(f: pl.DataFrame, cols: dict[str, str], preset: Preset, context: Context):
    """The call's instant from occurred_at, or date (+ time), or created_at when it falls on date."""
    zone = context.source_tz if preset.time_zone == "source" else preset.time_zone
    texts = {
        "occurred_at": _column(f, "occurred_at"),
        "date": _column(f, "date"),
        "created_at": _column(f, "created_at"),
    }
    if "time" in f.columns:
        texts["date"] = pl.select(
            pl.concat_str([pl.lit(texts["date"]), pl.lit(f["time"])], separator=" ", ignore_nulls=True)
        ).to_series()
    parsed, checks = {}, []
    for name in (n for n in ("occurred_at", "date", "created_at") if n in cols):
        parsed[name], words, gap = instants(texts[name], preset.date_formats, zone, context.source_tz)
        bad, header = texts[name].is_not_null() & parsed[name].is_null(), cols[name]
        checks.append((header, bad & ~gap, f"{header}: not a date/time in the expected format {words}"))
        checks.append((header, gap, f"{header}: the time does not exist in {zone} (daylight-saving gap)"))
    at = parsed.get("occurred_at")
    if at is None and {"date", "created_at"} <= set(parsed):  # Salesforce: the logging time on the call's day
        date, created = parsed["date"], parsed["created_at"]
        same_day = (
            created.dt.convert_time_zone(context.source_tz).dt.date()
            == date.dt.convert_time_zone(context.source_tz).dt.date()
        )
        at = created.zip_with(same_day.fill_null(False), date).fill_null(created)
    at = (at if at is not None else parsed.get("date", parsed.get("created_at"))).alias("at")
    named = " / ".join(cols[n] for n in parsed)
    missing = at.is_null() & ~pl.select(pl.any_horizontal(pl.lit(c[1]) for c in checks)).to_series()
    return at, [*checks, (named, missing, f"no call date ({named} empty)")]


def _durations(f: pl.DataFrame, cols: dict[str, str], preset: Preset):
    """Talk time where the export has it (Aircall's in-call duration), else the duration."""
    result, checks = pl.repeat(None, len(f), dtype=pl.Int32, eager=True), []
    for name in ("duration", "talk_duration"):
        if name in cols:
            value, reason = seconds(f[name], cols[name], preset.duration_unit, preset.decimal_comma)
            checks.append((cols[name], f[name].is_not_null() & (value.is_null() | (value < 0)), reason))
            result = value.fill_null(result) if name == "talk_duration" else value
    return result.alias("duration_s"), checks


def _quarantine(frame: pl.DataFrame, f: pl.DataFrame, checks: list, delimiter: str) -> tuple[pl.Series, list]:
    """Rows failing a check (column, mask, reason) → quarantine with their original fields and line."""
    bad = pl.select(pl.any_horizontal(pl.lit(mask) for _, mask, _ in checks)).to_series() if checks else None
    if bad is None or not bad.any():
        return pl.repeat(False, len(f), eager=True), []
    rows = bad.arg_true()
    raw = frame.filter(pl.col("_line").is_in(f["_line"].gather(rows).implode()))
    _, quarantined = split_invalid(raw, [(c, pl.lit(m.gather(rows)), r) for c, m, r in checks], delimiter)
    return bad, quarantined


def _lookup(preset: Preset, context: Context):
    """Label → outcome: the user's overrides, the preset's table, then keyword fragments; else None."""
    table = dict(preset.outcomes)
    table.update({fold_label(k): v for k, v in context.config.outcome_map(preset.name).items()})

    def outcome(label: str) -> str | None:
        key = fold_label(label)
        return table.get(key) or next((o for fragment, o in KEYWORDS if fragment in key), None)

    return outcome


def _outcomes(f: pl.DataFrame, preset: Preset, context: Context) -> pl.DataFrame:
    """`outcome` in the schema's vocabulary and `raw_outcome` as the export wrote it."""
    lookup = _lookup(preset, context)
    label, status, tags, reason = (_column(f, n) for n in ("outcome", "status", "tags", "reason"))
    mapped = pl.lit(identity.map_distinct(label, lookup))
    if preset.outcome_rule == "tags":  # Aircall: Answered=Yes includes voicemail; tags tell the rest

        def strongest(text: str) -> str | None:
            found = {lookup(tag) for tag in re.split(r"[,;|]", text) if tag.strip()}
            return next((o for o in _PRIORITY if o in found), None)

        answered = _column(f, "answered")
        tagged = pl.lit(identity.map_distinct(tags, strongest)).fill_null("other")
        outcome = (
            pl.when(pl.lit(answered.str.to_lowercase().is_in(_NO)))
            .then(pl.lit("no_answer"))
            .otherwise(tagged)
        )
        raw = pl.coalesce(pl.lit(tags), pl.lit(label), "Answered: " + pl.lit(answered))
    elif preset.outcome_rule == "result":  # RingCentral: a voicemail system also "connects"
        why = pl.lit(reason.str.to_lowercase())
        human = (why == "accepted") | (
            why.is_null() & (pl.col("duration_s") >= call_presets.CONNECT_THRESHOLD_S)
        )
        decided = pl.when(human.fill_null(False)).then(pl.lit("connected")).otherwise(pl.lit("other"))
        outcome = pl.when(mapped == IF_HUMAN).then(decided).otherwise(mapped.fill_null("other"))
        raw = pl.concat_str([pl.lit(label), pl.lit(reason)], separator=" / ", ignore_nulls=True)
    else:
        outcome = pl.coalesce(mapped, pl.lit(identity.map_distinct(status, lookup)), pl.lit("other"))
        raw = pl.coalesce(pl.lit(label), pl.lit(status))
    return f.with_columns(outcome=outcome, raw_outcome=raw)


def _contacts(f: pl.DataFrame, region: str) -> pl.DataFrame:
    """E.164 phone (the `to` side of outbound calls, the `from` side of inbound ones), name, e-mail, key."""
    phone = _column(f, "to_number")
    if "from_number" in f.columns:
        phone = f["from_number"].zip_with((_column(f, "direction") == "inbound").fill_null(False), phone)
    if "contact_phone" in f.columns:
        phone = f["contact_phone"].fill_null(phone)
    name, mail = _column(f, "contact_name"), _column(f, "contact_email")
    if "contact" in f.columns:  # HubSpot: `Name (mail@host); Other Name (…)`
        first = f["contact"].str.replace(r";.*$", "").str.strip_chars()
        name = name.fill_null(first.str.replace(r"\s*\([^()]*@[^()]*\)$", ""))
        mail = mail.fill_null(first.str.extract(r"([^\s()<>;,]+@[^\s()<>;,]+)"))
    f = f.with_columns(
        contact_phone=phones_e164(phone, region),
        contact_name=name,
        contact_email=identity.email(mail) if mail.null_count() < len(mail) else mail,
        contact_company=_column(f, "contact_company"),
    )
    by_phone = identity.contact_key(phone=pl.col("contact_phone"))
    return f.with_columns(
        contact_key=pl.coalesce(by_phone, identity.contact_key(mail=pl.col("contact_email")))
    )


def _reps(f: pl.DataFrame, context: Context) -> tuple[pl.Series, pl.DataFrame]:
    """rep_id per row (`--rep` wins) and a reps frame for the reps the config does not know."""
    schema = {"rep_id": pl.String, "display_name": pl.String, "team": pl.String, "from_config": pl.Boolean}
    if context.rep:
        new = [] if context.config.rep(context.rep) else [(context.rep, context.rep, None, False)]
        rep_id = pl.repeat(context.rep, len(f), dtype=pl.String, eager=True).alias("rep_id")
        return rep_id, pl.DataFrame(new, schema=schema, orient="row")
    raw = _column(f, "rep")
    if "rep_ext" in f.columns:
        raw = raw.fill_null("ext:" + f["rep_ext"])
    resolved = context.config.resolve_reps(raw)
    mapping = dict(zip(resolved["raw"], resolved["rep_id"], strict=True))
    rep_id = raw.replace_strict(mapping, default=None, return_dtype=pl.String).alias("rep_id")
    team = pl.lit(None, pl.String).alias("team")
    new = resolved.filter(~pl.col("from_config")).select("rep_id", "display_name", team, "from_config")
    return rep_id, new.unique("rep_id", keep="first").sort("rep_id")


def _one_per_session(f: pl.DataFrame, skipped: dict[str, int]) -> pl.DataFrame:
    """Legs of one call share a session id: one row per session, the longest leg (then the first),
    at the session's first start."""
    legs = f.filter(pl.col("session_id").is_not_null()).with_columns(pl.col("at").min().over("session_id"))
    kept = legs.sort(["session_id", "duration_s", "_line"], descending=[False, True, False], nulls_last=True)
    out = pl.concat([kept.unique("session_id", keep="first"), f.filter(pl.col("session_id").is_null())])
    if len(out) < len(f):
        skipped["additional leg of the same call"] = len(f) - len(out)
    return out.sort("_line")


def _source_ids(f: pl.DataFrame, preset: Preset) -> pl.Series:
    """The export's id (the session's, where legs were merged); else md5 of the row's content
    (+ `-n` for the n-th identical row in the file)."""
    first, second = ("session_id", "call_id") if preset.sessions else ("call_id", "session_id")
    ids = _column(f, first).fill_null(_column(f, second)).alias("source_id")
    missing = ids.is_null().arg_true()
    if not len(missing):
        return ids
    parts = [pl.col("at").dt.to_string("%Y-%m-%dT%H:%M:%SZ"), pl.col("contact_phone")]
    parts += [
        pl.col(c)
        for c in ("rep", "direction", "duration", "talk_duration", "outcome", "tags")
        if c in f.columns
    ]
    content = f[missing].select("_line", c=pl.concat_str([p.fill_null("") for p in parts], separator="\x1f"))
    con = duckdb.connect()
    con.register("content", content)
    hashed = con.sql(
        """SELECT md5(c) || CASE WHEN n > 1 THEN '-' || n ELSE '' END AS h FROM (
             SELECT c, _line, row_number() OVER (PARTITION BY c ORDER BY _line) AS n FROM content)
           ORDER BY _line"""
    ).pl()["h"]
    con.close()
    return ids.scatter(missing, hashed)


# HubSpot calls export (English labels; German: Datensatz-ID, Aktivitätsdatum, Anrufdauer …):
#   Record ID,Activity date,Activity assigned to,Call direction,Call outcome,Call duration (ms),To number
#   51234567001,2026-01-13 09:42,Jonas Weber,OUTBOUND,f240bbac-87c9-4f6e-bf70-924b57d47db7,125000,+49 40 1234
# Salesforce report, de_DE, ISO-8859-1, footer after a blank line:
#   "Zugewiesen zu","Betreff","Fälligkeitsdatum","Anruftyp","Anrufdauer","Anrufergebnis","Aktivitäts-ID"
#   "Jonas Weber","Anruf","13.01.2026","Ausgehend","125","Termin vereinbart","00T5g00000AbCdE"
#   (blank) "Grand Totals (1 records)" / "Confidential Information - Do Not Distribute" / "Copyright © …"
# Salesforce Data Loader: ID,WHOID,OWNERID,SUBJECT,ACTIVITYDATE,CREATEDDATE,CALLTYPE,CALLDURATIONINSECONDS,…
# Aircall: Call ID,Date,Time,Direction,User,External number,Answered,In-call duration,Tags
#          CA84aedbe1d875cd01,2026-01-13,09:42:10,Outbound,Jonas Weber,+49 40 1234567,Yes,00:02:05,Mailbox
# RingCentral: Session Id,Id,Start Time,Type,Direction,Result,Reason,From,To,Extension,Name,Duration (per leg)
# German dialer, Excel CSV (;, cp1252): Datum;Uhrzeit;Mitarbeiter;Rufnummer;Richtung;Dauer;Ergebnis
#                                        13.01.2026;09:42;Jonas Weber;040 1234567;ausgehend;1,5;Erreicht
def parse(path: Path, context: Context, mapping: dict | None = None) -> Parsed:
    """Read a call log with the preset its header fits (or `context.preset`, or a column `mapping`:
    canonical field → header, see call_presets.FIELDS and preset_from_mapping).

    Raises:
        ImportError_: no preset fits the header (the message lists what each preset needs).
    """
    preset, layout = _layout(path, context, mapping)
    cols = preset.resolve(layout.header)
    step = (lambda done: context.progress(done, _STEPS)) if context.progress else (lambda done: None)
    frame, quarantined = read_rows(layout)
    rows_read, skipped = len(frame) + len(quarantined), {}
    if preset.footer:
        frame, quarantined = _footer(frame, quarantined, skipped)
    f = _fields(frame, cols)
    if "direction" in f.columns:
        f = f.with_columns(identity.map_distinct(f["direction"], lambda v: DIRECTIONS.get(fold_label(v))))
    f = _calls_only(f, preset, skipped)
    step(1)
    at, time_checks = _times(f, cols, preset, context)
    duration_s, duration_checks = _durations(f, cols, preset)
    bad, invalid = _quarantine(frame, f, time_checks + duration_checks, layout.delimiter)
    del frame
    f = f.with_columns(at, duration_s).filter(~bad)
    step(2)
    if preset.sessions:
        f = _one_per_session(f, skipped)
    f = _contacts(_outcomes(f, preset, context), context.config.region)
    step(3)
    rep_id, reps = _reps(f, context)
    f = f.with_columns(rep_id, _source_ids(f, preset))
    step(4)
    zone = context.source_tz if preset.time_zone == "source" else preset.time_zone
    session = pl.coalesce("session_id", "source_id") if "session_id" in f.columns else pl.col("source_id")
    touches = f.select(
        "rep_id", channel=pl.lit("phone"), kind=pl.lit("call"), direction=_column(f, "direction"),
        occurred_at="at", source_tz=pl.lit(zone),
        duration_s="duration_s", outcome="outcome", raw_outcome="raw_outcome", contact_key="contact_key",
        contact_name="contact_name", contact_phone="contact_phone", contact_email="contact_email",
        contact_company="contact_company", session_id=session,
        source=pl.lit(f"calls.{preset.name}"), source_id="source_id", source_file=pl.lit(str(path)),
        source_row="_line",
    )  # fmt: skip
    step(5)
    tables = {"touches": touches, **({"reps": reps} if len(reps) else {})}
    return Parsed(f"calls.{preset.name}", tables, rows_read, quarantined + invalid, skipped, context.rep)
