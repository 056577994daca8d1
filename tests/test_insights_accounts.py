"""Accounts and buying centres: contacts per company and channel, single-threaded target accounts."""

from __future__ import annotations

import pytest
from metrics_builders import Data, phone, profile

from socialsell.definitions import Definitions
from socialsell.insights import accounts
from socialsell.stats import wilson


def _person(data: Data, n: int, company: str, *, linkedin: bool = False) -> None:
    if linkedin:
        row = data.contact(linkedin=f"https://www.linkedin.com/in/prospect-{n}")
    else:
        row = data.contact(phone=phone(n).removeprefix("tel:"))
    row.update(company=company, full_name=f"Person {n}")


def _team() -> Data:
    """Acme: Anna calls 1 (connected, a meeting) and writes to 2 (who replies); Ben calls 3.
    Beta: Anna calls 4, no answer. Gamma: Anna calls 5, a meeting. Delta: nobody touched 6."""
    data = Data(reps={"anna": "Nord", "ben": "Süd"})
    _person(data, 1, "Acme GmbH")
    _person(data, 2, "ACME GmbH ", linkedin=True)
    _person(data, 3, "acme gmbh")
    _person(data, 4, "Beta AG")
    _person(data, 5, "Gamma KG")
    _person(data, 6, "Delta SE")
    data.call(phone(1), "2026-03-02 09:00", outcome="connected", duration_s=200)
    data.meeting(phone(1), "2026-03-09 10:00", booked_at="2026-03-02 09:10")
    data.thread(profile(2), "2026-03-02 10:00", "oi", thread="t2")
    data.call(phone(3), "2026-03-03 09:00", rep="ben")
    data.call(phone(4), "2026-03-02 11:00")
    data.call(phone(5), "2026-03-02 12:00", outcome="connected", duration_s=100)
    data.meeting(phone(5), "2026-03-10 10:00", booked_at="2026-03-02 12:05")
    return data


def _rows(con, **settings) -> dict:
    frame = accounts.compute(con, Definitions(**settings))
    return {row["group"]: row for row in frame.iter_rows(named=True)}


COUNTS = (
    "target_accounts",
    "single_threaded_accounts",
    "multi_threaded_accounts",
    "accounts_with_meeting",
    "single_threaded_with_meeting",
    "multi_threaded_with_meeting",
)


def test_threads_per_account_by_hand(con):
    _team().load(con)
    rows = _rows(con)
    assert [rows[g][c] for g in ("anna", "ben", "all") for c in COUNTS] == [
        *(3, 2, 1, 2, 1, 1),  # Anna: Acme has two of her contacts; Beta and Gamma one each
        *(1, 1, 0, 0, 0, 0),  # Ben: his one contact at Acme
        *(3, 2, 1, 2, 1, 1),  # all reps: Acme with three contacts
    ]
    assert rows["anna"]["contacts_touched_per_account"] == pytest.approx(4 / 3)
    assert rows["all"]["contacts_touched_per_account"] == pytest.approx(5 / 3)
    assert rows["anna"]["single_threaded_pct"] == pytest.approx(200 / 3)
    assert rows["anna"]["single_threaded_pct_low"] == pytest.approx(100 * wilson(2, 3)[0])
    assert rows["anna"]["meeting_rate_multi_pct"] == 100.0
    assert rows["ben"]["meeting_rate_multi_pct"] is None


def test_accounts_per_channel(con):
    _team().load(con)
    acme = accounts.accounts(con).filter(account="acme gmbh").row(0, named=True)
    assert {k: acme[k] for k in acme if k.startswith("contacts") or k in ("meetings", "reps")} == {
        "contacts_touched": 3,
        "contacts_dialled": 2,
        "contacts_connected_by_phone": 1,
        "contacts_touched_on_linkedin": 1,
        "contacts_replied_on_linkedin": 1,
        "contacts_responded": 2,
        "contacts_met": 1,
        "contacts_known": 3,
        "meetings": 1,
        "reps": ["anna", "ben"],
    }
    assert not acme["single_threaded"]


def test_single_threaded_lists_target_accounts_only(con):
    _team().load(con)
    frame = accounts.single_threaded(con)
    assert frame.select("company", "contacts_touched", "meetings").rows() == [
        ("Gamma KG", 1, 1),
        ("Beta AG", 1, 0),
    ]


def test_scope_by_rep(con):
    _team().load(con)
    assert accounts.single_threaded(con, Definitions(reps=("ben",)))["company"].to_list() == ["acme gmbh"]


def test_finding(con):
    _team().load(con)
    text = accounts.finding(accounts.compute(con))
    assert text.startswith("2 of 3 target accounts (67 %) hang on a single contact.")
    assert "Not distinguishable yet" in text and "more chances" in text


def test_finding_without_accounts(con):
    Data().load(con)
    assert accounts.finding(accounts.compute(con)).startswith("No target accounts")
