"""Channel order: what LinkedIn saw before each rep's first dial, connects and meetings after it."""

from __future__ import annotations

from contextlib import closing
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from metrics_builders import Data, phone, profile, utc

from socialsell import store
from socialsell.definitions import Definitions
from socialsell.insights import channel_order
from socialsell.stats import wilson


def _both(data: Data, n: int) -> None:
    """Person n is one contact by phone and on LinkedIn."""
    data.contact(phone=phone(n).removeprefix("tel:"), linkedin=f"https://www.linkedin.com/in/prospect-{n}")


def _team() -> Data:
    data = Data()
    for n in (1, 2, 6):
        _both(data, n)
    # 1: a LinkedIn reply, then a connected first dial and a meeting.
    data.message(profile(1), "2026-03-02 09:00", thread="t1")
    data.message(profile(1), "2026-03-03 09:00", thread="t1", direction="inbound")
    data.call(phone(1), "2026-03-05 09:00", outcome="connected", duration_s=240)
    data.meeting(phone(1), "2026-03-12 10:00", booked_at="2026-03-05 09:10")
    # 2: an invitation without answer; the first dial misses, the second (not counted) connects.
    data.invitation(profile(2), "2026-03-02 10:00")
    data.call(phone(2), "2026-03-04 09:00")
    data.call(phone(2), "2026-03-06 09:00", outcome="connected", duration_s=60)
    # 3, 4, 5: no LinkedIn; 3 connects, 5 books a meeting on the call.
    data.call(phone(3), "2026-03-02 09:00", outcome="connected", duration_s=90)
    data.call(phone(4), "2026-03-02 09:05")
    data.call(phone(5), "2026-03-02 09:10", outcome="meeting_booked", duration_s=300)
    # 6: a LinkedIn message two months before the first dial: outside the 30-day window.
    data.message(profile(6), "2026-01-02 09:00", thread="t6")
    data.call(phone(6), "2026-03-02 09:15")
    return data


def _groups(con, **settings) -> dict:
    frame = channel_order.compute(con, Definitions(**settings)).filter(level="total")
    return {
        r["before_first_dial"]: (r["first_dials"], r["connects"], r["first_dials_with_meeting"])
        for r in frame.iter_rows(named=True)
    }


def test_first_dials_by_what_linkedin_saw_before(con):
    _team().load(con)
    assert _groups(con) == {
        "linkedin_reply": (1, 1, 1),
        "linkedin_touch": (1, 0, 0),
        "no_linkedin": (4, 2, 1),
    }
    row = channel_order.compute(con).filter(level="rep", before_first_dial="no_linkedin").row(0, named=True)
    assert (row["connect_rate_pct"], row["connect_rate_pct_low"]) == (50.0, 100 * wilson(2, 4)[0])
    assert row["small_sample"] == "only 4 first dials"


def test_the_window_is_the_attribution_window(con):
    _team().load(con)
    assert _groups(con, attribution_window_days=90)["linkedin_touch"] == (2, 0, 0)


def test_sequences_per_contact(con):
    _team().load(con)
    frame = channel_order.sequences(con)
    assert {
        r["sequence"]: (r["contacts"], r["responded"], r["contacts_with_meeting"])
        for r in frame.iter_rows(named=True)
    } == {
        "linkedin → phone": (3, 2, 1),
        "phone only": (3, 2, 1),
    }


def test_finding_compares_with_a_verdict(con):
    _team().load(con)
    text = channel_order.finding(channel_order.compute(con))
    assert text.startswith(
        "Connect rate of first dials after a LinkedIn touch in the 30 days before: Not distinguishable"
    )
    assert (
        "Meetings: Not distinguishable yet: after a LinkedIn reply 100.0% vs without LinkedIn 25.0%" in text
    )


def test_finding_when_the_channels_never_meet(con):
    data = Data()
    data.call(phone(1), "2026-03-02 09:00")
    data.thread(profile(2), "2026-03-02 10:00", "oi", thread="t2")
    data.load(con)
    assert channel_order.finding(channel_order.compute(con)).startswith(
        "None of the 1 first dials followed a LinkedIn touch"
    )


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(1, 4), st.sampled_from(["call", "connected", "message", "reply"]),
                          st.integers(0, 400)), max_size=12))  # fmt: skip
def test_properties_one_first_dial_per_contact(events):
    """Each dialled contact has exactly one first dial; connects and meetings never exceed them."""
    data = Data()
    for n in range(1, 5):
        _both(data, n)
    for n, kind, hours in events:
        at = utc("2026-03-02 08:00") + timedelta(hours=hours)
        if kind in ("call", "connected"):
            outcome = "connected" if kind == "connected" else "no_answer"
            data.call(phone(n), at, outcome=outcome, duration_s=60)
        else:
            data.message(
                profile(n), at, thread=f"t{n}", direction="inbound" if kind == "reply" else "outbound"
            )
    dialled = {n for n, kind, _ in events if kind in ("call", "connected")}
    with closing(store.connect(":memory:")) as con:
        data.load(con)
        frame = channel_order.compute(con).filter(level="total")
    assert frame["first_dials"].sum() == len(dialled)
    assert (frame["connects"] <= frame["first_dials"]).all()
    assert (frame["first_dials_with_meeting"] <= frame["first_dials"]).all()
