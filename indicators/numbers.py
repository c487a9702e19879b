"""Figures in their unit, for readers: UK formatting, a real minus sign,
durations in words, ranks as places, scores on their scale (SPEC §1, §6
"Units"). Display only; the engine and the API keep full precision.

Pure Python (no Django): the engine fills the API's ``display`` with it,
and reports.formatting re-exports every name for pages and the report.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

MINUS = "\u2212"
DASH = "\u2014"


def is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def number(value, decimals: int = 0) -> str:
    """12345.6 -> "12,346" (0 dp); negative numbers get a real minus sign."""
    if is_missing(value):
        return DASH
    text = f"{abs(value):,.{decimals}f}"
    if round(abs(value), decimals) == 0:        # shown as zero: no sign (round and format round alike)
        return text
    return (MINUS + text) if value < 0 else text


# --- Every unit in one function (STYLE "Units format in one function", SPEC §1 and §6 "Units") ---------
#
# `display` shows a figure in its unit and `display_change` a change between
# two figures of one measure in the same form. Rounding, for display only:
# count, number, rate, gbp, percent and score as `number` (Python's own
# rounding of the float, as it has always been); duration and rank half up
# (a reader's rounding: 59.5 s is 1 min, 2.5th is 3rd).

UNIT_DEFAULT_DECIMALS = {"score": 1}        # SPEC §6: a score's decimals default to 1; every other unit 0


def _decimals(unit: str, decimals) -> int:
    return UNIT_DEFAULT_DECIMALS.get(unit, 0) if decimals is None else int(decimals)


def _half_up(value: float, decimals: int = 0) -> Decimal:
    """|value| rounded half up at ``decimals`` places, from its shortest
    repr (59.5 -> 60, 2.675 -> 2.68 at 2 dp, as a reader rounds)."""
    return Decimal(repr(abs(float(value)))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def _signed(value: float, magnitude: str, zero: bool) -> str:
    """A change's magnitude with its sign: "+" or a real minus, none when shown as zero."""
    if zero:
        return magnitude
    return ("+" if value > 0 else MINUS) + magnitude


def _duration(seconds: float, decimals: int) -> str:
    """|seconds| in words: 31 s · 15 min 51 s · 1 h 2 min. Under a minute
    the seconds show ``decimals`` places; from a minute, whole seconds; from
    an hour, whole minutes (each rounded half up from the figure itself, so
    3599.5 s is 1 h and 3629.5 s is 1 h 0 min, not 1 h 1 min). A zero part
    after the first is left out (15 min, 1 h); there are no days (26 h)."""
    shown = _half_up(seconds, decimals)
    if shown < 60:
        return f"{shown:.{decimals}f} s"
    whole = int(_half_up(seconds))
    if whole < 3600:
        minutes, secs = divmod(whole, 60)
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    hours, minutes = divmod(int(_half_up(abs(seconds) / 60)), 60)
    return f"{hours:,} h {minutes} min" if minutes else f"{hours:,} h"


def ordinal(n: int) -> str:
    """A whole number 0 or more as a place: 1st 2nd 3rd 4th 11th 12th 13th
    21st 22nd 101st 111th 1,001st."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n:,}{suffix}"


def _scale(scale) -> str:
    """A score's scale as written in the plan: 10, 5, 7.5."""
    scale = float(scale)
    if scale.is_integer():
        return number(scale)
    text = repr(scale)
    return number(scale, len(text.split(".")[1]) if "." in text and "e" not in text else 2)


def display(value, unit: str, decimals: int | None = None, scale=None, of=None) -> str:
    """A figure in its unit, the one place every unit is formatted (pages,
    report, PDF, charts and, with issue 25, the API's ``display``):

    count ``18,212`` · number ``−3.5`` · rate ``4.96`` · gbp ``£1,234`` /
    ``−£1,234`` · percent ``55.2%`` · duration (seconds) ``31 s``, ``15 min
    51 s``, ``1 h 2 min`` · rank (``of`` = N) ``2nd of 43``, without N
    ``2nd`` · score (``scale``) ``6.4 / 10``.

    ``decimals`` None = the unit's default (1 for a score, else 0); a rank is
    always whole. None or NaN is the dash. An unknown unit shows as a number."""
    if is_missing(value):
        return DASH
    decimals = _decimals(unit, decimals)
    if unit == "percent":
        return number(value, decimals) + "%"
    if unit == "gbp":
        text = number(abs(value), decimals)
        return (MINUS if value < 0 and round(abs(value), decimals) != 0 else "") + "£" + text
    if unit == "duration":
        text = _duration(value, decimals)
        return (MINUS + text) if value < 0 and _half_up(value, decimals) != 0 else text
    if unit == "rank":
        position = int(_half_up(value))
        text = (MINUS if value < 0 and position else "") + ordinal(position)
        return text if is_missing(of) else f"{text} of {number(of)}"
    if unit == "score":
        text = number(value, decimals)
        return text if is_missing(scale) else f"{text} / {_scale(scale)}"
    return number(value, decimals)


def display_change(delta, unit: str, decimals: int | None = None) -> str:
    """A change between two figures of one measure (later minus earlier), in
    the measure's own form (SPEC §6 "Units"):

    count ``+1,093`` · number, rate, score ``+0.3`` · gbp ``−£1,234`` ·
    percent, in percentage points, ``+2.1 pts`` · duration ``−15 min 20 s`` /
    ``+2 s`` · rank in places, a lower number being the better place: from
    27th to 2nd (delta −25) ``up 25 places``, ``down 1 place``, ``no change in
    place``.

    A change shown as zero has no sign (``0``, ``0.0 pts``, ``0 s``). The
    words say which way the figure moved, not whether that is good: that is
    the rating's job, by the measure's polarity. ``decimals`` None = the
    unit's default, and 1 for percentage points (as `change_pts`). None or
    NaN is the dash."""
    if is_missing(delta):
        return DASH
    if decimals is None:
        decimals = 1 if unit == "percent" else _decimals(unit, None)
    if unit == "rank":
        places = int(_half_up(delta))
        if places == 0:
            return "no change in place"
        return f"{'up' if delta < 0 else 'down'} {places:,} place{'' if places == 1 else 's'}"
    if unit == "duration":
        text = _duration(delta, decimals)
        return _signed(delta, text, _half_up(delta, decimals) == 0)
    zero = round(abs(delta), decimals) == 0
    text = number(abs(delta), decimals)
    if unit == "percent":
        return _signed(delta, text, zero) + " pts"
    if unit == "gbp":
        return _signed(delta, "£" + text, zero)
    return _signed(delta, text, zero)


def change_pct(value) -> str:
    """+15.8% / −4.4% / 0.0%: a relative change, whatever the unit."""
    if is_missing(value):
        return DASH
    return _signed(value, number(abs(value), 1), round(abs(value), 1) == 0) + "%"
