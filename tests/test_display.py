"""Every unit in one function (STYLE "Units format in one function"; SPEC §1
and §6 "Units"): `display` and `display_change` in reports/formatting.py.
One row per case, no database. M is the real minus sign the pages show."""

import math

import pytest

from indicators import vocabulary
from reports.formatting import DASH, change_pct, change_pts, display, display_change, measure
from reports.formatting import MINUS as M

# The units of SPEC §6 that the plan file does not take yet (issue 25).
NEW_UNITS = ("duration", "rank", "score")

# (value, unit, decimals, scale, of, shown)
DISPLAY = [
    # count: thousands separators, whole
    (0, "count", 0, None, None, "0"),
    (18212, "count", 0, None, None, "18,212"),
    (1_234_567, "count", 0, None, None, "1,234,567"),
    (None, "count", 0, None, None, DASH),
    (math.nan, "count", 0, None, None, DASH),
    # number: negatives allowed, with a real minus; shown as zero has no sign
    (0.88, "number", 2, None, None, "0.88"),
    (-3.5, "number", 1, None, None, f"{M}3.5"),
    (-0.04, "number", 1, None, None, "0.0"),
    (-1_250_000, "number", 0, None, None, f"{M}1,250,000"),
    # rate
    (4.96, "rate", 2, None, None, "4.96"),
    (0, "rate", 2, None, None, "0.00"),
    (12345.678, "rate", 1, None, None, "12,345.7"),
    # gbp: the sign before the pound sign
    (1234, "gbp", 0, None, None, "£1,234"),
    (3.24, "gbp", 2, None, None, "£3.24"),
    (-1234, "gbp", 0, None, None, f"{M}£1,234"),
    (0, "gbp", 0, None, None, "£0"),
    (-0.4, "gbp", 0, None, None, "£0"),             # shown as zero: no sign (was "−£0")
    (2_500_000_000, "gbp", 0, None, None, "£2,500,000,000"),
    (None, "gbp", 0, None, None, DASH),
    # percent
    (55.2, "percent", 1, None, None, "55.2%"),
    (74.25, "percent", 0, None, None, "74%"),
    (0, "percent", 1, None, None, "0.0%"),
    (100, "percent", 1, None, None, "100.0%"),
    # duration (seconds): whole seconds under a minute unless decimals say,
    # whole seconds to an hour, whole minutes from an hour, half up
    (0, "duration", 0, None, None, "0 s"),
    (31, "duration", 0, None, None, "31 s"),
    (7.25, "duration", 1, None, None, "7.3 s"),
    (59.4, "duration", 0, None, None, "59 s"),
    (59.5, "duration", 0, None, None, "1 min"),
    (59.6, "duration", 0, None, None, "1 min"),
    (59.6, "duration", 1, None, None, "59.6 s"),
    (59.96, "duration", 1, None, None, "1 min"),
    (60, "duration", 0, None, None, "1 min"),
    (951, "duration", 0, None, None, "15 min 51 s"),
    (951.4, "duration", 2, None, None, "15 min 51 s"),   # decimals only under a minute
    (3599.4, "duration", 0, None, None, "59 min 59 s"),
    (3599.5, "duration", 0, None, None, "1 h"),
    (3600, "duration", 0, None, None, "1 h"),
    (3629.5, "duration", 0, None, None, "1 h"),           # 60.49 min: rounded from the figure, once
    (3630, "duration", 0, None, None, "1 h 1 min"),
    (3720, "duration", 0, None, None, "1 h 2 min"),
    (7170, "duration", 0, None, None, "2 h"),
    (100 * 3600 + 5 * 60, "duration", 0, None, None, "100 h 5 min"),
    (None, "duration", 0, None, None, DASH),
    # rank: English ordinals, "of N" when N is known
    (1, "rank", 0, None, 43, "1st of 43"),
    (2, "rank", 0, None, 43, "2nd of 43"),
    (3, "rank", 0, None, 43, "3rd of 43"),
    (4, "rank", 0, None, 43, "4th of 43"),
    (11, "rank", 0, None, 43, "11th of 43"),
    (12, "rank", 0, None, 43, "12th of 43"),
    (13, "rank", 0, None, 43, "13th of 43"),
    (21, "rank", 0, None, 43, "21st of 43"),
    (22, "rank", 0, None, 43, "22nd of 43"),
    (23, "rank", 0, None, 43, "23rd of 43"),
    (101, "rank", 0, None, 200, "101st of 200"),
    (111, "rank", 0, None, 200, "111th of 200"),
    (112, "rank", 0, None, 200, "112th of 200"),
    (1001, "rank", 0, None, 5000, "1,001st of 5,000"),
    (2.0, "rank", 2, None, 43.0, "2nd of 43"),           # a rank is always whole
    (2, "rank", 0, None, None, "2nd"),
    (2, "rank", 0, None, math.nan, "2nd"),
    (None, "rank", 0, None, 43, DASH),
    # score: on its scale, one decimal unless said
    (6.4, "score", None, 10, None, "6.4 / 10"),
    (6.44, "score", None, 10, None, "6.4 / 10"),
    (3.25, "score", 2, 5, None, "3.25 / 5"),
    (4, "score", None, 5, None, "4.0 / 5"),
    (0, "score", 1, 10, None, "0.0 / 10"),
    (4, "score", None, 7.5, None, "4.0 / 7.5"),
    (6.4, "score", None, None, None, "6.4"),
    (None, "score", None, 10, None, DASH),
]

# (delta, unit, decimals, shown): later figure minus earlier
CHANGES = [
    (1093, "count", 0, "+1,093"),
    (-155, "count", 0, f"{M}155"),
    (0, "count", 0, "0"),
    (0.3, "number", 1, "+0.3"),
    (-2.75, "rate", 2, f"{M}2.75"),
    (1234, "gbp", 0, "+£1,234"),
    (-1234.5, "gbp", 2, f"{M}£1,234.50"),
    (0.2, "gbp", 0, "£0"),
    (2.1, "percent", None, "+2.1 pts"),                 # percentage points, 1 dp (as change_pts)
    (-1.0, "percent", None, f"{M}1.0 pts"),
    (0.04, "percent", None, "0.0 pts"),
    (2.1, "percent", 0, "+2 pts"),
    (-920, "duration", 0, f"{M}15 min 20 s"),          # 951 s -> 31 s
    (2, "duration", 0, "+2 s"),
    (0.4, "duration", 0, "0 s"),
    (-59.6, "duration", 0, f"{M}1 min"),
    (3720, "duration", 0, "+1 h 2 min"),
    (-25, "rank", 0, "up 25 places"),                   # 27th -> 2nd: a lower number is a better place
    (3, "rank", 0, "down 3 places"),
    (-1, "rank", 0, "up 1 place"),
    (1, "rank", 0, "down 1 place"),
    (0, "rank", 0, "no change in place"),
    (0.3, "score", None, "+0.3"),
    (-0.25, "score", 2, f"{M}0.25"),
    (0.04, "score", None, "0.0"),
    (None, "duration", 0, DASH),
    (math.nan, "rank", 0, DASH),
]


@pytest.mark.parametrize(("value", "unit", "decimals", "scale", "of", "shown"), DISPLAY)
def test_display_shows_each_unit_in_its_form(value, unit, decimals, scale, of, shown):
    assert display(value, unit, decimals, scale=scale, of=of) == shown


@pytest.mark.parametrize(("delta", "unit", "decimals", "shown"), CHANGES)
def test_display_change_shows_a_change_in_the_units_form(delta, unit, decimals, shown):
    assert display_change(delta, unit, decimals) == shown


def test_the_tables_list_every_unit():
    units = set(vocabulary.UNITS) | set(NEW_UNITS)
    assert {row[1] for row in DISPLAY} == units
    assert {row[1] for row in CHANGES} == units


@pytest.mark.parametrize(("value", "unit", "decimals", "scale", "of", "shown"),
                         [row for row in DISPLAY if row[1] in vocabulary.UNITS and row[1] not in NEW_UNITS])
def test_measure_is_display_for_the_units_pages_already_show(value, unit, decimals, scale, of, shown):
    assert measure(value, unit, decimals) == shown


def test_change_pts_is_the_percent_change_and_change_pct_unchanged():
    assert change_pts(3.2) == display_change(3.2, "percent") == "+3.2 pts"
    assert change_pts(-0.04) == "0.0 pts"
    assert change_pct(15.8) == "+15.8%"
    assert change_pct(-4.4) == f"{M}4.4%"
    assert change_pct(-0.04) == "0.0%"
    assert change_pct(None) == DASH
