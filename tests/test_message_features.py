"""Message features: length, hashes, language, address form, scheduling links and time proposals."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from socialsell import message_features as mf
from socialsell.message_features import FEATURE_COLUMNS, clean_text, features, md5
from socialsell.near_duplicates import BANDS, band_hashes

TEMPLATE = (
    "ich helfe Vertriebsteams im Mittelstand, mehr Termine über LinkedIn zu gewinnen. Wäre das ein Thema?"
)


def one(text: str | None, names: str | None = None) -> dict:
    return features(pl.Series([text], dtype=pl.String), pl.Series([names], dtype=pl.String)).row(
        0, named=True
    )


def test_columns_and_types():
    out = features(pl.Series(["Hallo", None], dtype=pl.String))
    assert tuple(out.columns) == FEATURE_COLUMNS
    assert out.schema == pl.Schema(
        {
            "message_length": pl.Int32,
            "message_hash": pl.String,
            "template_hash": pl.String,
            "language": pl.String,
            "address_form": pl.String,
            "has_scheduling_link": pl.Boolean,
            "proposes_time": pl.Boolean,
            "confirms_meeting": pl.Boolean,
            "template_bands": pl.List(pl.String),
        }
    )
    assert features(pl.Series([], dtype=pl.String)).height == 0


@pytest.mark.parametrize("text", [None, "", "   "])
def test_no_text(text):
    assert one(text) == {
        "message_length": 0,
        "message_hash": None,
        "template_hash": None,
        "language": None,
        "address_form": "unknown",
        "has_scheduling_link": False,
        "proposes_time": False,
        "confirms_meeting": False,
        "template_bands": None,
    }


def test_md5_is_the_standard_digest_and_keeps_nulls():
    assert md5(pl.Series(["abc", None, ""])).to_list() == [
        "900150983cd24fb0d6963f7d28e17f72",
        None,
        "d41d8cd98f00b204e9800998ecf8427e",
    ]


def test_html_entities_and_tags_are_decoded_before_features():
    assert clean_text(pl.Series(["I&rsquo;m free&nbsp;&amp; happy<br/>ok</p>"])).to_list() == [
        "I’m free & happy\nok\n"
    ]
    encoded = one("Hi Priya,I&rsquo;d love to chat &amp; learn more.")
    plain = one("Hi Priya,I’d love to chat & learn more.")
    assert encoded == plain
    assert encoded["message_length"] == len("Hi Priya,I’d love to chat & learn more.")


def test_message_hash_ignores_case_and_spacing_only():
    assert one("Danke  für die Info!")["message_hash"] == one("danke für die info!")["message_hash"]
    assert one("Danke für die Info!")["message_hash"] != one("Danke für die Info.")["message_hash"]


def test_template_hash_collides_for_one_template_sent_to_different_people():
    to_jonas = one(
        f"Hallo Jonas, {TEMPLATE} In 3 Wochen? https://x.io/a Beste Grüße Lena", "Lena Hoffmann Jonas Weber"
    )
    to_umit = one(
        f"Hallo Ümit, {TEMPLATE} In 4 Wochen? https://x.io/b Beste Grüße Lena", "Lena Hoffmann Ümit Yılmaz"
    )
    other = one(
        "Hallo Ümit, wir kennen uns von der Messe. In 4 Wochen? Beste Grüße Lena",
        "Lena Hoffmann Ümit Yılmaz",
    )
    assert to_jonas["template_hash"] == to_umit["template_hash"]
    assert to_jonas["message_hash"] != to_umit["message_hash"]
    assert other["template_hash"] != to_umit["template_hash"]


def test_template_hash_without_names_still_drops_the_greeting_line():
    assert one(f"Hi Anna, {TEMPLATE}")["template_hash"] == one(f"Hello Bob!\n{TEMPLATE}")["template_hash"]


def test_template_hash_of_a_bare_greeting_is_null():
    assert one("Hi Anna!", "Anna Schmidt")["template_hash"] is None


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Hallo Herr Weber, vielen Dank für Ihre Nachricht. Ich melde mich morgen.", "de"),
        ("Passt, Termin bestätigt. Bis Dienstag!", "de"),
        ("Thanks for reaching out, I would love to learn more about your team.", "en"),
        ("Goedemorgen Mara, bedankt voor je bericht. Ik heb helaas geen interesse op dit moment.", "other"),
        ("Ta hand om den radikala feminin rörelsen i Sverige och Norge.", "other"),
        (
            "Verdienen Sie jetzt 5.000 € pro Woche mit Krypto! Hier klicken: https://bit.ly/3xYz-gewinn-jetzt",
            "de",
        ),
        ("👍", None),
        ("ok", None),
    ],
)
def test_language(text, language):
    assert one(text)["language"] == language


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("Sehr geehrter Herr Weber, hätten Sie Zeit?", "formal"),
        ("Hallo Frau Hoffmann, was genau bieten Sie an?", "formal"),
        ("Vielen Dank für Ihre Rückmeldung.", "formal"),
        ("Hallo Herr Weber, wir haben uns auf der Messe gesprochen.", "formal"),
        ("Meine Frau kommt auch, hast du Lust?", "informal"),
        ("Hey Peter, hast du nächste Woche Zeit?", "informal"),
        ("Hallo Mia, wie geht es dir?", "informal"),
        ("Habt ihr euch schon entschieden? Ich freue mich auf euch.", "informal"),
        ("Hey Mara, sounds interesting!", "informal"),
        ("Thanks Lena, see you on Thursday.", "unknown"),
        ("Sie hat gestern angerufen und du auch.", "unknown"),
    ],
)
def test_address_form(text, form):
    assert one(text)["address_form"] == form


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hier direkt einen Termin wählen: https://calendly.com/lena-hoffmann/30min", True),
        ("Pick a slot: https://meetings.hubspot.com/mara-jansen", True),
        ("https://meetings-eu1.hubspot.com/tom", True),
        ("book here https://cal.com/felix/15min", True),
        ("https://outlook.office365.com/owa/calendar/Vertrieb@kranich.de/bookings/", True),
        ("https://outlook.office.com/bookwithme/user/abc", True),
        ("Stimm ab: https://doodle.com/meeting/participate/id/abc", True),
        ("https://www.linkedin.com/in/tom-becker-b2b", False),
        ("Check my calendar and let me know", False),
        ("https://bit.ly/3xYz", False),
    ],
)
def test_scheduling_link(text, expected):
    assert one(text)["has_scheduling_link"] is expected


@pytest.mark.parametrize(
    "text",
    [
        "Hätten Sie am Dienstag um 10 Uhr Zeit?",
        "Dienstag um 10 Uhr passt mir gut.",
        "Termin bestätigt, bis Donnerstag!",
        "Passt, Termin bestätigt.",
        "how about Tuesday 3pm?",
        "How about Tuesday at 3?",
        "Would Monday at 11am work for a quick call?",
        "see you on Friday",
        "Talk to you on Monday!",
        "Hast du nächste Woche Zeit für einen Call? Wie wäre Mittwoch um 14:00?",
        "Wie wäre es am 12.03. um 9:30?",
        "What does your schedule look like on Thursday?",
        "Meeting confirmed for the 4th.",
        "Die Kalendereinladung ist raus.",
        "Sehen uns dann am Montag.",
    ],
)
def test_proposes_time(text):
    assert one(text)["proposes_time"] is True


@pytest.mark.parametrize(
    "text",
    [
        "Guten Morgen Herr Weber, danke für Ihre Nachricht.",
        "We grew 30% last year and work Monday to Friday.",
        "Wir haben den Umsatz um 10 Prozent gesteigert.",
        "Thanks for connecting!",
        "I am looking for a new role in sales.",
        "Join 10,000+ experts on 22 February for our webinar.",
        "Hi zusammen, anbei die Agenda für das Projekt.",
        "Hätten Sie nächste Woche 15 Minuten für einen kurzen Austausch?",  # an ask, but no day or time
        "What does your schedule look like next week for a chat?",
    ],
)
def test_does_not_propose_time(text):
    assert one(text)["proposes_time"] is False


def test_features_are_vectorised_per_row():
    texts = pl.Series(["Hey Peter, wie wäre Mittwoch um 14:00?", None, "Sehr geehrte Frau Schmidt, danke."])
    out = features(texts, pl.Series(["Peter", None, "Eva Schmidt"]))
    assert out["address_form"].to_list() == ["informal", "unknown", "formal"]
    assert out["proposes_time"].to_list() == [True, False, False]
    assert out["message_length"].to_list() == [38, 0, 33]


# ---------------------------------------------------------------- near-duplicate sketch (template_bands)

STABLE_HALLO_WELT = [
    "0:2935833836", "1:3933118285", "2:695881846", "3:2953699609", "4:4036890726",
    "5:3702111774", "6:904850005", "7:3259028513", "8:1738770694", "9:183971475",
]  # fmt: skip
STABLE_DANKE = [
    "0:2111198621", "1:720677894", "2:978754759", "3:2065114629", "4:3974453709",
    "5:819392824", "6:564054496", "7:2738606580", "8:789147321", "9:645306115",
]  # fmt: skip


def shared_bands(a: list[str] | None, b: list[str] | None) -> int:
    return len(set(a or []) & set(b or []))


def test_template_bands_ignore_names_greetings_and_digits():
    to_jonas = one(f"Hallo Jonas, {TEMPLATE} In 3 Wochen? Beste Grüße Lena", "Lena Hoffmann Jonas Weber")
    to_umit = one(f"Hi Ümit!\n{TEMPLATE} In 4 Wochen? Beste Grüße Lena", "Lena Hoffmann Ümit Yılmaz")
    assert to_jonas["template_bands"] == to_umit["template_bands"]
    assert len(to_jonas["template_bands"]) == BANDS
    assert [band.split(":")[0] for band in to_jonas["template_bands"]] == [str(b) for b in range(BANDS)]


def test_template_bands_group_near_copies_not_different_messages():
    base = one(f"Hallo Jonas, {TEMPLATE} Beste Grüße", "Jonas Weber")["template_bands"]
    edited = one(f"Hallo Jonas, {TEMPLATE.replace('Thema', 'spannendes Thema')} Viele Grüße", "Jonas Weber")
    other = one(
        "Hallo Jonas, wir haben uns auf der Messe in Köln über Tourenplanung unterhalten.", "Jonas Weber"
    )
    assert shared_bands(base, edited["template_bands"]) >= 1
    assert shared_bands(base, other["template_bands"]) == 0


def test_template_bands_are_stable_across_versions():
    """Stored sketches must match ones computed by later versions: a change here breaks grouping."""
    assert band_hashes(pl.Series([["hallo", "welt"], ["danke"], [], None])).to_list() == [
        STABLE_HALLO_WELT,
        STABLE_DANKE,
        None,
        None,
    ]


@settings(max_examples=30, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["wir", "helfen", "ihnen", "gern", "termin", "zeit", "ä"]), max_size=6),
                min_size=1, max_size=6))  # fmt: skip
def test_template_bands_of_a_row_do_not_depend_on_the_batch(rows):
    together = band_hashes(pl.Series(rows, dtype=pl.List(pl.String))).to_list()
    alone = [band_hashes(pl.Series([row], dtype=pl.List(pl.String)))[0] for row in rows]
    assert [None if v is None else list(v) for v in alone] == together


_TOKENS = st.sampled_from(
    [
        "dienstag", "morgen", "übermorgen", "heute", "märz", "mai", "email", "12", "3", "2026", "uhr", "pm",
        "a.m.", "um", "at", "passt", "works", "sounds", "good", "termin", "gebucht", "see", "you", "then",
        "bis", "wie", "wäre", "hast", "du", "zeit", "habe", "einladung", "angenommen", "let's", "meet",
        " ", " ", " ", ".", ":", ",", "!", "ü", "ä", "ß", "–", "é", "x", "_", "\n", "14:00", "3.", "12.03.",
    ]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(st.lists(_TOKENS, max_size=14).map("".join), min_size=1, max_size=20))
def test_yes_no_patterns_without_unicode_word_boundaries_match_the_originals(texts):
    lower = pl.Series(texts, dtype=pl.String)
    for pattern in (mf._CONFIRMED, mf._ACCEPTED, mf._DAY, mf._CLOCK, mf._CLOCK_WEAK, mf._ASK):
        original = lower.str.contains(mf._on_lowercase(pattern)).to_list()
        assert lower.str.contains(mf._test_on_lowercase(pattern)).to_list() == original, pattern


def test_features_in_chunks_equal_features_at_once(monkeypatch):
    texts = pl.Series(
        [TEMPLATE, "Hallo Anna, passt Dienstag um 10 Uhr?", None, "", "see you then!", TEMPLATE] * 3,
        dtype=pl.String,
    )
    names = pl.Series(["Anna Becker", "Jonas Weber", None] * 6, dtype=pl.String)
    at_once = features(texts, names)
    monkeypatch.setattr(mf, "CHUNK_ROWS", 4)
    assert features(texts, names).equals(at_once)
