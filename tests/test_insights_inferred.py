"""Meetings the exports do not record: booking talk in LinkedIn threads scored from derived features,
reviewed by a person, decisions kept across imports; hand-computed fixtures plus a property test."""

from __future__ import annotations

import hashlib
from contextlib import closing
from datetime import datetime, timedelta

import polars as pl
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from insight_messages import write
from metrics_builders import Data, profile

from socialsell import resolve, store
from socialsell.config import Config
from socialsell.insights import inferred_meetings as im
from socialsell.insights.grouping import rows_at
from socialsell.message_features import features

START = datetime(2026, 3, 2, 9, 0)  # UTC; 10:00 in Berlin
PROPOSE = (
    "Sehr gern! Passt Ihnen Dienstag (10.03.) um 10 Uhr? Oder hier wählen: https://calendly.com/anna/30min"
)
CONFIRM = "Termin bestätigt: Dienstag (10.03.) um 10 Uhr. Sie erhalten gleich die Einladung. Bis dann!"
BOOKING = [  # (hours after START, direction, text)
    (0, "o", "Hallo Herr Weber, hätten Sie Interesse an einem kurzen Austausch?"),
    (3, "i", "Ja, gern."),
    (5, "o", PROPOSE),
    (23, "i", "Dienstag passt."),
    (24, "o", CONFIRM),
]
SIX = "prospect accepted or confirmed; rep proposed a day or time; rep sent a scheduling link; rep confirmed; both sides talked scheduling"  # fmt: skip


def thread(data: Data, n: int, name: str, messages, start: datetime = START) -> list[dict]:
    direction = {"o": "outbound", "i": "inbound"}
    return [
        write(data, profile(n), start + timedelta(hours=h), text, thread=name, direction=direction[d])
        for h, d, text in messages
    ]


def candidate_id(thread_id: str, day: str) -> str:
    return "im-" + hashlib.md5(f"anna|{thread_id}|{day}".encode()).hexdigest()[:16]


def team_data() -> Data:
    """A: booked and in the calendar. B: the same talk, no meeting recorded. C: a cold link, no reply.
    D: a link, answered "no". E: the prospect proposes, the rep agrees; a month later a second round."""
    data = Data()
    thread(data, 1, "A", BOOKING)
    data.meeting(profile(1), START + timedelta(days=8), booked_at=START + timedelta(hours=24, minutes=5))
    thread(data, 2, "B", BOOKING)
    thread(data, 3, "C", [(0, "o", "Hier direkt einen Termin wählen: https://calendly.com/anna/30min")])
    thread(data, 4, "D", [(0, "o", PROPOSE), (2, "i", "Danke, aktuell kein Bedarf.")])
    thread(data, 5, "E", [
        (0, "i", "Können wir am Freitag um 14 Uhr telefonieren?"), (1, "o", "Ja, das passt mir gut."),
        (24 * 30, "o", "How about Tuesday 3pm?"), (24 * 30 + 2, "i", "Tuesday works."),
    ])  # fmt: skip
    return data


@pytest.fixture
def team(con):
    team_data().load(con)
    return con


def test_candidates_are_scored_by_hand(team):
    rows = im.candidates(team, include_recorded=True)
    got = {r["thread_id"] + "@" + str(r["local_day"]): r for r in rows.iter_rows(named=True)}
    assert {k: (r["score"], r["likelihood"], r["status"]) for k, r in got.items()} == {
        "A@2026-03-02": (6, "high", "recorded"),
        "B@2026-03-02": (6, "high", "unconfirmed"),
        "E@2026-03-02": (3, "medium", "unconfirmed"),  # prospect proposed 1 + rep confirmed 1 + both 1
        "E@2026-04-01": (4, "high", "unconfirmed"),  # rep proposed 1 + prospect accepted 2 + both 1
    }
    assert got["B@2026-03-02"]["reasons"] == SIX
    assert (
        got["E@2026-03-02"]["reasons"]
        == "prospect proposed a day or time; rep confirmed; both sides talked scheduling"
    )
    assert got["A@2026-03-02"]["recorded_meeting_id"].startswith("m-")
    assert got["B@2026-03-02"]["candidate_id"] == candidate_id("B", "2026-03-02")
    assert got["B@2026-03-02"]["contact"] == "li:in/prospect-2"
    assert im.candidates(team)["thread_id"].to_list() == ["E", "B", "E"]  # by time; recorded ones left out


def test_decisions_and_counts(team):
    b, e1 = candidate_id("B", "2026-03-02"), candidate_id("E", "2026-03-02")
    im.decide(team, b, "confirmed", note="Termin im privaten Kalender")
    im.decide(team, e1, "rejected")
    rows = {r["candidate_id"]: r for r in im.candidates(team).iter_rows(named=True)}
    assert (rows[b]["status"], rows[b]["note"], rows[e1]["status"]) == (
        "confirmed",
        "Termin im privaten Kalender",
        "rejected",
    )
    anna = rows_at(im.compute(team), "rep").row(0, named=True)
    counts = {
        "booked": 1, "booking_conversations": 4, "conversations_recorded": 1, "confirmed_inferred": 1,
        "unconfirmed": 1, "unconfirmed_high": 1, "rejected": 1, "meetings_with_confirmed": 2,
    }  # fmt: skip
    assert {k: anna[k] for k in counts} == counts
    # 1 of 4 booking conversations recorded: Wilson 95 % 4.56 – 69.94 %
    assert (
        anna["recorded_share_pct"],
        anna["recorded_share_pct_low"],
        anna["recorded_share_pct_high"],
    ) == pytest.approx((25.0, 4.56, 69.94), abs=0.01)
    assert anna["small_sample"] == "only 4 booking conversations"
    im.decide(team, e1, "undecided")
    assert rows_at(im.compute(team), "total")["unconfirmed"][0] == 2


def test_decisions_survive_reimport_and_rebuild(team):
    b = candidate_id("B", "2026-03-02")
    im.decide(team, b, "confirmed")
    later = Data()
    for row in thread(later, 2, "B", [(24 * 5, "i", "Danke für den Termin!")]):
        row["source_id"] = "later-0"
    later.load(team, Config())
    resolve.rebuild(team)
    rows = im.candidates(team).filter(pl.col("candidate_id") == b)
    assert rows["status"].to_list() == ["confirmed"]


def test_decide_refuses_unknown_decisions_and_candidates(team):
    with pytest.raises(ValueError, match="use one of confirmed, rejected, undecided"):
        im.decide(team, candidate_id("B", "2026-03-02"), "maybe")
    with pytest.raises(KeyError, match="no inferred meeting 'im-nope'"):
        im.decide(team, "im-nope", "confirmed")


def test_finding(team):
    text = im.finding(im.compute(team))
    assert text.startswith(
        "4 LinkedIn conversations schedule a meeting; 1 match a recorded meeting (25 %, 95 % CI 5–70 %), "
        "3 do not: 0 confirmed, 0 rejected, 3 still to review (2 likely)."
    )
    assert (
        "Most to review: Anna (3); until confirmed they are not counted, so meetings stay at 1 recorded"
        in text
    )


def test_no_booking_talk(con):
    assert (
        im.finding(im.compute(con)) == "No LinkedIn conversation in this scope talks about booking a meeting."
    )


@pytest.mark.parametrize(
    ("text", "confirms"),
    [
        ("Dienstag passt.", True),
        ("Passt, bis dann!", True),
        ("Ja, das passt mir gut.", True),
        ("Habe mir einen Termin gebucht.", True),
        ("Erledigt, Termin über den Link gebucht.", True),
        ("Tuesday works.", True),
        ("I've booked a slot for Thursday.", True),
        ("Termin bestätigt: Dienstag um 10 Uhr.", True),
        ("Passt das Thema für Sie?", False),
        ("Danke, aktuell kein Bedarf.", False),
        ("Hier direkt einen Termin wählen: https://calendly.com/x", False),
    ],
)
def test_confirms_meeting_feature(text, confirms):
    assert features(pl.Series([text]))["confirms_meeting"][0] is confirms


SIGNALS = [
    ("o", PROPOSE), ("o", CONFIRM), ("i", "Dienstag passt."), ("i", "Können wir am Freitag um 14 Uhr telefonieren?"),
    ("o", "Danke!"), ("i", "Danke für die Nachricht."), ("o", "How about Tuesday 3pm?"),
]  # fmt: skip


@settings(
    max_examples=6,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.lists(st.tuples(st.sampled_from(SIGNALS), st.integers(1, 24 * 20)), min_size=1, max_size=8))
def test_properties_statuses_partition_and_scores_add_up(messages):
    """Scores are the documented sum of their evidence; ids are unique; statuses add up."""
    data, at = Data(), START
    for n, ((direction, text), gap_hours) in enumerate(messages):
        at += timedelta(hours=gap_hours)
        thread(data, 1, "T", [(0, direction, text)], start=at)
        data.touches[-1]["source_id"] = f"p{n}"
    with closing(store.connect(":memory:")) as con:
        data.load(con)
        rows = im.candidates(con, include_recorded=True)
        frame = im.compute(con)
    assert rows["candidate_id"].is_unique().all()
    weights = {"rep_sent_link": 1, "rep_proposed_time": 1, "prospect_proposed_time": 1,
               "prospect_confirmed": 2, "rep_confirmed": 1, "both_sides": 1}  # fmt: skip
    for row in rows.iter_rows(named=True):
        assert row["score"] == sum(w for flag, w in weights.items() if row[flag]) >= im.MIN_SCORE
    for row in frame.iter_rows(named=True):
        parts = (
            row["conversations_recorded"] + row["confirmed_inferred"] + row["unconfirmed"] + row["rejected"]
        )
        assert parts == row["booking_conversations"] == len(rows)


def test_migration_2_upgrades_a_database_from_before_it(tmp_path):
    """An older database gains the columns (last, as in a fresh one), touch_facts carries them, the
    decisions table exists, and the next import fills the new columns."""
    path = tmp_path / "old.duckdb"
    with closing(store.connect(path)) as con:
        team_data().load(con)
        con.execute("DROP TABLE meeting_decisions")
        con.execute("ALTER TABLE touches DROP COLUMN template_bands")
        con.execute("ALTER TABLE touches DROP COLUMN confirms_meeting")
        con.execute(
            "CREATE OR REPLACE TABLE touch_facts AS SELECT * EXCLUDE (template_bands, confirms_meeting) FROM touch_facts"
        )
        con.execute("DELETE FROM schema_migrations WHERE version = 2")
    with closing(store.connect(path)) as con:
        columns = con.sql(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'touches'"
        ).pl()
        assert columns["column_name"].to_list()[-2:] == ["confirms_meeting", "template_bands"]
        assert con.execute("SELECT count(template_bands) FROM touch_facts").fetchall() == [(0,)]
        assert im.candidates(con).is_empty()  # old rows have no confirmations: nothing to infer
        later = Data()
        for n, row in enumerate(thread(later, 9, "F", BOOKING)):
            row["source_id"] = f"new-{n}"
        later.load(con)
        assert im.candidates(con)["thread_id"].to_list() == ["F"]
