"""Every definition of the README's "Metrics: definitions", pinned with hand-computed numbers on
small explicit fixtures (built with tests/metrics_builders.py, loaded through store.load), plus
property tests that hold for any data."""

from __future__ import annotations

from contextlib import closing
from datetime import date, datetime, timedelta

import polars as pl
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from metrics_builders import LI_A, LI_B, MAIL_A, PHONE_A, PHONE_B, Data, phone, profile, utc
from polars.testing import assert_frame_equal
from scipy import stats as scipy_stats

from socialsell import metrics, reporting, rollups, store
from socialsell.config import Config
from socialsell.definitions import ATTRIBUTION_RULES, Definitions


def total(con, **settings) -> dict:
    """report(by="total") as one dict ({} when nothing is in scope)."""
    rows = metrics.report(con, Definitions(**settings), by="total").to_dicts()
    assert len(rows) <= 1
    return rows[0] if rows else {}


def pick(row: dict, *columns: str) -> dict:
    return {c: row[c] for c in columns} if row else dict.fromkeys(columns, 0)


def by(con, dimension: str, *columns: str, **settings) -> dict:
    """report(by=dimension) as {group: {column: value}}."""
    frame = metrics.report(con, Definitions(**settings), by=dimension)
    return {row[dimension]: pick(row, *columns) for row in frame.iter_rows(named=True)}


def credits(con, **settings) -> list[tuple]:
    """The attribution rows (channel, credit, how), sorted."""
    frame = metrics.attribution(con, Definitions(**settings))
    return sorted((r["channel"], round(r["credit"], 6), r["how"]) for r in frame.iter_rows(named=True))


def anke(data: Data) -> None:
    """Anke Adler's CRM record: her e-mail, phone and LinkedIn profile are one person."""
    data.contact(
        email="anke.adler@kunde.de", phone="+494055500001", linkedin="https://www.linkedin.com/in/anke-adler"
    )


# --- dial / connect ---------------------------------------------------------------------------------

CONNECT_CALLS = [  # (outcome, talk seconds): the outcome decides; the talk time only when it is null
    ("connected", 0),
    ("meeting_booked", 0),
    ("voicemail", 200),
    (None, 29),
    (None, 30),
    (None, 31),
]


@pytest.mark.parametrize(("min_talk_s", "connects"), [(30, 4), (31, 3), (29, 5), (0, 5), (32, 2)])
def test_connect_is_outcome_based_and_talk_time_decides_without_outcome(con, min_talk_s, connects):
    data = Data()
    for i, (outcome, seconds) in enumerate(CONNECT_CALLS):
        data.call(phone(i), f"2026-03-02 09:{i:02d}", outcome=outcome, duration_s=seconds)
    data.load(con)
    assert pick(
        total(con, connect_min_talk_s=min_talk_s), "dials", "connects", "booked_on_call", "talk_s"
    ) == {
        "dials": 6,
        "connects": connects,
        "booked_on_call": 1,
        "talk_s": 290,
    }


def test_inbound_calls_are_not_dials(con):
    data = Data()
    data.call(PHONE_A, "2026-03-02 09:00", outcome="connected", duration_s=300, direction="inbound")
    data.call(PHONE_B, "2026-03-02 10:00", outcome="no_answer")
    data.load(con)
    assert pick(total(con), "dials", "connects", "talk_s", "call_hours") == {
        "dials": 1,
        "connects": 0,
        "talk_s": 0,
        "call_hours": 60 / 3600,
    }


@pytest.mark.parametrize(
    ("seconds_apart", "second_source", "dials"),
    [
        (0, "calls.crm", 1),
        (120, "calls.crm", 1),  # ≤ 120 s: the same call
        (121, "calls.crm", 2),
        (180, "calls.crm", 2),  # 3 minutes apart: two dials
        (60, "calls.dialer", 2),  # two calls in one export are two calls
    ],
)
def test_the_same_call_in_two_exports_is_one_dial(con, seconds_apart, second_source, dials):
    data = Data()
    first = utc("2026-03-02 09:00")
    data.call(PHONE_A, first, outcome="connected", duration_s=95, source="calls.dialer")
    data.call(
        PHONE_A,
        first + timedelta(seconds=seconds_apart),
        outcome="connected",
        duration_s=95,
        source=second_source,
    )
    data.load(con)
    assert pick(total(con), "dials", "connects", "talk_s") == {
        "dials": dials,
        "connects": dials,
        "talk_s": 95 * dials,
    }


def test_close_calls_of_other_reps_or_contacts_are_not_duplicates(con):
    data = Data({"anna": "Nord", "ben": "Nord"})
    data.call(PHONE_A, "2026-03-02 09:00:00", source="calls.dialer")
    data.call(PHONE_B, "2026-03-02 09:00:30", source="calls.crm")
    data.call(PHONE_A, "2026-03-02 09:01:00", source="calls.crm", rep="ben")
    data.load(con)
    assert total(con)["dials"] == 3


def test_duplicate_calls_excluded_reports_the_dropped_copy(con):
    data = Data()
    data.call(PHONE_A, "2026-03-02 09:00:00", outcome="connected", source="calls.dialer")
    data.call(PHONE_A, "2026-03-02 09:01:30", outcome="connected", source="calls.crm")
    data.load(con)
    assert pick(total(con), "dials", "duplicate_calls_excluded") == {
        "dials": 1,
        "duplicate_calls_excluded": 1,
    }


# --- outreach / reply / conversation ----------------------------------------------------------------

THREADS = {  # o = the rep wrote, i = the prospect wrote, in order
    "no reply": "o",
    "replied once": "oi",
    "back and forth": "oioi",
    "prospect started": "io",
    "prospect started, twice each": "ioio",
    "two unanswered": "oo",
}


def _threads(data: Data, threads: dict[str, str], **kw) -> None:
    for n, (name, directions) in enumerate(threads.items()):
        data.thread(profile(n), f"2026-03-{2 + n:02d} 09:00", directions, thread=name, **kw)


@pytest.mark.parametrize(("min_each_way", "conversations"), [(1, 4), (2, 2), (3, 0)])
def test_outreach_reply_and_conversation(con, min_each_way, conversations):
    _threads(data := Data(), THREADS)
    data.load(con)
    row = total(con, conversation_min_each_way=min_each_way)
    assert pick(row, "outreach", "replied", "conversations", "messages_sent", "reply_rate_pct") == {
        "outreach": 4,  # no reply, replied once, back and forth, two unanswered
        "replied": 2,
        "conversations": conversations,
        "messages_sent": 1 + 1 + 2 + 1 + 2 + 2,
        "reply_rate_pct": 50.0,
    }


def test_a_reply_counts_only_after_the_reps_first_message(con):
    data = Data()
    data.thread(LI_A, "2026-03-02 09:00", "iio", thread="prospect first")
    data.load(con)
    assert pick(total(con), "outreach", "replied", "conversations") == {
        "outreach": 0,
        "replied": 0,
        "conversations": 1,
    }


@pytest.mark.parametrize(
    "exclusion", ["group_chat", "spam_folder", "draft", "sponsored", "ai_coach", "system"]
)
def test_excluded_threads_count_nowhere(con, exclusion):
    data = Data()
    _threads(data, THREADS, exclusion=exclusion)
    data.invitation(LI_A, "2026-03-02 09:00")
    data.load(con)
    assert pick(total(con), "outreach", "replied", "conversations", "messages_sent", "invitations_sent") == {
        "outreach": 0,
        "replied": 0,
        "conversations": 0,
        "messages_sent": 0,
        "invitations_sent": 1,
    }


def test_an_excluded_thread_beside_a_real_one(con):
    data = Data()
    data.thread(LI_A, "2026-03-02 09:00", "oio", thread="1:1")
    data.thread(LI_B, "2026-03-02 09:00", "oioi", thread="group", exclusion="group_chat")
    data.load(con)
    assert pick(total(con), "outreach", "replied", "conversations", "messages_sent") == {
        "outreach": 1,
        "replied": 1,
        "conversations": 1,
        "messages_sent": 2,
    }


# --- invitations ---------------------------------------------------------------------------------------


def test_invitations_sent_with_note_and_accepted(con):
    data = Data()
    data.invitation(LI_A, "2026-03-02 09:00", note=True)
    data.connection(LI_A, "2026-03-05")  # later: accepted
    data.invitation(LI_B, "2026-03-02 09:00")
    data.connection(LI_B, "2026-03-02")  # same day: accepted
    data.invitation(profile(3), "2026-03-02 09:00", note=True)  # never connected
    data.invitation(profile(4), "2026-03-10 09:00")
    data.connection(profile(4), "2026-03-01")  # connected long before: not an acceptance of this one
    data.invitation(profile(5), "2026-03-02 09:00", direction="inbound")
    data.connection(profile(5), "2026-03-03")  # the rep accepted theirs: not an invitation sent
    data.load(con)
    assert pick(
        total(con), "invitations_sent", "invitations_with_note", "invitations_accepted", "acceptance_rate_pct"
    ) == {
        "invitations_sent": 4,
        "invitations_with_note": 2,
        "invitations_accepted": 2,
        "acceptance_rate_pct": 50.0,
    }


def test_acceptance_uses_the_team_day_of_the_invitation_and_linkedins_utc_connection_date(con):
    # Sent 23:30 UTC on 9 March = 00:30 on 10 March in Berlin; LinkedIn dates the connection 9 March (UTC).
    data = Data()
    data.invitation(LI_A, "2026-03-09 23:30")
    data.connection(LI_A, "2026-03-09")
    data.load(con)
    assert pick(total(con), "invitations_sent", "invitations_accepted") == {
        "invitations_sent": 1,
        "invitations_accepted": 1,
    }


# --- attribution --------------------------------------------------------------------------------------


def _one_call_three_messages(data: Data) -> None:
    anke(data)
    data.call(PHONE_A, "2026-03-02 09:00", outcome="connected", duration_s=120)
    for day in (4, 6, 8):
        data.message(LI_A, f"2026-03-{day:02d} 09:00", thread="anke")
    data.meeting(MAIL_A, "2026-03-20 10:00", booked_at="2026-03-10 09:00")


@pytest.mark.parametrize(
    ("rule", "expected", "from_calls", "from_social"),
    [
        ("last_touch", [("linkedin", 1.0, "last_touch")], 0.0, 1.0),
        ("first_touch", [("phone", 1.0, "first_touch")], 1.0, 0.0),
        ("split", [("linkedin", 0.75, "split"), ("phone", 0.25, "split")], 0.25, 0.75),
    ],
)
def test_attribution_rules(con, rule, expected, from_calls, from_social):
    _one_call_three_messages(data := Data())
    data.load(con)
    assert credits(con, attribution_rule=rule) == expected
    assert pick(
        total(con, attribution_rule=rule),
        "meetings",
        "meetings_from_calls",
        "meetings_from_social",
        "meetings_unattributed",
    ) == {
        "meetings": 1,
        "meetings_from_calls": from_calls,
        "meetings_from_social": from_social,
        "meetings_unattributed": 0,
    }


@pytest.mark.parametrize(
    ("days_before", "window", "channel"),
    [(31, 30, "unattributed"), (31, 31, "phone"), (30, 30, "phone"), (3, 0, "unattributed")],
)
def test_attribution_window_edges(con, days_before, window, channel):
    booked = utc("2026-06-01 10:00")  # no daylight-saving change inside any window
    data = Data()
    data.call(PHONE_A, booked - timedelta(days=days_before), outcome="connected", duration_s=60)
    data.meeting(PHONE_A, "2026-06-08 10:00", booked_at=booked)
    data.load(con)
    assert [c[0] for c in credits(con, attribution_window_days=window)] == [channel]


@pytest.mark.parametrize(
    ("call", "booked_at", "starts_at", "channel"),
    [
        ("2026-05-01", "2026-05-20", "2026-06-15", "phone"),  # 19 days before booking, 45 before start
        ("2026-05-01", None, "2026-06-15", "unattributed"),  # no booking time: 45 days before start
        ("2026-05-25", "2026-05-20", "2026-06-01", "unattributed"),  # after the booking
        ("2026-05-25", None, "2026-06-01", "phone"),  # no booking time: before the start
    ],
)
def test_attribution_looks_back_from_the_booking_else_the_start(con, call, booked_at, starts_at, channel):
    data = Data()
    data.call(PHONE_A, f"{call} 10:00", outcome="connected", duration_s=60)
    data.meeting(PHONE_A, f"{starts_at} 10:00", booked_at=booked_at and f"{booked_at} 10:00")
    data.load(con)
    assert [c[0] for c in credits(con)] == [channel]


def test_a_booked_call_and_its_calendar_meeting_are_one_meeting_credited_to_the_phone(con):
    data = Data()
    anke(data)
    data.call(PHONE_A, "2026-03-02 10:00", outcome="meeting_booked", duration_s=240)
    data.message(LI_A, "2026-03-04 09:00", thread="anke")  # last touch, but the call booked it
    data.meeting(MAIL_A, "2026-03-07 10:00")  # the calendar event, 5 days later
    data.load(con)
    assert con.sql("SELECT origin, booked_by_call FROM meetings_unique").fetchall() == [
        ("calendar", "calls.dialer:t0")
    ]
    assert credits(con) == [("phone", 1.0, "booked on call")]
    assert pick(
        total(con),
        "booked_on_call",
        "meetings",
        "meetings_held",
        "meetings_from_calls",
        "meetings_from_social",
    ) == {
        "booked_on_call": 1,
        "meetings": 1,
        "meetings_held": 1,
        "meetings_from_calls": 1.0,
        "meetings_from_social": 0.0,
    }


def test_a_booked_call_without_a_calendar_meeting_is_a_meeting_of_its_own(con):
    data = Data()
    data.call(PHONE_A, "2026-03-02 10:00", outcome="meeting_booked", duration_s=240)
    data.load(con)
    assert con.sql("SELECT origin, status, starts_at, booked_by_call FROM meetings_unique").fetchall() == [
        ("call_outcome", "scheduled", None, "calls.dialer:t0")
    ]
    assert pick(total(con), "meetings", "meetings_held", "meetings_from_calls", "meetings_unattributed") == {
        "meetings": 1,
        "meetings_held": 0,  # when it takes place is unknown
        "meetings_from_calls": 1.0,
        "meetings_unattributed": 0,
    }


def test_the_same_booked_call_in_two_exports_is_one_meeting(con):
    data = Data()
    data.call(PHONE_A, "2026-03-02 10:00:00", outcome="meeting_booked", duration_s=240, source="calls.dialer")
    data.call(PHONE_A, "2026-03-02 10:01:00", outcome="meeting_booked", duration_s=240, source="calls.crm")
    data.meeting(PHONE_A, "2026-03-07 10:00")
    data.load(con)
    assert pick(total(con), "dials", "booked_on_call", "meetings", "meetings_from_calls") == {
        "dials": 1,
        "booked_on_call": 1,
        "meetings": 1,
        "meetings_from_calls": 1.0,
    }


def test_meeting_status_cancelled_not_counted_held_is_completed_or_scheduled_in_the_past(con):
    data = Data()
    for n, (status, starts_at) in enumerate(
        [
            ("completed", "2026-03-10 10:00"),
            ("scheduled", "2026-03-11 10:00"),  # in the past: held
            ("scheduled", "2099-03-11 10:00"),  # in the future: not held yet
            ("no_show", "2026-03-12 10:00"),
            ("cancelled", "2026-03-13 10:00"),
        ]
    ):
        data.call(phone(n), "2026-03-02 10:00", outcome="connected", duration_s=60)
        data.meeting(phone(n), starts_at, booked_at="2026-03-03 10:00", status=status)
    data.load(con)
    assert pick(total(con), "dials", "meetings", "meetings_held", "meetings_from_calls") == {
        "dials": 5,
        "meetings": 4,
        "meetings_held": 2,
        "meetings_from_calls": 4.0,
    }
    assert len(metrics.attribution(con)) == 4


def test_a_meeting_without_a_touch_is_counted_and_unattributed(con):
    data = Data()
    data.meeting(MAIL_A, "2026-03-10 10:00", booked_at="2026-03-03 10:00")
    data.load(con)
    assert credits(con) == [("unattributed", 1.0, "no touch in window")]
    assert pick(
        total(con), "meetings", "meetings_from_calls", "meetings_from_social", "meetings_unattributed"
    ) == {"meetings": 1, "meetings_from_calls": 0.0, "meetings_from_social": 0.0, "meetings_unattributed": 1}


@pytest.mark.parametrize(("with_record", "channel"), [(True, "phone"), (False, "unattributed")])
def test_a_meeting_attendee_matched_by_email_is_credited_to_the_call_to_their_phone(
    con, with_record, channel
):
    data = Data()
    if with_record:
        data.contact(email="anke.adler@kunde.de", phone="+494055500001")
    data.call(PHONE_A, "2026-03-02 10:00", outcome="connected", duration_s=180)
    data.meeting(MAIL_A, "2026-03-10 10:00", booked_at="2026-03-05 10:00")
    data.load(con)
    assert [c[0] for c in credits(con)] == [channel]


def test_a_calendar_event_and_its_crm_copy_are_one_meeting_and_the_crm_knows_the_no_show(con):
    data = Data()
    data.meeting(MAIL_A, "2026-03-10 10:00:00", booked_at="2026-03-03 10:00", status="scheduled")
    data.meeting(MAIL_A, "2026-03-10 10:00:40", status="no_show", origin="crm")  # same minute
    data.meeting(MAIL_A, "2026-03-10 14:00", status="completed", origin="crm")  # another meeting
    data.load(con)
    assert con.sql("SELECT origin, status, records FROM meetings_unique ORDER BY starts_at").fetchall() == [
        ("calendar", "no_show", 2),
        ("crm", "completed", 1),
    ]
    assert pick(total(con), "meetings", "meetings_held") == {"meetings": 2, "meetings_held": 1}


# --- warm / cold ----------------------------------------------------------------------------------------


def test_warm_before_the_touch_cold_otherwise(con):
    data = Data()
    anke(data)  # phone 1 = LI_A
    data.contact(phone="+494055500002", linkedin="https://www.linkedin.com/in/bernd-bauer")
    data.contact(phone="+494055500003", customer_since=date(2025, 6, 1))
    data.contact(phone="+494055500006", customer_since=date(2026, 3, 2))
    data.connection(LI_A, "2026-03-01")
    data.connection(LI_B, "2026-03-02")
    data.call(phone(4), "2026-03-01 09:00", outcome="connected", duration_s=90)
    for n in range(1, 7):
        data.call(phone(n), "2026-03-02 09:00")
    data.load(con)
    reasons = con.sql(
        """SELECT contact_key, local_day::VARCHAR, warm, warm_reason FROM touch_facts
           WHERE kind = 'call' ORDER BY contact_key, occurred_at"""
    ).fetchall()
    assert reasons == [
        (phone(1), "2026-03-02", True, "connection"),  # connected the day before
        (phone(2), "2026-03-02", False, None),  # connected the same day
        (phone(3), "2026-03-02", True, "customer"),  # customer since 2025
        (phone(4), "2026-03-01", False, None),
        (phone(4), "2026-03-02", True, "conversation"),  # took a connected call the day before
        (phone(5), "2026-03-02", False, None),  # nothing known
        (phone(6), "2026-03-02", False, None),  # customer from that very day
    ]
    assert by(con, "warm", "dials", "connects") == {
        "cold": {"dials": 4, "connects": 1},
        "warm": {"dials": 3, "connects": 0},
    }


def test_an_inbound_message_makes_later_touches_warm(con):
    data = Data()
    data.message(LI_A, "2026-03-02 09:00", thread="t", direction="inbound")
    data.invitation(LI_A, "2026-03-03 09:00")
    data.invitation(LI_B, "2026-03-03 09:00")
    data.load(con)
    assert by(con, "warm", "invitations_sent") == {
        "cold": {"invitations_sent": 1},
        "warm": {"invitations_sent": 1},
    }


def test_a_thread_started_cold_stays_a_cold_episode_after_the_reply(con):
    data = Data()
    data.thread(LI_A, "2026-03-02 09:00", "oio", thread="t")
    data.meeting(LI_A, "2026-03-10 10:00", booked_at="2026-03-03 10:00")  # last touch: the 3rd message
    data.load(con)
    columns = ("outreach", "replied", "conversations", "meetings", "meetings_from_social")
    groups = by(con, "warm", *columns)
    assert groups["cold"] == {
        "outreach": 1,
        "replied": 1,
        "conversations": 1,
        "meetings": 1,
        "meetings_from_social": 1.0,
    }
    assert all(value == 0 for value in groups.get("warm", {}).values())


def test_messages_of_a_cold_thread_are_cold(con):
    data = Data()
    data.thread(LI_A, "2026-03-02 09:00", "oio", thread="t")
    data.load(con)
    assert by(con, "warm", "messages_sent") == {"cold": {"messages_sent": 2}}


def test_report_by_warm_sums_back_under_split_attribution(con):
    _one_call_three_messages(data := Data())
    data.load(con)
    groups = by(con, "warm", "meetings", attribution_rule="split")
    assert (
        sum(g["meetings"] for g in groups.values()) == total(con, attribution_rule="split")["meetings"] == 1
    )


def _meetings_credited_to_non_connected_calls(data: Data) -> str:
    data.call(phone(1), "2026-03-02 09:00", outcome="connected", duration_s=60)
    for n in (2, 3):
        data.call(phone(n), "2026-03-02 10:00", outcome="voicemail")  # the last touch, never a connect
        data.meeting(phone(n), "2026-03-10 10:00", booked_at="2026-03-05 10:00")
    return "meetings_per_100_connects"  # 2 meetings from calls, 1 connect


def _two_meetings_after_one_dial(data: Data) -> str:
    data.call(PHONE_A, "2026-03-02 09:00", outcome="connected", duration_s=600)
    data.meeting(PHONE_A, "2026-03-10 10:00", booked_at="2026-03-05 10:00")  # discovery
    data.meeting(PHONE_A, "2026-03-17 10:00", booked_at="2026-03-11 10:00")  # demo
    return "meetings_per_100_dials"  # 2 meetings from calls, 1 dial


def _meetings_credited_to_invitations(data: Data) -> str:
    data.thread(profile(1), "2026-03-02 09:00", "oi", thread="t")
    for n in (2, 3):
        data.invitation(profile(n), "2026-03-02 10:00")  # never a conversation
        data.meeting(profile(n), "2026-03-10 10:00", booked_at="2026-03-05 10:00")
    return "meetings_per_100_conversations"  # 2 meetings from social, 1 conversation


# Meeting yields are events per exposure, not proportions: they may exceed 100 per 100 and still get
# a valid (exact Poisson) interval instead of the NaN a Wilson interval would give.
@pytest.mark.parametrize(
    "scenario",
    [
        _meetings_credited_to_non_connected_calls,
        _two_meetings_after_one_dial,
        _meetings_credited_to_invitations,
    ],
)
def test_meeting_yields_above_100_have_valid_intervals(con, scenario):
    rate = scenario(data := Data())
    data.load(con)
    row = total(con)
    assert row[rate] == 200.0
    assert 0 < row[f"{rate}_low"] < row[rate] < row[f"{rate}_high"]


# --- effort and equivalence -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "call_hours", "social_hours"),
    [
        ({}, (900 + 3 * 60) / 3600, (4 * 2 + 2 * 1) / 60),
        ({"dial_overhead_s": 0}, 900 / 3600, (4 * 2 + 2 * 1) / 60),
        ({"minutes_per_message": 3, "minutes_per_invitation": 0}, (900 + 3 * 60) / 3600, 4 * 3 / 60),
    ],
)
def test_effort_hours(con, settings, call_hours, social_hours):
    data = Data()
    data.call(PHONE_A, "2026-03-02 09:00", outcome="no_answer")
    data.call(PHONE_B, "2026-03-02 09:10", outcome="connected", duration_s=300)
    data.call(phone(3), "2026-03-02 09:20", outcome=None, duration_s=600)
    data.call(phone(4), "2026-03-02 09:30", outcome="connected", duration_s=999, direction="inbound")
    data.thread(LI_A, "2026-03-02 10:00", "oiooio", thread="t")  # 4 written, 2 received
    data.invitation(LI_B, "2026-03-02 11:00", note=True)
    data.invitation(profile(3), "2026-03-02 11:00")
    data.load(con)
    row = total(con, **settings)
    assert row["call_hours"] == pytest.approx(call_hours)
    assert row["social_hours"] == pytest.approx(social_hours)


def test_equivalence_one_conversation_equals_n_dials(con):
    # 200 dials → 4 meetings (50 dials per meeting); 20 conversations → 2 meetings (10 per meeting) ⇒ 5.0.
    data = Data()
    start = utc("2026-03-02 08:00")
    for n in range(200):
        outcome = "meeting_booked" if n % 50 == 0 else "no_answer"
        data.call(
            phone(n),
            start + timedelta(minutes=n),
            outcome=outcome,
            duration_s=120 if outcome != "no_answer" else 0,
        )
    for n in range(20):
        data.thread(profile(n), f"2026-03-03 {8 + n % 10:02d}:{n:02d}", "oi", thread=f"t{n}")
    for n in range(2):
        data.meeting(profile(n), "2026-03-12 10:00", booked_at="2026-03-05 10:00")
    data.load(con)
    row = total(con)
    assert pick(
        row,
        "dials",
        "connects",
        "meetings",
        "meetings_from_calls",
        "conversations",
        "meetings_from_social",
        "dials_per_meeting",
        "conversations_per_meeting",
        "one_conversation_equals_dials",
        "meetings_per_100_dials",
        "meetings_per_100_conversations",
    ) == {
        "dials": 200,
        "connects": 4,
        "meetings": 6,
        "meetings_from_calls": 4.0,
        "conversations": 20,
        "meetings_from_social": 2.0,
        "dials_per_meeting": 50.0,
        "conversations_per_meeting": 10.0,
        "one_conversation_equals_dials": 5.0,
        "meetings_per_100_dials": 2.0,
        "meetings_per_100_conversations": 10.0,
    }
    # 4 meetings over 200 dials: Garwood's exact Poisson limits for 4 events are 1.090 and 10.24.
    assert (row["meetings_per_100_dials_low"], row["meetings_per_100_dials_high"]) == pytest.approx(
        (100 * 1.0899 / 200, 100 * 10.2416 / 200), abs=1e-3
    )
    assert row["meetings_per_call_hour"] == pytest.approx(4 / ((4 * 120 + 200 * 60) / 3600))
    assert row["meetings_per_social_hour"] == pytest.approx(2 / (20 * 2 / 60))
    assert row["small_sample"] == "only 20 conversations"


def test_no_meetings_means_no_equivalence_not_a_division_by_zero(con):
    data = Data()
    data.call(PHONE_A, "2026-03-02 09:00")
    data.thread(LI_A, "2026-03-02 10:00", "oi", thread="t")
    data.load(con)
    assert pick(
        total(con), "dials_per_meeting", "conversations_per_meeting", "one_conversation_equals_dials"
    ) == {
        "dials_per_meeting": None,
        "conversations_per_meeting": None,
        "one_conversation_equals_dials": None,
    }


# --- dates, in the team's time zone -------------------------------------------------------------------------


def _end_of_march(data: Data) -> None:
    data.call(PHONE_A, "2026-03-31 23:30", outcome="connected", duration_s=60)  # 1 April 01:30 in Berlin
    data.thread(LI_A, "2026-03-31 23:30", "oi", thread="t")
    data.invitation(LI_B, "2026-03-31 23:30")
    data.meeting(PHONE_B, "2026-03-31 23:30")  # no booking time: counted on its day


COUNTED = ("dials", "outreach", "conversations", "invitations_sent", "meetings")


@pytest.mark.parametrize(
    ("time_zone", "date_from", "date_to", "counted"),
    [
        ("Europe/Berlin", date(2026, 4, 1), None, 1),
        ("Europe/Berlin", None, date(2026, 3, 31), 0),
        ("Europe/Berlin", date(2026, 4, 1), date(2026, 4, 1), 1),
        ("UTC", None, date(2026, 3, 31), 1),
        ("UTC", date(2026, 4, 1), None, 0),
    ],
)
def test_from_and_to_are_days_in_the_team_time_zone(con, time_zone, date_from, date_to, counted):
    _end_of_march(data := Data())
    data.load(con, Config(time_zone=time_zone))
    assert pick(total(con, date_from=date_from, date_to=date_to), *COUNTED) == dict.fromkeys(COUNTED, counted)


def test_week_groups_use_the_team_time_zone(con):
    data = Data()
    data.call(PHONE_A, "2026-03-08 23:30")  # Sunday in UTC, Monday 9 March in Berlin
    data.call(PHONE_B, "2026-03-08 22:30")  # Sunday 23:30 in Berlin
    data.load(con)
    assert by(con, "week", "dials") == {date(2026, 3, 2): {"dials": 1}, date(2026, 3, 9): {"dials": 1}}


def test_meetings_are_grouped_by_the_day_they_were_booked(con):
    data = Data()
    data.meeting(MAIL_A, "2026-03-20 10:00", booked_at="2026-03-03 10:00")
    data.load(con)
    assert by(con, "week", "meetings") == {date(2026, 3, 2): {"meetings": 1}}
    assert total(con, date_to=date(2026, 3, 10))["meetings"] == 1


# --- groups, comparisons, ranking, the JSON document -----------------------------------------------------


def _team(data: Data, counts: dict[str, tuple[int, int]], outcome: str) -> None:
    """For each rep: (dials, of which `outcome`)."""
    n = 0
    for rep, (dials, hits) in counts.items():
        for i in range(dials):
            data.call(
                phone(n),
                utc("2026-03-02 08:00") + timedelta(minutes=n),
                outcome=outcome if i < hits else "no_answer",
                rep=rep,
            )
            n += 1


def test_report_by_rep_and_team(con):
    data = Data({"anna": "Nord", "ben": "Nord", "cem": None})
    _team(data, {"anna": (3, 1), "ben": (5, 2), "cem": (4, 0)}, "connected")
    data.load(con)
    frame = metrics.report(con, by="rep")
    assert frame.select("rep", "display_name", "team", "dials", "connects").rows() == [
        ("anna", "Anna", "Nord", 3, 1),
        ("ben", "Ben", "Nord", 5, 2),
        ("cem", "Cem", None, 4, 0),
    ]
    assert by(con, "team", "dials", "connects") == {
        "(no team)": {"dials": 4, "connects": 0},
        "Nord": {"dials": 8, "connects": 3},
    }
    with pytest.raises(ValueError, match="--by 'quarter'"):
        metrics.report(con, by="quarter")


def test_compare_groups_says_when_the_sample_is_too_small(con):
    data = Data({"anna": "Nord", "ben": "Nord"})
    _team(data, {"anna": (14, 1), "ben": (40, 4)}, "meeting_booked")
    data.load(con)
    result = metrics.compare_groups(con, "anna", "ben")  # meetings per 100 dials: a yield
    assert result.test == "exact Poisson rate test"
    assert result.p_value == pytest.approx(scipy_stats.binomtest(1, 5, 14 / 54).pvalue)
    assert result.verdict.startswith("Not distinguishable yet: anna 7.1 per 100 dials vs ben 10.0 per 100")
    assert "anna has only 14 dials" in result.verdict
    assert "ben" not in result.verdict.split("(p =")[1]  # ben has 40 ≥ 30 dials
    assert metrics.report(con, by="rep")["small_sample"].to_list() == [
        "only 14 dials; only 0 conversations",
        "only 0 conversations",
    ]
    with pytest.raises(KeyError, match="no rep 'zoe'"):
        metrics.compare_groups(con, "anna", "zoe")


def test_compare_groups_tests_a_proportion_with_fisher_for_small_counts(con):
    data = Data({"anna": "Nord", "ben": "Nord"})
    _team(data, {"anna": (14, 1), "ben": (40, 4)}, "connected")
    data.load(con)
    result = metrics.compare_groups(con, "anna", "ben", rate="connect_rate_pct")
    assert result.test == "Fisher exact"
    assert result.p_value == pytest.approx(scipy_stats.fisher_exact([[1, 13], [4, 36]])[1])
    assert result.verdict.startswith("Not distinguishable yet: anna 7.1% vs ben 10.0%")


def test_ranking_a_yield_uses_gamma_poisson_shrinkage(con):
    data = Data({"a": None, "b": None, "c": None, "d": None})
    _team(data, {"a": (3, 2), "b": (100, 40), "c": (100, 20), "d": (100, 30)}, "meeting_booked")
    data.load(con)
    ranked = metrics.ranking(con, "meetings_per_100_dials")
    assert ranked["rep"].to_list() == ["b", "a", "d", "c"]  # a's 2 of 3 is pulled below b's 40 of 100
    assert ranked["meetings_per_100_dials_shrunk"].to_list() == pytest.approx(
        [35.79, 31.71, 30.16, 24.53], abs=0.01
    )
    assert ranked["prior_mean"][0] == pytest.approx(100 * 92 / 303)


def test_ranking_shrinks_a_lucky_small_sample_below_a_solid_one(con):
    data = Data({"a": None, "b": None, "c": None, "d": None})
    _team(data, {"a": (3, 2), "b": (100, 40), "c": (100, 20), "d": (100, 30)}, "connected")
    data.load(con)
    ranked = metrics.ranking(con, "connect_rate_pct")
    assert ranked.select("rank", "rep", "connect_rate_pct", "small_sample").rows() == [
        (1, "b", 40.0, False),
        (2, "a", pytest.approx(200 / 3), True),
        (3, "d", 30.0, False),
        (4, "c", 20.0, False),
    ]
    assert ranked["connect_rate_pct_shrunk"].to_list() == pytest.approx(
        [37.23, 32.88, 30.10, 22.97], abs=0.01
    )
    assert ranked["prior_mean"][0] == pytest.approx(100 * 92 / 303)


def test_ranking_of_a_single_rep(con):
    data = Data()
    _team(data, {"anna": (3, 2)}, "connected")
    data.load(con)
    ranked = metrics.ranking(con, "connect_rate_pct")
    assert ranked["connect_rate_pct_shrunk"].to_list() == pytest.approx([200 / 3])


def test_the_json_report_carries_definitions_and_a_flagged_baseline(con):
    data = Data()
    data.call(PHONE_A, "2026-03-02 09:00")
    data.load(con)
    d = Definitions(attribution_window_days=14)
    document = reporting.payload(metrics.report(con, d, by="total"), d, "total")
    assert document["definitions"]["attribution_window_days"] == 14
    assert document["baseline"]["id"] == "anchor_2_5_per_100_calls"
    assert document["baseline"]["vs_meetings_per_100_dials"].startswith("flagged")
    per_dial = Definitions(baseline_id="belkins_2025_per_dial")
    document = reporting.payload(metrics.report(con, per_dial, by="total"), per_dial, "total")
    assert document["baseline"]["vs_meetings_per_100_dials"] == "comparable"


# --- properties: any small team's data ----------------------------------------------------------------------

REPS = {"anna": "Nord", "ben": "Nord", "cem": "Süd"}
DAY0 = datetime(2026, 5, 4, 7, 0)  # a Monday; the generated month has no daylight-saving change

reps = st.sampled_from(["anna", "anna", "anna", "ben", "cem"])  # mostly one rep: touches meet meetings
people = st.integers(0, 2)
days = st.integers(0, 14)
calls = st.tuples(
    st.just("call"),
    reps,
    people,
    days,
    st.integers(0, 4),  # minutes after the hour: close calls collide
    st.sampled_from(["connected", "meeting_booked", "no_answer", "voicemail", None]),
    st.sampled_from([0, 20, 30, 45, 300]),
    st.sampled_from(["outbound", "outbound", "inbound"]),
    st.sampled_from(["calls.dialer", "calls.crm"]),
)
messages = st.tuples(
    st.just("message"),
    reps,
    people,
    days,
    st.integers(0, 1),  # which of two threads with that person
    st.sampled_from(["outbound", "inbound"]),
    st.sampled_from([None, None, None, "group_chat", "spam_folder"]),
)
invitations = st.tuples(st.just("invitation"), reps, people, days, st.booleans())
connections = st.tuples(st.just("connection"), reps, people, days)
meetings = st.tuples(
    st.just("meeting"),
    reps,
    people,
    days,
    st.one_of(st.none(), st.integers(1, 20)),  # booked this many days before the start
    st.sampled_from(["scheduled", "completed", "cancelled", "no_show"]),
    st.sampled_from(["calendar", "crm"]),
    st.sampled_from(["tel", "li", "mail"]),  # which identity the meeting names
)
datasets = st.tuples(
    st.lists(st.one_of(calls, messages, invitations, connections, meetings), min_size=5, max_size=20),
    st.sets(people, min_size=1, max_size=3),  # people with a CRM record tying their identities together
)


def _mail(n: int) -> str:
    return f"mail:prospect-{n}@kunde.de"


def _build(events: list[tuple], records: set[int]) -> Data:
    data = Data(dict(REPS))
    for n in sorted(records):
        data.contact(
            email=_mail(n)[5:], phone=phone(n)[4:], linkedin=f"https://www.linkedin.com/{profile(n)[3:]}"
        )
    for index, event in enumerate(events):
        kind, rep, person, day, *rest = event
        # Every event its own second: ties in time have no defined order (see the report of this suite).
        at = DAY0 + timedelta(days=day, seconds=index)
        if kind == "call":
            minute, outcome, seconds, direction, source = rest
            data.call(
                phone(person),
                at + timedelta(minutes=minute),
                outcome=outcome,
                duration_s=seconds,
                direction=direction,
                source=source,
                rep=rep,
            )
        elif kind == "message":
            thread, direction, exclusion = rest
            data.message(
                profile(person),
                at,
                thread=f"{rep}-{person}-{thread}",
                direction=direction,
                exclusion=exclusion,
                rep=rep,
            )
        elif kind == "invitation":
            data.invitation(profile(person), at, note=rest[0], rep=rep)
        elif kind == "connection":
            data.connection(profile(person), at.date().isoformat(), rep=rep)
        else:
            booked_days, status, origin, key = rest
            contact = {"tel": phone, "li": profile, "mail": _mail}[key](person)
            start = at + timedelta(days=10, hours=3)  # after some of the touches
            data.meeting(
                contact,
                start,
                booked_at=booked_days and start - timedelta(days=booked_days),
                status=status,
                origin=origin,
                rep=rep,
            )
    return data


def _loaded(events, records):
    con = store.connect(":memory:")
    _build(events, records).load(con)
    return con


# rate → (successes, trials, kind); meetings are credited by attribution, so a meeting yield's numerator
# is not a subset of its denominator and may exceed it (see test_meeting_yields_above_100_have_valid_intervals).
RATE_PARTS = {rate: (k, n, kind) for rate, (k, n, _, kind) in metrics.RATES.items()} | {
    "booked_on_call_per_100_dials": ("booked_on_call", "dials", "proportion")
}
SUMMED = ("rep", "team", "week", "warm")


def _rates_are_percentages_inside_their_intervals(row: dict) -> None:
    for rate, (successes, trials, kind) in RATE_PARTS.items():
        value, low, high = row[rate], row[f"{rate}_low"], row[f"{rate}_high"]
        if value is None:
            assert row[trials] == 0 and low is None and high is None, rate
            continue
        assert 0 <= low <= value + 1e-9 and value <= high + 1e-9, rate
        assert value == pytest.approx(100 * row[successes] / row[trials]), rate
        if kind == "proportion":
            assert high <= 100, rate


def _attributed_meetings_add_up(row: dict) -> None:
    parts = row["meetings_from_calls"] + row["meetings_from_social"] + row["meetings_unattributed"]
    assert parts == pytest.approx(row["meetings"])
    assert row["meetings_held"] <= row["meetings"]
    assert row["connects"] <= row["dials"] and row["booked_on_call"] <= row["connects"]
    assert row["replied"] <= row["outreach"] and row["invitations_accepted"] <= row["invitations_sent"]


# No shrinking: an example takes ~1 s, so shrinking a failure would take minutes; the unshrunk
# example (at most 20 events) is printed and readable as it is.
@settings(
    max_examples=25,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow],
)
@given(datasets)
def test_properties_of_any_small_teams_data(dataset):
    """For every rule and grouping: rates sit inside their intervals (proportions within 0–100 %);
    meetings from
    calls + from social + unattributed = meetings; report(by=rep|team|week|warm) sums back to by=total."""
    with closing(_loaded(*dataset)) as con:
        for rule in ATTRIBUTION_RULES:
            d = Definitions(attribution_rule=rule)
            whole = metrics.activity(con, d, by="total").drop("group")  # every count column
            expected = whole.row(0, named=True) if len(whole) else dict.fromkeys(whole.columns, 0)
            for dimension in SUMMED:
                frame = metrics.report(con, d, by=dimension)
                for row in frame.iter_rows(named=True):
                    _rates_are_percentages_inside_their_intervals(row)
                for row in frame.iter_rows(named=True):
                    _attributed_meetings_add_up(row)
                summed = frame.select(pl.col(whole.columns).sum()).row(0, named=True)
                assert summed == pytest.approx(expected), (dimension, rule)
                by_group = metrics.activity(con, d, by=dimension)
                assert metrics.total_of(by_group).drop("group").row(0, named=True) == pytest.approx(expected)
            both = metrics.activity(con, d, by="week+warm")  # the Overview's one pass
            for dimension in ("week", "warm"):
                assert_frame_equal(metrics.regroup(both, dimension), metrics.activity(con, d, by=dimension))
        _rollups_give_the_same_numbers_as_touch_facts(con)


def _rollups_give_the_same_numbers_as_touch_facts(con) -> None:
    d = Definitions(attribution_rule="split", attribution_window_days=20)
    with_rollups = [metrics.report(con, d, by) for by in ("rep", "week", "warm")] + [metrics.heatmap(con, d)]
    assert rollups.covers(con, d) == (True, True, False)
    default = Definitions(attribution_rule="split")
    from_credits = [metrics.report(con, default, by) for by in ("rep", "week", "warm")]
    assert rollups.covers(con, default) == (True, True, True)
    con.execute("DROP TABLE rollup_meta")
    assert rollups.covers(con, d) == rollups.NONE
    recomputed = [metrics.report(con, default, by) for by in ("rep", "week", "warm")]
    for fast, slow in zip(from_credits, recomputed, strict=True):
        assert_frame_equal(fast, slow, check_exact=False)
    without = [metrics.report(con, d, by) for by in ("rep", "week", "warm")] + [metrics.heatmap(con, d)]
    for fast, slow in zip(with_rollups, without, strict=True):
        assert_frame_equal(fast, slow, check_exact=False)
