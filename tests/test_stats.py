"""Honest statistics, pinned to hand numbers and published references: Wilson intervals, the
Fisher / z-test choice and its verdict, exact Poisson intervals and tests for yields, empirical-Bayes
shrinkage, baseline flagging."""

from __future__ import annotations

import math

import polars as pl
import pytest
from scipy import stats as scipy_stats

from socialsell.definitions import baseline
from socialsell.reporting import baseline_check
from socialsell.stats import Z95, compare, poisson, poisson_exprs, shrink, shrink_yields, wilson, wilson_exprs

# --- Wilson ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("successes", "trials", "low", "high"),
    [
        (0, 10, 0.0, 0.2775),
        (5, 10, 0.2366, 0.7634),
        (10, 10, 0.7225, 1.0),
        # Newcombe (1998), Statistics in Medicine 17:857, example 81/263: Wilson 0.2553 to 0.3662.
        (81, 263, 0.2553, 0.3662),
    ],
)
def test_wilson_matches_published_values(successes, trials, low, high):
    got = wilson(successes, trials)
    assert (round(got[0], 4), round(got[1], 4)) == (low, high)


@pytest.mark.parametrize(("successes", "trials"), [(0, 1), (1, 3), (7, 40), (81, 263), (999, 1000)])
def test_wilson_agrees_with_scipy(successes, trials):
    reference = scipy_stats.binomtest(successes, trials).proportion_ci(method="wilson")
    assert wilson(successes, trials) == pytest.approx((reference.low, reference.high), abs=1e-12)


def test_wilson_without_trials_is_unknown():
    assert wilson(0, 0) == (None, None)


def test_wilson_exprs_give_the_rate_and_bounds_per_100():
    frame = pl.DataFrame({"k": [0, 5, 81, 0], "n": [10, 10, 263, 0]}).with_columns(
        *wilson_exprs("k", "n", "rate")
    )
    assert frame["rate"].to_list()[:3] == pytest.approx([0.0, 50.0, 100 * 81 / 263])
    assert frame.row(3, named=True) == {"k": 0, "n": 0, "rate": None, "rate_low": None, "rate_high": None}
    for row in frame.head(3).iter_rows(named=True):
        low, high = wilson(row["k"], row["n"])
        assert (row["rate_low"], row["rate_high"]) == pytest.approx((100 * low, 100 * high))


# --- compare: Fisher for small counts, z-test otherwise, and a sentence --------------------------


def test_small_counts_use_fisher_exact_with_scipys_p_value():
    result = compare(1, 14, 4, 20, label_a="anna", label_b="ben", unit="dials")
    assert result.test == "Fisher exact"
    assert result.p_value == pytest.approx(scipy_stats.fisher_exact([[1, 13], [4, 16]])[1], abs=1e-12)
    assert (result.rate_a, result.rate_b, result.distinguishable) == (1 / 14, 0.2, False)
    assert result.verdict.startswith("Not distinguishable yet: anna 7.1% vs ben 20.0% (p = 0.38)")
    assert "anna has only 14 dials" in result.verdict
    assert "ben has only 20 dials" in result.verdict


def test_a_rare_event_uses_fisher_even_with_many_trials():
    # pooled 6/2000: the expected successes per group (3) are below 5.
    result = compare(1, 1000, 5, 1000)
    assert result.test == "Fisher exact"
    assert result.p_value == pytest.approx(scipy_stats.fisher_exact([[1, 999], [5, 995]])[1])
    assert result.verdict.endswith("the difference may be noise.")


def test_large_counts_use_the_pooled_z_test():
    # 30/200 vs 50/200: pooled 0.2, se = sqrt(0.2 × 0.8 × (2/200)) = 0.04, z = -0.10 / 0.04 = -2.5.
    result = compare(30, 200, 50, 200)
    assert result.test == "two-proportion z-test"
    assert result.p_value == pytest.approx(2 * (1 - scipy_stats.norm.cdf(2.5)))
    assert result.p_value == pytest.approx(0.012419, abs=1e-6)
    assert result.distinguishable is True
    assert result.verdict.startswith("B is really higher than A")


def test_a_distinguishable_verdict_prints_the_higher_rate_first():
    assert compare(30, 200, 50, 200).verdict == "B is really higher than A (25.0% vs 15.0%, p = 0.012)."


def test_a_small_difference_with_many_trials_is_not_distinguishable():
    result = compare(30, 200, 35, 200, unit="dials")
    assert (result.test, result.distinguishable) == ("two-proportion z-test", False)
    assert (
        result.verdict
        == "Not distinguishable yet: A 15.0% vs B 17.5% (p = 0.50); the difference may be noise."
    )


def test_nothing_to_compare_without_trials():
    result = compare(0, 0, 3, 10, label_a="anna", unit="conversations")
    assert (result.test, result.p_value, result.distinguishable) == ("none", None, False)
    assert result.verdict == "No conversations for anna yet: nothing to compare."


def test_fractional_split_credit_is_rounded_for_the_test_only():
    result = compare(2.5, 50, 1.25, 50)
    assert (result.rate_a, result.rate_b) == (0.05, 0.025)
    assert result.p_value == pytest.approx(scipy_stats.fisher_exact([[2, 48], [1, 49]])[1])


# --- yields: exact Poisson intervals, the conditional rate test, gamma-Poisson shrinkage ---------------


@pytest.mark.parametrize(
    ("events", "low", "high"),
    # Garwood's exact 95 % limits for a Poisson count (published tables, e.g. Ulm 1990).
    [(0, 0.0, 3.689), (1, 0.0253, 5.572), (2, 0.2422, 7.225), (10, 4.795, 18.39)],
)
def test_poisson_interval_matches_published_garwood_limits(events, low, high):
    got_low, got_high = poisson(events, 1)
    assert (got_low, got_high) == (pytest.approx(low, abs=1e-3), pytest.approx(high, abs=1e-2))


def test_poisson_exprs_allow_yields_above_100_per_100():
    frame = pl.DataFrame({"meetings": [2.0, 0.0, 1.5], "dials": [1, 0, 100]})
    out = frame.select(poisson_exprs("meetings", "dials", "per_100"))
    assert out["per_100"].to_list() == [200.0, None, 1.5]
    assert out["per_100_low"][0] == pytest.approx(24.22, abs=0.01)
    assert out["per_100_high"][0] == pytest.approx(722.5, abs=0.1)
    assert out["per_100_low"][2] < 1.5 < out["per_100_high"][2]  # fractional split credit


def test_yields_are_compared_with_the_exact_poisson_rate_test():
    # 3 meetings from 1 dial vs 2 from 100: given 5 meetings, P(≥3 land on the 1/101 share) is tiny.
    result = compare(3, 1, 2, 100, label_a="anna", label_b="ben", unit="dials", kind="yield")
    assert result.test == "exact Poisson rate test"
    assert result.p_value == pytest.approx(scipy_stats.binomtest(3, 5, 1 / 101).pvalue)
    assert result.distinguishable
    assert result.verdict.startswith("anna is really higher than ben (300.0 per 100 dials vs 2.0 per 100")


def test_equal_yields_are_not_distinguishable():
    result = compare(5, 200, 10, 400, kind="yield", unit="dials", min_trials=30)
    assert result.p_value == pytest.approx(1.0)
    assert "may be noise" in result.verdict


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="kind 'ratio'"):
        compare(1, 2, 1, 2, kind="ratio")


def test_yield_shrinkage_pulls_a_lucky_small_sample_toward_the_pool():
    # Pooled 92/303 ≈ 0.3036 meetings per conversation. Method of moments: exposure-weighted variance
    # of the yields 2.3985 / 303 = 0.007916, Poisson noise 0.3036 × 4 / 303 = 0.004008, between
    # 0.003908 ⇒ prior strength 0.3036 / 0.003908 ≈ 77.65 conversations. 2 from 3 shrinks to
    # (2 + 0.3036 × 77.65) / 80.65 ≈ 0.317, below 40 from 100 at (40 + 23.58) / 177.65 ≈ 0.358.
    shrunk, prior_mean, strength = shrink_yields(pl.Series([2, 40, 20, 30]), pl.Series([3, 100, 100, 100]))
    assert prior_mean == pytest.approx(92 / 303)
    assert strength == pytest.approx(77.65, abs=0.01)
    assert shrunk.to_list() == pytest.approx([0.3171, 0.3579, 0.2453, 0.3016], abs=1e-4)


def test_yield_shrinkage_without_exposure_or_events():
    shrunk, _, _ = shrink_yields(pl.Series([0, 0]), pl.Series([0, 10]))
    assert shrunk.to_list() == [None, 0.0]


# --- shrink: empirical-Bayes beta-binomial ---------------------------------------------------------


def test_two_of_three_does_not_outrank_forty_of_a_hundred():
    # Pooled 92/303 ≈ 0.30. Method of moments: weighted variance of the rates 0.00792, binomial noise
    # 0.304 × 0.696 × 4 / 303 = 0.00279, between 0.00513 ⇒ prior strength 0.2116 / 0.00513 − 1 ≈ 40.2.
    shrunk, alpha, beta = shrink(pl.Series([2, 40, 20, 30]), pl.Series([3, 100, 100, 100]))
    assert alpha / (alpha + beta) == pytest.approx(92 / 303)
    assert alpha + beta == pytest.approx(40.24, abs=0.01)
    assert shrunk.to_list() == pytest.approx([0.3288, 0.3723, 0.2297, 0.3010], abs=1e-4)
    assert shrunk[0] < shrunk[1]


def test_one_group_is_not_shrunk_and_does_not_crash():
    shrunk, alpha, beta = shrink(pl.Series([2]), pl.Series([3]))
    assert shrunk.to_list() == pytest.approx([2 / 3])
    assert alpha + beta == pytest.approx(10.0)


def test_groups_without_trials_get_no_rate():
    shrunk, _, _ = shrink(pl.Series([0, 5]), pl.Series([0, 10]))
    assert shrunk.to_list() == [None, 0.5]
    shrunk, alpha, beta = shrink(pl.Series([0]), pl.Series([0]))
    assert (shrunk.to_list(), alpha, beta) == ([None], 0.0, 0.0)


def test_all_zero_rates_shrink_to_zero_without_dividing_by_zero():
    shrunk, _, _ = shrink(pl.Series([0, 0]), pl.Series([5, 50]))
    assert shrunk.to_list() == [0.0, 0.0]


# --- baselines: a per-call figure is never compared silently with a per-dial one --------------------


def test_the_default_per_call_baseline_is_flagged_against_per_dial_figures():
    anchor = baseline("anchor_2_5_per_100_calls")
    assert (anchor["value_per_100"], anchor["denominator"]) == (2.5, "calls (unspecified)")
    assert baseline_check(anchor, "meetings_per_100_dials") == (
        "flagged: baseline is per 100 calls (unspecified), figure per 100 dials"
    )
    assert baseline_check(anchor, "meetings_per_100_connects").startswith("flagged")


def test_a_per_dial_baseline_is_comparable_with_per_dial_figures_only():
    per_dial = baseline("belkins_2025_per_dial")
    assert baseline_check(per_dial, "meetings_per_100_dials") == "comparable"
    assert baseline_check(per_dial, "meetings_per_100_connects") == (
        "flagged: baseline is per 100 dials, figure per 100 connects"
    )
    assert baseline_check(baseline("cognism_2024_per_conversation"), "meetings_per_100_connects") == (
        "comparable"
    )


def test_an_unknown_baseline_lists_the_known_ones():
    with pytest.raises(KeyError, match="anchor_2_5_per_100_calls"):
        baseline("no-such-baseline")


def test_z95_is_the_normal_quantile():
    assert math.isclose(Z95, scipy_stats.norm.ppf(0.975), rel_tol=1e-12)
