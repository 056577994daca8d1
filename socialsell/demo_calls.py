"""Demo calling: each rep's dials, outcomes and booked meetings, written as real call-log exports.

Most dials are cold; the warm ones (to prospects the rep reached on LinkedIn first) come from
`demo_warm_calls`, and the cold dials fill each day around them so that a rep's dials together keep
exactly the rep's connect and booking rates.
"""

from __future__ import annotations

import csv
import heapq
import io
import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from socialsell.demo_model import BERLIN, Meeting, Window, slot_after
from socialsell.demo_people import DemoRep, Directory, Person, spell_phone

__all__ = [
    "AIRCALL_COLUMNS",
    "AIRCALL_TAGS",
    "DIALER_COLUMNS",
    "DIALER_RESULTS",
    "HUBSPOT_CALL_COLUMNS",
    "HUBSPOT_OUTCOMES",
    "RETRY_OUTCOMES",
    "Call",
    "dial",
    "simulate_calls",
    "write_calls",
]

HUBSPOT_CALL_COLUMNS = (
    "Record ID", "Call Title", "Activity date", "Activity assigned to", "Call direction", "Call outcome",
    "Call status", "Call duration", "From number", "To number", "Associated Contact",
)  # fmt: skip
AIRCALL_COLUMNS = (
    "Call ID", "Date", "Time", "Direction", "User", "Line", "External number", "Answered",
    "Total duration", "In-call duration", "Tags", "Comments",
)  # fmt: skip
DIALER_COLUMNS = ("Datum", "Uhrzeit", "Mitarbeiter", "Rufnummer", "Richtung", "Dauer", "Ergebnis")
HUBSPOT_OUTCOMES = {
    "no_answer": "No answer", "busy": "Busy", "voicemail": "Left voicemail",
    "gatekeeper": "Left live message", "wrong_number": "Wrong number", "connected": "Connected",
    "meeting_booked": "Meeting booked",
}  # fmt: skip
AIRCALL_TAGS = {
    "no_answer": "", "busy": "", "voicemail": "Mailbox", "gatekeeper": "Sekretariat",
    "wrong_number": "Falsche Nummer", "connected": "Gespräch", "meeting_booked": "Termin vereinbart",
}  # fmt: skip
DIALER_RESULTS = {
    "no_answer": "Nicht erreicht", "busy": "Besetzt", "voicemail": "Mailbox", "gatekeeper": "Sekretariat",
    "wrong_number": "Falsche Nummer", "connected": "Gespräch", "meeting_booked": "Termin vereinbart",
}  # fmt: skip
RETRY_OUTCOMES = ("no_answer", "busy", "voicemail", "gatekeeper")  # worth another dial
MISS_SHARES = {"wrong_number": 0.03, "busy": 0.06, "gatekeeper": 0.11, "voicemail": 0.22}  # of all dials
UNKNOWN_SEGMENT_EVERY = (
    600  # one in this many new prospects of a rep has no known segment (a quota, not luck)
)
_NOTES = {
    "connected": (
        "Kein Bedarf",
        "Rückruf in 2 Wochen",
        "Infos per Mail, Wiedervorlage",
        "Hat schon ein Tool",
        "",
    ),
    "gatekeeper": ("GF nicht im Haus", "Sekretariat: bitte per Mail", "Zentrale, nicht durchgestellt", ""),
}


@dataclass
class Call:
    rep: DemoRep
    person: Person
    at: datetime  # aware, Europe/Berlin
    direction: str  # outbound / inbound
    outcome: str  # no_answer, busy, voicemail, gatekeeper, wrong_number, connected, meeting_booked
    ring_s: int
    talk_s: int
    meeting: Meeting | None = None


def _outcome_deck(rep: DemoRep, dials: int, warm: Counter, rng: random.Random) -> list[str]:
    """One outcome per cold dial, shuffled: with the `warm` dials' outcomes, exactly the rep's proportions."""
    booked = rep.booked_per_100 / 100
    shares = {**MISS_SHARES, "connected": rep.connect_rate - booked, "meeting_booked": booked}
    total = dials + sum(warm.values())
    deck = [outcome for outcome, share in shares.items() for _ in range(round(total * share) - warm[outcome])]
    deck += ["no_answer"] * (dials - len(deck))
    rng.shuffle(deck)
    return deck[:dials]


def _durations(outcome: str, rng: random.Random) -> tuple[int, int]:
    """(ringing seconds, talk seconds) for one call."""
    ranges = {
        "no_answer": ((22, 45), (0, 0)), "busy": ((1, 6), (0, 0)), "voicemail": ((12, 30), (15, 55)),
        "gatekeeper": ((4, 18), (25, 140)), "wrong_number": ((4, 15), (8, 40)),
        "connected": ((4, 18), (60, 420)), "meeting_booked": ((4, 18), (180, 480)),
    }  # fmt: skip
    (ring_lo, ring_hi), (talk_lo, talk_hi) = ranges[outcome]
    return ring_lo + int(rng.random() * (ring_hi - ring_lo + 1)), talk_lo + int(
        rng.random() * (talk_hi - talk_lo + 1)
    )


def _day_times(day: date, count: int, rng: random.Random) -> list[datetime]:
    """`count` dial times over a working day, with a lunch break."""
    minutes = sorted(rng.uniform(0, 480) for _ in range(count))
    start = datetime.combine(day, time(8, 20), BERLIN)
    return [start + timedelta(minutes=m + (60 if m > 220 else 0)) for m in minutes]


def dial(rep: DemoRep, person: Person, at: datetime, outcome: str, rng: random.Random) -> Call:
    """One outbound call; a booked one carries its meeting."""
    call = Call(rep, person, at, "outbound", outcome, *_durations(outcome, rng))
    if outcome == "meeting_booked":
        booked_at = at + timedelta(seconds=call.ring_s + call.talk_s + rng.randint(60, 600))
        slot = slot_after(booked_at, rng, 2, 12)
        call.meeting = Meeting(rep, [person], slot, rng.choice((30, 30, 45, 60)), booked_at, "call")
    return call


def _next_person(
    rep: DemoRep, day: date, queue: list, directory: Directory, rng: random.Random, made: Counter
):
    if queue and queue[0][0] <= day and rng.random() < 0.55:
        _, _, person, attempts = heapq.heappop(queue)
        return person, attempts
    if rep.rep_id in ("tobias-huber", "jonas-hoffmann") and rng.random() < 0.0025:
        return directory.private_person(rep), 0
    made["new"] += 1
    if made["new"] % UNKNOWN_SEGMENT_EVERY == UNKNOWN_SEGMENT_EVERY // 2:
        # unknown segment: a trade-fair lead imported without one, or every other time a number from a
        # website that no CRM record holds
        in_crm = made["new"] // UNKNOWN_SEGMENT_EVERY % 2 == 0
        return directory.person(rep, segment="", in_crm=in_crm), 0
    company = directory.colleague_company(rep.team) if rng.random() < 0.25 else None
    return directory.person(rep, company=company), 0


def _rep_calls(
    rep: DemoRep, days: list[date], directory: Directory, warm: list[Call], rng: random.Random
) -> list[Call]:
    """The rep's cold dials (and call-backs) around the `warm` ones, which count towards each day's dials."""
    warm_on = Counter(call.at.date() for call in warm)
    counts = [max(0, max(32, min(68, round(rng.gauss(rep.dials_per_day, 6)))) - warm_on[d]) for d in days]
    deck = iter(_outcome_deck(rep, sum(counts), Counter(call.outcome for call in warm), rng))
    queue: list = []  # (due day, tie-breaker, person, attempts so far)
    made: Counter = Counter()  # new prospects so far
    calls: list[Call] = list(warm)
    for day, count in zip(days, counts, strict=True):
        for at in _day_times(day, count, rng):
            person, attempts = _next_person(rep, day, queue, directory, rng, made)
            outcome = next(deck)
            if outcome == "meeting_booked" and not person.in_crm:
                outcome = "connected"  # booking a meeting would have put them in the CRM
            call = dial(rep, person, at, outcome, rng)
            calls.append(call)
            wait = rng.randint(1, 6) if outcome in RETRY_OUTCOMES and attempts < 5 else None
            if outcome == "connected" and rng.random() < 0.12:
                wait = rng.randint(10, 21)  # "Wiedervorlage": call again in a few weeks
            if wait:
                heapq.heappush(queue, (day + timedelta(days=wait), len(calls), person, attempts + 1))
            if outcome == "voicemail" and rng.random() < 0.03:
                back = at + timedelta(hours=rng.randint(2, 30))
                if 8 <= back.hour < 18 and back.weekday() < 5:
                    calls.append(Call(rep, person, back, "inbound", "connected", rng.randint(3, 9),
                                      rng.randint(60, 300)))  # fmt: skip
    return calls


def simulate_calls(
    reps: tuple[DemoRep, ...], window: Window, directory: Directory, rng: random.Random, warm: list[Call]
) -> list[Call]:
    """Every rep's calls on their working days (no calls on holidays or during their vacation): the
    `warm` calls to prospects they reached on LinkedIn first, and cold dials to everyone else."""
    calls: list[Call] = []
    for index, rep in enumerate(reps):
        mine = [call for call in warm if call.rep is rep]
        calls += _rep_calls(rep, window.working_days(index, rep.team), directory, mine, rng)
    return [call for call in calls if call.at < window.exported_at]


def _csv_text(header: tuple[str, ...], rows: list[list], **options) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, **options)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _hubspot_row(call: Call, record_id: int, rng: random.Random) -> list:
    person, rep = call.person, call.rep
    answered = call.outcome not in ("no_answer", "busy")
    label = HUBSPOT_OUTCOMES[call.outcome]
    if call.outcome == "gatekeeper" and rng.random() < 0.3:
        label = "Gatekeeper"  # a custom outcome some reps pick instead of the default
    status = {"no_answer": "No answer", "busy": "Busy"}.get(call.outcome, "Completed")
    number = spell_phone(person.phone, rng)
    caller, called = (rep.phone, number) if call.direction == "outbound" else (number, rep.phone)
    milliseconds = call.talk_s * 1000 + rng.randint(0, 999) if answered else 0
    contact = f"{person.name} ({person.email})" if person.in_crm else ""  # a number no contact holds
    return [
        record_id, f"Call with {person.name if person.in_crm else number}", call.at.strftime("%Y-%m-%d %H:%M"), rep.name,
        call.direction.capitalize(), label, status, milliseconds, caller, called, contact,
    ]  # fmt: skip


def _aircall_row(call: Call, call_id: int, rng: random.Random) -> list:
    tags = AIRCALL_TAGS[call.outcome]
    if call.outcome == "meeting_booked" and rng.random() < 0.15:
        tags = "Gespräch, Termin vereinbart"
    comment = rng.choice(_NOTES.get(call.outcome, ("",)))
    if call.meeting:
        comment = f"Termin am {call.meeting.start:%d.%m. %H:%M}"
    answered = call.outcome not in ("no_answer", "busy")
    return [
        call_id, f"{call.at:%Y-%m-%d}", f"{call.at:%H:%M:%S}", call.direction.capitalize(), call.rep.name,
        "Vertrieb Süd", spell_phone(call.person.phone, rng, "IIIPS"), "Yes" if answered else "No",
        call.ring_s + call.talk_s, call.talk_s, tags, comment,
    ]  # fmt: skip


def _dialer_row(call: Call, rng: random.Random) -> list:
    minutes = f"{(call.ring_s + call.talk_s) / 60:.2f}".replace(".", ",")
    number = spell_phone(call.person.phone, rng, "NS")
    return [
        f"{call.at:%d.%m.%Y}", f"{call.at:%H:%M}", call.rep.export_names[0], number,
        "ausgehend" if call.direction == "outbound" else "eingehend", minutes,
        DIALER_RESULTS[call.outcome] if call.direction == "outbound" else "Gespräch",
    ]  # fmt: skip


def write_calls(out_dir: Path, calls: list[Call], window: Window, rng: random.Random) -> list[Path]:
    """HubSpot calls (team Nord), Aircall (team Süd) and one month of a German dialer export."""
    calls = sorted(calls, key=lambda c: (c.at, c.rep.rep_id))
    folder = out_dir / "calls"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = f"{window.end:%Y-%m-%d}"
    dialer_rep = next(c.rep for c in calls if c.rep.export_names) if calls else None
    in_dialer = [c for c in calls if c.rep is dialer_rep and (c.at.year, c.at.month) == window.middle_month]
    dialer_ids = {id(c) for c in in_dialer}
    record, call_id = 41_870_000_000, 1_912_400_000
    hubspot_rows, aircall_rows = [], []
    for call in calls:  # ids grow with time; the exports list newest first
        if call.rep.team == "Nord":
            record += rng.randint(1, 9_000)
            hubspot_rows.append(_hubspot_row(call, record, rng))
        elif id(call) not in dialer_ids:
            call_id += rng.randint(1, 40)
            aircall_rows.append(_aircall_row(call, call_id, rng))
    paths = [
        folder / f"hubspot-crm-exports-calls-team-nord-{stamp}.csv",
        folder / f"aircall-call-history-team-sued-{stamp}.csv",
        folder / f"Anrufliste_{dialer_rep.rep_id if dialer_rep else 'leer'}_{window.middle_month[0]}-"
        f"{window.middle_month[1]:02d}.csv",
    ]
    paths[0].write_bytes(_csv_text(HUBSPOT_CALL_COLUMNS, hubspot_rows[::-1]).encode("utf-8"))
    paths[1].write_bytes(_csv_text(AIRCALL_COLUMNS, aircall_rows[::-1]).encode("utf-8"))
    dialer_text = _csv_text(DIALER_COLUMNS, [_dialer_row(c, rng) for c in in_dialer], delimiter=";")
    paths[2].write_bytes(dialer_text.encode("cp1252"))
    return paths
