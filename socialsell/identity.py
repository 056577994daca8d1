"""Normalising the keys that identify a person across exports: LinkedIn URL, phone, e-mail, name."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import unquote, urlsplit

import phonenumbers
import polars as pl

__all__ = [
    "contact_key",
    "email",
    "folded_name_sql",
    "linkedin_url",
    "map_distinct",
    "name_key_sql",
    "phone_e164",
    "slug",
    "slugs",
]


def map_distinct(values: pl.Series, fn, dtype=pl.String, *, fast: pl.Expr | None = None) -> pl.Series:
    """Apply a per-value Python function once per distinct value, not once per row.

    `fast`: a vectorised expression over the column `v` (the distinct values) that gives `fn(v)` for the
    common values and null where it cannot tell; `fn` then runs only on the values it left null.
    """
    distinct = pl.DataFrame({"v": values.drop_nulls().unique()})
    distinct = distinct.with_columns(out=fast if fast is not None else pl.lit(None, dtype=dtype))
    slow = distinct.filter(pl.col("out").is_null())["v"].to_list()
    if slow:
        mapped = pl.DataFrame(
            {"v": slow, "slow": [fn(v) for v in slow]}, schema={"v": values.dtype, "slow": dtype}
        )
        distinct = distinct.join(mapped, on="v", how="left").select("v", out=pl.coalesce("out", "slow"))
    return values.replace_strict(distinct["v"], distinct["out"], default=None, return_dtype=dtype).alias(
        values.name
    )


def _linkedin_url_one(raw: str) -> str | None:
    text = raw.strip()
    if not text:
        return None
    if "://" not in text:
        text = "https://" + text.lstrip("/")
    parts = urlsplit(text)
    host = parts.netloc.lower()
    if not (host == "linkedin.com" or host.endswith(".linkedin.com")):
        return None
    path = unquote(parts.path).rstrip("/")
    if any(c in path for c in ", \t"):
        return None  # several URLs joined, or free text: not one profile
    segments = [s for s in path.split("/") if s]
    if len(segments) < 2 or segments[0].lower() not in ("in", "pub", "sales"):
        return None
    if segments[0].lower() == "sales" and len(segments) >= 3 and segments[1].lower() in ("lead", "people"):
        segments = ["sales", segments[1].lower(), segments[2].split(",")[0]]
    else:
        segments = [segments[0].lower(), segments[1]]
    return "https://www.linkedin.com/" + unicodedata.normalize("NFC", "/".join(segments)).lower()


# A profile URL as LinkedIn writes it (`https://www.linkedin.com/in/anna-becker-4711`, ASCII, no query):
# canonicalised by one vectorised expression; anything else goes through `_linkedin_url_one`.
_PLAIN_PROFILE = r"^(?i:https?://(?:www\.|[a-z]{2}\.)?linkedin\.com)/in/([A-Za-z0-9_-]+)/?$"


def linkedin_url(values: pl.Series) -> pl.Series:
    """Canonical profile URL: https, www host, percent-decoded, lower case, no slash/query/locale."""
    plain = pl.col("v").str.extract(_PLAIN_PROFILE, 1).str.to_lowercase()
    return map_distinct(values, _linkedin_url_one, fast="https://www.linkedin.com/in/" + plain)


def _phone_one(raw: str, region: str) -> str | None:
    text = raw.strip()
    if not text:
        return None
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_e164(values: pl.Series, region: str = "DE") -> pl.Series:
    """Phone numbers in E.164 (`+4940123456`); unparseable or impossible numbers become null."""
    return map_distinct(values.cast(pl.String), lambda v: _phone_one(v, region))


_EMAIL = re.compile(r"[^@\s<>\"'()\[\],;:]+@[^@\s<>\"'()\[\],;:]+\.[A-Za-z]{2,}")


def email(values: pl.Series) -> pl.Series:
    """Lower-cased address, `mailto:` and display names removed; not an address → null."""
    return (
        values.cast(pl.String)
        .str.strip_chars()
        .str.replace(r"(?i)^mailto:", "")
        .str.extract(f"({_EMAIL.pattern})")
        .str.to_lowercase()
        .alias(values.name)
    )


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.replace("ß", "ss"))
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", " ", ascii_only).strip()


_TITLES = r"\b(dr|prof|mr|mrs|ms)\b"
_LEGAL_FORMS = r"\b(gmbh|ag|kg|se|inc|ltd|llc|co|mbh|ug)\b"


def _folded_sql(text_sql: str, drop: str) -> str:
    folded = f"lower(strip_accents(replace({text_sql}, 'ß', 'ss')))"
    folded = f"regexp_replace({folded}, '[^a-z0-9]+', ' ', 'g')"
    folded = f"regexp_replace({folded}, '{drop}', '', 'g')"
    return f"nullif(trim(regexp_replace({folded}, '\\s+', ' ', 'g')), '')"


def folded_name_sql(name_sql: str) -> str:
    """SQL: a person's name folded for comparison: ß→ss, accents off, lower case, punctuation to
    spaces, titles (Dr., Prof., Mr …) removed; blank → NULL. `Dr. Jürgen Weiß` → `jurgen weiss`."""
    return _folded_sql(name_sql, _TITLES)


def name_key_sql(name_sql: str, company_sql: str) -> str:
    """SQL: `name:<folded name>|<folded company>` for matching by name and company (legal forms such
    as GmbH dropped); NULL without both."""
    return f"('name:' || {folded_name_sql(name_sql)} || '|' || {_folded_sql(company_sql, _LEGAL_FORMS)})"


def slug(text: str) -> str:
    """A readable id from a name: `Anna Müller` → `anna-muller`."""
    return re.sub(r"\s+", "-", _fold(text)) or "unknown"


def slugs(values: pl.Series) -> pl.Series:
    """`slug` of every value (null stays null); ASCII names are folded by one vectorised expression."""
    text = pl.col("v")
    ascii_slug = (
        text.str.to_lowercase()
        .str.replace_all(r"[^a-z0-9]+", " ")
        .str.strip_chars(" ")
        .str.replace_all(" ", "-")
    )
    fast = pl.when(text.str.contains(r"^[\x00-\x7f]*$")).then(
        pl.when(ascii_slug == "").then(pl.lit("unknown")).otherwise(ascii_slug)
    )
    return map_distinct(values.cast(pl.String), slug, fast=fast)


def contact_key(
    linkedin: pl.Expr | None = None, phone: pl.Expr | None = None, mail: pl.Expr | None = None
) -> pl.Expr:
    """The best single identity of a contact, prefixed by kind: `li:`, `mail:`, `tel:`."""
    parts = []
    if linkedin is not None:
        parts.append(pl.concat_str(pl.lit("li:"), linkedin.str.replace("https://www.linkedin.com/", "")))
    if mail is not None:
        parts.append(pl.concat_str(pl.lit("mail:"), mail))
    if phone is not None:
        parts.append(pl.concat_str(pl.lit("tel:"), phone))
    return pl.coalesce(parts) if parts else pl.lit(None, dtype=pl.String)
