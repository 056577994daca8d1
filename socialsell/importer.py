"""Import files into the store: detect each file's format, parse it, load it in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb

from socialsell import pseudonyms, snapshot, store
from socialsell.config import Config, Rep
from socialsell.sources import Context, ImportError_, Parsed, detect, expand, sources
from socialsell.sources.csv_scan import Staged

__all__ = ["config_with_stored_reps", "import_paths", "parse_file"]


def config_with_stored_reps(con: duckdb.DuckDBPyConnection, config: Config) -> Config:
    """The config, or — when it names no reps — the reps and identities the database already knows."""
    if config.reps:
        return config
    reps = con.sql("SELECT rep_id, display_name, team FROM reps WHERE from_config").fetchall()
    if not reps:
        return config
    idents = con.sql("SELECT rep_id, kind, value FROM rep_identities").fetchall()
    by_rep: dict[str, dict[str, list[str]]] = {}
    for rep_id, kind, value in idents:
        by_rep.setdefault(rep_id, {}).setdefault(kind, []).append(value)
    stored = tuple(
        Rep(rep_id, name, team, {k: tuple(v) for k, v in by_rep.get(rep_id, {}).items()})
        for rep_id, name, team in reps
    )
    return Config(
        config.region, config.time_zone, stored, config.outcome_overrides, config.path, config.metrics
    )


def parse_file(path: Path, context: Context, fmt: str | None = None, *, staged: bool = False) -> Parsed:
    """Parse one file with the named format (`calls` or a preset like `calls.hubspot`) or the detected one.

    `staged`: a format that offers `stage(path, context)` (call logs) leaves its big table as a
    query over the file (`csv_scan.Staged`) for `store.load` to insert without materialising it.
    """
    if fmt:
        name, _, preset = fmt.partition(".")
        if name not in sources():
            raise ImportError_(f"{path}: unknown format {fmt!r}; known: {', '.join(sources())}")
        module = sources()[name]
        if preset:
            context = Context(**{**context.__dict__, "preset": preset})
    else:
        module = detect(path)
    read = getattr(module, "stage", None) if staged else None
    return (read or module.parse)(path, context)


def _close(parsed: Parsed) -> None:
    """Remove the temporary copies staged tables read from."""
    for rows in parsed.tables.values():
        if isinstance(rows, Staged) and rows.scan is not None:
            rows.scan.close()


def import_paths(
    paths: list[Path],
    *,
    db: str | Path | None = None,
    config: Config | None = None,
    rep: str | None = None,
    fmt: str | None = None,
    time_zone: str | None = None,
    keep_message_text: bool = False,
    pseudonymise: bool = False,
    key_file: str | Path | None = None,
    on_file: Callable[[Path, int, int], None] | None = None,
    progress: Callable[[int, int], None] | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
) -> list[store.ImportSummary]:
    """Import files, zips and folders. Every file is parsed before anything is written, so a file
    that cannot be read leaves the database unchanged; each file then loads in its own transaction.

    Raises:
        ImportError_: a file cannot be read at all (the message names the file and the problem).
    """
    own = con is None
    con = con or store.connect(db)
    parsed: list[tuple[Path, Parsed]] = []
    # Each file's SHA-256 is read on a thread of its own while the files are parsed (hashing
    # releases the GIL): on a 2-core machine that hides most of a big file's checksum.
    hashing = ThreadPoolExecutor(max_workers=1, thread_name_prefix="socialsell-checksum")
    try:
        config = config_with_stored_reps(con, config or Config.load())
        guard = pseudonyms.protection(
            con,
            store.file_of(con),
            pseudonymise=pseudonymise or config.privacy.pseudonymise,
            key_file=key_file or config.privacy.key_file,
            keep_message_text=keep_message_text,
        )
        context = Context(config, rep, time_zone, keep_message_text, None, progress)
        files = expand([Path(p) for p in paths])
        digests = [hashing.submit(store.checksum, file) for file in files]
        for i, file in enumerate(files):
            if on_file:
                on_file(file, i, len(files))
            parsed.append((file, parse_file(file, context, fmt, staged=True)))
        last = len(parsed) - 1
        summaries = [
            store.load(
                con, p, file, config, file_checksum=digests[i].result(), rebuild=i == last, protection=guard
            )
            for i, (file, p) in enumerate(parsed)
        ]
        snapshot.republish(con)  # a published database: dashboards move to the new data at once
        return summaries
    finally:
        hashing.shutdown(cancel_futures=True)
        for _, p in parsed:
            _close(p)
        if own:
            con.close()
