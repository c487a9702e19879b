"""The measures table (SPEC §4 columns) and RAG counts, from engine results.

`measures_table` is the one call pages and the report make; the template
`reports/_measures_table.html` draws it, reading each row's
`IndicatorResult` attributes directly (``row.result.ytd``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.urls import reverse

from indicators import periods
from indicators.engine.result import IndicatorResult
from reports import formatting as fmt

RAG_ORDER = ["green", "amber", "red", "no-data", None]
NOT_RATED_REASONS = {"monitor": "Monitored: no numeric target", "baseline": "Baseline year: no target yet",
                     "milestone": "Milestone: rated by assessment"}


def rag_reason(result: IndicatorResult) -> str:
    """Why the RAG is what it is, in words (the badge's hover text)."""
    if result.rag_source == "manual":
        return f"Manual assessment: {(result.assessment and result.assessment.reason) or 'set by an analyst'}"
    if result.rag == "no-data":
        return result.ytd_reason or "No figure yet"
    if result.rag is None:
        return NOT_RATED_REASONS.get(result.target.kind if result.target else None, "No numeric target")
    return fmt.RAG_MEANINGS[result.rag]


@dataclass(frozen=True)
class MeasureRow:
    result: IndicatorResult
    url: str
    headline: bool
    footnote: int | None

    @property
    def rag_reason(self) -> str:
        return rag_reason(self.result)

    @property
    def variation(self) -> str:
        return fmt.variation_label(self.result.spc)

    @property
    def variation_class(self) -> str:
        return fmt.variation_class(self.result.spc.variation)

    @property
    def target_label(self) -> str:
        """What the YTD-target cell says for a measure without a numeric target."""
        kind = self.result.target.kind if self.result.target else None
        return {"monitor": "Monitor", "baseline": "Baseline year", "milestone": "Milestone"}.get(kind, fmt.DASH)

    @property
    def significance(self) -> str:
        return fmt.SIGNIFICANCE_LABELS[self.result.significance.result]


@dataclass
class MeasuresTable:
    caption: str
    footnote_prefix: str
    rows: list[MeasureRow] = field(default_factory=list)
    footnotes: list[tuple[int, str]] = field(default_factory=list)


def measures_table(caption: str, measures, results: dict[int, IndicatorResult], *, force_slug: str,
                   period: date, footnote_prefix: str, anchor_links: bool = False) -> MeasuresTable:
    """``measures``: PriorityIndicator rows in order; ``results``: engine
    results by indicator id. Identical footnote texts share a number.
    ``anchor_links`` links each measure to its section in the same document
    (the exported report) instead of its page."""
    table = MeasuresTable(caption, footnote_prefix)
    numbers: dict[str, int] = {}
    for measure in measures:
        result = results.get(measure.indicator_id)
        if result is None:
            continue
        number = None
        if measure.footnote:
            if measure.footnote not in numbers:
                numbers[measure.footnote] = len(numbers) + 1
                table.footnotes.append((numbers[measure.footnote], measure.footnote))
            number = numbers[measure.footnote]
        if anchor_links:
            url = f"#m-{result.indicator}"
        else:
            url = (reverse("reports:indicator", args=[force_slug, result.indicator])
                   + f"?period={periods.format_month(period)}")
        table.rows.append(MeasureRow(result, url, measure.headline, number))
    return table


def rag_counts(results) -> list[dict]:
    counts = Counter(r.rag for r in results)
    return [{"rag": rag or "none", "key": rag, "label": fmt.RAG_LABELS[rag], "shape": fmt.RAG_SHAPES[rag],
             "count": counts.get(rag, 0)} for rag in RAG_ORDER]
