"""Is the YTD different from last YTD beyond chance? (SPEC §3)

Counts: two-sided exact binomial test of k = ytd in n = ytd + last_ytd with
p = ½ (equal rates in equal periods). Ratios: two-proportion z-test on the
pooled proportion. Significant when p < 0.05; the direction with the
indicator's polarity says improvement or deterioration. Vectorised: one
call rates every indicator of a dashboard.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

ALPHA = 0.05


def binomial_p_values(ytd: np.ndarray, last_ytd: np.ndarray) -> np.ndarray:
    """Two-sided exact binomial p-values for k = ytd of n = ytd + last_ytd at
    p = ½. The distribution is symmetric, so the two-sided p-value (the mass
    of outcomes no more likely than k, as scipy.stats.binomtest sums it) is
    2 · P(X ≤ min(k, n − k)), capped at 1."""
    k = np.asarray(ytd, dtype=float)
    n = k + np.asarray(last_ytd, dtype=float)
    low = np.minimum(k, n - k)
    with np.errstate(invalid="ignore"):
        p = np.minimum(1.0, 2.0 * stats.binom.cdf(low, n, 0.5))
    return np.where(k == n - k, 1.0, p)


def two_proportion_p_values(num1, den1, num2, den2) -> np.ndarray:
    """Two-sided p-values of the pooled two-proportion z-test."""
    num1, den1, num2, den2 = (np.asarray(a, dtype=float) for a in (num1, den1, num2, den2))
    with np.errstate(divide="ignore", invalid="ignore"):
        pooled = (num1 + num2) / (den1 + den2)
        se = np.sqrt(pooled * (1 - pooled) * (1 / den1 + 1 / den2))
        z = (num1 / den1 - num2 / den2) / se
        p = 2 * stats.norm.sf(np.abs(z))
    same = (num1 / den1) == (num2 / den2)
    return np.where(same, 1.0, p)


def significance_result(p_value: float | None, ytd: float | None, last_ytd: float | None, polarity: str) -> str:
    if p_value is None or ytd is None or last_ytd is None:
        return "not-tested"
    if not p_value < ALPHA:
        return "no-significant-change"
    if polarity == "neutral":
        return "significant-change"
    rising = ytd > last_ytd
    return "improvement" if rising == (polarity == "up") else "deterioration"


def significance(*, aggregation: np.ndarray, unit: np.ndarray, polarity: np.ndarray,
                 ytd: np.ndarray, last_ytd: np.ndarray,
                 ytd_num: np.ndarray, ytd_den: np.ndarray,
                 last_num: np.ndarray, last_den: np.ndarray) -> list[dict]:
    """One {"test", "p_value", "result"} per row."""
    aggregation, unit = np.asarray(aggregation), np.asarray(unit)
    ytd, last_ytd = np.asarray(ytd, dtype=float), np.asarray(last_ytd, dtype=float)
    counts = (aggregation == "sum") & (unit == "count")
    ratios = aggregation == "ratio"
    have = ~np.isnan(ytd) & ~np.isnan(last_ytd)
    binom = np.full(len(ytd), np.nan)
    usable = counts & have & (ytd >= 0) & (last_ytd >= 0) & ((ytd + last_ytd) > 0)
    if usable.any():
        binom[usable] = binomial_p_values(ytd[usable], last_ytd[usable])
    prop = np.full(len(ytd), np.nan)
    usable_r = ratios & have & (np.asarray(ytd_den) > 0) & (np.asarray(last_den) > 0)
    if usable_r.any():
        prop[usable_r] = two_proportion_p_values(np.asarray(ytd_num)[usable_r], np.asarray(ytd_den)[usable_r],
                                                 np.asarray(last_num)[usable_r], np.asarray(last_den)[usable_r])
    out = []
    # Python values, None for NaN: the loop reads no numpy scalars.
    ytd_l, last_l = _optionals(ytd), _optionals(last_ytd)
    binom_l, prop_l = _optionals(binom), _optionals(prop)
    for i, (count, ratio, pol) in enumerate(zip(counts.tolist(), ratios.tolist(), np.asarray(polarity).tolist())):
        if count:
            test, p_value = "binomial", binom_l[i]
        elif ratio:
            test, p_value = "two-proportion", prop_l[i]
        else:
            out.append({"test": None, "p_value": None, "result": "not-tested"})
            continue
        out.append({"test": test, "p_value": p_value,
                    "result": significance_result(p_value, ytd_l[i], last_l[i], str(pol))})
    return out


def _optionals(values: np.ndarray) -> list:
    """Python floats, None for NaN."""
    return [None if x != x else x for x in values.tolist()]
