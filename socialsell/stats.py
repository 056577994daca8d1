"""Honest comparisons: Wilson intervals, two-proportion tests with a verdict, empirical-Bayes shrinkage."""

from __future__ import annotations

import math
from dataclasses import dataclass

import polars as pl
from scipy import stats as scipy_stats

__all__ = ["Comparison", "compare", "shrink", "wilson", "wilson_exprs"]

Z95 = 1.959963984540054


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
    n_a: int,
    k_b: float,
    n_b: int,
    *,
    label_a: str = "A",
    label_b: str = "B",
    unit: str = "trials",
    min_trials: int = 30,
    alpha: float = 0.05,
) -> Comparison:
    """Two-proportion comparison: Fisher's exact test when any expected cell is below 5, else the
    pooled z-test. Fractional successes (split attribution credit) are rounded for the test."""
    if n_a <= 0 or n_b <= 0:
        missing = label_a if n_a <= 0 else label_b
        return Comparison(
            None, None, None, "none", False, f"No {unit} for {missing} yet: nothing to compare."
        )
    ka, kb = round(k_a), round(k_b)
    ra, rb = k_a / n_a, k_b / n_b
    pooled = (ka + kb) / (n_a + n_b)
    expected = [n_a * pooled, n_a * (1 - pooled), n_b * pooled, n_b * (1 - pooled)]
    if min(expected) < 5:
        _, p_value = scipy_stats.fisher_exact([[ka, n_a - ka], [kb, n_b - kb]])
        test = "Fisher exact"
    else:
        se = math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
        z = (ra - rb) / se if se > 0 else 0.0
        p_value = 2 * (1 - scipy_stats.norm.cdf(abs(z)))
        test = "two-proportion z-test"
    distinguishable = bool(p_value < alpha)
    return Comparison(
        ra,
        rb,
        float(p_value),
        test,
        distinguishable,
        _verdict(ra, rb, n_a, n_b, p_value, distinguishable, label_a, label_b, unit, min_trials),
    )


def _verdict(ra, rb, n_a, n_b, p_value, distinguishable, label_a, label_b, unit, min_trials) -> str:
    small = [
        f"{label} has only {n:,} {unit}" for label, n in ((label_a, n_a), (label_b, n_b)) if n < min_trials
    ]
    if distinguishable:
        (higher, r_high), (lower, r_low) = sorted(((label_a, ra), (label_b, rb)), key=lambda x: -x[1])
        sentence = f"{higher} is really higher than {lower} ({r_high:.1%} vs {r_low:.1%}, p = {p_value:.3f})."
        return sentence + (f" Careful: {'; '.join(small)}." if small else "")
    sentence = f"Not distinguishable yet: {label_a} {ra:.1%} vs {label_b} {rb:.1%} (p = {p_value:.2f})"
    return sentence + (f"; {'; '.join(small)}." if small else "; the difference may be noise.")


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
