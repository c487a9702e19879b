"""The words a page shows for each rating method (reports/formatting.py)."""

from indicators import vocabulary
from indicators.engine.result import Rating
from reports.formatting import RATING_WORDS, rating_label


def test_every_rating_value_has_words():
    for method, values in vocabulary.RATING_VALUES.items():
        assert set(values) | {None} <= set(RATING_WORDS[method]["values"]), method
    assert RATING_WORDS["significance"]["key"] == (
        "Continuous improvement: statistically significant improvement / no significant change / "
        "significant deterioration")


def test_a_manual_rating_shows_what_the_figures_say_beside_it():
    assert rating_label(Rating("significance", "improvement", False, "improvement")) == (
        "Statistically significant improvement")
    assert rating_label(Rating("significance", "deterioration", True, "no-significant-change")) == (
        "Significant deterioration (manual; the figures say: No significant change)")
    assert rating_label(Rating("spc", None, False, None)) == "Not rated (not enough data for SPC)"
    assert rating_label(Rating("targets", "amber", True, "green")) == (
        "Amber: just off track (manual; the figures say: Green: on track)")
