"""The shapes of a demo LinkedIn archive: profiles, messages, threads, invitations and connections."""

from __future__ import annotations

import base64
import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

from socialsell.demo_people import DemoRep, Person

__all__ = [
    "Archive",
    "Connection",
    "Invitation",
    "Message",
    "Profile",
    "Thread",
    "conversation_id",
    "profile",
]


@dataclass(frozen=True)
class Profile:
    name: str
    url: str  # as messages.csv spells it; "" for "LinkedIn Member"


@dataclass
class Message:
    at: datetime  # aware
    sender: Profile
    text: str
    subject: str = ""
    attachment: str = ""


@dataclass
class Thread:
    conv_id: str
    others: list[Profile]
    messages: list[Message] = field(default_factory=list)
    title: str = ""
    folder: str = "INBOX"
    kind: str = "outreach"  # outreach, inbound, group, spam, sponsored, pitch, draft
    person: Person | None = None
    warm: bool = False


@dataclass
class Invitation:
    sender: Profile
    receiver: Profile
    at: datetime  # aware
    note: str
    direction: str  # OUTGOING / INCOMING
    person: Person | None = None  # the prospect invited (OUTGOING)


@dataclass
class Connection:
    first: str
    last: str
    slug: str
    email: str
    company: str
    position: str
    on: date


@dataclass
class Archive:
    rep: DemoRep
    threads: list[Thread] = field(default_factory=list)
    invitations: list[Invitation] = field(default_factory=list)
    connections: list[Connection] = field(default_factory=list)


def conversation_id(rng: random.Random) -> str:
    """`2-` + base64 of `<uuid>_100`, as in 2026 exports."""
    raw = f"{uuid.UUID(int=rng.getrandbits(128), version=4)}_100"
    return "2-" + base64.b64encode(raw.encode()).decode()


def profile(person: Person) -> Profile:
    return Profile(person.name, person.linkedin_url or "")
