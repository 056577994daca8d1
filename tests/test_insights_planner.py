"""Planner: activity and hours for N meetings per channel, ranges from the rate interval, quickest mix."""

from __future__ import annotations

import math
from contextlib import closing

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from metrics_builders import Data, phone, profile

from socialsell import store
from socialsell.definitions import Definitions
from socialsell.insights import planner
from socialsell.stats import poisson

MONTHS = 31 / (365.25 / 12)  # activity from 2 March to 1 April


def _anna() -> Data:
    """20 one-minute dials (no talk), 2 booked a meeting: 10 per 100 dials, 10 minutes per meeting.
    Two LinkedIn conversations (2 messages written: 4 minutes), one meeting: 4 minutes per meeting."""
    data = Data()
    for n in range(19):
        data.call(phone(n), f"2026-03-02 09:{n:02d}", outcome="meeting_booked" if n < 2 else "no_answer")
    data.call(phone(19), "2026-04-01 09:00")
    data.thread(profile(1), "2026-03-03 09:00", "oi", thread="t1")
    data.thread(profile(2), "2026-03-03 11:00", "oi", thread="t2")
    data.meeting(profile(1), "2026-03-10 10:00", booked_at="2026-03-03 12:00")
    return data


def _plan(con, wanted: int = 10, **settings) -> dict:
    frame = planner.plan(con, Definitions(**settings), meetings_wanted=wanted)
    return {row["channel"]: row for row in frame.iter_rows(named=True)}


def test_needed_activity_and_hours_per_channel_by_hand(con):
    _anna().load(con)
    rows = _plan(con)
    phone_row, linkedin = rows["phone"], rows["linkedin"]
    low, high = poisson(2, 20)
    assert (phone_row["needed"], phone_row["hours_needed"]) == pytest.approx((100, 100 / 60))
    assert phone_row["needed_low"] == pytest.approx(10 / high)
    assert phone_row["needed_high"] == pytest.approx(10 / low)
    assert phone_row["months_observed"] == pytest.approx(MONTHS)
    assert phone_row["activity_per_month_now"] == pytest.approx(20 / MONTHS)
    assert (linkedin["needed"], linkedin["hours_needed"]) == pytest.approx((20, 20 / 30))
    assert (linkedin["outreach_threads_needed"], linkedin["invitations_needed"]) == pytest.approx((20, 0))
    assert phone_row["outreach_threads_needed"] is None
    assert linkedin["small_sample"] == "only 2 conversations"


def test_the_quickest_mix_fills_the_cheaper_channel_up_to_its_capacity(con):
    _anna().load(con)
    rows = _plan(con)  # capacity 1.5 × this month: 29 dials, 2 conversations
    assert (rows["linkedin"]["capacity_units"], rows["phone"]["capacity_units"]) == (2, 29)
    assert (rows["linkedin"]["mix_meetings"], rows["linkedin"]["mix_units"]) == pytest.approx((1, 2))
    assert (rows["phone"]["mix_meetings"], rows["phone"]["mix_units"]) == pytest.approx((2.9, 29))
    assert rows["phone"]["mix_shortfall_meetings"] == pytest.approx(6.1)
    assert rows["phone"]["mix_hours_total"] == pytest.approx(2 / 30 + 29 / 60)


def test_more_capacity_reaches_the_target(con):
    _anna().load(con)
    rows = _plan(con, planner_capacity_factor=10)  # 196 dials, 19 conversations
    assert rows["linkedin"]["mix_meetings"] == pytest.approx(9.5)
    assert (rows["phone"]["mix_meetings"], rows["phone"]["mix_units"]) == pytest.approx((0.5, 5))
    assert rows["phone"]["mix_shortfall_meetings"] == 0
    assert rows["linkedin"]["mix_hours_total"] == pytest.approx(19 / 30 + 5 / 60)


def test_compute_plans_for_the_setting_and_finding_reads_the_mix(con):
    _anna().load(con)
    frame = planner.compute(con, Definitions(planner_meetings_wanted=2, planner_capacity_factor=10))
    assert set(frame["meetings_wanted"]) == {2}
    assert planner.finding(frame).startswith(
        "For 2 meetings next month, Anna needs the fewest hours (0.1 h: 2.0 via linkedin)"
    )
    short = planner.finding(planner.compute(con))
    assert short.startswith(
        "For 10 meetings next month, the target is out of reach for Anna within capacity (1.5 × the activity"
    )


def test_a_channel_without_meetings_has_no_plan(con):
    data = Data()
    data.call(phone(1), "2026-03-02 09:00")
    data.load(con)
    rows = _plan(con)
    assert rows["phone"]["needed"] is None and rows["phone"]["needed_low"] == pytest.approx(
        10 / poisson(0, 1)[1]
    )
    assert rows["linkedin"]["needed"] is None and rows["linkedin"]["hours_per_unit"] is None
    assert rows["phone"]["mix_shortfall_meetings"] == 10


def test_planner_settings_are_validated():
    with pytest.raises(ValueError, match="planner_capacity_factor"):
        Definitions(planner_capacity_factor=0.5)
    with pytest.raises(ValueError, match="planner_meetings_wanted"):
        Definitions(planner_meetings_wanted=-1)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(1, 30), st.integers(0, 5), st.integers(0, 4), st.integers(1, 25), st.floats(1, 20))
def test_properties_of_any_plan(dials, booked, conversations, wanted, factor):
    """Ranges bracket the estimate; mix meetings + shortfall = wanted; no channel beyond capacity."""
    data = Data()
    for n in range(dials):
        data.call(
            phone(n),
            f"2026-03-{2 + n % 20:02d} 09:{n:02d}",
            outcome="meeting_booked" if n < booked else "no_answer",
        )
    for n in range(conversations):
        data.thread(profile(n), f"2026-03-{3 + n:02d} 09:00", "oi", thread=f"t{n}")
    with closing(store.connect(":memory:")) as con:
        data.load(con)
        frame = planner.plan(con, Definitions(planner_capacity_factor=factor), meetings_wanted=wanted)
    for row in frame.iter_rows(named=True):
        if row["needed"] is not None:
            assert row["needed_low"] <= row["needed"] + 1e-9
            assert row["needed_high"] is None or row["needed"] <= row["needed_high"] + 1e-9
        assert row["mix_units"] <= row["capacity_units"]
        assert row["mix_units"] == math.floor(row["mix_units"])
    assert frame["mix_meetings"].sum() + frame["mix_shortfall_meetings"][0] == pytest.approx(wanted)
