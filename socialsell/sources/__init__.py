"""Export formats socialsell reads: a plain registry of source modules and `detect(path)`.

Every source module has a one-line docstring, `NAME`, `matches(path) -> bool` and
`parse(path, context) -> Parsed`. Parsers are pure: file in, frames out.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import polars as pl

from socialsell.config import Config
from socialsell.sources.tabular import ImportError_, Quarantined

__all__ = ["Context", "ImportError_", "Parsed", "Quarantined", "detect", "expand", "sources"]


@dataclass(frozen=True)
class Context:
    """What a parser may know besides the file: config, overrides from the command line."""

    config: Config = field(default_factory=Config)
    rep: str | None = None  # --rep: the rep this file belongs to (LinkedIn archive owner, single-rep logs)
    time_zone: str | None = None  # --tz: the zone a CRM/dialer export wrote its local times in
    keep_message_text: bool = False
    preset: str | None = None  # --format calls.hubspot etc.
    progress: Callable[[int, int], None] | None = None  # (done, total) steps

    @property
    def source_tz(self) -> str:
        return self.time_zone or self.config.time_zone


@dataclass
class Parsed:
    """Frames for canonical tables plus what did not become a row, and why."""

    format: str
    tables: dict[str, pl.DataFrame]
    rows_read: int
    quarantined: list[Quarantined] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)  # reason → rows recognised and left out
    rep_id: str | None = None


def _registry() -> dict[str, ModuleType]:
    from socialsell.sources import calendar, calls, contacts, linkedin, meetings

    return {m.NAME: m for m in (linkedin, calls, contacts, meetings, calendar)}


SOURCES: dict[str, ModuleType] = {}


def sources() -> dict[str, ModuleType]:
    if not SOURCES:
        SOURCES.update(_registry())
    return SOURCES


def detect(path: Path) -> ModuleType:
    """The source module that reads `path`.

    Raises:
        ImportError_: no known format matches; the message lists what was looked for.
    """
    for module in sources().values():
        if module.matches(path):
            return module
    raise ImportError_(
        f"{path}: not a format socialsell knows ({', '.join(sources())}); "
        "use --format to name it, or see `socialsell import --help`"
    )


def _walk(folder: Path, linkedin: ModuleType) -> list[Path]:
    """Files under a folder; a sub-folder that is an unpacked LinkedIn archive stays one unit."""
    found: list[Path] = []
    for entry in sorted(folder.iterdir()):
        if entry.is_dir():
            found += [entry] if linkedin.matches(entry) else _walk(entry, linkedin)
        elif entry.suffix.lower() in (".csv", ".ics", ".zip"):
            found.append(entry)
    return found


def expand(paths: list[Path]) -> list[Path]:
    """Files to import from the given paths: a LinkedIn archive (zip or folder) stays one unit;
    other folders are walked for .csv and .ics files."""
    out: list[Path] = []
    linkedin = sources()["linkedin"]
    for path in paths:
        if not path.exists():
            raise ImportError_(f"{path}: no such file or folder")
        if path.is_dir() and not linkedin.matches(path):
            out += _walk(path, linkedin)
        elif path.suffix.lower() == ".zip" and not zipfile.is_zipfile(path):
            raise ImportError_(f"{path}: not a readable zip file")
        else:
            out.append(path)
    return out
