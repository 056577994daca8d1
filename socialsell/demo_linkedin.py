"""Demo LinkedIn activity: each rep's network, outreach threads, replies, invitations and booked meetings.

Some meetings booked in a chat are never logged (`DemoRep.unlogged_linkedin`), and some scheduling
talk books nothing (`FIZZLE_SHARE`): the inferred-meetings insight should tell the two apart.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from socialsell import demo_scheduling as scheduling
from socialsell import demo_texts as texts
from socialsell.demo_linkedin_model import (
    Archive,
    Connection,
    Invitation,
    Message,
    Profile,
    Thread,
    conversation_id,
    profile,
)
from socialsell.demo_model import BERLIN, Meeting, Window, pick, slot_after
from socialsell.demo_people import DemoRep, Directory, Person

__all__ = ["simulate_linkedin"]

WARM_REPLY_FACTOR = 3.5  # warm contacts answer this many times as often as cold ones
WARM_MEETING_FACTOR = 1.3  # ... and their conversations turn into meetings a little more often
FIZZLE_SHARE = 0.08  # positive replies without a meeting whose scheduling talk fizzles out
ENGLISH_SHARE = 0.12  # prospects in scheduling talk who write English (international teams)
LINK_SHARE = 0.35  # logged bookings by Calendly link (else a proposed slot); unlogged: by phone (else Teams)


def _daytime(moment: datetime, rng: random.Random, until: int = 19) -> datetime:
    """Move a moment outside 7 h to `until` h (Berlin) to the next morning."""
    local = moment.astimezone(BERLIN)
    if 7 <= local.hour < until:
        return moment
    day = local.date() + timedelta(days=1 if local.hour >= until else 0)
    return datetime.combine(day, time(7, 0), BERLIN) + timedelta(minutes=rng.randint(0, 150))


def _prospect_delay(rng: random.Random) -> timedelta:
    roll = rng.random()
    hours = rng.uniform(0.3, 4) if roll < 0.4 else rng.uniform(4, 30) if roll < 0.75 else rng.uniform(30, 140)
    return timedelta(hours=hours)


class _RepLinkedIn:
    """One rep's simulated LinkedIn life; `run()` returns the archive and the meetings it booked."""

    def __init__(self, rep: DemoRep, window: Window, workdays: list[date], directory: Directory, rng):
        self.rep, self.window, self.workdays, self.directory, self.rng = rep, window, workdays, directory, rng
        self.me = Profile(rep.name, rep.linkedin_url)
        self.archive = Archive(rep)
        self.meetings: list[Meeting] = []

    def _at(self, day: date, start: int = 8, end: int = 18) -> datetime:
        return datetime.combine(day, time(start), BERLIN) + timedelta(
            minutes=self.rng.uniform(0, (end - start) * 60)
        )

    def _answer(self, after: datetime) -> datetime:
        low, high = self.rep.answer_minutes
        return _daytime(after + timedelta(minutes=self.rng.uniform(low, high)), self.rng, until=21)

    def _connect(self, person: Person, on: date) -> None:
        email = person.email if self.rng.random() < 0.05 else ""
        company = person.company.name if person.company else ""
        self.archive.connections.append(
            Connection(
                person.first, person.last, person.linkedin_slug or "", email, company, person.title, on
            )
        )

    def _warm_pool(self, count: int) -> list[Person]:
        rng, start = self.rng, self.window.start
        pool = []
        for _ in range(count):
            person = self.directory.person(self.rep, linkedin=True)
            if rng.random() < 0.35:
                person.customer_since = start - timedelta(days=rng.randint(60, 2200))
            if person.customer_since is None or rng.random() < 0.5:
                self._connect(person, start - timedelta(days=rng.randint(30, 3600)))
            pool.append(person)
        return pool

    def _outreach(self) -> list[Thread]:
        rng, rep = self.rng, self.rep
        weeks: dict[date, list[date]] = {}
        for day in self.workdays:
            weeks.setdefault(day - timedelta(days=day.weekday()), []).append(day)
        warm_share = 0.15 if rep.style == "template" else 0.25
        pool = self._warm_pool(round(len(weeks) * rep.threads_per_week * warm_share * 1.3) + 5)
        threads = []
        for days in weeks.values():
            count = max(4, min(22, round(rng.gauss(rep.threads_per_week, 2) * len(days) / 5)))
            for day in sorted(rng.choice(days) for _ in range(count)):
                warm = bool(pool) and rng.random() < warm_share
                company = self.directory.colleague_company(rep.team) if rng.random() < 0.2 else None
                person = pool.pop() if warm else self.directory.person(rep, company=company, linkedin=True)
                thread = Thread(conversation_id(rng), [profile(person)], person=person, warm=warm)
                text = texts.first_message(rep, person, warm, rng)
                inmail = not warm and rng.random() < 0.2  # an InMail has a subject and a conversation title
                subject = (
                    f"Kurze Frage zu {'eurem' if rep.style == 'du' else 'Ihrem'} Vertrieb" if inmail else ""
                )
                thread.title = subject
                thread.messages.append(Message(self._at(day), self.me, text, subject))
                threads.append(thread)
        return threads

    def _decide(self, threads: list[Thread]) -> tuple[list[Thread], list[Thread]]:
        """Which threads get a reply and which replies become meetings (exact rates per warm/cold group)."""
        rep, rng = self.rep, self.rng
        warm = [t for t in threads if t.warm]
        cold = [t for t in threads if not t.warm]
        share = len(warm) / max(1, len(threads))
        cold_rate = rep.reply_rate / (1 + (WARM_REPLY_FACTOR - 1) * share)
        replied = pick(rng, warm, min(0.95, cold_rate * WARM_REPLY_FACTOR)) + pick(rng, cold, cold_rate)
        warm_replied = [t for t in replied if t.warm]
        cold_replied = [t for t in replied if not t.warm]
        base = (
            rep.meeting_rate
            * len(replied)
            / max(1, WARM_MEETING_FACTOR * len(warm_replied) + len(cold_replied))
        )
        meetings = pick(rng, warm_replied, min(0.95, base * WARM_MEETING_FACTOR)) + pick(
            rng, cold_replied, base
        )
        return replied, meetings

    def _book(self, thread: Thread, after: datetime, logged: bool = True, english: bool = False) -> None:
        """Propose a slot, prospect accepts, rep confirms. A logged meeting (Calendly link or proposed slot)
        gets its calendar event; one booked by phone or Teams link without an invite is in no export."""
        rep, rng, person = self.rep, self.rng, thread.person
        asked = self._answer(after)
        accepted = _daytime(asked + timedelta(hours=rng.uniform(0.3, 20)), rng)
        confirmed = self._answer(accepted)
        slot = slot_after(confirmed, rng, 2, 7)
        how = scheduling.BOOKED_BY[logged][rng.random() >= LINK_SHARE]
        propose, accept, confirm = scheduling.booking(rep, slot, how, english, rng)
        you = Profile(person.name, person.linkedin_url or "")
        thread.messages += [
            Message(asked, self.me, propose),
            Message(accepted, you, accept),
            Message(confirmed, self.me, confirm),
        ]
        if rng.random() < 0.1:
            link = f"https://www.linkedin.com/dms/prv/attachment/{rng.getrandbits(60):x}/Agenda.pdf"
            thread.messages.append(Message(confirmed + timedelta(minutes=3), self.me, "", attachment=link))
        contacts = [person]
        colleagues = self.directory.by_company.get(person.company.name, []) if person.company else []
        if len(colleagues) > 1 and rng.random() < 0.3:
            contacts.append(next(c for c in colleagues if c is not person))
        booked_at = confirmed + timedelta(minutes=rng.randint(1, 8))
        minutes = rng.choice((30, 45, 60))
        self.meetings.append(Meeting(rep, contacts, slot, minutes, booked_at, "linkedin", logged=logged))

    def _fizzle(self, thread: Thread, after: datetime, english: bool) -> None:
        """Scheduling talk that books nothing: a time and a counter-proposal, then the prospect calls it
        off or goes silent (the rep nudges once or lets it go)."""
        rng, you = self.rng, profile(thread.person)
        asked = self._answer(after)
        countered = _daytime(asked + _prospect_delay(rng), rng)
        agreed = self._answer(countered)
        slot = slot_after(agreed, rng, 1, 4)
        first, second, third = scheduling.fizzle(self.rep, slot, rng.random() < 0.5, english, rng)
        thread.messages += [Message(asked, self.me, first), Message(countered, you, second),
                            Message(agreed, self.me, third)]  # fmt: skip
        roll = rng.random()
        if roll < 0.5:
            called_off = _daytime(agreed + timedelta(hours=rng.uniform(1, 20)), rng)
            thread.messages.append(Message(called_off, you, scheduling.hold_off(english, rng)))
        elif roll < 0.8:
            nudged = _daytime(agreed + timedelta(days=rng.uniform(5, 8)), rng)
            thread.messages.append(
                Message(nudged, self.me, scheduling.nudge(self.rep, thread.person, english))
            )

    def _converse(self, thread: Thread, meeting: bool, logged: bool = True) -> None:
        rep, rng, person = self.rep, self.rng, thread.person
        opened = thread.messages[0].at
        replied = _daytime(opened + _prospect_delay(rng), rng)
        if replied - opened > timedelta(days=5):
            thread.messages.append(Message(opened + timedelta(days=4, hours=rng.uniform(0, 20)), self.me,
                                           texts.follow_up(rep, person, rng)))  # fmt: skip
        positive = meeting or rng.random() < 0.3
        fizzles = positive and not meeting and rng.random() < FIZZLE_SHARE
        english = (meeting or fizzles) and rng.random() < ENGLISH_SHARE
        thread.messages.append(
            Message(replied, profile(person), texts.prospect_reply(rep, person, positive, rng, english))
        )
        if meeting:
            self._book(thread, replied, logged, english)
            return
        if fizzles:
            self._fizzle(thread, replied, english)
            return
        answered = self._answer(replied)
        thread.messages.append(Message(answered, self.me, texts.close_conversation(rep, rng)))

    def _invitations(self) -> list[Thread]:
        """Outgoing invitations (some accepted) and incoming ones from prospects, some turning into talks."""
        rep, rng = self.rep, self.rng
        threads = []
        for day in self.workdays:
            if rng.random() < 0.9:
                person = self.directory.person(rep, linkedin=True)
                at = self._at(day)
                note = texts.invitation_note(person, rng, False) if rng.random() < 0.3 else ""
                self.archive.invitations.append(
                    Invitation(self.me, profile(person), at, note, "OUTGOING", person)
                )
                if rng.random() < 0.45:
                    self._connect(
                        person, (at + timedelta(hours=rng.uniform(3, 240))).astimezone(BERLIN).date()
                    )
            if rng.random() < 0.3:
                threads += self._incoming(day)
        return threads

    def _incoming(self, day: date) -> list[Thread]:
        rep, rng = self.rep, self.rng
        person = self.directory.person(rep, linkedin=True)
        sent = self._at(day, 7, 21)
        self.archive.invitations.append(
            Invitation(profile(person), self.me, sent, texts.invitation_note(person, rng, True), "INCOMING")
        )
        if rng.random() > 0.8:
            return []  # still pending
        accepted = sent + timedelta(hours=rng.uniform(*rep.accept_hours))
        self._connect(person, accepted.astimezone(BERLIN).date())
        if rng.random() > 0.45:
            return []
        thread = Thread(conversation_id(rng), [profile(person)], kind="inbound", person=person, warm=True)
        first = _daytime(accepted + timedelta(hours=rng.uniform(1, 30)), rng)
        text = "Danke fürs Vernetzen! Wir suchen gerade eine Lösung für den Vertrieb – haben Sie Unterlagen?"
        thread.messages.append(Message(first, profile(person), text))
        if rng.random() < 0.35:
            self._book(thread, first, logged=rng.random() >= rep.unlogged_linkedin)
        else:
            thread.messages.append(
                Message(self._answer(first), self.me, "Sehr gern, ich schicke Ihnen etwas.")
            )
        return [thread]

    def run(self) -> tuple[Archive, list[Meeting]]:
        threads = self._outreach()
        replied, meetings = self._decide(threads)
        booking, answered = {id(t) for t in meetings}, {id(t) for t in replied}
        unlogged = {id(t) for t in pick(self.rng, meetings, self.rep.unlogged_linkedin)}
        for thread in replied:
            self._converse(thread, id(thread) in booking, id(thread) not in unlogged)
        for thread in threads:
            if id(thread) not in answered and self.rng.random() < 0.5:
                at = thread.messages[0].at + timedelta(days=self.rng.randint(4, 8))
                thread.messages.append(
                    Message(at, self.me, texts.follow_up(self.rep, thread.person, self.rng))
                )
        threads += self._invitations()
        self.archive.threads = threads
        return self.archive, self.meetings


def simulate_linkedin(
    reps: tuple[DemoRep, ...], window: Window, directory: Directory, rng: random.Random
) -> tuple[list[Archive], list[Meeting]]:
    """Every rep's archive (messages, invitations, connections) and the meetings LinkedIn booked."""
    archives, meetings = [], []
    for index, rep in enumerate(reps):
        days = window.working_days(index, rep.team)
        archive, booked = _RepLinkedIn(rep, window, days, directory, rng).run()
        archives.append(archive)
        meetings += booked
    return archives, meetings
