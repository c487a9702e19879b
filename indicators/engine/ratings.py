"""The plan's own rating of each measure (SPEC §3 "Ratings"), and which
measures are bad, need attention or improved.

Each plan says how its measures are judged (`Plan.assessment`):

- ``targets`` (default): the RAG (red / amber / green / no-data; None for
  measures without a numeric target and no assessment);
- ``significance``: the significance of YTD against last YTD
  (improvement / no-significant-change / deterioration; significant-change
  for neutral measures; ``not-tested`` gives no rating);
- ``spc``: the SPC variation of the latest month, with the assurance
  alongside (None when SPC has no reading).

An analyst's assessment overrides the computed rating and is marked manual:
its RAG for ``targets``, its ``rating`` for the other two (a value of another
method's vocabulary is ignored). The computed rating is kept beside it.

Pure: no Django, no database.
"""

from __future__ import annotations

from collections.abc import Sequence

from indicators import vocabulary
from indicators.engine.result import IndicatorResult, Rating

DEFAULT_METHOD = "targets"


def ratings(*, method: Sequence[str], rag: Sequence, rag_source: Sequence, computed_rag: Sequence,
            significance: Sequence[str], variation: Sequence, assurance: Sequence,
            assessment_rating: Sequence, illustrative_comparison: Sequence | None = None,
            illustrative_spc: Sequence | None = None) -> list[Rating]:
    """One `Rating` per row. ``rag``/``rag_source`` are the RAG after any
    assessment (engine.performance), ``computed_rag`` the RAG of the numbers;
    ``significance`` the significance results; ``variation`` and
    ``assurance`` the SPC reading of the latest month; ``assessment_rating``
    an assessment's rating per row ("" or None when there is none).
    ``illustrative_comparison`` and ``illustrative_spc``: per row, whether
    YTD against last YTD, or the SPC series, holds a figure generated for
    the demo; a computed rating from such figures is marked illustrative
    (a manual one is the analyst's, not the figures')."""
    out = []
    no_flags = [False] * len(method)
    ill_cmp = list(illustrative_comparison) if illustrative_comparison is not None else no_flags
    ill_spc = list(illustrative_spc) if illustrative_spc is not None else no_flags
    for k, how in enumerate(method):
        if how == "none":               # SPEC §6: a plan that publishes no verdicts
            out.append(Rating("none", None, False, None))
            continue
        if how == "targets":
            manual = rag_source[k] == "manual"
            out.append(Rating("targets", rag[k], manual, computed_rag[k],
                              illustrative=bool(ill_cmp[k]) and not manual and rag[k] is not None))
            continue
        if how == "significance":
            computed = significance[k] if significance[k] in vocabulary.SIGNIFICANCE_RATINGS else None
            extra = None
        elif how == "spc":
            computed, extra = variation[k], assurance[k]
        else:
            raise ValueError(f"unknown rating method {how!r}; expected one of "
                             f"{', '.join(vocabulary.ASSESSMENT_METHODS)}")
        manual = assessment_rating[k] or None
        if manual is not None and manual in vocabulary.RATING_VALUES[how]:
            out.append(Rating(how, manual, True, computed, extra))
        else:
            generated = ill_spc[k] if how == "spc" else ill_cmp[k]
            out.append(Rating(how, computed, False, computed, extra,
                              illustrative=bool(generated) and computed is not None))
    return out


def rating_of(method: str, result: IndicatorResult, assessment_rating: str | None = None) -> Rating:
    """The rating of one result under ``method`` (e.g. the admin checking
    whether an assessment would override a computed rating)."""
    return ratings(method=[method], rag=[result.rag], rag_source=[result.rag_source],
                   computed_rag=[result.computed_rag], significance=[result.significance.result],
                   variation=[result.spc.variation], assurance=[result.spc.assurance],
                   assessment_rating=[assessment_rating])[0]


def is_bad(result: IndicatorResult) -> bool:
    """SPEC §3: the plan's rating is red or amber; deterioration;
    special-cause-concern or (SPC method) assurance fail."""
    return result.rating.bad


def needs_attention(result: IndicatorResult) -> bool:
    """The measures a "what needs attention" list and the exceptions report
    show: the rating is bad, or the RAG, SPC or significance shown beside
    it is (red or amber; special-cause-concern or assurance fail;
    deterioration). An analyst's assessment decides alone (SPEC §3): a
    manual rating that is not bad keeps the measure out, whatever the
    figures beside it say."""
    if result.rating.manual:
        return result.rating.bad
    return (is_bad(result)
            or result.rag in ("red", "amber")
            or result.significance.result == "deterioration"
            or result.spc.variation == "special-cause-concern"
            or result.spc.assurance == "fail")


def improved(result: IndicatorResult) -> bool:
    """A significant improvement on last year, or an SPC special cause of improvement."""
    return (result.significance.result == "improvement"
            or result.spc.variation == "special-cause-improvement")
