"""Reading call-log values column-wise: date/times in a list of formats, durations, phone numbers.

Each reader exists twice where it matters for speed: as SQL that DuckDB runs over every row
(`sql_instant`, `sql_seconds`, `sql_direction`), covering the plain cases exactly, and as polars
(`instants`, `seconds`) that reads what the SQL leaves NULL, once per distinct value. Tests check
that the SQL never reads a value polars would reject or read otherwise.
"""

from __future__ import annotations

import functools
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import phonenumbers
import polars as pl
from phonenumbers import PhoneMetadata
from phonenumbers.phonenumberutil import region_code_for_country_code

from socialsell import identity
from socialsell.sources.call_presets import DIRECTIONS, PRESETS, UNIT_HINT
from socialsell.sources.csv_scan import WHITESPACE, sql_string
from socialsell.sources.tabular import local_to_utc

__all__ = [
    "duration_factor",
    "format_words",
    "instants",
    "order_formats",
    "phones_e164",
    "seconds",
    "sql_direction",
    "sql_instant",
    "sql_seconds",
    "trimmed",
]

_UNITS = {"ms": 0.001, "milli": 0.001, "s": 1.0, "sec": 1.0, "sek": 1.0, "min": 60.0}
_UNIT_WORDS = {0.001: "milliseconds", 1.0: "seconds", 60.0: "minutes"}
_FORMAT_WORDS = {"%Y": "YYYY", "%m": "MM", "%d": "DD", "%H": "hh", "%I": "hh", "%M": "mm", "%S": "ss",
                 "%p": "AM/PM", "%y": "YY", "%.f": ".fff", "%:z": "+hh:mm", "%a": "Mon"}  # fmt: skip
_SEPARATORS = [" ", "-", ".", "/", "(", ")", "\u00a0", "\t"]  # what phone numbers are written with


def trimmed(texts: pl.Series) -> pl.Series:
    """Blanks around values removed (blanks only → null); checked first, as trimming copies every value."""
    padded = (texts.str.starts_with(" ") | texts.str.ends_with(" ")).any()
    return texts.str.strip_chars().replace("", None) if padded else texts


def _naive(texts: pl.Series, fmt: str) -> pl.Series:
    """Wall-clock datetimes in one strptime format; years outside 1970-2199 (`26` read by %Y) → null."""
    parsed = texts.str.to_datetime(fmt, strict=False, time_unit="us")
    return parsed.zip_with(
        parsed.dt.year().is_between(1970, 2199).fill_null(False), parsed.clear(len(parsed))
    )


def order_formats(sample: pl.Series, formats: tuple[str, ...]) -> tuple[str, ...]:
    """The formats, those that most values of `sample` (the first 2000 of a column) fit first."""
    sample = sample.drop_nulls()
    return tuple(sorted(formats, key=lambda f: -_naive(sample, f).is_not_null().sum()))


def instants(texts: pl.Series, formats: tuple[str, ...], zone: str, day_zone: str, *, ordered: bool = False):
    """UTC instants from text, parsed with the format most leading values fit and the others only
    where it failed (`ordered`: the formats are in that order already). Times without an offset are
    wall-clock times in `zone`; a bare date is midnight in `day_zone` (the day where the rep sits).

    Returns (instants, the expected formats in words, mask of local times in a daylight-saving gap).
    """
    ordered = formats if ordered else order_formats(texts.head(2000), formats)

    def parse(values: pl.Series, fmt: str) -> pl.Series:
        naive = _naive(values, fmt)
        if "%z" in fmt or "%:z" in fmt:
            return naive.dt.convert_time_zone("UTC")
        if fmt.endswith("Z"):
            return naive.dt.replace_time_zone("UTC")
        local = zone if re.search("%[HI]", fmt) else day_zone
        return naive.to_frame().select(local_to_utc(pl.col(naive.name), local)).to_series()

    result, gap = parse(texts, ordered[0]), pl.repeat(False, len(texts), eager=True)
    failed = (result.is_null() & texts.is_not_null()).arg_true()
    if len(failed):
        rest = texts.gather(failed).str.strip_chars()
        retry = functools.reduce(
            lambda acc, f: acc.fill_null(parse(rest, f)), ordered[1:], parse(rest, ordered[0])
        )
        readable = functools.reduce(
            lambda acc, f: acc | _naive(rest, f).is_not_null(), ordered, retry.is_not_null()
        )
        gap = gap.scatter(failed, readable & retry.is_null())
        result = result.scatter(failed, retry)
    return result, format_words(ordered), gap


def format_words(ordered: tuple[str, ...]) -> str:
    """The first three formats for people: `DD.MM.YYYY hh:mm or …`."""
    return " or ".join(
        re.sub(r"%[.:]?[a-zA-Z]", lambda m: _FORMAT_WORDS.get(m[0], m[0]), f) for f in ordered[:3]
    )


def duration_factor(header: str, unit: str) -> float:
    """Seconds per unit: a unit in the header, `(ms)`, beats the preset's `unit`."""
    hint = UNIT_HINT.search(header)
    return _UNITS[(hint[1] or hint[2]).lower() if hint else unit]


def seconds(texts: pl.Series, header: str, unit: str, decimal_comma: bool) -> tuple[pl.Series, str]:
    """Whole seconds from a number of ms/s/min (a unit in the header, `(ms)`, beats `unit`) or h:mm:ss.

    Returns (seconds, the reason for values that are not a duration).
    """
    factor = duration_factor(header, unit)
    thousands, decimal = (".", ",") if decimal_comma else (",", ".")
    texts = trimmed(texts)
    number = texts
    if number.str.contains(thousands, literal=True).any():  # 125,000 ms / 1.234,5 min
        t, d = re.escape(thousands), re.escape(decimal)
        grouped = number.str.contains(rf"^\d{{1,3}}({t}\d{{3}})+({d}\d+)?$")
        number = number.zip_with(
            ~grouped.fill_null(False), number.str.replace_all(thousands, "", literal=True)
        )
    if decimal_comma and number.str.contains(",", literal=True).any():
        number = number.str.replace(",", ".", literal=True)
    result = number.cast(pl.Float64, strict=False) * factor
    if texts.str.contains(":", literal=True).any():
        parts = texts.str.extract_groups(r"^(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:[.,]\d+)?)$").struct.unnest()
        clock = parts.select(
            pl.col("1").cast(pl.Float64).fill_null(0) * 3600
            + pl.col("2").cast(pl.Float64) * 60
            + pl.col("3").str.replace(",", ".").cast(pl.Float64)
        ).to_series()
        result = result.fill_null(clock)
    reason = f"{header}: not a duration in {_UNIT_WORDS[factor]} (or h:mm:ss)"
    return result.round(0).cast(pl.Int32, strict=False), reason


@functools.cache
def _dialling_rules() -> tuple[str, str, list[int]]:
    """From phonenumbers' metadata: a regex capturing the country code (the codes are prefix-free),
    a regex for numbers only a full parse can settle (a national prefix or 0 after the country
    code), and the possible national lengths as `code * 100 + length`."""
    codes, parse_needed, possible = [], [], []
    for code in sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE):
        meta = PhoneMetadata.metadata_for_region_or_calling_code(code, region_code_for_country_code(code))
        codes.append(str(code))
        if meta is None:
            parse_needed.append(str(code))
            continue
        prefix = meta.national_prefix_for_parsing
        parse_needed.append(f"{code}(?:0|{prefix})" if prefix else f"{code}0")
        lengths = (*meta.general_desc.possible_length, *meta.general_desc.possible_length_local_only)
        possible += [code * 100 + n for n in lengths if n > 0]
    return rf"^\+({'|'.join(codes)})", rf"^\+(?:{'|'.join(parse_needed)})", possible


def phones_e164(raw: pl.Series, region: str) -> pl.Series:
    """What identity.phone_e164 gives, computed column-wise for plain international numbers
    (`+49 40 1234567`, `0049 …`) and by identity.phone_e164 once per distinct value for the rest.

    A 10 M-row log holds millions of distinct numbers and a full parse costs ~25 µs each; the
    column-wise path applies the same metadata rules (country code, national prefix, possible
    lengths) and a test checks both agree.
    """
    code, parse_needed, possible = _dialling_rules()
    compact = raw.str.replace_many(_SEPARATORS, [""] * len(_SEPARATORS))
    if compact.str.starts_with("00").any():
        compact = compact.str.replace(r"^00", "+")
    country = compact.str.extract(code)
    national = compact.str.len_chars().cast(pl.Int32) - 1 - country.str.len_chars().cast(pl.Int32)
    possible_length = (country.cast(pl.Int32, strict=False) * 100 + national).is_in(possible).fill_null(False)
    quick = (compact.str.contains(r"^\+[1-9]\d{6,16}$") & ~compact.str.contains(parse_needed)).fill_null(
        False
    )
    nothing = pl.repeat(None, len(raw), dtype=pl.String, eager=True)
    slow = identity.phone_e164(raw.zip_with(~quick, nothing), region)
    return compact.zip_with(possible_length, nothing).zip_with(quick, slow).alias(raw.name)


# --- The same readers as SQL, for DuckDB to run over every row -------------------------------------

# Formats DuckDB's strptime reads exactly like polars or not at all (test_calls checks this on
# random texts): every preset format but those naming the weekday, which polars checks and DuckDB
# ignores. `%.f` (an optional fraction) becomes two DuckDB formats.
_SQL_FORMATS = {
    f: tuple(
        dict.fromkeys(
            (f.replace("%.f", ".%f").replace("%:z", "%z"), f.replace("%.f", "").replace("%:z", "%z"))
        )
    )
    for p in PRESETS.values()
    for f in p.date_formats
    if "%a" not in f
}


def sql_instant(
    text: str, formats: tuple[str, ...], zone: str, day_zone: str, name: str
) -> tuple[list[dict[str, str]], str]:
    """SQL for the instant `instants` reads from the (trimmed) text column `text` with the `formats`,
    or NULL where only polars can tell (a daylight-saving gap, a value DuckDB does not read, a
    format without a DuckDB twin).

    Returns columns for nested SELECTs, one dict per level (a level names only columns of the
    levels below it), and the instant made of them for the SELECT on top. A failed strptime
    costs DuckDB more than a successful one, so each kind of reading (local time, bare date, UTC,
    with offset) is only tried where the kinds before it failed, in the order of the formats.
    """
    if any(f not in _SQL_FORMATS and not f.startswith("%a ") for f in formats):
        return [], "NULL::TIMESTAMPTZ"
    kinds: dict[str, list[str]] = {}
    # DuckDB's %Y reads `26` as the year 26 where polars goes on to %y: such years are NULL here.
    for fmt in (f for f in formats if f in _SQL_FORMATS):
        kind = "offset" if "%:z" in fmt or "%z" in fmt else "utc" if fmt.endswith("Z") else None
        kinds.setdefault(kind or ("local" if re.search("%[HI]", fmt) else "day"), []).extend(
            _SQL_FORMATS[fmt]
        )
    levels, earlier = [], []
    for kind, duck in kinds.items():
        value = f"try_strptime({text}, [{', '.join(map(sql_string, duck))}])"
        year = f"year(timezone('UTC', {value}))" if kind == "offset" else f"year({value})"
        # Polars' zone tables stop changing clocks after 2037 and DuckDB's do not: later years
        # (and those polars rejects, before 1970 and after 2199) are left to polars.
        reading = f"(CASE WHEN {year} BETWEEN 1970 AND 2037 THEN {value} END)"
        guard = " AND ".join(f"{c} IS NULL" for c in earlier)
        levels.append({f"{name}_{kind}": f"(CASE WHEN {guard} THEN {reading} END)" if guard else reading})
        earlier.append(f"{name}_{kind}")
    convert = {
        "local": lambda c: _sql_local_to_utc(c, zone),
        "day": lambda c: _sql_local_to_utc(c, day_zone),
        "utc": lambda c: f"timezone('UTC', {c})",
        "offset": lambda c: c,
    }
    cases = " ".join(f"WHEN {name}_{k} IS NOT NULL THEN {convert[k](f'{name}_{k}')}" for k in kinds)
    return levels, (f"(CASE {cases} END)" if kinds else "NULL::TIMESTAMPTZ")


def _sql_local_to_utc(naive: str, zone: str) -> str:
    """`local_to_utc` in SQL: the earlier instant of a time the clock passes twice, NULL in a gap.

    DuckDB (ICU) moves a time in a gap forward and takes the later of two; the checks run only
    for the local hours where the zone ever changes its clocks."""
    z = sql_string(zone)
    instant = f"timezone({z}, {naive})"
    gap_hours, twice_hours, back_minutes = _clock_changes(zone)
    if twice_hours:
        earlier = " ".join(
            f"WHEN timezone({z}, {instant} - INTERVAL {m} MINUTE) = {naive} THEN {instant} - INTERVAL {m} MINUTE"
            for m in back_minutes
        )
        hours = ", ".join(map(str, sorted(twice_hours)))
        instant = f"(CASE WHEN hour({naive}) IN ({hours}) THEN (CASE {earlier} ELSE {instant} END) ELSE {instant} END)"
    if gap_hours:
        hours = ", ".join(map(str, sorted(gap_hours)))
        instant = (
            f"(CASE WHEN hour({naive}) IN ({hours}) AND timezone({z}, {instant}) <> {naive} THEN NULL "
            f"ELSE {instant} END)"
        )
    return instant


@functools.cache
def _clock_changes(zone: str) -> tuple[frozenset[int], frozenset[int], tuple[int, ...]]:
    """For 1970–2199: the local hours that can fall in a daylight-saving gap, the local hours that
    can occur twice, and by how many minutes the clock goes back (largest first)."""
    tz = ZoneInfo(zone)

    def offset(t: datetime) -> timedelta:
        return t.astimezone(tz).utcoffset()

    gap, twice, back = set(), set(), set()
    t, end, week = datetime(1970, 1, 1, tzinfo=UTC), datetime(2200, 1, 1, tzinfo=UTC), timedelta(days=7)
    while t < end:
        if offset(t + week) != offset(t):
            lo, hi = t, t + week
            while hi - lo > timedelta(minutes=1):
                mid = lo + (hi - lo) / 2
                lo, hi = (mid, hi) if offset(mid) == offset(lo) else (lo, mid)
            before, after = offset(lo), offset(hi)
            start, stop = (
                hi.replace(tzinfo=None) + min(before, after),
                hi.replace(tzinfo=None) + max(before, after),
            )
            hours = {
                (start + timedelta(minutes=m)).hour
                for m in range(0, int((stop - start).total_seconds() // 60))
            }
            (gap if after > before else twice).update(hours)
            if after < before:
                back.add(int((before - after).total_seconds() // 60))
        t += week
    return frozenset(gap), frozenset(twice), tuple(sorted(back, reverse=True))


def sql_seconds(text: str, factor: float, decimal_comma: bool) -> str:
    """SQL for what `seconds` reads from a plain number (`125`, `1.5` without decimal commas); NULL
    for anything else (h:mm:ss, grouped thousands, decimal commas, not a number)."""
    plain = r"^[0-9]+$" if decimal_comma else r"^[0-9]+(\.[0-9]+)?$"
    return (
        f"(CASE WHEN regexp_full_match({text}, {sql_string(plain)}) "
        f"THEN TRY_CAST(round_even(CAST({text} AS DOUBLE) * {factor!r}::DOUBLE, 0) AS INTEGER) END)"
    )


def sql_direction(text: str) -> str:
    """SQL for `DIRECTIONS.get(fold_label(text))`: inbound, outbound or NULL. Values written like a
    label (`OUTBOUND`, `Ausgehend`) are looked up directly; only others are folded first."""
    space = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in WHITESPACE) + "]+"
    folded = (
        f"lower(trim(regexp_replace(regexp_replace({text}, '[\\x{{2010}}-\\x{{2015}}]', '-', 'g'), "
        f"{sql_string(space)}, ' ', 'g')))"
    )
    cases = " ".join(f"WHEN {sql_string(label)} THEN {sql_string(d)}" for label, d in DIRECTIONS.items())
    return f"(CASE lower({text}) {cases} ELSE (CASE {folded} {cases} END) END)"
