"""Lead response time: signals, the quiet rule, touches back and day-resolution acceptances, by hand."""

from __future__ import annotations

import pytest
from metrics_builders import Data, phone, profile

from socialsell.definitions import Definitions
from socialsell.insights import lead_response
from socialsell.stats import wilson


def _leads(data: Data | None = None) -> Data:
    """Four leads of Anna's and one call-back that is no lead."""
    data = data or Data()
    # 1. An invitation at 10:00 UTC, accepted on the next day: between 14 h and 38 h.
    data.invitation(profile(1), "2026-03-02 10:00", direction="inbound")
    data.connection(profile(1), "2026-03-03")
    # 2. An inbound call taken live: 0 h.
    data.call(phone(2), "2026-03-02 11:00", direction="inbound", outcome="connected", duration_s=120)
    # 3. A prospect opens a thread; Anna answers 3.5 h later.
    data.message(profile(3), "2026-03-02 12:00", thread="t3", direction="inbound")
    data.message(profile(3), "2026-03-02 15:30", thread="t3")
    # 4. A call-back after Anna's voicemail: not a lead (they had a touch the day before).
    data.call(phone(4), "2026-03-04 09:00", outcome="voicemail")
    data.call(phone(4), "2026-03-05 09:00", direction="inbound", outcome="connected", duration_s=60)
    # 5. A missed inbound call, called back 48 h later.
    data.call(phone(5), "2026-03-02 09:00", direction="inbound", outcome="no_answer")
    data.call(phone(5), "2026-03-04 09:00", outcome="no_answer")
    data.call(phone(9), "2026-03-20 09:00")  # the data run until here
    return data


def _rows(con, **settings) -> dict:
    frame = lead_response.compute(con, Definitions(**settings))
    return {row["group"]: row for row in frame.iter_rows(named=True)}


def test_lead_responses_by_hand(con):
    _leads().load(con)
    leads = lead_response.leads(con).sort("signal_at")
    assert leads.select("signal", "response", "response_hours_at_least", "response_hours_at_most").rows() == [
        ("inbound call", "touch back", 48.0, 48.0),
        ("invitation", "accepted (day known)", 14.0, 38.0),
        ("inbound call", "taken live", 0.0, 0.0),
        ("message", "touch back", 3.5, 3.5),
    ]
    anna = _rows(con)["anna"]
    assert {k: anna[k] for k in ("leads", "invitations", "messages", "inbound_calls", "responded")} == {
        "leads": 4,
        "invitations": 1,
        "messages": 1,
        "inbound_calls": 2,
        "responded": 4,
    }
    assert anna["responses_known_to_the_day"] == 1
    assert anna["median_response_hours_at_least"] == pytest.approx((3.5 + 14) / 2)
    assert anna["median_response_hours_at_most"] == pytest.approx((3.5 + 38) / 2)
    assert anna["p90_response_hours_at_most"] == pytest.approx(38 + 0.7 * 10)
    assert (anna["leads_due"], anna["responded_within_sla"], anna["responded_possibly_within_sla"]) == (
        4,
        2,
        3,
    )
    assert anna["responded_within_sla_pct"] == 50.0
    assert anna["responded_within_sla_pct_low"] == pytest.approx(100 * wilson(2, 4)[0])
    assert anna["responded_within_sla_pct_at_most"] == 75.0


def test_the_target_is_a_setting(con):
    _leads().load(con)
    anna = _rows(con, lead_response_sla_hours=40)["anna"]
    assert (anna["responded_within_sla"], anna["responded_possibly_within_sla"]) == (3, 3)


def test_the_quiet_rule_decides_what_a_new_lead_is(con):
    _leads().load(con)
    assert _rows(con, lead_quiet_days=0)["anna"]["leads"] == 5  # the call-back counts too


def test_a_lead_without_response_counts_against_the_sla(con):
    data = Data()
    data.invitation(profile(1), "2026-03-02 10:00", direction="inbound")
    data.call(phone(9), "2026-03-10 09:00")
    data.load(con)
    anna = _rows(con)["anna"]
    assert (anna["leads"], anna["responded"], anna["leads_due"], anna["responded_within_sla_pct"]) == (
        1,
        0,
        1,
        0.0,
    )
    assert anna["median_response_hours_at_most"] is None


def test_people_the_crm_does_not_know_are_no_leads_when_there_is_a_crm(con):
    data = _leads()
    data.contact(linkedin="https://www.linkedin.com/in/prospect-3")  # only the thread opener is known
    data.load(con)
    anna = _rows(con)["anna"]
    assert (anna["leads"], anna["signals_from_people_not_in_crm"], anna["messages"]) == (1, 3, 1)


def test_finding_reports_ranges_for_day_resolution(con):
    data = _leads(Data(reps={"anna": "Nord", "ben": "Süd"}))
    data.invitation(profile(7), "2026-03-02 10:00", direction="inbound", rep="ben")
    data.message(profile(7), "2026-03-02 10:30", thread="b7", rep="ben")  # 0.5 h
    data.load(con)
    text = lead_response.finding(lead_response.compute(con))
    assert text.startswith("Anna is slowest to answer new leads (median 8.8–20.8 h; 50–75 % within the 24 h")
    assert "Ben fastest (median 0.5 h; 100 %)" in text
    assert "1 of 5 responses are LinkedIn acceptances known only to the day" in text
    assert "Careful: Anna has only 4 leads; Ben has only 1 leads." in text


def test_finding_without_leads(con):
    Data().load(con)
    assert lead_response.finding(lead_response.compute(con)).startswith("No lead")
