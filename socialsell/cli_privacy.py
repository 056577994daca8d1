"""The erasure verbs of the command line: `socialsell forget` and `socialsell prune`."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from socialsell.cli import ConfigOption, DbOption, KeyFileOption, _fail, app, console

__all__ = ["forget", "prune", "retention_cutoff"]

_PERIOD = re.compile(r"^\s*(\d+)\s*([dmy])\s*$")


def retention_cutoff(text: str, today: date | None = None) -> date:
    """The first day kept for `24m`, `2y`, `90d` or an ISO date.

    Raises:
        ValueError: anything else, or a period of zero.
    """
    today = today or datetime.now(UTC).date()
    match = _PERIOD.match(text.lower())
    if not match:
        try:
            return date.fromisoformat(text.strip())
        except ValueError:
            raise ValueError(
                f"--older-than {text!r}: give months (24m), years (2y), days (90d) or a date"
            ) from None
    amount, unit = int(match[1]), match[2]
    if amount == 0:
        raise ValueError(f"--older-than {text!r}: a retention period must be at least 1")
    if unit == "d":
        return date.fromordinal(today.toordinal() - amount)
    months = amount * (12 if unit == "y" else 1)
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    return date(year, month + 1, min(today.day, 28))


def _removed_table(erasure, title: str) -> Table:
    table = Table(title=title)
    table.add_column("what")
    table.add_column("rows", justify="right")
    labels = {
        "touches": "touches (calls, messages, invitations)",
        "meetings": "meetings",
        "contact_records": "contact records",
        "quarantine": "quarantined rows",
        "decisions": "meeting decisions",
    }
    for name, label in labels.items():
        table.add_row(label, f"{erasure.removed.get(name, 0):,}")
    return table


def _after_erasure(db: Path | None) -> None:
    """Rewrite the file so the deleted values are gone from it, and republish dashboards' snapshot."""
    from socialsell import snapshot, store

    store.compact(db)
    with store.connect(db) as con:
        snapshot.republish(con, store.db_path(db), keep_previous=False)


@app.command()
def forget(
    contact: Annotated[
        list[str] | None,
        typer.Option("--contact", help="E-mail, phone, LinkedIn profile URL or contact id (c-…); repeatable"),
    ] = None,
    name: Annotated[
        list[str] | None,
        typer.Option(help="Also rows with this name but no e-mail, phone or profile URL (a namesake's too)"),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only count what would be erased")] = False,
    key_file: KeyFileOption = None,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Erase a prospect everywhere (touches, meetings, contacts, quarantine) and keep a tombstone
    (a keyed hash) so that re-importing an old export does not bring them back.

    Example: socialsell forget --contact max.mustermann@example.com --dry-run
    """
    from socialsell import erasure, store
    from socialsell.config import Config, ConfigError
    from socialsell.pseudonyms import PseudonymError

    if not contact and not name:
        _fail("say whom to erase: --contact (e-mail, phone, LinkedIn URL, contact id) and/or --name")
    try:
        region = Config.load(config).region
        with store.connect(db) as con:
            done = erasure.forget(
                con,
                contact or [],
                names=name or [],
                region=region,
                key_file=key_file,
                dry_run=dry_run,
            )
        if not dry_run:
            _after_erasure(db)
    except (erasure.ErasureError, PseudonymError, ConfigError, store.StoreError) as exc:
        _fail(str(exc))
    verb = "Would erase" if dry_run else "Erased"
    console.print(_removed_table(done, f"{verb}: {done.identities} identities"))
    if done.name_matches_kept:
        console.print(
            f"{done.name_matches_kept:,} rows carry this person's name but no e-mail, phone or profile URL; "
            'they were kept (another person may share the name). To erase them too: --name "First Last".'
        )
    if not dry_run:
        console.print(
            "Tombstones stored: later imports skip this person. The erasure is logged without personal data."
        )


@app.command()
def prune(
    older_than: Annotated[
        str | None,
        typer.Option(help="Retention: 24m, 2y, 90d or a date [default: [privacy] retention_months]"),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only count what would be deleted")] = False,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Delete touches and meetings older than the retention period (and what only they needed);
    later imports skip rows that old.

    Example: socialsell prune --older-than 24m --dry-run
    """
    from socialsell import erasure, store
    from socialsell.config import Config, ConfigError

    try:
        period = older_than or f"{Config.load(config).privacy.retention_months}m"
        cutoff = retention_cutoff(period)
        with store.connect(db) as con:
            done = erasure.prune(con, cutoff, dry_run=dry_run)
        if not dry_run:
            _after_erasure(db)
    except (ValueError, ConfigError, store.StoreError) as exc:
        _fail(str(exc))
    verb = "Would delete" if dry_run else "Deleted"
    console.print(_removed_table(done, f"{verb}: everything before {cutoff.isoformat()}"))
