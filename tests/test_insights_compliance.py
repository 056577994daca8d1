"""Compliance flags: calls by segment and consent, unknown segment never compliant, e-mail opt-in."""

from __future__ import annotations

from datetime import date

import pytest
from metrics_builders import Data, phone

from socialsell.definitions import Definitions
from socialsell.insights import compliance
from socialsell.stats import wilson


def _record(data: Data, n: int, segment: str | None, consent: bool | None, **more) -> None:
    row = data.contact(phone=phone(n).removeprefix("tel:"))
    row.update(segment=segment, consent_calls=consent, full_name=f"Person {n}", **more)


def _email(data: Data, address: str, at: str) -> None:
    data._touch(channel="email", kind="message", direction="outbound", occurred_at=at,
                contact_key=f"mail:{address}", source="crm.emails")  # fmt: skip


def _team() -> Data:
    data = Data(reps={"anna": "Nord", "ben": "Süd"})
    _record(data, 1, "B2C", False)
    _record(data, 2, "B2C", None)
    _record(data, 3, "B2C", True)
    _record(data, 4, "B2B", None)
    _record(data, 6, "B2C", None)
    data.call(phone(1), "2026-03-02 09:00")  # flagged (week of 2 March)
    data.call(phone(1), "2026-03-10 09:00")  # flagged (week of 9 March)
    data.call(phone(2), "2026-03-03 09:00")  # flagged: no consent recorded at all
    data.call(phone(3), "2026-03-03 10:00")  # consumer with consent
    data.call(phone(4), "2026-03-03 11:00")  # business: presumed consent
    data.call(phone(5), "2026-03-03 12:00")  # no CRM record: unknown segment
    data.call(phone(6), "2026-03-04 09:00", direction="inbound", outcome="connected", duration_s=60)
    data.call(phone(6), "2026-03-04 15:00")  # a call back to a consumer who called first
    data.call(phone(4), "2026-03-05 09:00", rep="ben")
    return data


def _rows(con, **settings) -> dict:
    frame = compliance.compute(con, Definitions(**settings))
    return {row["group"]: row for row in frame.iter_rows(named=True)}


def test_calls_by_status_by_hand(con):
    _team().load(con)
    anna = _rows(con)["anna"]
    assert {k: v for k, v in anna.items() if k.startswith(("calls", "contacts"))} == {
        "calls": 7,
        "calls_b2c_without_consent": 3,
        "calls_b2c_asked_first": 1,
        "calls_b2c_with_consent": 1,
        "calls_b2b_presumed_consent": 1,
        "calls_unknown_segment": 1,
        "contacts_called_without_consent": 2,
    }
    assert anna["flagged_calls_pct"] == pytest.approx(300 / 7)
    assert anna["flagged_calls_pct_low"] == pytest.approx(100 * wilson(3, 7)[0])
    assert anna["unknown_segment_pct"] == pytest.approx(100 / 7)
    total = _rows(con)["all"]
    assert (total["calls"], total["calls_b2c_without_consent"], total["calls_b2b_presumed_consent"]) == (
        8,
        3,
        2,
    )


def test_flagged_calls_are_listed_per_rep_and_week(con):
    _team().load(con)
    calls = compliance.flagged_calls(con)
    assert calls.select("rep_id", "week", "contact_name", "consent_calls").rows() == [
        ("anna", date(2026, 3, 2), "Person 1", False),
        ("anna", date(2026, 3, 2), "Person 2", None),
        ("anna", date(2026, 3, 9), "Person 1", False),
    ]
    weeks = compliance.flagged_by_week(con)
    assert weeks.select("rep_id", "week", "flagged_calls", "contacts", "calls_unknown_segment").rows() == [
        ("anna", date(2026, 3, 2), 2, 2, 1),
        ("anna", date(2026, 3, 9), 1, 1, 0),
    ]


def test_scope_limits_the_list(con):
    _team().load(con)
    assert len(compliance.flagged_calls(con, Definitions(date_from=date(2026, 3, 9)))) == 1
    assert len(compliance.flagged_calls(con, Definitions(reps=("ben",)))) == 0


def test_marketing_email_needs_recorded_opt_in(con):
    data = Data()
    data.contact(email="ja@kunde.de").update(consent_email=True, segment="B2B")
    data.contact(email="nein@kunde.de").update(segment="B2B")
    _email(data, "ja@kunde.de", "2026-03-02 09:00")
    _email(data, "nein@kunde.de", "2026-03-02 10:00")
    _email(data, "fremd@firma.de", "2026-03-02 11:00")
    data.load(con)
    anna = _rows(con)["anna"]
    assert (anna["calls"], anna["emails"], anna["emails_without_opt_in"]) == (0, 3, 2)
    assert "2 marketing e-mails went out without recorded opt-in" in compliance.finding(
        compliance.compute(con)
    )


def test_finding_names_reps_and_unknown_segment(con):
    _team().load(con)
    text = compliance.finding(compliance.compute(con))
    assert text.startswith("3 calls to 2 consumers had no recorded consent")
    assert ": Anna 3." in text
    assert "1 calls (12.5 %) went to contacts of unknown segment: not known to be compliant." in text


def test_finding_when_all_is_well(con):
    data = Data()
    _record(data, 4, "B2B", None)
    data.call(phone(4), "2026-03-03 11:00")
    data.load(con)
    assert compliance.finding(compliance.compute(con)) == (
        "None of the 1 calls went to a consumer without recorded consent. Every called contact has a known segment."
    )
