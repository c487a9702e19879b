"""Why a figure, comparison or SPC verdict is missing, as the engine words
it, on a Welsh page (issue 31): each reason below is made by the engine
itself, not typed here, so a reason whose wording changes, or a new one,
fails until reports/formatting.py knows it. English pages show the engine's
words as they are; the API keeps them in English."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from django.utils import translation

from indicators.engine import spans, spc
from indicators.engine.windows import Window, guard
from reports.formatting import _REASON_WORDINGS, reason_words
from tests.welsh_catalogue import catalogue, english_shown

M = date


def _flat(point_values):
    return spc.spc_series(point_values, polarity="down").reason


def engine_reasons() -> dict[str, str]:
    """name -> the engine's reason, from the engine's own functions."""
    flat = [5.0] * 14
    jumps = [5.0] * 6 + [500.0] + [5.0] * 7            # screening drops the two large moving ranges
    fy = Window(M(2024, 4, 1), M(2025, 3, 1))
    q1 = Window(M(2024, 4, 1), M(2024, 6, 1))
    monthly = [spans.Figure(M(2024, 4, 1), M(2024, 4, 1), 10.0)]
    quarters = [spans.Figure(M(2024, 1, 1), M(2024, 3, 1), 10.0), spans.Figure(M(2024, 3, 1), M(2024, 5, 1), 12.0)]
    gone = [spans.Figure(M(2024, 4, 1), M(2024, 4, 1), None, status="unavailable", note="System migration")]
    reasons = {
        "not enough (months)": spc.not_enough_reason(3),
        "not enough since rebase": spc.not_enough_reason(5, since_rebase=True),
        "not enough (figures)": spc.spc_series([1.0, 2.0, 3.0], polarity="up").reason,
        "flat (figures)": _flat(flat),
        "screening (figures)": _flat(jumps),
        "flat (months)": spc.spc(np.arange(14), flat, baseline=(0, 13), polarity="down").reason,
        "screening (months)": spc.spc(np.arange(14), jumps, baseline=(0, 13), polarity="down").reason,
        "no consecutive months": spc.spc(np.arange(0, 28, 2), np.arange(14.0), baseline=(0, 27),
                                         polarity="down").reason,
        "not yet available (and more)": spans.window_value(monthly, fy, "sum").reason,
        "unavailable with a note": spans.window_value(gone, Window(M(2024, 4, 1), M(2024, 4, 1)), "sum").reason,
        "no data for": spans.window_value([], q1, "mean").reason,
        "has no figure": spans.window_value([spans.Figure(M(2024, 4, 1), M(2024, 4, 1), None)],
                                            Window(M(2024, 4, 1), M(2024, 4, 1)), "sum").reason,
        "partly outside": spans.window_value([spans.Figure(M(2024, 3, 1), M(2024, 5, 1), 3.0)], q1, "sum").reason,
        "overlap": spans.window_value(quarters, Window(M(2024, 1, 1), M(2024, 6, 1)), "sum").reason,
        "no one figure covers": spans.window_value(monthly, fy, "latest", covers=3).reason,
        "span not yet available": spans.window_value(monthly, q1, "latest", covers=3).reason,
        "denominator": spans.window_value([spans.Figure(M(2024, 4, 1), M(2024, 4, 1), None, 0.0, 0.0)],
                                          Window(M(2024, 4, 1), M(2024, 4, 1)), "ratio").reason,
        "guard spans": guard(fy, Window(M(2023, 4, 1), M(2024, 3, 1)), [M(2024, 7, 1)])[2],
        "guard before": guard(fy, Window(M(2023, 4, 1), M(2024, 3, 1)), [M(2024, 4, 1)])[2],
    }
    missing = [name for name, reason in reasons.items() if not reason]
    assert not missing, f"the engine gave no reason for {missing}: the example no longer makes one"
    return reasons


def test_every_reason_the_engine_gives_is_welsh_on_a_welsh_page_and_unchanged_in_english():
    entries = catalogue()
    for name, reason in engine_reasons().items():
        assert reason_words(reason) == reason, name
        with translation.override("cy"):
            welsh = reason_words(reason)
        assert welsh != reason, f"{name}: {reason!r} has no Welsh"
        assert english_shown(welsh.replace("System migration", ""), entries) == [], (name, welsh)


def test_the_reasons_keep_their_numbers_months_notes_and_full_stops():
    with translation.override("cy"):
        assert reason_words(spc.not_enough_reason(3)) == "dim digon o ddata ar gyfer SPC (3 o'r 12 mis sydd eu hangen)"
        assert reason_words(spc.not_enough_reason(5, point="figure")) == (
            "dim digon o ddata ar gyfer SPC (5 o'r 12 ffigur sydd eu hangen)")
        assert reason_words("May 2013 unavailable: System migration (and 2 more months)") == (
            "Mai 2013 ddim ar gael: System migration (a 2 mis arall)")
        assert reason_words("No comparison across the change of April 2024: rolling year to Mar 2025 spans it") == (
            "Dim cymhariaeth ar draws newid Ebrill 2024: mae blwyddyn dreigl hyd at Maw 2025 yn ei rychwantu")
        flat = "The baseline is flat (every month the same), so there are no limits"
        assert reason_words(flat + ".") == "Mae'r llinell sylfaen yn wastad (pob mis yr un fath), felly nid oes terfynau."
        # a badge's hover text drops the full stop, and the Welsh does too
        assert reason_words(flat) == "Mae'r llinell sylfaen yn wastad (pob mis yr un fath), felly nid oes terfynau"
        assert reason_words("An annual measure: its figures are compared span by span (previous), not added up as "
                            "months of a year to date") == (
            "Mesur blynyddol: cymherir ei ffigurau gyfnod wrth gyfnod (yr un cyfnod flwyddyn yn gynharach), nid eu "
            "hadio fel misoedd blwyddyn hyd yma")
        # an analyst's words are theirs, not pccperf's: left as written
        assert reason_words("Recount after audit") == "Recount after audit"


@pytest.mark.parametrize("wording", [w for w, _ in _REASON_WORDINGS])
def test_every_reason_wording_has_its_welsh_in_the_catalogue(wording):
    assert catalogue().get(wording, wording) != wording
