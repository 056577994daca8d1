"""Funnels per channel and the what-if, pinned to the seed's figures and to a hand-built team."""

from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st
from metrics_builders import Data, phone, profile

from socialsell import funnel
from socialsell.definitions import Definitions


def test_the_seed_example_ten_percent_per_stage():
    assert funnel.what_if(10_000, [0.10, 0.10, 0.10]) == pytest.approx([10_000, 1_000, 100, 10])


def test_the_textbook_funnel_converts_ten_percent_per_stage():
    assert funnel.TEXTBOOK.rates == pytest.approx([0.10, 0.10, 0.10])
    assert funnel.what_if(funnel.TEXTBOOK.stages[0][1], funnel.TEXTBOOK.rates)[-1] == pytest.approx(10)


def test_thirteen_percent_per_stage_gives_22_meetings():
    assert funnel.what_if(10_000, [0.13, 0.13, 0.13])[-1] == pytest.approx(21.97)


def test_better_conversion_beats_more_reach_when_it_compounds():
    # +10 % reach: 11 meetings. +10 % conversion on each of three stages: 10 × 1.1³ = 13.31.
    lever = funnel.levers(10_000, [0.10, 0.10, 0.10])
    assert lever["meetings_now"] == pytest.approx(10)
    assert lever["meetings_with_more_reach"] == pytest.approx(11)
    assert lever["meetings_with_better_conversion"] == pytest.approx(13.31)
    assert lever["better_lever"] == "conversion"


def test_with_one_stage_the_two_levers_are_equal():
    assert funnel.levers(1_000, [0.2])["better_lever"] == "equal"


def test_conversion_cannot_be_improved_beyond_certainty():
    lever = funnel.levers(100, [1.0, 0.5])
    assert lever["meetings_with_better_conversion"] == pytest.approx(100 * 1.0 * 0.55)


@given(
    reach=st.floats(0, 1e6),
    rates=st.lists(st.floats(0, 1), min_size=1, max_size=5),
)
def test_what_if_stages_never_grow(reach, rates):
    counts = funnel.what_if(reach, rates)
    assert len(counts) == len(rates) + 1
    assert all(later <= earlier + 1e-9 for earlier, later in pairwise(counts))


def _team(data: Data) -> None:
    # 10 dials, 4 connects, 1 meeting booked on a call; 5 outreach threads, 2 answered (one of them
    # with two messages each way), 1 meeting after a LinkedIn conversation.
    for n in range(10):
        outcome = "meeting_booked" if n == 0 else "connected" if n < 4 else "no_answer"
        data.call(phone(n), f"2026-03-02 {8 + n:02d}:00", outcome=outcome, duration_s=60 if n < 4 else 0)
    for n, pattern in enumerate(["oioi", "oi", "o", "o", "o"]):
        data.thread(profile(n), f"2026-03-03 {8 + n:02d}:00", pattern, thread=f"t{n}")
    data.meeting(profile(0), "2026-03-12 10:00", booked_at="2026-03-04 10:00")


def test_funnels_per_channel(con):
    _team(data := Data())
    data.load(con)
    funnels = funnel.funnels(con)
    assert funnels["phone"].stages == (("dials", 10.0), ("connects", 4.0), ("meetings", 1.0))
    assert funnels["phone"].rates == pytest.approx([0.4, 0.25])
    # With one message each way a reply is a conversation: one stage, not a 100 % step.
    assert funnels["linkedin"].stages == (
        ("outreach threads", 5.0),
        ("replied (conversations)", 2.0),
        ("meetings", 1.0),
    )
    frame = funnels["linkedin"].frame()
    assert frame["conversion_from_previous_pct"].to_list() == [None, 40.0, 50.0]


def test_a_stricter_conversation_is_its_own_stage(con):
    _team(data := Data())
    data.load(con)
    stages = funnel.funnels(con, Definitions(conversation_min_each_way=2))["linkedin"].stages
    assert stages == (
        ("outreach threads", 5.0),
        ("replied", 2.0),
        ("conversations (≥ 2 each way)", 1.0),
        ("meetings", 1.0),
    )


def test_an_empty_database_gives_empty_funnels_not_errors(con):
    funnels = funnel.funnels(con)
    assert [count for _, count in funnels["phone"].stages] == [0.0, 0.0, 0.0]
    assert funnels["phone"].rates == [None, None]
