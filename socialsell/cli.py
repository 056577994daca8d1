"""The `socialsell` command line: a thin layer of verbs over the library."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

app = typer.Typer(
    help="socialsell: does an hour of social selling bring more meetings than an hour of cold calling?",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()
err = Console(stderr=True)

DbOption = Annotated[
    Path | None,
    typer.Option("--db", envvar="SOCIALSELL_DB", help="DuckDB file [default: data/socialsell.duckdb]"),
]
ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", envvar="SOCIALSELL_CONFIG", help="Team config [default: ./socialsell.toml]"),
]

KeyFileOption = Annotated[
    Path | None,
    typer.Option(
        "--key-file",
        envvar="SOCIALSELL_KEY_FILE",
        help="Pseudonym/tombstone key [default: <db>.key; keep it apart from the database]",
    ),
]


def _fail(message: str) -> None:
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(1)


def _day(option: str, value: str | None):
    from datetime import date

    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{option} {value!r} is not a date (YYYY-MM-DD)") from None


def _summary_table(summaries) -> Table:
    table = Table(title="Import summary")
    for column in ("file", "format", "rep", "read", "loaded", "duplicates", "quarantined", "skipped"):
        table.add_column(column, justify="right" if column not in ("file", "format", "rep") else "left")
    for s in summaries:
        table.add_row(
            Path(s.file).name,
            s.format,
            s.rep_id or "",
            f"{s.rows_read:,}",
            f"{s.rows_loaded:,}",
            f"{s.rows_duplicate:,}",
            f"{s.rows_quarantined:,}",
            f"{s.rows_skipped:,}",
        )
    return table


def _run_import(paths: list[Path], db, config_path, **options) -> list:
    from socialsell.config import Config, ConfigError
    from socialsell.importer import import_paths
    from socialsell.pseudonyms import PseudonymError
    from socialsell.schema import SchemaError
    from socialsell.sources import ImportError_
    from socialsell.store import StoreError

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    ) as bar:
        task = bar.add_task("reading", total=None)

        def on_file(path: Path, index: int, total: int) -> None:
            bar.update(task, description=f"reading {path.name}", completed=index, total=total)

        try:
            return import_paths(paths, db=db, config=Config.load(config_path), on_file=on_file, **options)
        except (ImportError_, ConfigError, StoreError, SchemaError, PseudonymError) as exc:
            _fail(str(exc))


@app.command("import")
def import_(
    paths: Annotated[list[Path], typer.Argument(help="Export files, LinkedIn .zip archives or folders")],
    fmt: Annotated[
        str | None,
        typer.Option("--format", help="Force a format: linkedin, calls, calls.hubspot, calendar, …"),
    ] = None,
    rep: Annotated[str | None, typer.Option(help="Rep the file belongs to (LinkedIn archive owner)")] = None,
    tz: Annotated[
        str | None, typer.Option("--tz", help="Time zone the export wrote local times in [default: config]")
    ] = None,
    keep_message_text: Annotated[
        bool, typer.Option(help="Store LinkedIn message bodies (personal data; off by default)")
    ] = False,
    pseudonymise: Annotated[
        bool,
        typer.Option(
            "--pseudonymise",
            help="Store prospects' e-mails, phones, profile URLs and names as keyed hashes "
            "(from a new database's first import on)",
        ),
    ] = False,
    key_file: KeyFileOption = None,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Import exports into the database (auto-detects each file's format; safe to repeat).

    Example: socialsell import ~/Downloads/Basic_LinkedInDataExport_03-01-2026.zip calls.csv --rep anna-becker
    """
    summaries = _run_import(
        paths,
        db,
        config,
        rep=rep,
        fmt=fmt,
        time_zone=tz,
        keep_message_text=keep_message_text,
        pseudonymise=pseudonymise,
        key_file=key_file,
    )
    console.print(_summary_table(summaries))


@app.command()
def demo(
    out: Annotated[Path, typer.Option(help="Where to write the demo export files")] = Path("data/demo"),
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same files)")] = 7,
    db: DbOption = None,
) -> None:
    """Write a realistic demo dataset as real export files, then import it through the normal importers.

    Example: socialsell demo --db data/socialsell.duckdb
    """
    from socialsell.demo import write_demo

    _start_demo_database(db, out)
    files = write_demo(out, seed=seed)
    config_file = next(f for f in files if f.name == "socialsell.toml")
    exports = [f for f in files if f.name != "socialsell.toml"]
    console.print(f"Wrote {len(exports)} demo export files to {out}/")
    summaries = _run_import(exports, db, config_file)
    console.print(_summary_table(summaries))


def _start_demo_database(db: Path | None, out: Path) -> None:
    """The demo is built into a fresh database: its files change with the date, so importing them
    over an earlier demo would mix two demos. A database holding other imports is never touched."""
    import duckdb

    from socialsell import store

    target = store.db_path(db)
    if not target.exists():
        return
    try:
        with duckdb.connect(str(target), read_only=True) as con:
            files = [row[0] for row in con.execute("SELECT DISTINCT file FROM imports").fetchall()]
    except duckdb.Error as exc:
        _fail(f"{target}: cannot check what it holds before replacing it with the demo ({exc})")
    demo_dir = out.resolve()
    others = [f for f in files if not Path(f).resolve().is_relative_to(demo_dir)]
    if others:
        _fail(
            f"{target} holds your own imports (e.g. {others[0]}); the demo needs its own database: "
            "pass --db data/demo.duckdb"
        )
    for path in (target, target.with_name(target.name + ".wal")):
        path.unlink(missing_ok=True)


@app.command()
def status(
    fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
    db: DbOption = None,
) -> None:
    """Show what is loaded: rows per table, per rep and per source.

    Example: socialsell status --format json
    """
    from socialsell import store
    from socialsell.status import status as collect

    try:
        con = store.connect(db, read_only=True)
    except store.StoreError as exc:
        _fail(str(exc))
    payload = collect(con)
    con.close()
    if fmt == "json":
        sys.stdout.write(json.dumps(payload, indent=2, default=str) + "\n")
        return
    tables = Table(title=f"Database {store.db_path(db)}")
    tables.add_column("table")
    tables.add_column("rows", justify="right")
    for name, count in payload["tables"].items():
        tables.add_row(name, f"{count:,}")
    console.print(tables)
    reps = Table(title="Per rep")
    for column in (
        "rep",
        "team",
        "calls",
        "messages",
        "invitations",
        "connections",
        "meetings",
        "last touch",
    ):
        reps.add_column(column)
    for r in payload["reps"]:
        reps.add_row(
            r["display_name"],
            r["team"] or "",
            f"{r['calls']:,}",
            f"{r['linkedin_messages']:,}",
            f"{r['linkedin_invitations']:,}",
            f"{r['linkedin_connections']:,}",
            f"{r['meetings']:,}",
            (r["last_touch"] or "")[:10],
        )
    console.print(reps)


@app.command()
def outcomes() -> None:
    """Print how each call-log preset's outcome labels map to socialsell outcomes.

    Example: socialsell outcomes
    """
    from socialsell.sources.call_presets import outcome_table

    table = Table(title="Call outcome mapping (override in socialsell.toml [outcomes])")
    frame = outcome_table()
    for column in frame.columns:
        table.add_column(column)
    for row in frame.iter_rows():
        table.add_row(*[str(v) for v in row])
    console.print(table)


@app.command()
def serve(
    host: Annotated[
        str, typer.Option(help="Address to bind; anything but loopback needs --token")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port")] = 8866,
    view: Annotated[
        str | None,
        typer.Option(help="self, team or coach (default: coach on 127.0.0.1, team on any other address)"),
    ] = None,
    token: Annotated[
        str | None, typer.Option(envvar="SOCIALSELL_TOKEN", help="Access token required from viewers")
    ] = None,
    coach_token: Annotated[
        str | None,
        typer.Option(
            envvar="SOCIALSELL_COACH_TOKEN", help="The coach view's own token (needed when exposed)"
        ),
    ] = None,
    rep: Annotated[
        str | None, typer.Option(envvar="SOCIALSELL_REP", help="The rep whose own figures --view self shows")
    ] = None,
    db: DbOption = None,
    config: ConfigOption = None,
    open_browser: Annotated[bool, typer.Option("--open/--no-open", help="Open a browser")] = False,
) -> None:
    """Serve the dashboards with Voilà (read-only database, no code execution from the browser).

    One view per server: team (aggregates only), coach (per-rep figures) or self (one rep's own).
    The dashboards read a snapshot of the database that every import replaces, so imports run
    while they are served.

    Example: socialsell serve --port 8866

    Example: socialsell serve --host 0.0.0.0 --view team --token "$(openssl rand -hex 24)"
    """
    from socialsell.serve import ServeError, run

    try:
        run(
            host=host,
            port=port,
            token=token,
            db=db,
            open_browser=open_browser,
            console=console,
            view=view,
            coach_token=coach_token,
            rep=rep,
            config=config,
        )
    except ServeError as exc:
        _fail(str(exc))


@app.command()
def inventory(
    output: Annotated[Path | None, typer.Option(help="Write to this file instead of stdout")] = None,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Write the data inventory a works council or DPO asks for (Markdown): personal data stored,
    sources, purposes, retention, who sees what, legal notes, and this database's row counts.

    Example: socialsell inventory --output data-inventory.md
    """
    from socialsell.config import Config, ConfigError
    from socialsell.inventory import inventory_markdown

    try:
        text = inventory_markdown(Config.load(config), db)
    except (ConfigError, ValueError) as exc:
        _fail(str(exc))
    if output is None:
        sys.stdout.write(text)
        return
    output.write_text(text, encoding="utf-8")
    console.print(f"Wrote the data inventory to {output}")


import socialsell.cli_report  # noqa: E402  (registers `report`)
import socialsell.cli_trace  # noqa: E402, F401  (registers `trace`)
from socialsell import cli_privacy  # noqa: E402, F401  (registers `forget` and `prune`)


def main() -> None:
    app()
