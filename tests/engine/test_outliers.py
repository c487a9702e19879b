"""SPEC §4 Warnings, the arithmetic: more than 3× or under a third of *both*
reference figures (those that exist and are not zero)."""

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from indicators.engine.outliers import Reference, describe, outlier

PREV = date(2013, 10, 1)
LAST = date(2012, 11, 1)


def refs(previous, last_year):
    out = []
    if previous is not None:
        out.append(Reference("the previous month", PREV, previous))
    if last_year is not None:
        out.append(Reference("the same month last year", LAST, last_year))
    return out


def test_tenfold_typo_is_above_both():
    assert outlier(5120, refs(498, 530)) == "above"


def test_one_reference_inside_the_band_is_no_warning():
    # 1,600 is more than 3x last year's 500 but not 3x the previous month's 600
    assert outlier(1600, refs(600, 500)) is None


def test_bounds_are_strict():
    assert outlier(300, refs(100, 100)) is None          # exactly 3x: no warning
    assert outlier(300.01, refs(100, 100)) == "above"
    assert outlier(100 / 3, refs(100, 100)) is None       # exactly a third
    assert outlier(33, refs(100, 100)) == "below"


def test_zero_and_missing_references_are_left_out():
    assert outlier(50, refs(0, 10)) == "above"            # only last year counts
    assert outlier(50, refs(None, 10)) == "above"
    assert outlier(50, refs(0, None)) is None            # no usable reference
    assert outlier(50, []) is None
    assert outlier(None, refs(10, 10)) is None


def test_a_zero_figure_is_below_nonzero_references():
    assert outlier(0, refs(40, 35)) == "below"


def test_describe_names_the_figures_compared():
    def show(month, value):
        return f"{value:,.0f}" if month is None else f"{month:%b %Y}: {value:,.0f}"
    text = describe(5120, "above", refs(498, 0), show)
    assert text == "5,120 is more than 3× the previous month (Oct 2013: 498)"
    text = describe(10, "below", refs(498, 530), show)
    assert text == ("10 is less than a third of the previous month (Oct 2013: 498) and "
                    "the same month last year (Nov 2012: 530)")


@given(st.floats(0.01, 1e9), st.floats(0.01, 1e9), st.floats(0.01, 1e9))
def test_a_figure_between_its_references_is_never_a_warning(value, a, b):
    lo, hi = min(a, b), max(a, b)
    if lo <= value <= hi:
        assert outlier(value, refs(a, b)) is None


@given(st.floats(0.01, 1e6), st.floats(0.01, 1e6))
def test_scaling_every_figure_keeps_the_verdict(a, b):
    for value in (10 * max(a, b), min(a, b) / 10):
        verdict = outlier(value, refs(a, b))
        assert verdict == outlier(value * 7, refs(a * 7, b * 7)) and verdict is not None
