"""Responsiveness: answer times of prospect turns, the SLA share and speed vs meetings, by hand."""

from __future__ import annotations

from contextlib import closing
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from metrics_builders import LI_A, LI_B, Data, phone, profile, utc

from socialsell import store
from socialsell.definitions import Definitions
from socialsell.insights import responsiveness
from socialsell.stats import wilson


def _team() -> Data:
    """Anna (Nord) answers one turn in 2 h and one in 48 h and never answers a third; Ben (Süd)
    answers by phone in 6 h. Anna's quick answer is followed by a meeting."""
    data = Data(reps={"anna": "Nord", "ben": "Süd"})
    data.message(LI_A, "2026-03-02 09:00", thread="t1")
    data.message(LI_A, "2026-03-02 10:00", thread="t1", direction="inbound")  # turn 1 (Mon 11:00 Berlin)
    data.message(LI_A, "2026-03-02 10:30", thread="t1", direction="inbound")  # same turn
    data.message(LI_A, "2026-03-02 12:00", thread="t1")  # answered after 2 h
    data.message(LI_A, "2026-03-03 09:00", thread="t1", direction="inbound")  # turn 2
    data.message(LI_A, "2026-03-05 09:00", thread="t1")  # answered after 48 h
    data.meeting(LI_A, "2026-03-09 10:00", booked_at="2026-03-02 13:00")
    data.message(LI_B, "2026-03-04 08:00", thread="t2", direction="inbound")  # turn 3, never answered
    # Ben's prospect is one person on LinkedIn and by phone (a CRM record links both).
    data.contact(phone="+494055500003", linkedin="https://www.linkedin.com/in/prospect-3")
    data.message(profile(3), "2026-03-02 08:00", thread="t3", rep="ben")
    data.message(profile(3), "2026-03-02 09:00", thread="t3", direction="inbound", rep="ben")
    data.call(phone(3), "2026-03-02 15:00", outcome="connected", duration_s=300, rep="ben")  # 6 h
    data.call(phone(9), "2026-03-10 09:00", rep="ben")  # the data run until here
    return data


def _rows(con, **settings) -> dict:
    frame = responsiveness.compute(con, Definitions(**settings))
    return {row["group"]: row for row in frame.iter_rows(named=True)}


def test_turns_answers_and_the_sla_share_by_hand(con):
    _team().load(con)
    rows = _rows(con)
    anna, ben, total = rows["anna"], rows["ben"], rows["all"]
    assert {k: anna[k] for k in ("turns", "answered", "turns_due", "answered_within_sla")} == {
        "turns": 3,
        "answered": 2,
        "turns_due": 3,
        "answered_within_sla": 1,
    }
    assert anna["median_answer_hours"] == pytest.approx(25.0)
    assert anna["p90_answer_hours"] == pytest.approx(2 + 0.9 * 46)
    low, high = wilson(1, 3)
    assert (anna["answered_within_sla_pct"], anna["answered_within_sla_pct_low"]) == pytest.approx(
        (100 / 3, 100 * low)
    )
    assert anna["answered_within_sla_pct_high"] == pytest.approx(100 * high)
    assert ben["median_answer_hours"] == pytest.approx(6.0)
    assert total["turns"] == 4 and total["median_answer_hours"] == pytest.approx(6.0)
    assert rows["Nord"]["turns"] == 3 and rows["Süd"]["turns"] == 1
    assert anna["small_sample"] == "only 3 turns"


def test_speed_and_meetings_compare_first_turns_only(con):
    _team().load(con)
    total = _rows(con)["all"]
    assert {k: total[k] for k in total if "fast" in k or "slow" in k or "first_turns" in k} == {
        "first_turns_answered_within_sla": 2,
        "meetings_after_fast_answer": 1,
        "first_turns_answered_later": 0,
        "meetings_after_slow_answer": 0,
        "meeting_rate_after_fast_pct": 50.0,
        "meeting_rate_after_fast_pct_low": pytest.approx(100 * wilson(1, 2)[0]),
        "meeting_rate_after_fast_pct_high": pytest.approx(100 * wilson(1, 2)[1]),
        "meeting_rate_after_slow_pct": None,
        "meeting_rate_after_slow_pct_low": None,
        "meeting_rate_after_slow_pct_high": None,
    }


def test_a_longer_sla_counts_the_48_hour_answer(con):
    _team().load(con)
    assert _rows(con, response_sla_hours=48)["anna"]["answered_within_sla"] == 2


def test_a_turn_whose_deadline_lies_after_the_data_is_not_due(con):
    data = Data()
    data.message(LI_A, "2026-03-02 09:00", thread="t1")
    data.message(LI_A, "2026-03-02 10:00", thread="t1", direction="inbound")
    data.call(phone(9), "2026-03-03 09:00")  # the data end 23 h after the turn
    data.load(con)
    anna = _rows(con)["anna"]
    assert (anna["turns"], anna["turns_due"], anna["answered_within_sla_pct"]) == (1, 0, None)
    assert _rows(con, response_sla_hours=12)["anna"]["turns_due"] == 1


def test_by_weekday_and_hour_uses_the_team_time_zone(con):
    _team().load(con)
    frame = responsiveness.by_weekday_hour(con)
    cells = {
        (r["weekday"], r["hour"]): (r["turns"], r["median_answer_hours"]) for r in frame.iter_rows(named=True)
    }
    assert cells == {(1, 11): (1, 2.0), (2, 10): (1, 48.0), (3, 9): (1, None), (1, 10): (1, 6.0)}
    by_rep = responsiveness.by_weekday_hour(con, by_rep=True)
    assert set(by_rep["rep_id"]) == {"anna", "ben"}


def test_scope_by_rep_and_team(con):
    _team().load(con)
    assert set(_rows(con, reps=("ben",))) == {"ben", "Süd", "all"}
    assert set(_rows(con, teams=("Nord",))) == {"anna", "Nord", "all"}


def test_finding_names_slowest_and_fastest_and_is_honest_about_noise(con):
    _team().load(con)
    text = responsiveness.finding(responsiveness.compute(con))
    assert text.startswith("Anna answers prospects slowest (median 25.0 h")
    assert "Ben fastest (median 6.0 h; 100 % within 24 h)" in text
    assert "No answered first replies for threads answered later" in text


def test_finding_without_data(con):
    Data().load(con)
    assert "No prospect message" in responsiveness.finding(responsiveness.compute(con))


@st.composite
def threads(draw):
    """Up to four threads of one rep: direction letters with gaps of 1–60 hours."""
    out = []
    for n in range(draw(st.integers(1, 4))):
        letters = draw(st.text("oi", min_size=1, max_size=6))
        gaps = draw(st.lists(st.integers(1, 60), min_size=len(letters), max_size=len(letters)))
        out.append((n, letters, gaps))
    return out


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(threads())
def test_properties_of_any_threads(spec):
    """Turns ≥ due ≥ within SLA; answered ≤ turns; median ≤ p90; a turn per run of inbound messages."""
    data = Data()
    expected_turns = 0
    for n, letters, gaps in spec:
        at = utc("2026-03-02 08:00")
        previous = None
        for letter, gap in zip(letters, gaps, strict=True):
            at += timedelta(hours=gap)
            direction = "inbound" if letter == "i" else "outbound"
            data.message(profile(n), at, thread=f"t{n}", direction=direction)
            expected_turns += letter == "i" and previous != "i"
            previous = letter
    with closing(store.connect(":memory:")) as con:
        data.load(con)
        frame = responsiveness.compute(con)
    if not expected_turns:
        assert len(frame) == 0
        return
    total = frame.filter(level="total").row(0, named=True)
    assert total["turns"] == expected_turns
    assert total["answered_within_sla"] <= total["turns_due"] <= total["turns"]
    assert total["answered"] <= total["turns"]
    if total["answered"]:
        assert total["median_answer_hours"] <= total["p90_answer_hours"] + 1e-9
