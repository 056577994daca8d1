"""Demo warm calls: reps phone some of the prospects they wrote to or invited on LinkedIn a few days later.

Per dial, a prospect who answered on LinkedIn picks up and books three times as often as the rep's
callees overall; one who only got a message or an invitation picks up twice and books 1.3 times as
often. With a second dial for those not reached, a first dial after a reply ends in a meeting about
four times as often as a cold one, after a touch about twice (warm contacts convert up to ~5× better).
How many of their LinkedIn prospects a rep phones is their `calls_after_linkedin`.
"""

from __future__ import annotations

import bisect
import random
from datetime import date, datetime, time, timedelta

from socialsell.demo_calls import MISS_SHARES, RETRY_OUTCOMES, Call, dial
from socialsell.demo_linkedin_model import Archive
from socialsell.demo_model import BERLIN, Meeting, Window
from socialsell.demo_people import DemoRep, Person

__all__ = ["WARM_FACTORS", "warm_calls"]

# (connect rate, booking rate) of a dial as multiples of the rep's overall rates: after a LinkedIn reply,
# after a message or invitation without reply.
WARM_FACTORS = {True: (3.0, 3.0), False: (2.0, 1.3)}
_ATTEMPTS = 2  # a warm prospect not reached in two dials is left to LinkedIn


def _day(moment: datetime) -> date:
    return moment.astimezone(BERLIN).date()


def _prospects(archive: Archive, booked: set[int], rng: random.Random) -> list[tuple[date, Person, bool]]:
    """(first day to call, person, replied) for the prospects the rep phones after LinkedIn: repliers more
    often, and no one who already booked a meeting there. The call comes days after the last message."""
    rep, chosen = archive.rep, []
    for thread in archive.threads:
        if thread.person is None or id(thread.person) in booked:
            continue
        replied = any(m.sender.url != rep.linkedin_url for m in thread.messages)
        if rng.random() < min(0.9, rep.calls_after_linkedin * (1.5 if replied else 1)):
            last = max(m.at for m in thread.messages)
            chosen.append((_day(last) + timedelta(days=rng.randint(2, 6)), thread.person, replied))
    for invitation in archive.invitations:
        if invitation.person and rng.random() < rep.calls_after_linkedin:
            chosen.append((_day(invitation.at) + timedelta(days=rng.randint(2, 9)), invitation.person, False))
    return chosen


def _outcome(rep: DemoRep, replied: bool, rng: random.Random) -> str:
    connect, booking = WARM_FACTORS[replied]
    roll = rng.random()
    if roll < booking * rep.booked_per_100 / 100:
        return "meeting_booked"
    if roll < connect * rep.connect_rate:
        return "connected"
    roll = rng.random()
    for outcome, share in MISS_SHARES.items():
        if roll < share:
            return outcome
        roll -= share
    return "no_answer"


def _rep_warm_calls(
    rep: DemoRep, days: list[date], prospects: list[tuple[date, Person, bool]], rng: random.Random
) -> list[Call]:
    calls = []
    for due, person, replied in prospects:
        index = bisect.bisect_left(days, due)
        for _ in range(_ATTEMPTS):
            if index >= len(days):
                break
            at = datetime.combine(days[index], time(9), BERLIN) + timedelta(minutes=rng.uniform(0, 480))
            calls.append(dial(rep, person, at, _outcome(rep, replied, rng), rng))
            if calls[-1].outcome not in RETRY_OUTCOMES:
                break
            index += rng.randint(1, 4)
    return calls


def warm_calls(
    reps: tuple[DemoRep, ...],
    window: Window,
    archives: list[Archive],
    meetings: list[Meeting],
    rng: random.Random,
) -> list[Call]:
    """Every rep's calls to prospects they reached on LinkedIn (`archives` in the order of `reps`, before
    inbox noise), on their working days; `meetings` are those LinkedIn booked."""
    booked = {id(person) for meeting in meetings for person in meeting.contacts}
    calls: list[Call] = []
    for index, (rep, archive) in enumerate(zip(reps, archives, strict=True)):
        prospects = _prospects(archive, booked, rng)
        calls += _rep_warm_calls(rep, window.working_days(index, rep.team), prospects, rng)
    return calls
