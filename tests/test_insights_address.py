"""Form of address: "Sie" vs an uninvited "du" in first messages, classified at import from text that is
not kept, pinned on hand-computed fixtures, plus a property test."""

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
from socialsell.insights import address
from socialsell.insights.grouping import rows_at
from socialsell.message_features import features

START = datetime(2026, 3, 2, 9, 0)
FORMAL = [
    "Sehr geehrte Frau Schmidt, darf ich Ihnen kurz zeigen, wie andere Vertriebsteams das lösen?",
    "Hallo Herr Weber, hätten Sie Interesse an einem kurzen Austausch über Ihre Terminquote?",
    "Guten Tag Frau Koch, wie gehen Sie bei Ihrem Team das Thema LinkedIn an?",
]
INFORMAL = [
    "Hallo Max, hast du nächste Woche kurz Zeit für einen Austausch?",
    "Hey Paul, wie misst ihr bei euch eigentlich die Terminquote?",
    "Hallo Lisa, kurze Frage: nutzt ihr schon LinkedIn im Vertrieb? Lass uns gern mal quatschen!",
    "Hi Jan, ich hab gesehen, dass du bei der Nordbahn den Vertrieb leitest.",
    "Moin Tim, passt dir ein kurzer Call am Donnerstag?",
]
ENGLISH = "Hi Paul, I would love to show you how we help sales teams book more meetings."


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("Hallo Max, hast du nächste Woche Zeit?", "informal"),
        ("Sehr geehrte Frau Schmidt, ich melde mich wegen Ihrer Anfrage.", "formal"),
        *((text, "formal") for text in FORMAL),
        *((text, "informal") for text in INFORMAL),
        ("Hallo Lisa, kurze Frage: nutzt ihr schon LinkedIn? Lass uns gern mal quatschen!", "informal"),
        ("Hallo Lisa, ich habe mit ihr gesprochen.", "unknown"),  # "ihr" = her, not you
        (ENGLISH, "unknown"),
    ],
)
def test_first_message_address_form(text, form):
    assert features(pl.Series([text]))["address_form"][0] == form


def first_message(data: Data, n: int, text: str, *, replied: bool, rep: str) -> None:
    at = START + timedelta(days=n)
    thread = f"{rep}-{n}"
    write(data, profile(n), at, text, thread=thread, rep=rep)
    if replied:
        write(data, profile(n), at + timedelta(hours=2), "Danke, gern.", thread=thread, direction="inbound",
              rep=rep)  # fmt: skip


@pytest.fixture(scope="module")
def team():
    """Anna writes "Sie" three times (two replies). Tobias writes "du" ten times (two replies) and
    once in English (a reply); one thread the prospect started is not outreach."""
    data = Data({"anna": "Nord", "tobias": "Süd"})
    for n, text in enumerate(FORMAL):
        first_message(data, n, text, replied=n < 2, rep="anna")
    for n in range(10):
        first_message(data, 10 + n, INFORMAL[n % len(INFORMAL)], replied=n < 2, rep="tobias")
    first_message(data, 30, ENGLISH, replied=True, rep="tobias")
    write(data, profile(40), START, "Hallo, hast du Unterlagen?", thread="in-40", direction="inbound",
          rep="tobias")  # fmt: skip
    write(data, profile(40), START + timedelta(hours=1), "Klar, kommt!", thread="in-40", rep="tobias")
    with closing(store.connect(":memory:")) as con:
        data.load(con)
        yield con


def test_first_messages_per_form(team):
    rows = address.first_messages(team)
    counts = rows.group_by("rep_id", "address_form").agg(pl.len(), pl.col("replied").sum()).sort(pl.all())
    assert counts.rows() == [
        ("anna", "formal", 3, 2),
        ("tobias", "informal", 10, 2),
        ("tobias", "unknown", 1, 1),
    ]
    assert rows.filter(pl.col("address_form") == "unknown")["language"].to_list() == ["en"]


def test_rates_with_hand_computed_wilson_intervals(team):
    frame = address.compute(team)
    reps = {row["group"]: row for row in rows_at(frame, "rep").iter_rows(named=True)}
    tobias, anna = reps["tobias"], reps["anna"]
    assert (tobias["first_messages"], tobias["formal"], tobias["informal"], tobias["unknown"]) == (
        11,
        0,
        10,
        1,
    )
    expected = {  # rate, Wilson 95 % low and high (hand-computed: 10/11, 2/10, 1/1)
        "informal_share_pct": (90.91, 62.26, 98.38),
        "informal_reply_rate_pct": (20.0, 5.67, 50.98),
        "unknown_reply_rate_pct": (100.0, 20.65, 100.0),
    }
    for rate, values in expected.items():
        assert (tobias[rate], tobias[f"{rate}_low"], tobias[f"{rate}_high"]) == pytest.approx(
            values, abs=0.01
        )
    assert tobias["formal_reply_rate_pct"] is None and tobias["formal_reply_rate_pct_low"] is None
    assert tobias["writes_informally"] is True and anna["writes_informally"] is False
    assert (anna["formal_reply_rate_pct"], anna["formal_reply_rate_pct_low"]) == pytest.approx(
        (66.67, 20.77), abs=0.01
    )
    assert tobias["small_sample"] == "only 0 formal first messages; only 10 informal ones"


def test_finding_names_the_informal_rep_and_compares_honestly(team):
    text = address.finding(address.compute(team))
    assert text.startswith("Informal 'du' to prospects in the first message: Tobias 91 % of 11 (formal 0 %).")
    assert "Not distinguishable yet: informal 20.0% vs formal 66.7%" in text
    assert "only 3 first messages" in text  # too few formal messages to tell
    assert "(100% of informal messages are Tobias's, so this also compares reps.)" in text


def test_no_first_messages(con):
    assert address.finding(address.compute(con)) == "No first messages with text in this scope yet."


@settings(
    max_examples=6,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.lists(st.tuples(st.sampled_from(("formal", "informal", "unknown")), st.booleans()), max_size=12))
def test_properties_forms_partition_first_messages(messages):
    """Each first message lands in its form; the forms add up; every rate lies inside its interval."""
    data = Data()
    pools = {"formal": FORMAL, "informal": INFORMAL, "unknown": [ENGLISH]}
    for n, (form, replied) in enumerate(messages):
        first_message(data, n, pools[form][n % len(pools[form])], replied=replied, rep="anna")
    with closing(store.connect(":memory:")) as con:
        data.load(con)
        frame = address.compute(con)
    for row in frame.iter_rows(named=True):
        assert row["formal"] + row["informal"] + row["unknown"] == row["first_messages"]
    if messages:
        total = rows_at(frame, "total").row(0, named=True)
        for form in address.FORMS:
            assert total[form] == sum(f == form for f, _ in messages)
            assert total[f"{form}_replied"] == sum(f == form and r for f, r in messages)
            rate = total[f"{form}_reply_rate_pct"]
            if rate is not None:
                assert (
                    total[f"{form}_reply_rate_pct_low"] - 1e-9
                    <= rate
                    <= total[f"{form}_reply_rate_pct_high"] + 1e-9
                )
