"""Warnings of SPEC §4: a figure far from its reference figures.

A figure is suspicious when it is more than 3× or less than a third of
*both* the previous month and the same month last year, counting only the
references that exist and are not zero (one reference alone decides; none,
no warning). A warning is not an error: it asks the analyst to look again
(a tenfold typo, a figure in the wrong row) and is confirmed to publish.
Pure arithmetic: no Django, no database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

FACTOR = 3.0


@dataclass(frozen=True)
class Reference:
    """A figure the new one is compared with."""
    label: str          # "the previous month" | "the same month last year"
    month: date
    value: float


def outlier(value: float | None, references: list[Reference]) -> str | None:
    """"above" when ``value`` is more than 3× every usable reference,
    "below" when under a third of every one, else None."""
    usable = [r.value for r in references if r.value is not None and r.value != 0]
    if value is None or not usable:
        return None
    if all(value > FACTOR * abs(ref) for ref in usable):
        return "above"
    if all(abs(value) < abs(ref) / FACTOR for ref in usable):
        return "below"
    return None


def describe(value: float, direction: str, references: list[Reference], show) -> str:
    """The warning in words, naming the figures it was compared with:
    "2,850 is more than 3× the previous month (Oct 2013: 812) and the same
    month last year (Nov 2012: 790)". ``show`` formats a number and a month."""
    usable = [r for r in references if r.value is not None and r.value != 0]
    words = "more than 3×" if direction == "above" else "less than a third of"
    refs = " and ".join(f"{r.label} ({show(r.month, r.value)})" for r in usable)
    return f"{show(None, value)} is {words} {refs}"
