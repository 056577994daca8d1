"""Rates by rep measured from the demo's files (the numbers the dashboards should show)."""

from __future__ import annotations

import re
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from demo_readers import (
    UTC,
    Contacts,
    LinkedInArchive,
    MeetingRow,
    e164,
    german_e164,
    profile_url,
    read_archive,
    read_calendar,
    read_calls,
    read_contacts,
    read_crm_meetings,
)

REP_EMAILS = {
    "Anna Becker": "anna.becker", "Jonas Hoffmann": "jonas.hoffmann", "Lea Schröder": "lea.schroeder",
    "Tobias Huber": "tobias.huber", "Sophie Wagner": "sophie.wagner",
    "Katharina Schäfer": "katharina.schaefer",
}  # fmt: skip
CONNECTS = ("connected", "meeting_booked")
_INFORMAL = re.compile(r"\b(du|dir|dich|ihr|euch|dein\w*)\b")  # lower case: "Ihr" is formal
# A prospect's yes to a time ("Dienstag passt.", "Thursday works.", "Termin gebucht") and a prospect's own
# proposal of a weekday and an hour ("Können wir Dienstag um 11 Uhr telefonieren?", "How about Friday at 9am?").
_YES = re.compile(r"\b(passt|works|sounds good|gebucht|booked)\b", re.IGNORECASE)
_DAY_AND_HOUR = re.compile(
    r"\b(Montag|Dienstag|Mittwoch|Donnerstag|Freitag|Monday|Tuesday|Wednesday|Thursday|Friday)\b"
    r"[^.?!]*\b\d{1,2}(:\d\d)? ?(Uhr|am|pm)\b"
)
_ENGLISH = re.compile(r"\b(works|sounds|booked|could we|how about|see you|doesn't)\b", re.IGNORECASE)


@dataclass
class CallStats:
    dials: int = 0
    days: set = field(default_factory=set)
    connects: int = 0
    booked: int = 0

    @property
    def per_day(self) -> float:
        return self.dials / len(self.days)

    @property
    def connect_rate(self) -> float:
        return self.connects / self.dials

    @property
    def booked_per_100(self) -> float:
        return 100 * self.booked / self.dials


@dataclass
class LinkedInStats:
    threads: int = 0
    weeks: int = 0
    replies: int = 0
    meetings: int = 0
    warm: Counter = field(default_factory=Counter)  # (warm, event) → count
    first_texts: list[str] = field(default_factory=list)
    answer_hours: list[float] = field(default_factory=list)
    accept_days: list[int] = field(default_factory=list)

    @property
    def reply_rate(self) -> float:
        return self.replies / self.threads

    @property
    def meetings_per_conversation(self) -> float:
        return self.meetings / self.replies


@dataclass
class BookingTalk:
    """A rep's 1:1 threads in which the prospect said yes to a time (`accepted`; `recorded` when a calendar
    or CRM export holds a meeting with them made during the thread), or proposed a day and hour and never
    said yes (`fizzled`, `fizzled_recorded`); `english` counts both kinds written in English."""

    accepted: int = 0
    recorded: int = 0
    fizzled: int = 0
    fizzled_recorded: int = 0
    english: int = 0
    yes_texts: list[str] = field(default_factory=list)  # the prospects' yes messages
    proposals: list[str] = field(default_factory=list)  # the prospects' proposals in fizzled threads

    @property
    def unrecorded_share(self) -> float:
        return 1 - self.recorded / self.accepted


@dataclass
class Demo:
    out: Path
    contacts: Contacts
    calls: list
    call_stats: dict[str, CallStats]
    archives: dict[str, LinkedInArchive]
    linkedin: dict[str, LinkedInStats]
    meetings: list[MeetingRow]
    calendars: dict[str, tuple[bytes, object]]  # file stem → (raw bytes, icalendar.Calendar)


def call_stats(calls) -> dict[str, CallStats]:
    stats: dict[str, CallStats] = defaultdict(CallStats)
    for call in calls:
        if call.direction != "outbound":
            continue
        rep = stats[call.rep]
        rep.dials += 1
        rep.days.add(call.day)
        rep.connects += call.outcome in CONNECTS
        rep.booked += call.outcome == "meeting_booked"
    return dict(stats)


def meetings_by_email(meetings: list[MeetingRow]) -> dict[str, list[MeetingRow]]:
    index: dict[str, list[MeetingRow]] = defaultdict(list)
    for meeting in meetings:
        for mail in meeting.emails:
            index[mail].append(meeting)
    return index


def _is_one_to_one(thread, owner: str) -> bool:
    return (
        thread.conv_id != ""
        and thread.folder != "SPAM"
        and thread.title != "Sponsored Conversation"
        and not thread.group
        and thread.messages[0]["FROM"] == owner
    )


def linkedin_stats(
    archive: LinkedInArchive, contacts: Contacts, meetings: dict[str, list[MeetingRow]]
) -> LinkedInStats:
    owner, stats = archive.owner, LinkedInStats()
    weeks = set()
    for thread in (t for t in archive.threads if _is_one_to_one(t, archive.owner)):
        first = thread.messages[0]
        other = profile_url(first["RECIPIENT PROFILE URLS"])
        contact = contacts.by_url.get(other)
        opened = first["at"]
        connected = archive.connections.get(other)
        customer = contact and contact["Became a Customer Date"]
        warm = bool(connected and connected < opened.date()) or bool(
            customer and customer < opened.date().isoformat()
        )
        theirs = [m for m in thread.messages if m["FROM"] != owner]
        booked = any(
            opened <= m.created <= thread.messages[-1]["at"] + timedelta(days=1)
            for m in meetings.get(contact["Email"].lower() if contact else "", [])
        )
        stats.threads += 1
        weeks.add(opened.isocalendar()[:2])
        stats.replies += bool(theirs)
        stats.meetings += booked
        stats.warm[(warm, "threads")] += 1
        stats.warm[(warm, "replies")] += bool(theirs)
        stats.warm[(warm, "meetings")] += booked
        stats.first_texts.append(first["CONTENT"])
        if theirs:
            answer = next(
                (m for m in thread.messages if m["FROM"] == owner and m["at"] > theirs[0]["at"]), None
            )
            if answer:
                stats.answer_hours.append((answer["at"] - theirs[0]["at"]).total_seconds() / 3600)
    stats.weeks = len(weeks)
    for row in archive.invitations:
        connected = archive.connections.get(profile_url(row["inviterProfileUrl"]))
        if row["Direction"] == "INCOMING" and connected:
            sent = datetime.strptime(row["Sent At"], "%m/%d/%y, %I:%M %p").date()
            stats.accept_days.append((connected - sent).days)
    return stats


def booking_talk(demo: Demo) -> dict[str, BookingTalk]:
    """Per rep (profile name), the scheduling talk of their 1:1 threads, outreach and inbound alike."""
    meetings = meetings_by_email(demo.meetings)
    talk: dict[str, BookingTalk] = {}
    for owner, archive in demo.archives.items():
        stats = talk[owner] = BookingTalk()
        for thread in archive.threads:
            if thread.conv_id == "" or thread.folder == "SPAM" or thread.group:
                continue
            first = thread.messages[0]
            other = first["RECIPIENT PROFILE URLS"] if first["FROM"] == owner else first["SENDER PROFILE URL"]
            contact = demo.contacts.by_url.get(profile_url(other))
            theirs = [m["CONTENT"] for m in thread.messages if m["FROM"] != owner]
            yes = [t for t in theirs if _YES.search(t)]
            proposals = [t for t in theirs if _DAY_AND_HOUR.search(t)]
            if not yes and not proposals:
                continue
            span = (first["at"] - timedelta(days=1), thread.messages[-1]["at"] + timedelta(days=1))
            mail = contact["Email"].lower() if contact else ""
            recorded = any(span[0] <= m.created <= span[1] for m in meetings.get(mail, []))
            stats.english += any(_ENGLISH.search(t) for t in yes + proposals)
            if yes:
                stats.accepted += 1
                stats.recorded += recorded
                stats.yes_texts += yes
            else:
                stats.fizzled += 1
                stats.fizzled_recorded += recorded
                stats.proposals += proposals
    return talk


def linkedin_touches(archive: LinkedInArchive) -> dict[str, list[tuple[datetime, bool]]]:
    """Profile URL → (when, whether the person wrote) of every message and invitation the rep sent to or
    received from that person one-to-one; incoming invitations are no touch."""
    touches: dict[str, list[tuple[datetime, bool]]] = defaultdict(list)
    for thread in (t for t in archive.threads if not t.group):
        for message in thread.messages:
            mine = message["FROM"] == archive.owner
            url = message["RECIPIENT PROFILE URLS"] if mine else message["SENDER PROFILE URL"]
            if url:
                touches[profile_url(url)].append((message["at"], not mine))
    for row in archive.invitations:
        if row["Direction"] == "OUTGOING":
            sent = datetime.strptime(row["Sent At"], "%m/%d/%y, %I:%M %p").replace(tzinfo=UTC)
            touches[profile_url(row["inviteeProfileUrl"])].append((sent, False))
    return touches


def channel_order(demo: Demo, window_days: int = 30) -> Counter:
    """(group, event) counts over each rep's first dial to a contact. The group is what LinkedIn saw in the
    `window_days` before it: `linkedin_reply`, `linkedin_touch` or `no_linkedin` (the contact is found by
    the number in the CRM export, and their LinkedIn URL there). Events: `first_dials`, `connects` (the
    first dial connected) and `meetings` (a dial of the rep's booked one within `window_days` after it)."""
    touches = {owner: linkedin_touches(archive) for owner, archive in demo.archives.items()}
    dials = defaultdict(list)
    for call in demo.calls:
        if call.direction == "outbound":
            dials[(call.rep, german_e164(call.number))].append(call)
    window, counts = timedelta(days=window_days), Counter()
    for (rep, phone), calls in dials.items():
        first = min(calls, key=lambda c: c.at)
        contact = demo.contacts.by_phone.get(phone)
        url = profile_url(contact["LinkedIn URL"]) if contact else ""
        before = [wrote for at, wrote in touches[rep].get(url, []) if first.at - window <= at < first.at]
        group = "linkedin_reply" if any(before) else "linkedin_touch" if before else "no_linkedin"
        counts[(group, "first_dials")] += 1
        counts[(group, "connects")] += first.outcome in CONNECTS
        counts[(group, "meetings")] += any(
            c.outcome == "meeting_booked" and c.at - first.at <= window for c in calls
        )
    return counts


def informal_share(texts: list[str]) -> float:
    return sum(bool(_INFORMAL.search(t)) for t in texts) / len(texts)


def template_share(texts: list[str]) -> float:
    """Share of first messages identical to the most common one once the greeting line is removed."""
    bodies = Counter(t.split("\n", 1)[-1] if "\n" in t else t.split(",", 1)[-1] for t in texts)
    return bodies.most_common(1)[0][1] / len(texts)


def median(values) -> float:
    return statistics.median(values)


def measure(out: Path) -> Demo:
    contacts = read_contacts(next((out / "crm").glob("*contacts*.csv")))
    calls = read_calls(out / "calls")
    meetings, texts = [], {}
    for path in sorted((out / "calendar").glob("*.ics")):
        rows, calendar = read_calendar(path)
        meetings += rows
        texts[path.stem] = (path.read_bytes(), calendar)
    meetings += read_crm_meetings(next((out / "crm").glob("*meetings*.csv")))
    index = meetings_by_email(meetings)
    archives = {a.owner: a for a in map(read_archive, sorted((out / "linkedin").glob("*/*.zip")))}
    linkedin = {owner: linkedin_stats(a, contacts, index) for owner, a in archives.items()}
    return Demo(out, contacts, calls, call_stats(calls), archives, linkedin, meetings, texts)


def report(demo: Demo) -> str:
    lines = ["rep | dials/day | connect % | booked/100 | LI threads/wk | reply % | conv→meeting % | answer h"]
    for rep, c in demo.call_stats.items():
        li = demo.linkedin[rep]
        lines.append(
            f"{rep} | {c.per_day:.1f} | {100 * c.connect_rate:.1f} | {c.booked_per_100:.2f} | "
            f"{li.threads / li.weeks:.1f} ({li.threads}) | {100 * li.reply_rate:.1f} ({li.replies}) | "
            f"{100 * li.meetings_per_conversation:.1f} ({li.meetings}) | {median(li.answer_hours):.1f}"
        )
    return "\n".join(lines)


__all__ = [
    "CONNECTS",
    "BookingTalk",
    "Demo",
    "booking_talk",
    "channel_order",
    "e164",
    "informal_share",
    "linkedin_touches",
    "measure",
    "median",
    "report",
    "template_share",
]
