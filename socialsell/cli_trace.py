"""`socialsell trace`: the rows behind one figure of `socialsell report`, with file and line of each."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.table import Table

from socialsell.cli import ConfigOption, DbOption, _day, _fail, app, console

__all__ = ["trace"]

_FORMATS = ("table", "csv", "json")
_TABLE_ROWS = 50  # --limit for the table; csv and json list every row unless told otherwise
# The table's columns (headings of trace.readable) for a terminal's width; csv and json have them all.
_TOUCH_COLUMNS = ("when", "file", "kind", "direction", "outcome", "talk (s)", "contact", "rep", "detail")
_MEETING_COLUMNS = ("booked (or starts)", "file", "status", "contact", "rep", "credited to", "credit")
_MEETING_COLUMNS += ("how", "touch file")


def _rep_id(con, value: str) -> str:
    """The rep id for an id or a display name (any case)."""
    reps = con.execute("SELECT rep_id, display_name FROM reps ORDER BY rep_id").fetchall()
    for rep_id, name in reps:
        if value.strip().lower() in (rep_id.lower(), (name or "").lower()):
            return rep_id
    raise ValueError(f"--rep {value!r}: no such rep; known: {', '.join(r for r, _ in reps)}")


def _title(found, con) -> str:
    from socialsell.trace import MEASURES

    d = found.definitions
    value = found.value
    shown = f"{value:,.0f}" if abs(value - round(value)) < 1e-9 else f"{value:,.2f}"
    who = ""
    if d.reps:
        name = con.execute("SELECT display_name FROM reps WHERE rep_id = ?", [d.reps[0]]).fetchall()
        who = f" by {name[0][0] if name and name[0][0] else d.reps[0]}"
    elif d.teams:
        who = f" by team {d.teams[0]}"
    period = f", {d.date_from or '…'} – {d.date_to or '…'}" if d.date_from or d.date_to else ", all dates"
    return f"{shown} {MEASURES[found.measure]}{who}{period}"


def _print_table(found, title: str, time_zone: str) -> None:
    from socialsell.trace import readable

    frame = readable(found, time_zone)
    columns = _MEETING_COLUMNS if "credit" in frame.columns else _TOUCH_COLUMNS
    frame = frame.select(c for c in columns if c != "rep" or not found.definitions.reps)
    table = Table(title=title, caption=f"{len(frame):,} of {found.count:,} rows, most recent first")
    for column in frame.columns:
        table.add_column(
            column, justify="right" if frame.schema[column].is_numeric() else "left", overflow="fold"
        )
    for row in frame.iter_rows():
        table.add_row(*["" if v is None else f"{v:g}" if isinstance(v, float) else str(v) for v in row])
    console.print(table)


@app.command()
def trace(
    rep: Annotated[str | None, typer.Option(help="Rep id or name (default: every rep in scope)")] = None,
    measure: Annotated[
        str,
        typer.Option(help="dials, connects, outreach, replied, conversations, messages_sent, meetings, …"),
    ] = "dials",
    team: Annotated[str | None, typer.Option(help="Only this team")] = None,
    date_from: Annotated[
        str | None, typer.Option("--from", help="First day (YYYY-MM-DD), team time zone")
    ] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Last day (YYYY-MM-DD)")] = None,
    window: Annotated[int | None, typer.Option(help="Attribution window in days (default: 30)")] = None,
    rule: Annotated[
        str | None, typer.Option(help="last_touch, first_touch or split (default: last_touch)")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json")] = "table",
    limit: Annotated[
        int | None,
        typer.Option(
            help=f"Rows to list, most recent first (default: {_TABLE_ROWS} in the table, all in csv/json)"
        ),
    ] = None,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """List the rows behind one figure of `socialsell report`: a rep's dials, threads, invitations or
    meetings, each with the file and line it was imported from (meetings: the touch credited with it).
    The count above the rows is the figure `socialsell report` shows for the same options.

    Example: socialsell trace --rep anna-becker --measure dials --from 2026-09-01 --limit 20

    Example: socialsell trace --rep "Anna Becker" --measure meetings_from_calls --rule split --format csv
    """
    from socialsell import store
    from socialsell import trace as tracing
    from socialsell.config import Config, ConfigError
    from socialsell.definitions import Definitions

    try:
        if fmt not in _FORMATS:
            raise ValueError(f"--format {fmt!r}: use {', '.join(_FORMATS)}")
        settings = Config.load(config)
        d = Definitions.from_settings(settings.metrics).with_(
            date_from=_day("--from", date_from),
            date_to=_day("--to", date_to),
            attribution_window_days=window,
            attribution_rule=rule,
            teams=(team,) if team else None,
        )
        con = store.connect(db, read_only=True)
        try:
            rep_id = _rep_id(con, rep) if rep else None
            shown = limit if limit is not None else (_TABLE_ROWS if fmt == "table" else None)
            found = tracing.trace(con, measure, d, rep=rep_id, limit=shown)
            title = _title(found, con)
        finally:
            con.close()
    except (ValueError, KeyError, ConfigError, store.StoreError) as exc:
        _fail(str(exc).strip('"'))
    if fmt == "table":
        _print_table(found, title, settings.time_zone)
    elif fmt == "csv":
        sys.stdout.write(found.rows.write_csv())
    else:
        document = {
            "measure": found.measure,
            "title": title,
            "value": found.value,
            "rows_in_all": found.count,
            "definitions": found.definitions.describe(),
            "rows": found.rows.to_dicts(),
        }
        sys.stdout.write(json.dumps(document, indent=2, default=str, ensure_ascii=False) + "\n")
