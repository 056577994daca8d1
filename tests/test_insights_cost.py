"""Cost per meeting by channel: the report's effort × cost per hour, intervals from the yield."""

from __future__ import annotations

import pytest
from metrics_builders import LI_A, Data, phone

from socialsell.definitions import Definitions
from socialsell.insights import cost
from socialsell.stats import poisson


def _team() -> Data:
    """Ten dials of 2 minutes, one booked a meeting: 0.5 h. One LinkedIn conversation (two messages
    written: 4 minutes) that became a meeting."""
    data = Data()
    for n in range(10):
        outcome = "meeting_booked" if n == 0 else "connected"
        data.call(phone(n), f"2026-03-02 09:{n:02d}", outcome=outcome, duration_s=120)
    data.thread(LI_A, "2026-03-03 09:00", "oio", thread="t1")
    data.meeting(LI_A, "2026-03-10 10:00", booked_at="2026-03-03 12:00")
    return data


def _rows(con, **settings) -> dict:
    frame = cost.compute(con, Definitions(**settings))
    return {row["group"]: row for row in frame.iter_rows(named=True)}


def test_cost_per_meeting_by_hand(con):
    _team().load(con)
    anna = _rows(con)["anna"]
    assert (anna["call_hours"], anna["cost_calls"], anna["cost_per_meeting_calls"]) == pytest.approx(
        (0.5, 30, 30)
    )
    low, high = poisson(1, 10)  # meetings per dial; a dial costs €3
    assert anna["cost_per_meeting_calls_low"] == pytest.approx(3 / high)
    assert anna["cost_per_meeting_calls_high"] == pytest.approx(3 / low)
    assert (anna["social_hours"], anna["cost_social"], anna["cost_per_meeting_social"]) == pytest.approx(
        (4 / 60, 4, 4)
    )
    low, high = poisson(1, 1)
    assert anna["cost_per_meeting_social_low"] == pytest.approx(4 / high)
    assert anna["cost_per_meeting_social_high"] == pytest.approx(4 / low)
    assert anna["call_center_cost_per_meeting"] is None
    rows = _rows(con)
    assert (
        rows["Nord"]["cost_per_meeting_calls"] == rows["all"]["cost_per_meeting_calls"] == pytest.approx(30)
    )


def test_cost_per_hour_and_the_call_centre_are_settings(con):
    _team().load(con)
    anna = _rows(con, cost_per_rep_hour=80, call_center_price_per_meeting=300, call_center_setup_fee=1000)[
        "anna"
    ]
    assert anna["cost_per_meeting_calls"] == pytest.approx(40)
    assert anna["call_center_cost_per_meeting"] == pytest.approx(300 + 1000 / 2)


def test_no_meetings_means_no_cost_per_meeting_and_an_open_range(con):
    data = Data()
    data.call(phone(1), "2026-03-02 09:00")
    data.load(con)
    anna = _rows(con)["anna"]
    assert anna["cost_per_meeting_calls"] is None and anna["cost_per_meeting_calls_high"] is None
    assert anna["cost_per_meeting_calls_low"] == pytest.approx(1.0 / poisson(0, 1)[1])  # 1 minute = €1
    assert cost.finding(cost.compute(con)).startswith(
        "At €60 per rep hour a meeting costs nothing (no meetings yet) from calls"
    )


def test_finding_compares_channels_honestly(con):
    _team().load(con)
    text = cost.finding(cost.compute(con, Definitions(call_center_price_per_meeting=300)))
    assert text.startswith("At €60 per rep hour a meeting costs €30 (95 % range €")
    assert "from social selling" in text and "the ranges overlap: the difference may be noise" in text
    assert "An external call centre would cost €300 per meeting (10.0× a meeting from own calls)." in text


@pytest.mark.parametrize(
    "name", ["cost_per_rep_hour", "call_center_price_per_meeting", "call_center_setup_fee"]
)
def test_negative_costs_are_refused(name):
    with pytest.raises(ValueError, match=name):
        Definitions(**{name: -1})


def test_settings_travel_with_the_definitions():
    d = Definitions.from_settings({"cost_per_rep_hour": 75.0, "call_center_price_per_meeting": 250.0})
    assert d.describe()["cost_per_rep_hour"] == 75.0
    assert d.describe()["call_center_price_per_meeting"] == 250.0
    assert Definitions().describe()["call_center_price_per_meeting"] is None


def test_team_and_total_counts_from_one_pass_by_rep_equal_their_own_reports(con):
    """`level_counts` sums the per-rep counts; a rep without a team counts as "(no team)"."""
    from polars.testing import assert_frame_equal

    from socialsell.metrics import report

    data = Data({"anna": "Nord", "ben": "Nord", "cem": None})
    for n, rep in enumerate(["anna", "ben", "cem", "anna"]):
        data.call(phone(n), f"2026-03-0{n + 2} 09:00", outcome="meeting_booked", duration_s=90, rep=rep)
    data.thread(LI_A, "2026-03-03 09:00", "oio", thread="t1")
    data.meeting(LI_A, "2026-03-10 10:00", booked_at="2026-03-03 12:00")
    data.load(con)
    for d in (Definitions(), Definitions(attribution_rule="split", teams=("Nord",))):
        for level, counts in cost.level_counts(con, d).items():
            assert_frame_equal(
                report(con, d, by=level, counts=counts).sort(level), report(con, d, by=level).sort(level)
            )
    assert "(no team)" in cost.level_counts(con, Definitions())["team"]["group"].to_list()
