"""Rates by rep measured from the demo's files (the numbers the dashboards should show)."""

from __future__ import annotations

import re
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from demo_readers import (
    Contacts,
    LinkedInArchive,
    MeetingRow,
    e164,
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
_INFORMAL = re.compile(r"\b(du|dir|dich|ihr|euch|dein\w*)\b")  # lower case: "Ihr" is formal


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
        rep.connects += call.outcome in ("connected", "meeting_booked")
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


__all__ = ["Demo", "e164", "informal_share", "measure", "median", "report", "template_share"]
