"""What a message says, without keeping the text: length, hashes, language, address form, scheduling,
and a near-duplicate sketch of its wording (`template_bands`, see socialsell/near_duplicates.py)."""

from __future__ import annotations

import re

import duckdb
import polars as pl

from socialsell.near_duplicates import band_hashes

__all__ = ["FEATURE_COLUMNS", "clean_text", "features", "md5"]

FEATURE_COLUMNS = (
    "message_length",
    "message_hash",
    "template_hash",
    "language",
    "address_form",
    "has_scheduling_link",
    "proposes_time",
    "confirms_meeting",
    "template_bands",
)

# Entities seen in LinkedIn exports (2018 content, sponsored InMail HTML) plus the usual German ones.
# Decoded in one left-to-right pass, so `&amp;rsquo;` stays `&rsquo;` like a browser would show it.
_ENTITIES = {
    "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&apos;": "'", "&#39;": "'", "&#x27;": "'",
    "&nbsp;": " ", "&#160;": " ", "&rsquo;": "’", "&lsquo;": "‘", "&rdquo;": "”", "&ldquo;": "“",
    "&#8217;": "’", "&#8216;": "‘", "&#8220;": "“", "&#8221;": "”", "&ndash;": "–", "&mdash;": "—",
    "&#8211;": "–", "&#8212;": "—", "&hellip;": "…", "&#8230;": "…", "&euro;": "€", "&bull;": "•",
    "&auml;": "ä", "&ouml;": "ö", "&uuml;": "ü", "&Auml;": "Ä", "&Ouml;": "Ö", "&Uuml;": "Ü",
    "&szlig;": "ß", "&eacute;": "é", "&egrave;": "è", "&agrave;": "à", "&ccedil;": "ç",
}  # fmt: skip


def _any(*alternatives: str) -> str:
    """One case-insensitive regex matching any of the alternatives as whole words."""
    return r"(?i)\b(?:" + "|".join(alternatives) + r")\b"


def _on_lowercase(pattern: str) -> str:
    """A case-insensitive pattern (its alternatives written in lower case) for lower-cased text, where
    its (?i) flags change nothing: without them the regex engine searches for literal words first,
    3-25x faster over a message archive."""
    return pattern.replace("(?i)", "")


_BOUNDARY_BEFORE_WORD = re.compile(r"\\b(?=\(|\\d|\w)")


def _test_on_lowercase(pattern: str) -> str:
    """`_on_lowercase` for a yes/no test (`str.contains`), with each word boundary `\\b` written as
    "start of text or a non-word character" before a word and "a non-word character or end of
    text" after one.

    For a yes/no test that is the same pattern: a match of one is a match of the other, one
    character wider. But the regex engine's fast automaton cannot evaluate a Unicode `\\b` on
    non-ASCII text (an umlaut, a dash) and falls back to a far slower one; a character class it can
    (over a message archive: 1.3 -> 0.08 s). Every `\\b` in the pattern must stand next to a word
    character (a letter, a digit or a group of such alternatives); tests/test_message_features.py checks
    each pattern against the original on generated text.
    """
    before_word = _BOUNDARY_BEFORE_WORD.sub(lambda _: r"(?:^|\W)", _on_lowercase(pattern))
    return before_word.replace(r"\b", r"(?:\W|$)")


_GREETING = (
    r"(?i)^\s*(?:hi|hey|hello|hallo|dear|liebe[rs]?|sehr geehrte[rs]?|guten (?:tag|morgen|abend)|moin|servus"
    r"|grüß (?:dich|gott)|good (?:morning|afternoon|evening)|greetings)\b[^,!:\n]{0,50}[,!:\n]"
)
_URL = r"(?i)(?:https?://|www\.)\S+"

# Frequent function words; the language with more hits wins (`other` when neither is frequent).
_GERMAN = (
    "und|der|die|das|ich|nicht|mit|für|ist|ein|eine|einen|zu|auf|wir|gerne|gern|ihnen|dich|dir|du|bei|vielen"
    "|dank|danke|uns|haben|hast|habe|auch|den|dem|wie|über|werden|sie|sehr|mein|meine|ihr|ihre|bitte|grüße"
    "|hallo|freundlichen|würde|können|kannst|gibt|noch|schon|wäre|oder|aber|kurz|zeit|passt|bis|termin"
    "|gespräch|viele|liebe|beste"
)
_ENGLISH = (
    "the|and|you|your|to|of|is|are|for|with|we|that|this|have|would|thanks|thank|on|my|it|be|will|can|about"
    "|hello|best|regards|please|looking|forward|i|i'm|me|our|just|if|what|how|let|know"
)
# Capitalised Sie/Ihnen/Ihr…, "sehr geehrte", and Herr/Frau before a surname ("Hallo Herr Weber").
_FORMAL = (
    r"\b(?:Sie|Ihnen|Ihr|Ihre|Ihren|Ihrem|Ihrer|Ihres)\b|(?i:\bsehr geehrte)|\b(?:Herr|Herrn|Frau) \p{Lu}"
)
_INFORMAL = _any(
    "du|dich|dir|dein|deine|deinen|deinem|deiner|deines|euch|euer|eure|euren|eurem|lass uns|lasst uns",
    # "ihr" only after a second-person-plural verb: "nutzt ihr", not "Ihr Team" or "mit ihr"
    "(?:habt|seid|wollt|könnt|dürft|müsst|nutzt|macht|braucht|sucht|plant|setzt|kennt|wisst|messt|misst"
    "|arbeitet|findet|denkt|geht|seht) ihr",
)
_HEY = _any("hey|hi there|hiya")

_SCHEDULING = (
    r"(?i)(?:calendly\.com|meetings(?:-eu1)?\.hubspot\.com|hubspot\.[a-z]+/meetings|(?-u:\b)cal\.com/"
    r"|outlook\.office(?:365)?\.com/(?:owa/calendar|book)|bookings\.cloud\.microsoft|/bookwithme"
    r"|doodle\.com|zcal\.co|savvycal\.com|youcanbook\.me|tidycal\.com|chilipiper\.com|acuityscheduling\.com"
    r"|calendar\.app\.google|calendar\.google\.com/calendar/(?:u/\d+/)?appointments|koalendar\.com"
    r"|meetergo\.com|zeeg\.me|vyte\.in)"
)

_WEEKDAYS = (
    "montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag"
    "|monday|tuesday|wednesday|thursday|friday|saturday|sunday"
)
_MONTHS = (
    "januar|februar|märz|april|mai|juni|juli|august|september|oktober|november|dezember|january|february"
    "|march|may|june|july|october|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
# A concrete day: weekday, tomorrow/today or a date (`12.03.`, `3. März`, `March 3rd`). "Next week" is
# not one: nearly every cold message asks for time "next week". "Guten Morgen" is removed first.
_DAY = (
    _any(
        _WEEKDAYS,
        "morgen|übermorgen|tomorrow|today|tonight|heute",
        rf"\d{{1,2}}\.? (?:{_MONTHS})",
        rf"(?:{_MONTHS}) \d{{1,2}}(?:st|nd|rd|th)?",
    )
    + r"|\b\d{1,2}\.\d{1,2}\.(?:\d{2,4})?"
)
# A clock time: `10 Uhr`, `3pm`, `14:00`; the weak form (`um 10`, `at 3`) needs a day next to it.
_CLOCK = r"(?i)\b\d{1,2}(?:[:.]\d{2})? ?(?:uhr|am|pm|a\.m\.|p\.m\.)(?:\W|$)|\b\d{1,2}:\d{2}\b"
_CLOCK_WEAK = _any(r"(?:um|at|ab|gegen|around) \d{1,2}(?:[:.]\d{2})?")
# Asking for or offering a slot.
_ASK = _any(
    r"how about|what about|would (?:\w+ ){0,4}work|does (?:\w+ ){0,4}work|works? (?:for|with) (?:me|you|us)",
    r"are you (?:free|available)|do you have (?:\w+ ){0,3}(?:time|minutes)",
    r"would you be (?:open|free|available)|free (?:on|at)|available (?:on|at)",
    r"let'?s (?:meet|talk|speak|chat|schedule|say)|shall we|can we (?:meet|talk|speak|chat|do)",
    r"suits? (?:you|me)",
    r"what does your (?:schedule|calendar|week) look like",
    r"wie wäre|wie sieht (?:es|ihr|dein)|passt (?:es|ihnen|dir|euch|das)|passen (?:ihnen|dir)",
    r"hätten sie|hättest du|hast du (?:\w+ ){0,3}zeit|haben sie (?:\w+ ){0,3}zeit|zeit (?:am|für)",
    r"können wir|wollen wir|sollen wir|treffen wir|telefonieren wir|sprechen wir",
    r"geht (?:es )?(?:bei )?(?:ihnen|dir)|vorschlag|schlage (?:\w+ ){0,3}vor",
)
# A confirmed appointment or an explicit "see you then" counts on its own.
_CONFIRMED = _any(
    r"termin (?:ist |wurde )?(?:bestätigt|fix|steht|eingetragen|gebucht)|bestätige (?:\w+ ){0,2}termin",
    rf"(?:see|talk to|speak to|speak with) you (?:on|at|then|tomorrow|next|{_WEEKDAYS})",
    rf"(?:sehen|hören|sprechen) uns (?:am|morgen|dann|nächste|{_WEEKDAYS})",
    rf"bis (?:{_WEEKDAYS}|morgen|übermorgen)",
    r"(?:meeting|call) (?:is )?(?:confirmed|booked|scheduled)",
    r"calendar invite|kalendereinladung|einladung (?:ist )?(?:raus|verschickt|geschickt|gesendet)",
)
# Accepting a proposed slot or reporting a booking ("Dienstag passt.", "Habe mir einen Termin gebucht.").
# The short replies ("passt.", "works for me!") count only as a whole clause, ended by punctuation.
_ACCEPTED = (
    _any(
        r"(?:termin|slot|zeitfenster) (?:\w+ ){0,4}(?:gebucht|eingetragen|reserviert|ausgewählt|gewählt)",
        r"(?:habe|hab|haben) (?:\w+ ){0,4}(?:gebucht|eingetragen|reserviert)",
        r"freue mich auf (?:unser|unseren|das|den|ihren|deinen) (?:gespräch|termin|telefonat|call|austausch)",
        r"einladung (?:\w+ ){0,2}(?:angenommen|erhalten|bekommen)",
        r"(?:booked|scheduled) (?:a |the |an )?(?:slot|time|call|meeting|appointment)|see you (?:then|there)",
        r"looking forward to (?:our|the) (?:call|meeting|chat|conversation|talk)",
        r"(?:accepted|received) (?:the |your )?(?:calendar )?(?:invite|invitation)",
    )
    + r"|(?i)\bpasst(?: mir| uns)?(?: gut| perfekt| prima| super| bestens| wunderbar)?\s*(?:[.!,]|$)"
    + rf"|(?i)\b(?:that|this|it|{_WEEKDAYS}) works(?: for me| for us| great| well)?\s*(?:[.!,]|$)"
    + r"|(?i)\bsounds (?:good|great|perfect)(?: to me)?\s*(?:[.!,]|$)"
)


def clean_text(text: pl.Series) -> pl.Series:
    """Plain text: HTML tags removed (`<br>`, `</p>` become line breaks), common HTML entities decoded."""
    return (
        text.cast(pl.String)
        .str.replace_all(r"(?i)<br\s*/?>|</p>", "\n")
        .str.replace_all(r"</?[A-Za-z][^<>]*>", "")
        .str.replace_many(_ENTITIES)
        .alias(text.name)
    )


def md5(values: pl.Series) -> pl.Series:
    """Hex MD5 of each string (null stays null), computed by DuckDB so ids are stable across versions."""
    frame = pl.DataFrame({"v": values.cast(pl.String)}).with_row_index("i")
    with duckdb.connect() as con:
        con.register("values_", frame)
        out = con.sql("SELECT md5(v) AS h FROM values_ ORDER BY i").pl()["h"]
    return out.alias(values.name)


# Messages are featurised this many at a time: the intermediate columns (lower-cased text, word
# lists) of a whole archive would take several times the file's size in memory.
CHUNK_ROWS = 100_000


def features(text: pl.Series, names: pl.Series | None = None) -> pl.DataFrame:
    """Derived features of message bodies, one row per input row (computed CHUNK_ROWS at a time).

    Args:
        text: message bodies (HTML entities and tags are decoded first); null or empty = no text.
        names: per row, the names of sender and recipient(s), removed before `template_hash` so
            one copy-paste template sent to different people gets one hash.

    Returns:
        A frame with FEATURE_COLUMNS: length 0, null hashes/language/template_bands, 'unknown'
        address form and false flags where there is no text.
    """
    if len(text) <= CHUNK_ROWS:
        return _features(text, names)
    return pl.concat(
        [
            _features(
                text.slice(start, CHUNK_ROWS), None if names is None else names.slice(start, CHUNK_ROWS)
            )
            for start in range(0, len(text), CHUNK_ROWS)
        ]
    )


def _features(text: pl.Series, names: pl.Series | None) -> pl.DataFrame:
    frame = pl.DataFrame({"t": clean_text(text).str.strip_chars()})
    frame = frame.with_columns(t=pl.when(pl.col("t") != "").then(pl.col("t")))
    frame = frame.with_columns(lower=pl.col("t").str.to_lowercase())
    # Every pattern runs once, as its own column (polars runs columns in parallel; an expression
    # used twice in a when/then chain would run twice); the features then combine the columns.
    lower = pl.col("lower")
    prose = lower.str.replace_all(_URL, " ")
    frame = frame.with_columns(
        message_length=pl.col("t").str.len_chars().fill_null(0).cast(pl.Int32),
        normalised=lower.str.replace_all(r"\s+", " "),
        words=prose.str.count_matches(r"\p{L}+").fill_null(0),
        german=prose.str.count_matches(_on_lowercase(_any(_GERMAN))).fill_null(0),
        english=prose.str.count_matches(_on_lowercase(_any(_ENGLISH))).fill_null(0),
        formal=pl.col("t").str.count_matches(_FORMAL).fill_null(0),
        informal=lower.str.count_matches(_on_lowercase(_INFORMAL)).fill_null(0),
        hey=lower.str.count_matches(_on_lowercase(_HEY)).fill_null(0),
        has_scheduling_link=pl.col("t").str.contains(_SCHEDULING).fill_null(False),
        confirmed=lower.str.contains(_test_on_lowercase(_CONFIRMED)).fill_null(False),
        accepted=lower.str.contains(_test_on_lowercase(_ACCEPTED)).fill_null(False),
        **_time_signals(lower.str.replace_all(r"guten morgen", "")),
    )
    frame = frame.with_columns(language=_language())
    frame = frame.with_columns(
        address_form=_address_form(),
        proposes_time=_proposes_time(),
        confirms_meeting=pl.col("confirmed") | pl.col("accepted"),
    )
    words = _template_words(frame["lower"], names)
    template = pl.select(pl.when(words.list.len() > 0).then(words.list.join(" "))).to_series()
    return frame.select(
        "message_length",
        md5(frame["normalised"]).alias("message_hash"),
        md5(template).alias("template_hash"),
        "language",
        "address_form",
        "has_scheduling_link",
        "proposes_time",
        "confirms_meeting",
        band_hashes(words),
    )


def _language() -> pl.Expr:
    """'de' / 'en' by function-word hits; 'other' when neither is frequent; null for too few words."""
    words, german, english = pl.col("words"), pl.col("german"), pl.col("english")
    top = pl.max_horizontal(german, english)
    return (
        pl.when(words == 0)
        .then(None)
        .when((words >= 5) & (top < 0.15 * words))
        .then(pl.lit("other"))
        .when(german > english)
        .then(pl.lit("de"))
        .when(english > german)
        .then(pl.lit("en"))
        .when(words >= 5)
        .then(pl.lit("other"))
    )


def _address_form() -> pl.Expr:
    """Sie or du by the German pronouns (counted only in German or undetermined text), else a "hey"."""
    german_pronouns = pl.col("language").is_null() | (pl.col("language") == "de")
    formal = pl.when(german_pronouns).then(pl.col("formal")).otherwise(0)
    informal = pl.when(german_pronouns).then(pl.col("informal")).otherwise(0)
    return (
        pl.when(formal > informal)
        .then(pl.lit("formal"))
        .when(informal > formal)
        .then(pl.lit("informal"))
        .when(pl.col("hey") > 0)
        .then(pl.lit("informal"))
        .otherwise(pl.lit("unknown"))
    )


def _time_signals(lower: pl.Expr) -> dict[str, pl.Expr]:
    """Columns for a concrete day, a clock time (strong and weak) and asking for a slot."""
    return {
        "day": lower.str.contains(_test_on_lowercase(_DAY)),
        "clock": lower.str.contains(_test_on_lowercase(_CLOCK)),
        "weak_clock": lower.str.contains(_test_on_lowercase(_CLOCK_WEAK)),
        "ask": lower.str.contains(_test_on_lowercase(_ASK)),
    }


def _proposes_time() -> pl.Expr:
    day, clock, weak_clock, ask = (pl.col(c) for c in ("day", "clock", "weak_clock", "ask"))
    return (pl.col("confirmed") | (day & (clock | weak_clock | ask)) | (clock & ask)).fill_null(False)


def _template_words(lower: pl.Series, names: pl.Series | None) -> pl.Series:
    """Words of the (lower-cased) message without greeting line, URLs, digits and the names of the
    people involved."""
    body = lower.str.replace(_on_lowercase(_GREETING), "").str.replace_all(_URL, " ")
    frame = pl.DataFrame(
        {
            "words": body.str.extract_all(r"\p{L}+"),
            "names": (names if names is not None else pl.Series([None] * len(lower), dtype=pl.String))
            .cast(pl.String)
            .str.to_lowercase()
            .str.extract_all(r"\p{L}{2,}"),
        }
    ).with_row_index("row")
    words = frame.select("row", "words").explode("words")
    drop = frame.select("row", pl.col("names").alias("words")).explode("words").drop_nulls().unique()
    kept = words.join(drop, on=["row", "words"], how="anti", maintain_order="left")
    lists = kept.group_by("row", maintain_order=True).agg(pl.col("words").drop_nulls())
    out = frame.select("row").join(lists, on="row", how="left", maintain_order="left")["words"]
    return out.alias("words")
