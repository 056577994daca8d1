"""Invented people for the demo: the seller's reps, their habits, and the prospects they work on."""

from __future__ import annotations

import functools
import random
import unicodedata
from dataclasses import dataclass
from datetime import date

from socialsell import demo_names as names

__all__ = [
    "REPS",
    "SELLER",
    "SELLER_DOMAIN",
    "Company",
    "DemoRep",
    "Directory",
    "Person",
    "fold",
    "spell_phone",
]

SELLER = "Nordlicht Software GmbH"
SELLER_DOMAIN = "nordlicht-software.de"


@dataclass(frozen=True)
class DemoRep:
    """One sales rep and the habits the demo gives them (what the dashboards should reveal)."""

    rep_id: str
    name: str
    team: str
    phone: str
    crm_id: str
    email: str
    linkedin_url: str  # as the rep's own LinkedIn export spells it
    dials_per_day: int
    connect_rate: float  # connects (talked to the prospect) per dial
    booked_per_100: float  # meetings booked per 100 dials
    threads_per_week: int  # new LinkedIn outreach threads
    reply_rate: float  # share of outreach threads the prospect answers
    meeting_rate: float  # meetings per LinkedIn conversation
    style: str  # "personal", "template" (copy-paste first messages) or "du" (informal to strangers)
    answer_minutes: tuple[int, int]  # how long they take to answer a prospect's reply
    accept_hours: tuple[int, int]  # how long they take to accept an incoming invitation
    calls_after_linkedin: float  # share of the prospects they reached on LinkedIn whom they also phone
    export_names: tuple[str, ...] = ()  # further spellings of the name in exports
    # share of the meetings they book in LinkedIn chats by phone or Teams link and never put in a calendar
    # or CRM (the inferred-meetings insight finds them)
    unlogged_linkedin: float = 0.12

    @property
    def first(self) -> str:
        return self.name.split()[0]

    @property
    def last(self) -> str:
        return self.name.split()[-1]

    @property
    def calendly(self) -> str:
        return f"https://calendly.com/{self.rep_id}-nordlicht/30min"


REPS: tuple[DemoRep, ...] = (
    DemoRep("anna-becker", "Anna Becker", "Nord", "+49 40 5550101", "71001",
            "anna.becker@nordlicht-software.de", "https://www.linkedin.com/in/anna-becker-demo",
            48, 0.14, 3.4, 12, 0.35, 0.25, "personal", (4, 50), (1, 6), 0.5),
    DemoRep("jonas-hoffmann", "Jonas Hoffmann", "Nord", "+49 40 5550102", "71002",
            "jonas.hoffmann@nordlicht-software.de", "https://www.linkedin.com/in/jonas-hoffmann-demo",
            55, 0.10, 2.0, 20, 0.15, 0.08, "template", (90, 720), (2, 30), 0.1),
    DemoRep("lea-schroeder", "Lea Schröder", "Nord", "+49 40 5550103", "71003",
            "lea.schroeder@nordlicht-software.de", "https://www.linkedin.com/in/lea-schr%C3%B6der-demo",
            44, 0.12, 2.5, 10, 0.28, 0.12, "personal", (2760, 3960), (50, 150), 0.3),
    DemoRep("tobias-huber", "Tobias Huber", "Süd", "+49 89 5550201", "72001",
            "tobias.huber@nordlicht-software.de", "https://www.linkedin.com/in/tobias-huber-demo",
            58, 0.09, 1.6, 14, 0.17, 0.10, "du", (120, 900), (3, 40), 0.15),
    DemoRep("sophie-wagner", "Sophie Wagner", "Süd", "+49 89 5550202", "72002",
            "sophie.wagner@nordlicht-software.de", "https://www.linkedin.com/in/sophie-wagner-demo",
            46, 0.13, 3.0, 9, 0.38, 0.20, "personal", (45, 480), (1, 12), 0.45,
            unlogged_linkedin=0.45),  # books Teams calls straight from LinkedIn, rarely sends an invite
    DemoRep("katharina-schaefer", "Katharina Schäfer", "Süd", "+49 89 5550203", "72003",
            "katharina.schaefer@nordlicht-software.de", "https://www.linkedin.com/in/katharina-schäfer-demo",
            42, 0.11, 2.5, 7, 0.26, 0.07, "personal", (180, 1200), (20, 96), 0.35, ("Schäfer, Katharina",)),
)  # fmt: skip

_UMLAUTS = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss", "ı": "i"}
)


@functools.lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """ASCII spelling as Germans write it in addresses: `Jürgen Weiß` → `Juergen Weiss`."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_UMLAUTS))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(frozen=True)
class Company:
    name: str
    domain: str
    area: str  # phone area code of the head office
    team: str


@dataclass
class Person:
    """One contact; `phone` is (area or mobile prefix, subscriber number), national, without 0.
    `segment` is "" on a CRM record without one; `in_crm` is False for someone no CRM record holds."""

    record_id: int
    first: str
    last: str
    female: bool
    company: Company | None
    title: str
    email: str
    phone: tuple[str, str]
    linkedin_slug: str | None
    owner: DemoRep
    segment: str = "B2B"
    consent: str = ""
    customer_since: date | None = None
    in_crm: bool = True

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"

    @property
    def e164(self) -> str:
        return "+49" + "".join(self.phone)

    @property
    def linkedin_url(self) -> str | None:
        return f"https://www.linkedin.com/in/{self.linkedin_slug}" if self.linkedin_slug else None

    @property
    def salutation(self) -> str:
        return f"{'Frau' if self.female else 'Herr'} {self.last}"


def spell_phone(phone: tuple[str, str], rng: random.Random, styles: str = "ISZPNB") -> str:
    """The number as a person or a tool might have typed it; all spellings give the same E.164."""
    area, number = phone
    style = styles[int(rng.random() * len(styles))]
    if style == "I":
        return f"+49 {area} {number}"
    if style == "S":
        return f"0{area}/{number}"
    if style == "Z":
        return f"0049{area}{number}"
    if style == "P":
        return f"+49{area}{number}"
    if style == "B":
        head = len(number) % 2
        pairs = " ".join(
            ([number[:head]] if head else []) + [number[i : i + 2] for i in range(head, len(number), 2)]
        )
        return f"(0{area}) {pairs}"
    return f"0{area} {number}"


def _any(rng: random.Random, items):
    """`rng.choice` without its overhead (the directory makes tens of thousands of people)."""
    return items[int(rng.random() * len(items))]


class Directory:
    """Every contact the demo invents, in creation order (the CRM's record order)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.people: list[Person] = []
        self.by_company: dict[str, list[Person]] = {}
        self._taken: dict[str, None] = {}  # e-mails, numbers, company names, slugs
        self._next_id = 20_451_000

    def _unique(self, make) -> str:
        for _ in range(50):
            value = make()
            if value not in self._taken:
                self._taken[value] = None
                return value
        raise RuntimeError("demo directory ran out of unique values")

    def company(self, team: str) -> Company:
        rng = self.rng

        def name() -> str:
            pattern = rng.random()
            if pattern < 0.45:
                return f"{_any(rng, names.LAST)} {_any(rng, names.TRADES)} {_any(rng, names.LEGAL)}"
            if pattern < 0.8:
                return f"{_any(rng, names.PREFIXES)}{_any(rng, names.SUFFIXES)} {_any(rng, names.LEGAL)}"
            return f"{_any(rng, names.LAST)} & {_any(rng, names.LAST)} {_any(rng, names.LEGAL)}"

        full = self._unique(name)
        base = full
        for legal in sorted(dict.fromkeys(names.LEGAL), key=len, reverse=True):
            base = base.removesuffix(" " + legal)
        domain = "-".join(fold(base).lower().replace("&", " ").split()) + ".de"
        return Company(full, domain, _any(rng, names.AREAS[team]), team)

    def _number(self, area: str) -> tuple[str, str]:
        rng = self.rng
        if area in names.MOBILE:
            digits = 8 if area.startswith("15") else 7
        else:
            digits = {2: _any(rng, (7, 8)), 3: _any(rng, (6, 7))}.get(len(area), 6)
        low, high = 2 * 10 ** (digits - 1), 10**digits - 1
        number = self._unique(lambda: area + str(rng.randint(low, high)))
        return area, number[len(area) :]

    def _slug(self, first: str, last: str) -> str:
        rng = self.rng
        text = f"{first}-{last}".lower()
        if not text.isascii() and rng.random() < 0.5:
            text = fold(text)
        return self._unique(lambda: f"{text}-{rng.getrandbits(28):07x}" if rng.random() < 0.85 else text)

    def person(
        self, owner: DemoRep, *, company: Company | None = None, linkedin: bool = False, segment: str = "B2B",
        in_crm: bool = True,
    ) -> Person:  # fmt: skip
        """A new B2B contact, at `company` (a buying-centre colleague) or at a new company; `segment` ""
        for a lead imported without one, `in_crm` False for a number dialled that no CRM record holds."""
        rng = self.rng
        company = company or self.company(owner.team)
        female = rng.random() < 0.4
        first, last = _any(rng, names.FEMALE if female else names.MALE), _any(rng, names.LAST)
        locals_ = (
            f"{first}.{last}",
            f"{first}.{last}",
            f"{first[0]}.{last}",
            last,
            f"{first}.{last}{rng.randint(2, 9)}",
        )
        mail = self._unique(lambda: f"{fold(_any(rng, locals_)).lower()}@{company.domain}".replace(" ", ""))
        area = company.area if rng.random() < 0.8 else _any(rng, names.MOBILE)
        title = _any(rng, names.TITLES)[1 if female else 0]
        has_slug = linkedin or rng.random() < 0.35
        return self._add(Person(self._new_id(), first, last, female, company, title, mail, self._number(area),
                                self._slug(first, last) if has_slug else None, owner, segment,
                                _any(rng, ("", "", "", "Yes")), in_crm=in_crm))  # fmt: skip

    def private_person(self, owner: DemoRep) -> Person:
        """A consumer (B2C) contact with a mobile number; most have not agreed to cold calls."""
        rng = self.rng
        female = rng.random() < 0.5
        first, last = _any(rng, names.FEMALE if female else names.MALE), _any(rng, names.LAST)
        mail = self._unique(
            lambda: (
                f"{fold(first).lower()}.{fold(last).lower()}{rng.randint(1, 99)}@{_any(rng, names.FREEMAIL)}"
            )
        )
        consent = "No" if rng.random() < 0.7 else ""
        phone = self._number(_any(rng, names.MOBILE))
        return self._add(
            Person(self._new_id(), first, last, female, None, "", mail, phone, None, owner, "B2C", consent)
        )

    def outsider(self, team: str) -> tuple[str, str, str, str, str]:
        """Someone in a rep's network who is no CRM contact: first, last, slug, company, position."""
        rng = self.rng
        female = rng.random() < 0.45
        first, last = _any(rng, names.FEMALE if female else names.MALE), _any(rng, names.LAST)
        company = _any(
            rng,
            (
                f"{_any(rng, names.LAST)} {_any(rng, names.TRADES)} GmbH",
                "Freiberuflich",
                SELLER,
                f"{_any(rng, names.PREFIXES)}{_any(rng, names.SUFFIXES)} AG",
                "Universität Hamburg",
            ),
        )
        return first, last, self._slug(first, last), company, _any(rng, names.TITLES)[1 if female else 0]

    def colleague_company(self, team: str) -> Company | None:
        """A company this team already works on that has room for another buying-centre member."""
        for _ in range(3):
            if not self.people:
                return None
            candidate = self.people[-self.rng.randint(1, min(400, len(self.people)))].company
            if candidate and candidate.team == team and len(self.by_company[candidate.name]) < 5:
                return candidate
        return None

    def _new_id(self) -> int:
        self._next_id += self.rng.randint(1, 60)
        return self._next_id

    def _add(self, person: Person) -> Person:
        if not person.in_crm:
            return person
        self.people.append(person)
        if person.company:
            self.by_company.setdefault(person.company.name, []).append(person)
        return person
