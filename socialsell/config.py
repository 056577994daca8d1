"""The team config file (`socialsell.toml`): reps, their identities, region, time zone, outcome overrides."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import polars as pl

from socialsell import identity
from socialsell.privacy import PrivacySettings
from socialsell.schema import OUTCOMES

__all__ = ["Config", "ConfigError", "Rep", "config_path"]

DEFAULT_CONFIG = "socialsell.toml"

# Identity kinds a rep can be known by in exports, and the config key listing them.
_IDENTITY_KEYS = {
    "email": "emails",
    "linkedin_url": "linkedin",
    "name": "names",
    "phone": "phones",
    "crm_id": "crm_ids",
}


class ConfigError(ValueError):
    """The config file is missing a required value or has one that makes no sense."""


@dataclass(frozen=True)
class Rep:
    rep_id: str
    display_name: str
    team: str | None
    identities: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class Config:
    """Settings from `socialsell.toml`; `Config()` is the built-in default (no reps, DE, Berlin)."""

    region: str = "DE"
    time_zone: str = "Europe/Berlin"
    reps: tuple[Rep, ...] = ()
    outcome_overrides: dict[str, dict[str, str]] = field(default_factory=dict)
    path: Path | None = None
    metrics: dict = field(default_factory=dict)  # [metrics]: Definitions overrides, see definitions.py
    privacy: PrivacySettings = field(default_factory=PrivacySettings)  # [privacy], see privacy.py

    @classmethod
    def load(cls, path: str | Path | None = None) -> Config:
        """Read the config: `path`, else `$SOCIALSELL_CONFIG`, else `./socialsell.toml` if present."""
        chosen = config_path(path)
        if chosen is None:
            return cls()
        if not chosen.exists():
            raise ConfigError(f"{chosen}: config file not found")
        try:
            data = tomllib.loads(chosen.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{chosen}: {exc}") from exc
        return cls.from_dict(data, chosen)

    @classmethod
    def from_dict(cls, data: dict, path: Path | None = None) -> Config:
        where = str(path or "config")
        settings = data.get("settings", {})
        time_zone = settings.get("time_zone", "Europe/Berlin")
        try:
            ZoneInfo(time_zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigError(f"{where}: settings.time_zone {time_zone!r} is not an IANA time zone") from exc
        reps = tuple(_rep(rep_id, spec, where) for rep_id, spec in data.get("reps", {}).items())
        overrides = _outcome_overrides(data.get("outcomes", {}), where)
        return cls(
            settings.get("region", "DE"),
            time_zone,
            reps,
            overrides,
            path,
            dict(data.get("metrics", {})),
            _privacy(data.get("privacy", {}), reps, where),
        )

    def identity_frame(self) -> pl.DataFrame:
        """Every configured identity, normalised: kind, value, rep_id."""
        rows = []
        for rep in self.reps:
            for kind, values in rep.identities.items():
                rows += [(kind, _normalise(kind, v, self.region), rep.rep_id) for v in values]
            rows.append(("name", identity.slug(rep.display_name), rep.rep_id))
        frame = pl.DataFrame(rows, schema=["kind", "value", "rep_id"], orient="row")
        return frame.drop_nulls().unique(subset=["kind", "value"], keep="first")

    def resolve_reps(self, raw: pl.Series, kinds: tuple[str, ...] = tuple(_IDENTITY_KEYS)) -> pl.DataFrame:
        """Map raw owner values (names, e-mails, ids, URLs) to rep ids, once per distinct value.

        Returns columns raw, rep_id, display_name, from_config. Values no rep claims get a rep id
        made from the value itself (`Jonas Weber` → `jonas-weber`) and from_config false.
        """
        known = {(k, v): r for k, v, r in self.identity_frame().iter_rows()}
        names = {rep.rep_id: rep.display_name for rep in self.reps}
        rows = []
        for value in raw.drop_nulls().unique().to_list():
            text = str(value).strip()
            if not text:
                continue
            match = next(
                (known[(k, n)] for k in kinds if (n := _normalise(k, text, self.region)) and (k, n) in known),
                None,
            )
            if match:
                rows.append((value, match, names[match], True))
            else:
                rows.append((value, identity.slug(text.split("@")[0]), text, False))
        return pl.DataFrame(
            rows,
            schema={
                "raw": raw.dtype,
                "rep_id": pl.String,
                "display_name": pl.String,
                "from_config": pl.Boolean,
            },
            orient="row",
        )

    def outcome_map(self, preset: str) -> dict[str, str]:
        """User overrides for a preset's outcome labels (lower-cased label → outcome)."""
        merged = dict(self.outcome_overrides.get("*", {}))
        merged.update(self.outcome_overrides.get(preset, {}))
        return merged

    def rep(self, rep_id: str) -> Rep | None:
        return next((r for r in self.reps if r.rep_id == rep_id), None)


def config_path(path: str | Path | None) -> Path | None:
    if path:
        return Path(path)
    if os.environ.get("SOCIALSELL_CONFIG"):
        return Path(os.environ["SOCIALSELL_CONFIG"])
    default = Path(DEFAULT_CONFIG)
    return default if default.exists() else None


def _normalise(kind: str, value: str, region: str) -> str | None:
    series = pl.Series([value])
    if kind == "email":
        return identity.email(series)[0]
    if kind == "linkedin_url":
        return identity.linkedin_url(series)[0]
    if kind == "phone":
        if value.lower().startswith("ext:"):
            return value.lower().replace(" ", "")
        return identity.phone_e164(series, region)[0]
    if kind == "name":
        return identity.slug(value)
    return value.strip().lower()


def _rep(rep_id: str, spec: dict, where: str) -> Rep:
    if not isinstance(spec, dict):
        raise ConfigError(f"{where}: [reps.{rep_id}] must be a table")
    unknown = set(spec) - {"name", "team", *_IDENTITY_KEYS.values()}
    if unknown:
        raise ConfigError(f"{where}: [reps.{rep_id}] has unknown keys {sorted(unknown)}")
    identities = {kind: tuple(spec.get(key, ())) for kind, key in _IDENTITY_KEYS.items()}
    return Rep(rep_id, spec.get("name", rep_id), spec.get("team"), identities)


def _privacy(section: dict, reps: tuple[Rep, ...], where: str) -> PrivacySettings:
    if not isinstance(section, dict):
        raise ConfigError(f"{where}: [privacy] must be a table")
    try:
        privacy = PrivacySettings.from_settings(section)
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc}") from exc
    unknown = sorted(set(privacy.leaderboard_opt_in) - {r.rep_id for r in reps})
    if reps and unknown:
        raise ConfigError(f"{where}: [privacy] leaderboard_opt_in names {unknown}, not reps in [reps]")
    return privacy


def _outcome_overrides(section: dict, where: str) -> dict[str, dict[str, str]]:
    result: dict[str, dict[str, str]] = {"*": {}}
    for key, value in section.items():
        if isinstance(value, dict):
            result[key] = {_label(k): _outcome(v, where, f"outcomes.{key}.{k}") for k, v in value.items()}
        else:
            result["*"][_label(key)] = _outcome(value, where, f"outcomes.{key}")
    return result


def _label(text: str) -> str:
    return " ".join(text.lower().split())


def _outcome(value: str, where: str, key: str) -> str:
    if value not in OUTCOMES:
        raise ConfigError(f"{where}: {key} = {value!r} is not one of {', '.join(OUTCOMES)}")
    return value
