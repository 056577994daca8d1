"""A seeded demo company written as real export files (LinkedIn, call logs, CRM, calendars) plus its config.

Nordlicht Software GmbH sells B2B software with two teams, Nord (Hamburg, calls logged in HubSpot) and
Süd (München, Aircall; one month of one rep comes from a German Excel dialer export). The reps differ
in ways the dashboards should reveal; `demo_people.REPS` lists each rep's habits.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import date
from pathlib import Path

from socialsell.demo_calls import AIRCALL_TAGS, DIALER_RESULTS, simulate_calls, write_calls
from socialsell.demo_linkedin import simulate_linkedin
from socialsell.demo_linkedin_files import add_inbox_noise, trim_to_export, write_archive
from socialsell.demo_meetings import place_meetings, referral_meetings, write_calendar, write_crm_meetings
from socialsell.demo_model import Window
from socialsell.demo_people import REPS, DemoRep, Directory, Person, spell_phone
from socialsell.demo_warm_calls import warm_calls

__all__ = ["CONTACT_COLUMNS", "DEFAULT_END", "write_demo"]

DEFAULT_END = date(2026, 11, 20)
CONTACT_COLUMNS = (
    "Record ID", "First Name", "Last Name", "Email", "Phone Number", "Company Name", "Job Title",
    "LinkedIn URL", "Contact owner", "Segment", "Cold call consent", "Became a Customer Date",
)  # fmt: skip
# How the config spells each rep's LinkedIn URL when it differs from their export (normalisation must match).
_CONFIG_LINKEDIN = {
    "lea-schroeder": "https://www.linkedin.com/in/lea-schröder-demo",
    "katharina-schaefer": "https://de.linkedin.com/in/katharina-sch%C3%A4fer-demo/",
}
_OUTCOME_LABELS = {
    **{label.lower(): outcome for outcome, label in DIALER_RESULTS.items()},
    "meeting booked": "meeting_booked",
    "gatekeeper": "gatekeeper",
    "left live message": "gatekeeper",
}


def write_demo(out_dir: Path, seed: int = 7, months: int = 6, end: date | None = None) -> list[Path]:
    """Write the demo exports and `socialsell.toml` under `out_dir`; the same seed gives the same bytes.

    Args:
        out_dir: folder to write into (created if missing).
        seed: random seed.
        months: how many months of activity, ending the day before `end`.
        end: the export date (default 2026-11-20, fixed so the demo is reproducible).

    Returns:
        The files written.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    window = Window.ending(end or DEFAULT_END, months)
    rng = random.Random(seed)
    directory = Directory(rng)
    archives, linkedin_meetings = simulate_linkedin(REPS, window, directory, rng)
    warm = warm_calls(REPS, window, archives, linkedin_meetings, rng)
    calls = simulate_calls(REPS, window, directory, rng, warm)
    for archive in archives:
        add_inbox_noise(archive, directory, window, rng)
        trim_to_export(archive, window)
    booked = [call.meeting for call in calls if call.meeting]
    referrals = referral_meetings(REPS, window, directory, rng)
    meetings = place_meetings(booked + linkedin_meetings + referrals, window, rng)
    paths = [write_archive(out_dir, archive, window) for archive in archives]
    paths += write_calls(out_dir, calls, window, rng)
    paths.append(_write_contacts(out_dir, directory, window, rng))
    for index, rep in enumerate(REPS):
        vacation = window.vacation(index, rep.team)
        paths.append(write_calendar(out_dir, rep, REPS, meetings, window, vacation, rng))
    paths.append(write_crm_meetings(out_dir, meetings, window, rng))
    paths.append(_write_config(out_dir))
    return paths


def _linkedin(person: Person, rng: random.Random) -> str:
    url = person.linkedin_url
    if url is None:
        return ""
    roll = rng.random()
    if roll < 0.7:
        return url
    slug = person.linkedin_slug
    return (
        (f"https://de.linkedin.com/in/{slug}/" if roll < 0.85 else f"linkedin.com/in/{slug}") if slug else url
    )


def _contact_row(person: Person, rng: random.Random) -> list:
    since = person.customer_since
    company = person.company.name if person.company else ""
    return [
        person.record_id, person.first, person.last, person.email, spell_phone(person.phone, rng, "IIIINS"),
        company, person.title, _linkedin(person, rng), person.owner.name, person.segment, person.consent,
        since.isoformat() if since else "",
    ]  # fmt: skip


def _write_contacts(out_dir: Path, directory: Directory, window: Window, rng: random.Random) -> Path:
    """The company's HubSpot contacts export, with a few people in it twice (e-mail differing in case)."""
    rows = [_contact_row(person, rng) for person in directory.people]
    last_id = directory.people[-1].record_id
    twins = [p for p in directory.people if p.segment == "B2B" and p.email[0].isalpha()][
        :: max(1, len(rows) // 5)
    ]
    for offset, person in enumerate(twins[:5], start=1):
        local, domain = person.email.split("@")
        shouty = ".".join(part.capitalize() for part in local.split(".")) + "@" + domain
        if shouty == person.email:
            shouty = person.email.upper()
        rows.append([last_id + offset * 17, person.first, person.last, shouty, "", person.company.name,
                     person.title, "", person.owner.name, "B2B", "", ""])  # fmt: skip
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CONTACT_COLUMNS)
    writer.writerows(rows)
    folder = out_dir / "crm"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"hubspot-crm-exports-all-contacts-{window.end:%Y-%m-%d}.csv"
    path.write_bytes(("\ufeff" + buffer.getvalue()).encode("utf-8"))
    return path


def _toml_list(values) -> str:
    return "[" + ", ".join(f'"{v}"' for v in values) + "]"


def _rep_section(rep: DemoRep) -> str:
    linkedin = [rep.linkedin_url] if rep.rep_id not in _CONFIG_LINKEDIN else [_CONFIG_LINKEDIN[rep.rep_id]]
    return (
        f"[reps.{rep.rep_id}]\n"
        f'name = "{rep.name}"\n'
        f'team = "{rep.team}"\n'
        f"emails = {_toml_list([rep.email])}\n"
        f"linkedin = {_toml_list(linkedin)}\n"
        f"names = {_toml_list([rep.name, *rep.export_names])}\n"
        f"phones = {_toml_list([rep.phone])}\n"
        f"crm_ids = {_toml_list([rep.crm_id])}\n"
    )


def _write_config(out_dir: Path) -> Path:
    """`socialsell.toml`: every rep's identities and the outcome labels the demo's exports use."""
    parts = ['[settings]\nregion = "DE"\ntime_zone = "Europe/Berlin"\n']
    parts += [_rep_section(rep) for rep in REPS]
    labels = "".join(f'"{label}" = "{outcome}"\n' for label, outcome in _OUTCOME_LABELS.items())
    note = "# Call outcome labels of the German dialer export and custom HubSpot outcomes (any format).\n"
    parts.append(f"{note}[outcomes]\n{labels}")
    tags = "".join(f'"{tag.lower()}" = "{outcome}"\n' for outcome, tag in AIRCALL_TAGS.items() if tag)
    parts.append(f"[outcomes.aircall]\n{tags}")
    parts.append(
        "# The demo team is fictional, so its coach view names reps and every rep is in the rankings.\n"
        "# For a real team, switch these on only once agreed with the works council (BetrVG 87(1) no. 6)\n"
        "# and with each rep who is to be named in a ranking; otherwise the coach view shows pseudonyms.\n"
        f"[privacy]\ncoach_view = true\nleaderboard_opt_in = {_toml_list([rep.rep_id for rep in REPS])}\n"
    )
    path = out_dir / "socialsell.toml"
    path.write_text("\n".join(parts), encoding="utf-8")
    return path
