"""The demo's LinkedIn archives: the odd threads real inboxes have, and one export zip per rep."""

from __future__ import annotations

import csv
import io
import random
import zipfile
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

from socialsell.demo_linkedin_model import (
    Archive,
    Connection,
    Message,
    Profile,
    Thread,
    conversation_id,
    profile,
)
from socialsell.demo_model import UTC, Window
from socialsell.demo_people import SELLER, Directory

__all__ = [
    "CONNECTIONS_PREAMBLE",
    "CONNECTION_COLUMNS",
    "INVITATION_COLUMNS",
    "MESSAGE_COLUMNS",
    "PROFILE_COLUMNS",
    "add_inbox_noise",
    "trim_to_export",
    "write_archive",
]

MESSAGE_COLUMNS = (
    "CONVERSATION ID", "CONVERSATION TITLE", "FROM", "SENDER PROFILE URL", "TO", "RECIPIENT PROFILE URLS",
    "DATE", "SUBJECT", "CONTENT", "FOLDER", "ATTACHMENTS",
)  # fmt: skip
CONNECTION_COLUMNS = (
    "First Name",
    "Last Name",
    "URL",
    "Email Address",
    "Company",
    "Position",
    "Connected On",
)
INVITATION_COLUMNS = (
    "From",
    "To",
    "Sent At",
    "Message",
    "Direction",
    "inviterProfileUrl",
    "inviteeProfileUrl",
)
PROFILE_COLUMNS = (
    "First Name", "Last Name", "Maiden Name", "Address", "Birth Date", "Headline", "Summary", "Industry",
    "Zip Code", "Geo Location", "Twitter Handles", "Websites", "Instant Messengers",
)  # fmt: skip
CONNECTIONS_PREAMBLE = (  # byte-exact, as in 2022-09, 2024-12 and 2026-06 exports
    "Notes:\n"
    '"When exporting your connection data, you may notice that some of the email addresses are missing. '
    "You will only see email addresses for connections who have allowed their connections to see or "
    "download their email address using this setting https://www.linkedin.com/psettings/privacy/email. "
    'You can learn more here https://www.linkedin.com/help/linkedin/answer/261"\n'
    "\n"
)
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_SPONSORED = (
    '<p class="spinmail-quill-editor__spin-break">Hallo %FIRSTNAME%,</p>'
    '<p class="spinmail-quill-editor__spin-break">am 4. Dezember treffen sich 300 Vertriebsleiter:innen in '
    "Frankfurt. Sichern Sie sich jetzt Ihr kostenloses Ticket!</p>"
)


def _group_chats(archive: Archive, directory: Directory, window: Window, rng: random.Random) -> list[Thread]:
    rep = archive.rep
    me = Profile(rep.name, rep.linkedin_url)
    chats = []
    for number in range(2):
        first = directory.person(rep, linkedin=True)
        second = directory.person(rep, company=first.company, linkedin=True)
        people = [profile(first), profile(second)]
        if number == 1:  # display names can contain commas; count participants by URL
            people[1] = Profile(f"Dr. {second.name}, MBA", people[1].url)
        at = window.exported_at - timedelta(days=rng.randint(10, 100), hours=rng.uniform(0, 8))
        lines = [
            (me, "Hallo zusammen, wie besprochen hier die Gruppe für die Abstimmung zum Pilotprojekt."),
            (people[0], f"Danke! {second.first}, kannst du die Anforderungen teilen?"),
            (people[1], "Mache ich bis Freitag."),
            (me, "Super, danke euch beiden!"),
        ]
        thread = Thread(conversation_id(rng), people, title=f"Nordlicht x {first.company.name}", kind="group")
        for offset, (sender, text) in enumerate(lines):
            thread.messages.append(Message(at + timedelta(hours=offset * rng.uniform(1, 20)), sender, text))
        chats.append(thread)
    return chats


def add_inbox_noise(archive: Archive, directory: Directory, window: Window, rng: random.Random) -> None:
    """Group chats, spam, a sponsored InMail, vendor pitches, a draft, archived threads, old network."""
    rep, threads = archive.rep, archive.threads
    me = Profile(rep.name, rep.linkedin_url)
    threads += _group_chats(archive, directory, window, rng)
    first, last, slug, _, _ = directory.outsider(rep.team)
    spammer = Profile(f"{first} {last}", f"https://www.linkedin.com/in/{slug}")
    at = window.exported_at - timedelta(days=rng.randint(3, 60), hours=rng.uniform(0, 10))
    spam = (
        "Verdienen Sie jetzt 5.000 € pro Woche mit Krypto! Einfach hier klicken: https://bit.ly/3xYz-gewinn"
    )
    threads.append(
        Thread(conversation_id(rng), [spammer], [Message(at, spammer, spam)], folder="SPAM", kind="spam")
    )
    member = Profile("LinkedIn Member", "")
    at = window.exported_at - timedelta(days=rng.randint(5, 40), hours=rng.uniform(0, 10))
    subject = "Einladung: Sales Excellence Summit 2026"
    threads.append(Thread(conversation_id(rng), [member], [Message(at, member, _SPONSORED, subject)],
                          title="Sponsored Conversation", kind="sponsored"))  # fmt: skip
    for _ in range(max(1, len(window.days) // 20)):
        first, last, slug, company, _ = directory.outsider(rep.team)
        vendor = Profile(f"{first} {last}", f"https://www.linkedin.com/in/{slug}")
        at = window.exported_at - timedelta(days=rng.uniform(1, len(window.days)))
        pitch = Thread(conversation_id(rng), [vendor], kind="pitch")
        text = (
            f"Hallo {rep.first}, wir generieren planbar B2B-Leads für Softwarefirmen. Offen für 10 Minuten?"
        )
        pitch.messages.append(Message(at, vendor, f"{text} Grüße von {company}"))
        if rng.random() < 0.2:
            pitch.messages.append(
                Message(at + timedelta(hours=rng.uniform(1, 50)), me, "Danke, kein Bedarf.")
            )
        threads.append(pitch)
    draft_at = window.exported_at - timedelta(days=rng.randint(1, 5), minutes=rng.randint(0, 600))
    unfinished = Message(draft_at, me, "Hallo Herr Lehmann, ich wollte mich noch einmal melden wegen")
    threads.append(Thread("", [], [unfinished], folder="", kind="draft"))
    for thread in threads:
        if thread.kind == "outreach" and thread.messages[-1].at < window.exported_at - timedelta(days=90):
            thread.folder = "ARCHIVE" if rng.random() < 0.1 else thread.folder
    for _ in range(rng.randint(250, 450)):
        first, last, slug, company, position = directory.outsider(rep.team)
        on = window.end - timedelta(days=rng.randint(1, 4000))
        archive.connections.append(Connection(first, last, slug, "", company, position, on))
    for _ in range(rng.randint(3, 5)):  # hidden or deactivated members
        archive.connections.append(
            Connection("", "", "", "", "", "", window.end - timedelta(days=rng.randint(1, 900)))
        )


def trim_to_export(archive: Archive, window: Window) -> None:
    """Drop what happened after the export was taken."""
    cutoff = window.exported_at
    for thread in archive.threads:
        thread.messages = [m for m in thread.messages if m.at <= cutoff]
    archive.threads = [t for t in archive.threads if t.messages]
    archive.invitations = [i for i in archive.invitations if i.at <= cutoff]
    archive.connections = [c for c in archive.connections if c.on < window.end]


def _utc(moment) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _message_rows(archive: Archive) -> list[list[str]]:
    me = Profile(archive.rep.name, archive.rep.linkedin_url)
    rows = []
    threads = sorted(archive.threads, key=lambda t: max(m.at for m in t.messages), reverse=True)
    for thread in threads:
        everyone = [me, *thread.others]
        for message in sorted(thread.messages, key=lambda m: m.at, reverse=True):
            to = [p for p in everyone if p != message.sender] if thread.kind != "draft" else []
            names, urls = ",".join(p.name for p in to), ",".join(p.url for p in to)
            rows.append([
                thread.conv_id, thread.title, message.sender.name, message.sender.url, names, urls,
                _utc(message.at), message.subject, message.text, thread.folder,
                message.attachment,
            ])  # fmt: skip
    return rows


def _url(slug: str) -> str:
    return f"https://www.linkedin.com/in/{quote(slug, safe='-')}" if slug else ""


def _connected_on(day) -> str:
    """`16 Dec 2024` (English month abbreviations whatever the locale)."""
    return f"{day.day:02d} {_MONTHS[day.month - 1]} {day.year}"


def _sent_at(moment) -> str:
    """`12/15/24, 7:47 AM` (UTC)."""
    t = moment.astimezone(UTC)
    return f"{t.month}/{t.day}/{t:%y}, {(t.hour + 11) % 12 + 1}:{t:%M} {'AM' if t.hour < 12 else 'PM'}"


def _csv(header, rows, **options) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", **options)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _files(archive: Archive) -> dict[str, str]:
    rep = archive.rep
    connections = sorted(archive.connections, key=lambda c: c.on, reverse=True)
    connection_rows = [
        [c.first, c.last, _url(c.slug), c.email, c.company, c.position, _connected_on(c.on)]
        for c in connections
    ]
    invitations = sorted(archive.invitations, key=lambda i: (i.direction != "OUTGOING", -i.at.timestamp()))
    invitation_rows = [
        [i.sender.name, i.receiver.name, _sent_at(i.at), i.note, i.direction, i.sender.url, i.receiver.url]
        for i in invitations
    ]
    city = "Hamburg, Hamburg, Germany" if rep.team == "Nord" else "München, Bavaria, Germany"
    headline = f"Account Executive bei {SELLER} | Vertrieb für den Mittelstand"
    summary = "Ich helfe mittelständischen Vertriebsteams, mehr Termine zu buchen."
    zip_code = "20457" if rep.team == "Nord" else "80331"
    website = "[COMPANY:https://www.nordlicht-software.de]"
    industry = "Software Development"
    profile_row = [
        rep.first,
        rep.last,
        "",
        "",
        "Mar 31",
        headline,
        summary,
        industry,
        zip_code,
        city,
        "",
        website,
        "",
    ]
    return {
        "Connections.csv": CONNECTIONS_PREAMBLE + _csv(CONNECTION_COLUMNS, connection_rows).rstrip("\n"),
        "Invitations.csv": _csv(INVITATION_COLUMNS, invitation_rows),
        "messages.csv": _csv(MESSAGE_COLUMNS, _message_rows(archive), quoting=csv.QUOTE_ALL),
        "Profile.csv": _csv(PROFILE_COLUMNS, [profile_row]),
        "Skills.csv": "Name\nVertrieb\nKaltakquise\nCRM\n",
    }


def write_archive(out_dir: Path, archive: Archive, window: Window) -> Path:
    """`linkedin/<rep-id>/Complete_LinkedInDataExport_MM-DD-YYYY.zip` with the CSVs at the zip root."""
    folder = out_dir / "linkedin" / archive.rep.rep_id
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"Complete_LinkedInDataExport_{window.end:%m-%d-%Y}.zip"
    stamp = (window.end.year, window.end.month, window.end.day, 7, 30, 0)
    with zipfile.ZipFile(path, "w") as archive_zip:
        for name, text in _files(archive).items():
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive_zip.writestr(info, text.encode("utf-8"))
    return path
