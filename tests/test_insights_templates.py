"""Templated vs personalised outreach: near-copies of first messages found without keeping the text,
pinned on hand-computed fixtures, plus a property test over made-up teams."""

from __future__ import annotations

from contextlib import closing
from datetime import datetime, timedelta

import polars as pl
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from insight_messages import write
from metrics_builders import Data, profile

from socialsell import store
from socialsell.definitions import Definitions
from socialsell.insights import templates
from socialsell.insights.grouping import rows_at

START = datetime(2026, 3, 2, 9, 0)
TEMPLATE = (
    "ich helfe Vertriebsteams im Mittelstand, mehr Termine über LinkedIn zu gewinnen – ohne zusätzliches "
    "Personal. Hätten Sie nächste Woche 15 Minuten für einen kurzen Austausch?"
)
# Five near-identical first messages: other greetings, names, sign-offs, numbers, one changed word.
NEAR_COPIES = [
    ("Max Weber", f"Hallo Herr Weber,\n\n{TEMPLATE}\n\nBeste Grüße\nAnna"),
    ("Eva Schmidt", f"Hi Eva! {TEMPLATE} Beste Grüße, Anna Becker"),
    ("Jonas Braun", f"Guten Tag Herr Braun, {TEMPLATE.replace('15', '20')}\nViele Grüße\nAnna"),
    ("Ümit Yılmaz", f"Sehr geehrter Herr Yılmaz,\n{TEMPLATE.replace('kurzen', 'schnellen')}\nBeste Grüße"),
    ("Lena Koch", f"Liebe Frau Koch, {TEMPLATE} Danke und beste Grüße, Anna"),
]
DISTINCT = [
    ("Tom Berg", "Hallo Herr Berg, Ihr Vortrag auf der Logistikmesse zu Tourenplanung hat mich beeindruckt."),
    (
        "Mia Roth",
        "Hallo Frau Roth, wir kennen uns vom Vertriebsstammtisch in Hamburg – darf ich mich melden?",
    ),
    ("Ben Vogel", "Hallo Herr Vogel, Glückwunsch zur neuen Rolle als Vertriebsleiter bei der Nordbahn!"),
]


def first_message(data: Data, n: int, prospect: str, text: str, *, replied: bool, rep: str = "anna") -> None:
    at = START + timedelta(days=n)
    thread = f"{rep}-{n}"
    write(data, profile(n), at, text, thread=thread, prospect=prospect, rep=rep)
    if replied:
        write(data, profile(n), at + timedelta(hours=3), "Danke, klingt gut.", thread=thread,
              prospect=prospect, direction="inbound", rep=rep)  # fmt: skip


@pytest.fixture(scope="module")
def team():
    """Anna: five near-copies (one replied) and three personal messages (two replied, one meeting).
    Tobias sends Anna's template to three people only: not a template for him (per rep, 5+)."""
    data = Data({"anna": "Nord", "tobias": "Süd"})
    for n, (prospect, text) in enumerate(NEAR_COPIES):
        first_message(data, n, prospect, text, replied=n == 0)
    for n, (prospect, text) in enumerate(DISTINCT, start=10):
        first_message(data, n, prospect, text, replied=n in (10, 11))
    data.meeting(profile(11), START + timedelta(days=20), booked_at=START + timedelta(days=12))
    for n in range(20, 23):
        first_message(data, n, "Paul Lang", f"Hallo Herr Lang, {TEMPLATE}", replied=False, rep="tobias")
    with closing(store.connect(":memory:")) as con:
        data.load(con)
        yield con


def test_five_near_copies_are_templated_three_distinct_are_not(team):
    rows = templates.first_messages(team).filter(pl.col("rep_id") == "anna").sort("thread_id")
    assert dict(zip(rows["thread_id"], rows["templated"], strict=True)) == {
        "anna-0": True, "anna-1": True, "anna-2": True, "anna-3": True, "anna-4": True,
        "anna-10": False, "anna-11": False, "anna-12": False,
    }  # fmt: skip
    assert rows.filter(pl.col("templated"))["wording_recipients"].to_list() == [5] * 5
    assert rows.filter(~pl.col("templated"))["wording_recipients"].to_list() == [1, 1, 1]


def test_templates_are_counted_per_rep(team):
    tobias = templates.first_messages(team).filter(pl.col("rep_id") == "tobias")
    assert tobias["wording_recipients"].to_list() == [3, 3, 3]
    assert not tobias["templated"].any()


def test_rates_with_hand_computed_wilson_intervals(team):
    anna = rows_at(templates.compute(team), "rep").filter(pl.col("group") == "anna").row(0, named=True)
    counts = {
        "first_messages": 8, "templated": 5, "templated_replied": 1, "personalised": 3,
        "personalised_replied": 2, "templated_meetings": 0, "personalised_meetings": 1,
        "largest_template_recipients": 5,
    }  # fmt: skip
    assert {k: anna[k] for k in counts} == counts
    expected = {  # rate, Wilson 95 % low and high (hand-computed: 1/5, 2/3, 5/8, 1/3)
        "templated_reply_rate_pct": (20.0, 3.62, 62.45),
        "personalised_reply_rate_pct": (66.67, 20.77, 93.85),
        "templated_share_pct": (62.5, 30.57, 86.32),
        "personalised_meetings_per_100": (33.33, 6.15, 79.23),
    }
    for rate, values in expected.items():
        got = (anna[rate], anna[f"{rate}_low"], anna[f"{rate}_high"])
        assert got == pytest.approx(values, abs=0.01), rate
    assert anna["mass_templating"] is False  # 5 of 8: the interval still reaches below one half
    assert anna["small_sample"] == "only 5 templated first messages; only 3 personalised ones"


def test_total_row_and_finding(team):
    frame = templates.compute(team)
    total = rows_at(frame, "total").row(0, named=True)
    assert (total["first_messages"], total["templated"], total["personalised"]) == (11, 5, 6)
    text = templates.finding(frame)
    assert "No rep mass-templates; the highest templated share is Anna's (62 % of 8 first messages)." in text
    assert "Not distinguishable yet: templated 20.0% vs personalised 33.3%" in text


def test_mass_templating_rep_named_in_the_finding(con):
    data = Data({"jonas": "Nord", "anna": "Nord"})
    for n in range(12):
        first_message(data, n, "Max Weber", f"Hallo Herr Weber, {TEMPLATE}", replied=n < 1, rep="jonas")
    for n, (prospect, text) in enumerate(DISTINCT * 4, start=20):
        first_message(data, n, prospect, text.replace("Hallo", "Hi") + f" ({n})", replied=n % 2 == 0)
    data.load(con)
    frame = templates.compute(con)
    jonas = rows_at(frame, "rep").filter(pl.col("group") == "jonas").row(0, named=True)
    assert (jonas["templated"], jonas["templated_share_pct_low"]) == (12, pytest.approx(75.75, abs=0.01))
    assert jonas["mass_templating"] is True
    text = templates.finding(frame)
    assert text.startswith(
        "Mass-templated first messages (one wording copied to many prospects): Jonas 100 %"
    )
    assert "(100% of templated messages are Jonas's, so this also compares reps.)" in text


def test_scope_keeps_whole_history_for_the_wording(team):
    """A report on one week still knows the wording went to five people over the whole history."""
    d = Definitions(date_from=START.date(), date_to=(START + timedelta(days=1)).date(), reps=("anna",))
    rows = templates.first_messages(team, d)
    assert rows["thread_id"].to_list() == ["anna-0", "anna-1"] and rows["templated"].all()


def test_no_first_messages(con):
    frame = templates.compute(con)
    assert templates.finding(frame).startswith("No first messages")


WORDS = [f"wort{chr(97 + i)}{chr(97 + j)}" for i in range(20) for j in range(20)]
random_text = st.lists(st.sampled_from(WORDS), min_size=12, max_size=12, unique=True).map(" ".join)


@settings(
    max_examples=8,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    copies=st.integers(0, 8),
    others=st.lists(random_text, max_size=6, unique=True),
    replies=st.lists(st.booleans(), min_size=14, max_size=14),
)
def test_properties_templated_iff_copied_to_five(copies, others, replies):
    """k copies of one text and unrelated random texts: the copies are templated exactly when k ≥ 5
    (and ≥ 10 % of recipients); every rate lies inside its interval; the groups add up."""
    data = Data()
    texts = [TEMPLATE] * copies + others
    for n, text in enumerate(texts):
        first_message(data, n, "Max Weber", f"Hallo Herr Weber, {text}", replied=replies[n])
    with closing(store.connect(":memory:")) as con:
        data.load(con)
        rows = templates.first_messages(con)
        frame = templates.compute(con)
    expected = [copies >= 5] * copies + [False] * len(others)
    assert rows.sort("started_at")["templated"].to_list() == expected
    for row in frame.iter_rows(named=True):
        assert row["templated"] + row["personalised"] == row["first_messages"]
        for rate in ("templated_share_pct", "templated_reply_rate_pct", "personalised_reply_rate_pct"):
            if row[rate] is not None:
                assert row[f"{rate}_low"] - 1e-9 <= row[rate] <= row[f"{rate}_high"] + 1e-9
