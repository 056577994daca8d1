"""LinkedIn message texts for the demo, written the way each rep writes (Sie, du or a template); a few
prospects answer in English (scheduling talk itself: socialsell/demo_scheduling.py)."""

from __future__ import annotations

import random

from socialsell.demo_people import DemoRep, Person

__all__ = [
    "TEMPLATE_BODY",
    "close_conversation",
    "first_message",
    "follow_up",
    "invitation_note",
    "prospect_reply",
]

_FEMALE_REPS = ("Anna", "Lea", "Sophie", "Katharina")
TEMPLATE_BODY = (
    "wir helfen Vertriebsteams im Mittelstand, aus LinkedIn und Telefon 30 % mehr Termine zu holen – "
    "ohne zusätzliches Personal.\n\nHätten Sie nächste Woche 15 Minuten für einen kurzen Austausch?"
)
_HOOKS = (
    "ich habe gesehen, dass {company} gerade im Vertrieb wächst.",
    "Ihr Beitrag zur Digitalisierung im Vertrieb hat mich neugierig gemacht.",
    "als {title} bei {company} kennen Sie das Thema Terminquote sicher gut.",
    "wir arbeiten mit mehreren Unternehmen aus Ihrer Branche zusammen, und mir ist {company} aufgefallen.",
    "ich beschäftige mich viel damit, wie Teams wie Ihres bei {company} ihre Outreach-Zahlen messen.",
)
_ASKS = (
    "Wäre ein kurzer Austausch für Sie interessant?",
    "Darf ich Ihnen in 15 Minuten zeigen, wie andere das lösen?",
    "Hätten Sie Lust auf ein kurzes Gespräch dazu?",
    "Wie gehen Sie das bei {company} heute an?",
)
_WARM = (
    "lange nicht gesprochen! Wie läuft es bei {company}?",
    "ich hoffe, bei {company} ist alles gut. Wir haben seit unserem letzten Austausch einiges Neues gebaut.",
)
_CUSTOMER = (
    "danke noch einmal für die gute Zusammenarbeit. Wir haben ein neues Modul, das Sie interessieren könnte.",
    "wie zufrieden sind Sie bei {company} mit unserer Lösung? Ich hätte eine Idee für Ihr Team.",
)
_DU = (
    "hast du kurz Zeit für einen Austausch? Ich hab gesehen, dass du bei {company} den Vertrieb leitest.",
    "wie misst ihr bei {company} eigentlich eure Terminquote? Hast du Lust, dich kurz auszutauschen?",
    "ich bin {rep} von Nordlicht. Hast du nächste Woche 15 Minuten? Ich glaube, das passt gut zu dir.",
    "kurze Frage: nutzt ihr bei {company} schon LinkedIn im Vertrieb? Lass uns gern mal quatschen!",
)
_POSITIVE = (
    "Klingt interessant – wie funktioniert das konkret?",
    "Gerne, lassen Sie uns sprechen. Das Thema liegt bei uns gerade auf dem Tisch.",
    "Danke für die Nachricht! Wir suchen tatsächlich gerade nach so etwas.",
    "Hallo, grundsätzlich ja. Was kostet das ungefähr?",
)
_POSITIVE_ENGLISH = (  # a prospect in an international team answers in English
    "Thanks for reaching out – our sales team is international, so happy to continue in English. "
    "How does it work?",
    "Sounds interesting! Happy to learn more – how does it work in practice?",
    "Thanks for your message! We're looking into exactly this right now – what would it cost roughly?",
)
_NEGATIVE = (
    "Danke, aktuell kein Bedarf.",
    "Wir sind gut aufgestellt, trotzdem danke.",
    "Bitte melden Sie sich im Q1 noch einmal, vorher haben wir kein Budget.",
    "Danke für die Nachricht, das Thema liegt bei unserer Zentrale.",
    "Kein Interesse, bitte keine weiteren Nachrichten.",
)
_CLOSE = (
    "Danke für die Rückmeldung! Darf ich mich im neuen Jahr noch einmal melden?",
    "Verstehe, danke für die ehrliche Antwort. Alles Gute!",
    "Alles klar, ich notiere mir das. Viele Grüße!",
)


def _greeting(rep: DemoRep, person: Person) -> str:
    return f"Hallo {person.first}," if rep.style == "du" else f"Hallo {person.salutation},"


def _fill(text: str, person: Person, rep: DemoRep) -> str:
    company = person.company.name if person.company else "Ihrem Unternehmen"
    return text.format(company=company, title=person.title or "Verantwortliche", rep=rep.first)


def first_message(rep: DemoRep, person: Person, warm: bool, rng: random.Random) -> str:
    """The rep's opening message; the template rep sends the same text to everyone, only the name changes."""
    if rep.style == "template":
        return f"{_greeting(rep, person)}\n\n{TEMPLATE_BODY}\n\nBeste Grüße\n{rep.name}"
    if rep.style == "du":
        return f"{_greeting(rep, person)} {_fill(rng.choice(_DU), person, rep)}"
    if warm:
        body = rng.choice(_CUSTOMER if person.customer_since else _WARM)
    else:
        body = f"{rng.choice(_HOOKS)} {rng.choice(_ASKS)}"
    return f"{_greeting(rep, person)}\n\n{_fill(body, person, rep)}\n\nViele Grüße\n{rep.first}"


def follow_up(rep: DemoRep, person: Person, rng: random.Random) -> str:
    if rep.style == "du":
        return f"Hi {person.first}, hast du meine Nachricht gesehen? 🙂"
    return (
        f"{_greeting(rep, person)} kurze Nachfrage zu meiner Nachricht von letzter Woche – passt das Thema?"
    )


def prospect_reply(
    rep: DemoRep, person: Person, positive: bool, rng: random.Random, english: bool = False
) -> str:
    if english:
        text = rng.choice(_POSITIVE_ENGLISH)
        return f"Hi {rep.first}, {text[0].lower()}{text[1:]}" if rng.random() < 0.5 else text
    text = rng.choice(_POSITIVE if positive else _NEGATIVE)
    if rep.style == "du" and rng.random() < 0.5:
        return f"Hi {rep.first}, {text[0].lower()}{text[1:]}"
    if rng.random() < 0.5:
        return text
    title = "Frau" if rep.first in _FEMALE_REPS else "Herr"
    return f"Hallo {title} {rep.last},\n{text}"


def close_conversation(rep: DemoRep, rng: random.Random) -> str:
    return rng.choice(_CLOSE)


def invitation_note(person: Person, rng: random.Random, incoming: bool) -> str:
    if incoming:
        return rng.choice((
            "Hallo, wir suchen gerade eine Lösung für unseren Vertrieb, gern vernetzen.",
            "Hi, habe Ihren Vortrag gesehen, lassen Sie uns gern vernetzen.",
            "",
        ))  # fmt: skip
    return f"Hallo {person.salutation}, ich würde mich freuen, mich mit Ihnen zu vernetzen. Viele Grüße"
