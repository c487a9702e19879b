"""YTD targets and RAG ratings (SPEC §3). Vectorised over indicators; the
scalar forms are the same code on one value."""

from __future__ import annotations

import numpy as np

from indicators import vocabulary

RATEABLE_KINDS = vocabulary.RATEABLE_TARGET_KINDS
# Float sums such as 100 · 11872 / 16000 can land a hair off the printed
# figure; a relative epsilon keeps "meets the target" exact in practice.
_EPS = 1e-9


def round_half_up(value):
    """0.5 rounds up, as published reports print counts (Python's round()
    gives banker's rounding: round(688.5) == 688)."""
    result = np.floor(np.asarray(value, dtype=float) + 0.5)
    return int(result) if np.ndim(result) == 0 else result


def target_values(kind, value, last_ytd, unit) -> np.ndarray:
    """The YTD target of each row: ``change`` -> last_ytd · (1 + p/100);
    ``absolute`` -> the value; counts rounded half-up to whole numbers; NaN
    for the other kinds or when last year's figure is missing. Computed as
    last_ytd · (100 + p) / 100, which is exact for whole counts and whole p."""
    kind, unit = np.asarray(kind, dtype=object), np.asarray(unit, dtype=object)
    value = np.asarray(value, dtype=float)
    last_ytd = np.asarray(last_ytd, dtype=float)
    out = np.where(kind == "change", last_ytd * (100 + value) / 100,
                   np.where(kind == "absolute", value, np.nan))
    return np.where(unit == "count", round_half_up(out), out)


def target_value(kind: str | None, value: float | None, last_ytd: float | None, unit: str) -> float | None:
    result = target_values([kind], [np.nan if value is None else value],
                           [np.nan if last_ytd is None else last_ytd], [unit])[0]
    return None if np.isnan(result) else float(result)


def rag_statuses(actual, target, polarity, tolerance) -> np.ndarray:
    """Per row: ``green`` when the actual meets or beats the target in the
    direction of the polarity; ``amber`` when it misses by no more than the
    tolerance (% of the target); ``red`` beyond; ``no-data`` when there is a
    target but no actual; None when nothing can be rated (no target,
    neutral polarity)."""
    actual = np.asarray(actual, dtype=float)
    target = np.asarray(target, dtype=float)
    polarity = np.asarray(polarity, dtype=object)
    tolerance = np.asarray(tolerance, dtype=float)
    shortfall = np.where(polarity == "up", target - actual, actual - target)
    scale = np.where(target != 0, np.abs(target), 1.0)
    with np.errstate(invalid="ignore"):
        green = shortfall <= _EPS * np.maximum(scale, 1.0)
        amber = shortfall / scale * 100 <= tolerance + _EPS
    out = np.where(green, "green", np.where(amber, "amber", "red")).astype(object)
    out = np.where(np.isnan(actual), "no-data", out)
    rateable = ~np.isnan(target) & ((polarity == "up") | (polarity == "down"))
    return np.where(rateable, out, None)


def rag_status(actual: float | None, target: float | None, polarity: str, tolerance: float = 5.0) -> str | None:
    return rag_statuses([np.nan if actual is None else actual], [np.nan if target is None else target],
                        [polarity], [tolerance])[0]
