"""Scheduling talk in demo LinkedIn threads, in German (Sie or du, as the rep writes) or English.

Three kinds of talk: a booking the calendar records (a Calendly link or a slot, then "Termin
bestätigt … Sie erhalten gleich die Einladung"), a booking by phone or Teams link that no calendar or
CRM export records (the rep never sends an invite), and a talk that fizzles out (the prospect proposes
a time or counters one, then postpones or goes silent). Every text says its day and time the way the
feature regexes of `socialsell.message_features` recognise.
"""

from __future__ import annotations

import base64
import random
import uuid
from datetime import date, datetime, timedelta

from socialsell.demo_people import DemoRep, Person

__all__ = ["BOOKED_BY", "booking", "fizzle", "hold_off", "nudge"]

BOOKED_BY = {True: ("link", "slot"), False: ("phone", "teams")}  # logged in a calendar? → how it was booked
_WOCHENTAGE = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _clock(slot: datetime, english: bool) -> str:
    """`10`, `10:30` (German, before "Uhr") or `10am`, `2:30pm`."""
    if not english:
        return f"{slot.hour}" if slot.minute == 0 else f"{slot.hour}:{slot.minute:02d}"
    hour = slot.hour % 12 or 12
    minutes = "" if slot.minute == 0 else f":{slot.minute:02d}"
    return f"{hour}{minutes}{'am' if slot.hour < 12 else 'pm'}"


def _day(slot: datetime | date, english: bool) -> str:
    return (_WEEKDAYS if english else _WOCHENTAGE)[slot.weekday()]


def _when(slot: datetime, english: bool) -> str:
    """`Donnerstag (12.11.) um 10 Uhr` or `Thursday (Nov 12) at 10am`."""
    if english:
        return f"{_day(slot, True)} ({slot:%b} {slot.day}) at {_clock(slot, True)}"
    return f"{_day(slot, False)} ({slot:%d.%m.}) um {_clock(slot, False)} Uhr"


def _at(slot: datetime, english: bool) -> str:
    """`Donnerstag um 10 Uhr` or `Thursday at 10am`."""
    if english:
        return f"{_day(slot, True)} at {_clock(slot, True)}"
    return f"{_day(slot, False)} um {_clock(slot, False)} Uhr"


def _weekday_after(slot: datetime, rng: random.Random) -> datetime:
    """The same time on a weekday one to three days later."""
    later = slot + timedelta(days=rng.randint(1, 3))
    while later.weekday() >= 5:
        later += timedelta(days=1)
    return later


def _teams_link(rng: random.Random) -> str:
    """A Teams meeting link as Teams writes it: base64 of a GUID, tenant and organiser in the context."""
    token = base64.b64encode(str(uuid.UUID(int=rng.getrandbits(128), version=4)).encode()).decode()
    tenant, organiser = (uuid.UUID(int=rng.getrandbits(128), version=4) for _ in range(2))
    context = f"%7b%22Tid%22%3a%22{tenant}%22%2c%22Oid%22%3a%22{organiser}%22%7d"
    meeting = f"19%3ameeting_{token.rstrip('=')}%40thread.v2"
    return f"https://teams.microsoft.com/l/meetup-join/{meeting}/0?context={context}"


def _propose(rep: DemoRep, slot: datetime, how: str, english: bool) -> str:
    when, link = _when(slot, english), rep.calendly
    if english:
        return {
            "link": f"Great, thanks! You can pick a time that suits you here: {link}",
            "slot": f"Happy to! Would {when} work for you? Or pick another time here: {link}",
            "phone": f"Great! I'll give you a quick call on {when} – does that work for you?",
            "teams": f"How about {when} via Teams?",
        }[how]
    if rep.style == "du":
        return {
            "link": f"Super, danke! Hier kannst du dir direkt einen Termin aussuchen: {link}",
            "slot": f"Sehr gern! Passt dir {when}? Alternativ gern hier einen Termin wählen: {link}",
            "phone": f"Klar! Ich ruf dich {when} an, passt dir das?",
            "teams": f"Gern! Wie wär's mit {when} per Teams?",
        }[how]
    return {
        "link": f"Super, danke! Hier können Sie sich direkt einen Termin aussuchen: {link}",
        "slot": f"Sehr gern! Passt Ihnen {when}? Alternativ gern hier einen Termin wählen: {link}",
        "phone": f"Sehr gern! Ich rufe Sie am {when} kurz an – passt Ihnen das?",
        "teams": f"Gern! Wie wäre es mit {when} per Teams?",
    }[how]


def _accept(slot: datetime, how: str, english: bool, rng: random.Random) -> str:
    day = _day(slot, english)
    if how == "link":
        return rng.choice(
            (f"Booked a slot for {day}.", "Done – I've booked a time via your link.") if english
            else ("Habe mir einen Termin gebucht.", "Erledigt, Termin über den Link gebucht.")
        )  # fmt: skip
    if english:
        return rng.choice((f"{day} works.", "Sounds good, talk to you then!", "That works for me.",
                           f"Great, see you {day}!"))  # fmt: skip
    choices = [f"{day} passt.", "Passt, bis dann!", "Ja, das passt mir gut."]
    if how != "slot":
        choices += [f"Passt, bis {day}!", f"Gern, {_at(slot, False)} passt mir gut."]
    return rng.choice(choices)


def _confirm(rep: DemoRep, slot: datetime, how: str, english: bool, rng: random.Random) -> str:
    du, day = rep.style == "du", _day(slot, english)
    if how in ("link", "slot"):
        if english:
            return (
                f"Confirmed: {_when(slot, True)}. You'll get the calendar invite shortly. Talk to you then!"
            )
        invite = "Du bekommst" if du else "Sie erhalten"
        return f"Termin bestätigt: {_when(slot, False)}. {invite} gleich die Einladung per Mail. Bis dann!"
    if how == "teams":
        link = _teams_link(rng)
        if english:
            return f"Here is the Teams link for {_at(slot, True)}: {link} – talk to you then!"
        return f"Super, hier der Teams-Link für {_at(slot, False)}: {link} – bis {day}!"
    if english:
        return f"Perfect, talk to you on {day}!"
    if du:
        return rng.choice(
            (f"Top, bis {day}!", f"Super, dann bis {day} um {_clock(slot, False)} – ich ruf dich an.")
        )
    return rng.choice(
        (f"Prima, dann bis {_at(slot, False)} – ich rufe Sie an.", f"Perfekt, wir sprechen uns am {day}!")
    )


def booking(
    rep: DemoRep, slot: datetime, how: str, english: bool, rng: random.Random
) -> tuple[str, str, str]:
    """The rep's proposal, the prospect's yes and the rep's confirmation of a meeting at `slot`, booked
    by Calendly `link` or a proposed `slot` (the calendar records it), by `phone` or `teams` (it does not)."""
    return (
        _propose(rep, slot, how, english),
        _accept(slot, how, english, rng),
        _confirm(rep, slot, how, english, rng),
    )


def _fizzle_texts(du: bool, english: bool) -> tuple[str, ...]:
    """Templates of the two fizzling talks: the prospect proposes `{slot}` (rep asks, prospect proposes,
    rep counters with `{hour}`), or the rep proposes `{when}` and the prospect counters with `{other}`."""
    if english:
        return (
            "Glad to hear! It's easiest to show you on a short call – when would suit you?",
            "Could we talk on {slot}?|How about {slot}?",
            "{slot} I'm with a client, unfortunately – would {hour} work for you?",
            "Happy to! Are you free on {when} for a quick call?",
            "{day} doesn't work, unfortunately – how about {other}? I still need to check with my team "
            "though.",
            "{other} is fine for me – just let me know.",
        )
    return (
        f"Freut mich! Am einfachsten {'zeig ich es dir' if du else 'zeige ich es Ihnen'} kurz am Telefon – "
        f"wann passt es {'dir' if du else 'Ihnen'}?",
        "Können wir {slot} telefonieren?|Wie wäre {slot}?",
        f"{{slot}} bin ich leider beim Kunden – ginge bei {'dir' if du else 'Ihnen'} auch {{hour}} Uhr?",
        "Gern! Hast du {when} Zeit für einen kurzen Call?" if du
        else "Gern! Hätten Sie {when} Zeit für ein kurzes Telefonat?",
        "{day} geht leider nicht – wie wäre {other}? Muss ich aber noch intern abstimmen.",
        f"{{other}} geht bei mir – {'gib' if du else 'geben Sie'} mir einfach kurz Bescheid.",
    )  # fmt: skip


def fizzle(
    rep: DemoRep, slot: datetime, prospect_first: bool, english: bool, rng: random.Random
) -> tuple[str, str, str]:
    """Three messages (rep, prospect, rep) of scheduling talk that books nothing. `prospect_first`: the
    rep asks when, the prospect proposes `slot`, the rep counters with another hour. Otherwise the rep
    proposes `slot`, the prospect counters with a later day "but has to check internally", the rep agrees."""
    hour = slot.replace(hour=rng.choice([h for h in (9, 11, 14, 15, 16) if h != slot.hour]), minute=0)
    values = {
        "slot": _at(slot, english),
        "hour": _clock(hour, english),
        "when": _when(slot, english),
        "day": _day(slot, english),
        "other": _at(_weekday_after(slot, rng), english),
    }
    texts = _fizzle_texts(rep.style == "du" and not english, english)
    chosen = texts[:3] if prospect_first else texts[3:]
    first, second, third = (rng.choice(t.split("|")).format(**values) for t in chosen)
    return first, second, third


def hold_off(english: bool, rng: random.Random) -> str:
    """The prospect calls it off before anything is booked."""
    if english:
        return rng.choice((
            "Sorry, something came up on our side – I'll get back to you.",
            "I need to postpone this, unfortunately – our priorities just changed. I'll be in touch.",
        ))  # fmt: skip
    return rng.choice((
        "Sorry, bei uns ist gerade viel los – ich melde mich wieder, wenn es ruhiger wird.",
        "Ich muss das leider verschieben, bei uns hat sich intern etwas geändert. Ich melde mich.",
        "Leider muss ich kurzfristig absagen – wir haben das Thema intern erst einmal zurückgestellt.",
    ))  # fmt: skip


def nudge(rep: DemoRep, person: Person, english: bool) -> str:
    """The rep's reminder a week after the prospect went silent."""
    if english:
        return f"Hi {person.first}, just checking in – is this still on your radar?"
    if rep.style == "du":
        return f"Hi {person.first}, kurze Nachfrage – ist das Thema bei dir noch aktuell?"
    return f"Hallo {person.salutation}, kurze Nachfrage – ist das Thema bei Ihnen noch aktuell?"
