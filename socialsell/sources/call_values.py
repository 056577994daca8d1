"""Reading call-log values column-wise: date/times in a list of formats, durations, phone numbers."""

from __future__ import annotations

import functools
import re

import phonenumbers
import polars as pl
from phonenumbers import PhoneMetadata
from phonenumbers.phonenumberutil import region_code_for_country_code

from socialsell import identity
from socialsell.sources.call_presets import UNIT_HINT
from socialsell.sources.tabular import local_to_utc

__all__ = ["instants", "phones_e164", "seconds", "trimmed"]

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


def instants(texts: pl.Series, formats: tuple[str, ...], zone: str, day_zone: str):
    """UTC instants from text, parsed with the format most leading values fit and the others only
    where it failed. Times without an offset are wall-clock times in `zone`; a bare date is
    midnight in `day_zone` (the day where the rep sits).

    Returns (instants, the expected formats in words, mask of local times in a daylight-saving gap).
    """
    sample = texts.head(2000).drop_nulls()
    ordered = sorted(formats, key=lambda f: -_naive(sample, f).is_not_null().sum())

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
    words = " or ".join(
        re.sub(r"%[.:]?[a-zA-Z]", lambda m: _FORMAT_WORDS.get(m[0], m[0]), f) for f in ordered[:3]
    )
    return result, words, gap


def seconds(texts: pl.Series, header: str, unit: str, decimal_comma: bool) -> tuple[pl.Series, str]:
    """Whole seconds from a number of ms/s/min (a unit in the header, `(ms)`, beats `unit`) or h:mm:ss.

    Returns (seconds, the reason for values that are not a duration).
    """
    hint = UNIT_HINT.search(header)
    factor = _UNITS[(hint[1] or hint[2]).lower() if hint else unit]
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
