"""Honest comparisons: intervals, tests with a plain-language verdict, empirical-Bayes shrinkage.

Two kinds of rate, each with its own statistics:
- a *proportion* (connects per dial, replies per outreach thread): at most one success per trial, so
  Wilson score intervals, Fisher's exact / two-proportion z-tests and beta-binomial shrinkage;
- a *yield* (meetings per 100 dials, per 100 connects, per 100 conversations): events per unit of
  exposure that can exceed 100 (two meetings after one call, meetings credited to a voicemail that
  was the last touch), so exact Poisson (Garwood) intervals, the conditional binomial test of two
  Poisson rates and gamma-Poisson shrinkage.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import polars as pl

__all__ = [
    "KINDS",
    "Comparison",
    "compare",
    "poisson",
    "poisson_exprs",
    "shrink",
    "shrink_yields",
    "wilson",
    "wilson_exprs",
]


def _scipy_stats():
    """scipy.stats, imported where a test or interval needs it: importing it takes ~1 s, which every
    CLI command (an import, `status`) would otherwise pay at start-up without using it."""
    from scipy import stats

    return stats


Z95 = 1.959963984540054
KINDS = ("proportion", "yield")


def wilson(successes: int, trials: int, z: float = Z95) -> tuple[float | None, float | None]:
    """Wilson score interval of a proportion (95 % by default); (None, None) without trials."""
    if trials <= 0:
        return None, None
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def wilson_exprs(successes: str, trials: str, name: str, scale: float = 100.0) -> list[pl.Expr]:
    """Polars expressions for `name` (rate × scale) and its Wilson 95 % bounds `name_low`/`name_high`."""
    k, n = pl.col(successes).cast(pl.Float64), pl.col(trials).cast(pl.Float64)
    p = k / n
    z2 = Z95 * Z95
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = Z95 * ((p * (1 - p) / n + z2 / (4 * n * n)).sqrt()) / denominator
    valid = n > 0
    return [
        pl.when(valid).then(p * scale).alias(name),
        pl.when(valid).then((centre - half).clip(0, 1) * scale).alias(f"{name}_low"),
        pl.when(valid).then((centre + half).clip(0, 1) * scale).alias(f"{name}_high"),
    ]


def poisson(events: float, exposure: float) -> tuple[float | None, float | None]:
    """Exact (Garwood) 95 % interval of a Poisson rate `events / exposure`; fractional events (split
    attribution credit) use the gamma quantiles continuously. (None, None) without exposure."""
    if exposure <= 0:
        return None, None
    low = _scipy_stats().gamma.ppf(0.025, events) / exposure if events > 0 else 0.0
    return float(low), float(_scipy_stats().gamma.ppf(0.975, events + 1) / exposure)


def poisson_exprs(events: str, exposure: str, name: str, scale: float = 100.0) -> list[pl.Expr]:
    """Polars expressions for `name` (events per `scale` units of exposure) and its exact Poisson
    95 % bounds `name_low`/`name_high`; unlike a proportion the rate may exceed `scale`."""
    k, n = pl.col(events).cast(pl.Float64), pl.col(exposure).cast(pl.Float64)
    valid = n > 0

    def quantile(q: float, shift: float) -> pl.Expr:
        return k.map_batches(
            lambda s: pl.Series(_scipy_stats().gamma.ppf(q, s.fill_null(0).to_numpy() + shift)),
            return_dtype=pl.Float64,
        )

    low = pl.when(k > 0).then(quantile(0.025, 0.0)).otherwise(0.0)
    return [
        pl.when(valid).then(k / n * scale).alias(name),
        pl.when(valid).then(low / n * scale).alias(f"{name}_low"),
        pl.when(valid).then(quantile(0.975, 1.0) / n * scale).alias(f"{name}_high"),
    ]


@dataclass(frozen=True)
class Comparison:
    """Two proportions compared: the test used, its p-value and a sentence a coach can act on."""

    rate_a: float | None
    rate_b: float | None
    p_value: float | None
    test: str
    distinguishable: bool
    verdict: str


def compare(
    k_a: float,
    n_a: float,
    k_b: float,
    n_b: float,
    *,
    label_a: str = "A",
    label_b: str = "B",
    unit: str = "trials",
    min_trials: int = 30,
    alpha: float = 0.05,
    kind: str = "proportion",
) -> Comparison:
    """Compare two rates and say in plain words whether the difference is real.

    A proportion (`kind="proportion"`) uses Fisher's exact test when any expected cell is below 5,
    else the pooled two-proportion z-test. A yield (`kind="yield"`: events per exposure, may exceed
    one per trial) uses the exact conditional test of two Poisson rates: given k_a + k_b events,
    k_a is binomial with p = n_a / (n_a + n_b) if the rates are equal. Fractional events (split
    attribution credit) are rounded for the test only.
    """
    if kind not in KINDS:
        raise ValueError(f"kind {kind!r}: use one of {', '.join(KINDS)}")
    if n_a <= 0 or n_b <= 0:
        missing = label_a if n_a <= 0 else label_b
        return Comparison(
            None, None, None, "none", False, f"No {unit} for {missing} yet: nothing to compare."
        )
    ra, rb = k_a / n_a, k_b / n_b
    test, p_value = (_poisson_test if kind == "yield" else _proportion_test)(round(k_a), n_a, round(k_b), n_b)
    distinguishable = bool(p_value < alpha)
    small = [
        f"{label} has only {n:,} {unit}" for label, n in ((label_a, n_a), (label_b, n_b)) if n < min_trials
    ]
    shown = (lambda r: f"{100 * r:.1f} per 100 {unit}") if kind == "yield" else (lambda r: f"{r:.1%}")
    verdict = _verdict(((label_a, ra), (label_b, rb)), p_value, distinguishable, small, shown)
    return Comparison(ra, rb, float(p_value), test, distinguishable, verdict)


def _proportion_test(ka: int, n_a: float, kb: int, n_b: float) -> tuple[str, float]:
    pooled = (ka + kb) / (n_a + n_b)
    expected = [n_a * pooled, n_a * (1 - pooled), n_b * pooled, n_b * (1 - pooled)]
    if min(expected) < 5:
        table = [[ka, round(n_a) - ka], [kb, round(n_b) - kb]]
        return "Fisher exact", float(_scipy_stats().fisher_exact(table)[1])
    se = math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    z = (ka / n_a - kb / n_b) / se if se > 0 else 0.0
    return "two-proportion z-test", float(2 * (1 - _scipy_stats().norm.cdf(abs(z))))


def _poisson_test(ka: int, n_a: float, kb: int, n_b: float) -> tuple[str, float]:
    if ka + kb == 0:
        return "exact Poisson rate test", 1.0
    result = _scipy_stats().binomtest(ka, ka + kb, n_a / (n_a + n_b))
    return "exact Poisson rate test", float(result.pvalue)


def _verdict(rates, p_value, distinguishable, small, shown) -> str:
    (label_a, ra), (label_b, rb) = rates
    if distinguishable:
        (higher, r_high), (lower, r_low) = sorted(rates, key=lambda x: -x[1])
        sentence = (
            f"{higher} is really higher than {lower} ({shown(r_high)} vs {shown(r_low)}, p = {p_value:.3f})."
        )
        return sentence + (f" Careful: {'; '.join(small)}." if small else "")
    sentence = f"Not distinguishable yet: {label_a} {shown(ra)} vs {label_b} {shown(rb)} (p = {p_value:.2f})"
    return sentence + (f"; {'; '.join(small)}." if small else "; the difference may be noise.")


def shrink_yields(events: pl.Series, exposure: pl.Series) -> tuple[pl.Series, float, float]:
    """Empirical-Bayes (gamma-Poisson) yields: each group's events per unit of exposure pulled toward
    the pooled yield, the less exposure the more. Prior Gamma(shape, rate) by the method of moments.

    Returns (shrunk yields, prior mean, prior strength in units of exposure). With fewer than two
    groups with exposure, a moderate prior (strength 10) is used.
    """
    k = events.cast(pl.Float64).to_list()
    n = exposure.cast(pl.Float64).to_list()
    rows = [(ki, ni) for ki, ni in zip(k, n, strict=True) if ni and ni > 0]
    if not rows:
        return pl.Series([None] * len(k), dtype=pl.Float64), 0.0, 0.0
    total = sum(r[1] for r in rows)
    pooled = sum(r[0] for r in rows) / total
    strength = 10.0
    if len(rows) >= 2 and pooled > 0:
        variance = sum(ni * (ki / ni - pooled) ** 2 for ki, ni in rows) / total
        noise = pooled * len(rows) / total  # Poisson: var(k/n) = rate/n, averaged with weights n
        between = max(variance - noise, 1e-9)
        strength = min(max(pooled / between, 1.0), 1e7)
    shrunk = [
        ((ki + pooled * strength) / (ni + strength)) if ni and ni > 0 else None
        for ki, ni in zip(k, n, strict=True)
    ]
    return pl.Series(shrunk, dtype=pl.Float64), pooled, strength


def shrink(successes: pl.Series, trials: pl.Series) -> tuple[pl.Series, float, float]:
    """Empirical-Bayes (beta-binomial) rates: each group's rate pulled toward the pooled rate,
    the less data the more. Prior fitted by the method of moments across groups.

    Returns (shrunk rates, alpha, beta). With fewer than two groups with trials, rates are unshrunk.
    """
    k = successes.cast(pl.Float64).to_list()
    n = trials.cast(pl.Float64).to_list()
    rows = [(ki, ni) for ki, ni in zip(k, n, strict=True) if ni and ni > 0]
    if not rows:
        return pl.Series([None] * len(k), dtype=pl.Float64), 0.0, 0.0
    pooled = sum(r[0] for r in rows) / sum(r[1] for r in rows)
    alpha, beta = _moments_prior(rows, pooled)
    shrunk = [
        ((ki + alpha) / (ni + alpha + beta)) if ni and ni > 0 else None for ki, ni in zip(k, n, strict=True)
    ]
    return pl.Series(shrunk, dtype=pl.Float64), alpha, beta


def _moments_prior(rows: list[tuple[float, float]], pooled: float) -> tuple[float, float]:
    """Beta prior with the pooled mean and the between-group variance left after binomial noise."""
    if len(rows) < 2 or pooled in (0.0, 1.0):
        strength = 10.0  # little evidence of spread: a moderate prior
        return pooled * strength, (1 - pooled) * strength
    rates = [k / n for k, n in rows]
    weights = [n for _, n in rows]
    total = sum(weights)
    variance = sum(w * (r - pooled) ** 2 for r, w in zip(rates, weights, strict=True)) / total
    noise = pooled * (1 - pooled) * len(rows) / total
    between = max(variance - noise, 1e-6)
    strength = min(max(pooled * (1 - pooled) / between - 1, 1.0), 10_000.0)
    return pooled * strength, (1 - pooled) * strength
