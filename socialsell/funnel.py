"""Funnels per channel (reach → response → conversation → meeting) and the what-if: more reach or
better conversion?"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import pairwise

import duckdb
import polars as pl

from socialsell.definitions import Definitions
from socialsell.metrics import activity

__all__ = ["TEXTBOOK", "Funnel", "funnels", "levers", "what_if"]


@dataclass(frozen=True)
class Funnel:
    """One channel's stages (name, count) and the conversion from each stage to the next."""

    channel: str
    stages: tuple[tuple[str, float], ...]

    @property
    def rates(self) -> list[float | None]:
        """Stage-to-stage conversion (0–1); None where the earlier stage is empty."""
        counts = [c for _, c in self.stages]
        return [(b / a) if a else None for a, b in pairwise(counts)]

    def frame(self) -> pl.DataFrame:
        rates = [None, *self.rates]
        return pl.DataFrame(
            {
                "stage": [s for s, _ in self.stages],
                "count": [float(c) for _, c in self.stages],
                "conversion_from_previous_pct": [r * 100 if r is not None else None for r in rates],
            }
        )


# The sales literature's example: 10,000 people reached, 10 % converting at each stage, 10 meetings.
TEXTBOOK = Funnel(
    "textbook",
    (("reached", 10_000.0), ("responded", 1_000.0), ("conversations", 100.0), ("meetings", 10.0)),
)


def funnels(con: duckdb.DuckDBPyConnection, d: Definitions | None = None) -> dict[str, Funnel]:
    """The phone and LinkedIn funnels for the scope of `d` (dates, reps, teams).

    Phone: dials → connects → meetings from calls. LinkedIn: outreach threads → replied →
    conversations among them → meetings from social (attributed, see README). With the default
    `conversation_min_each_way` of 1, every replied outreach thread is a conversation, so the two
    stages are one ("replied (conversations)") instead of a 100 % step that says nothing.
    """
    d = d or Definitions()
    row = activity(con, d, by="total")
    totals = row.row(0, named=True) if len(row) else {}

    def get(name: str) -> float:
        return float(totals.get(name) or 0)

    if d.conversation_min_each_way > 1:
        talked = (
            ("replied", get("replied")),
            (f"conversations (≥ {d.conversation_min_each_way} each way)", get("outreach_conversations")),
        )
    else:
        talked = (("replied (conversations)", get("replied")),)
    return {
        "phone": Funnel(
            "phone",
            (
                ("dials", get("dials")),
                ("connects", get("connects")),
                ("meetings", get("meetings_from_calls")),
            ),
        ),
        "linkedin": Funnel(
            "linkedin",
            (("outreach threads", get("outreach")), *talked, ("meetings", get("meetings_from_social"))),
        ),
    }


def what_if(reach: float, rates: list[float]) -> list[float]:
    """Stage counts for a reach and per-stage conversions: 10,000 at 10 % → 10,000, 1,000, 100, 10."""
    counts = [float(reach)]
    for rate in rates:
        counts.append(counts[-1] * rate)
    return counts


def levers(reach: float, rates: list[float], reach_gain: float = 0.10, rate_gain: float = 0.10) -> dict:
    """Meetings now, with `reach_gain` more reach, and with every stage converting `rate_gain` better
    (relative): which lever moves meetings more? Conversion compounds across stages; reach does not."""
    now = what_if(reach, rates)[-1]
    more_reach = what_if(reach * (1 + reach_gain), rates)[-1]
    better = what_if(reach, [min(r * (1 + rate_gain), 1.0) for r in rates])[-1]
    return {
        "meetings_now": now,
        "meetings_with_more_reach": more_reach,
        "meetings_with_better_conversion": better,
        "better_lever": (
            "equal"
            if math.isclose(better, more_reach, rel_tol=1e-9)
            else "conversion"
            if better > more_reach
            else "reach"
        ),
    }
