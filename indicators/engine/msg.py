"""Most Similar Group comparison (SPEC §3)."""

from __future__ import annotations

import numpy as np

from indicators.engine.result import MsgComparison, PeerRate


def population_for(table: dict[int, int] | None, year: int) -> int | None:
    """The population of the latest year not after ``year``."""
    if not table:
        return None
    years = [y for y in table if y <= year]
    return table[max(years)] if years else None


def rate_per_1000(rolling_12: float | None, population: int | None) -> float | None:
    if rolling_12 is None or population is None or population <= 0 or np.isnan(rolling_12):
        return None
    return 1000.0 * rolling_12 / population


def msg_comparison(*, rate: float | None, peer_rates: dict[str, float | None],
                   polarity: str) -> MsgComparison | None:
    """The force's rate per 1,000 against its peers'. The MSG average is the
    unweighted mean of the rates, the force included; position 1 is best by
    polarity and ties share the better rank. None when the force has no rate
    or no peer has one."""
    peers = [(slug, r) for slug, r in peer_rates.items() if r is not None]
    if rate is None or not peers:
        return None
    rates = [rate] + [r for _, r in peers]
    # np.mean's own arithmetic (a pairwise sum in float64, then one division) without its dispatch,
    # which cost more than the sum on a handful of rates (the home page compares 43 forces).
    average = float(np.add.reduce(np.array(rates, dtype=float)) / len(rates))
    if polarity == "up":
        position = 1 + sum(r > rate for r in rates)
    elif polarity == "down":
        position = 1 + sum(r < rate for r in rates)
    else:
        position = None
    return MsgComparison(
        rate=rate, average=average, position=position, of=len(rates),
        difference_pct=100.0 * (rate - average) / average if average else None,
        peers=tuple(PeerRate(slug, r) for slug, r in sorted(peers, key=lambda p: p[1])))
