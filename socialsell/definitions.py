"""Metric definitions (every threshold a setting) and the shipped, versioned baseline table."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date
from importlib import resources

import polars as pl

__all__ = ["ATTRIBUTION_RULES", "BASELINES_VERSION", "Definitions", "baseline", "baselines"]

ATTRIBUTION_RULES = ("last_touch", "first_touch", "split")
BASELINES_VERSION = "2026-11"

_NOT_NEGATIVE = (
    "connect_min_talk_s",
    "attribution_window_days",
    "dial_overhead_s",
    "min_sample",
    "cost_per_rep_hour",
    "call_center_setup_fee",
    "lead_quiet_days",
    "planner_meetings_wanted",
)


@dataclass(frozen=True)
class Definitions:
    """How socialsell counts. Defaults follow the README's definitions; all are overridable
    from the CLI (`socialsell report --help`) or `[metrics]` in socialsell.toml."""

    connect_min_talk_s: int = 30  # a call with no outcome counts as a connect from this talk time
    conversation_min_each_way: int = 1  # messages from each side that make a thread a conversation
    attribution_window_days: int = 30
    attribution_rule: str = "last_touch"
    dial_overhead_s: int = 60  # dialling, ringing, logging: rep time per dial besides talk time
    minutes_per_message: float = 2.0  # writing one LinkedIn message; 6 messages ≈ a 12-minute conversation
    minutes_per_invitation: float = 1.0
    min_sample: int = 30  # below this many trials a rate carries a small-sample warning
    cost_per_rep_hour: float = 60.0  # loaded cost of one rep hour (€): salary, overhead, tools
    call_center_price_per_meeting: float | None = None  # an external call centre's price per meeting (€)
    call_center_setup_fee: float = 0.0  # the call centre's one-off set-up fee (€)
    response_sla_hours: float = 24.0  # a prospect's message should be answered within this time
    lead_response_sla_hours: float = 24.0  # target for the first touch back after an inbound lead signal
    lead_quiet_days: int = 30  # an inbound signal is a new lead after this many days without a touch
    planner_meetings_wanted: int = 10  # meetings next month the planner plans for
    planner_capacity_factor: float = 1.5  # a channel can grow to this multiple of its monthly activity
    baseline_id: str = "anchor_2_5_per_100_calls"
    date_from: date | None = None
    date_to: date | None = None
    reps: tuple[str, ...] = ()  # only these reps (empty: all)
    teams: tuple[str, ...] = ()  # only these teams (empty: all)

    def __post_init__(self) -> None:
        if self.attribution_rule not in ATTRIBUTION_RULES:
            raise ValueError(
                f"attribution rule {self.attribution_rule!r}: use one of {', '.join(ATTRIBUTION_RULES)}"
            )
        for name in _NOT_NEGATIVE:
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        if self.call_center_price_per_meeting is not None and self.call_center_price_per_meeting < 0:
            raise ValueError("call_center_price_per_meeting must not be negative")
        for name in ("response_sla_hours", "lead_response_sla_hours"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive")
        if self.planner_capacity_factor < 1:
            raise ValueError("planner_capacity_factor must be at least 1 (this month's activity)")
        if self.conversation_min_each_way < 1:
            raise ValueError("conversation_min_each_way must be at least 1")
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError(f"--from {self.date_from} is after --to {self.date_to}")

    @classmethod
    def from_settings(cls, settings: dict) -> Definitions:
        """From a `[metrics]` table; unknown keys are refused so typos do not go unnoticed."""
        known = {f.name for f in fields(cls)}
        unknown = set(settings) - known
        if unknown:
            raise ValueError(f"[metrics]: unknown settings {sorted(unknown)}; known: {sorted(known)}")
        return cls(**settings)

    def with_(self, **changes) -> Definitions:
        """A copy with the non-None changes applied."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def describe(self) -> dict:
        """The settings as they travel with every report."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.name] = (
                str(value) if isinstance(value, date) else list(value) if isinstance(value, tuple) else value
            )
        return out


def baselines() -> pl.DataFrame:
    """The shipped benchmark table: value per 100, its denominator, sample, year, source, quality."""
    with resources.files("socialsell").joinpath("data/baselines.csv").open("rb") as fh:
        return pl.read_csv(fh, infer_schema_length=0).with_columns(
            pl.col("value_per_100", "low_per_100", "high_per_100").cast(pl.Float64),
            version=pl.lit(BASELINES_VERSION),
        )


def baseline(baseline_id: str) -> dict:
    """One baseline row as a dict.

    Raises:
        KeyError: unknown id (the message lists the known ones).
    """
    table = baselines()
    row = table.filter(pl.col("id") == baseline_id)
    if not len(row):
        raise KeyError(f"unknown baseline {baseline_id!r}; known: {', '.join(table['id'])}")
    return row.row(0, named=True)
