"""What the engine says about one indicator at one period: typed and frozen.

Pages and the report read attributes (``result.spc.ucl``); the API sends
``result.to_api()``, exactly the indicator object of SPEC §4. Each field is
filled in `indicators.engine.performance.evaluate` from the function that
computes it (see docs/architecture.md).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date

from indicators import vocabulary


def build(cls, /, **values):
    """``cls(**values)`` for the frozen dataclasses of this module, given
    every field: the instance's fields are set at once instead of one
    ``object.__setattr__`` each (a frozen dataclass's __init__), which for
    IndicatorResult's 41 fields is 6x faster; `evaluate` builds one per
    indicator. None of these classes has a __post_init__ or defaults that
    compute. Falls back to ``cls(**values)`` (its errors) unless the names
    are exactly the fields."""
    if values.keys() != _FIELDS.get(cls):
        return cls(**values)
    obj = object.__new__(cls)
    obj.__dict__.update(values)
    return obj


@dataclass(frozen=True)
class TargetReading:
    kind: str                      # vocabulary.TARGET_KINDS
    value: float | None            # the YTD target (rag.target_values); None for monitor/baseline/milestone
    wording: str
    tolerance: float               # % either side for amber
    due: date | None

    def to_api(self) -> dict:
        return {"kind": self.kind, "value": self.value, "wording": self.wording}


@dataclass(frozen=True)
class Assessment:
    """An analyst's assessment for the period: ``rag`` overrides the computed
    RAG; ``rating`` (a significance or SPC value) overrides the rating of a
    plan judged by significance or SPC."""
    rag: str | None
    status_text: str
    reason: str
    rating: str | None = None


@dataclass(frozen=True)
class Significance:
    test: str | None               # "binomial" | "two-proportion" | None
    p_value: float | None
    result: str                    # vocabulary.SIGNIFICANCE_RESULTS

    def to_api(self) -> dict:
        return {"test": self.test, "p_value": self.p_value, "result": self.result}


@dataclass(frozen=True)
class Signal:
    month: str                     # "YYYY-MM"
    rules: tuple[str, ...]         # vocabulary.SPC_RULES that mark the point


@dataclass(frozen=True)
class SpcReading:
    mean: float | None
    ucl: float | None
    lcl: float | None
    sigma: float | None
    variation: str | None          # vocabulary.SPC_VARIATIONS, of the latest point
    assurance: str | None          # vocabulary.SPC_ASSURANCES
    signals: tuple[Signal, ...]
    reason: str | None             # why there are no limits, in words
    rule: str | None               # the rule that decided the variation
    direction: str | None          # "high" | "low" | None
    upper_2sigma: float | None
    lower_2sigma: float | None
    points: tuple[tuple[str, float], ...]     # ("YYYY-MM", value) from the baseline's start to the period
    baseline: tuple[str, str]      # first and last month of the baseline

    def to_api(self) -> dict:
        return {"mean": self.mean, "ucl": self.ucl, "lcl": self.lcl, "sigma": self.sigma,
                "variation": self.variation, "assurance": self.assurance,
                "signals": [{"month": s.month, "rules": list(s.rules)} for s in self.signals]}


@dataclass(frozen=True)
class PeerRate:
    force: str
    rate: float


@dataclass(frozen=True)
class MsgComparison:
    """Most Similar Group comparison (engine.msg.msg_comparison)."""
    rate: float
    average: float
    position: int | None
    of: int
    difference_pct: float | None
    peers: tuple[PeerRate, ...]

    def to_api(self) -> dict:
        return {"rate": self.rate, "average": self.average, "position": self.position, "of": self.of,
                "difference_pct": self.difference_pct,
                "peers": [{"force": p.force, "rate": p.rate} for p in self.peers]}


@dataclass(frozen=True)
class Rating:
    """The plan's own rating (SPEC §3 "Ratings"): by targets (the RAG), by
    significance or by SPC; ``manual`` when an assessment decided it, and
    then ``computed`` is what the numbers say (shown beside it; page only).
    ``assurance`` is the SPC assurance for the ``spc`` method (page only)."""
    method: str                    # vocabulary.ASSESSMENT_METHODS
    value: str | None              # vocabulary.RATING_VALUES[method], or None: no rating
    manual: bool
    computed: str | None = None    # engine.ratings: the rating the numbers give
    assurance: str | None = None   # the SPC assurance, for the spc method
    illustrative: bool = False     # computed from a figure generated for the demo (never when manual)

    @property
    def bad(self) -> bool:
        """SPEC §3: red or amber; deterioration; special-cause-concern or
        assurance fail. An analyst's assessment decides it alone: the
        computed assurance stays shown beside a manual rating, but a
        manual rating that is not bad is not made bad by it."""
        if self.manual:
            return self.value in vocabulary.BAD_RATINGS
        return self.value in vocabulary.BAD_RATINGS or (self.method == "spc" and self.assurance == "fail")

    def to_api(self) -> dict:
        return {"method": self.method, "value": self.value, "manual": self.manual}


@dataclass(frozen=True)
class MonthlyFigure:
    month: str                     # "YYYY-MM": the last month of the figure's span
    value: float | None
    numerator: float | None
    denominator: float | None
    status: str
    illustrative: bool = False     # generated for the demo (Observation.illustrative)
    first: str | None = None       # "YYYY-MM": the span's first month (SPEC §6 `from`); None: the month itself
    lower: float | None = None     # a survey figure's published 95% interval (SPEC §6)
    upper: float | None = None

    def to_api(self) -> dict:
        return {"month": self.month, "value": self.value, "numerator": self.numerator,
                "denominator": self.denominator, "status": self.status, "illustrative": self.illustrative,
                "from": self.first or self.month, "lower": self.lower, "upper": self.upper}


@dataclass(frozen=True)
class WindowReading:
    """A window's (or one figure's span's) value: SPEC §6 ``{"from", "to", "value"}``."""
    first: str                     # "YYYY-MM"
    last: str                      # "YYYY-MM"
    label: str                     # windows.span_label: "2024/25", "Q2 2024/25", "rolling year to Nov 2022"
    value: float | None
    reason: str | None = None      # why value is None, in words
    numerator: float | None = None  # the sums a ratio / weighted-mean value rests on
    denominator: float | None = None
    lower: float | None = None     # a single survey figure's 95% interval
    upper: float | None = None

    def to_api(self) -> dict:
        return {"from": self.first, "to": self.last, "value": self.value}

    def span_api(self) -> dict:
        return {"from": self.first, "to": self.last, "label": self.label}


@dataclass(frozen=True)
class CompareReading:
    """The measure's headline comparison (SPEC §6 ``compare``): a pair of
    windows chosen by its basis; significance, RAG and rating refer to it."""
    basis: str                     # vocabulary.COMPARISONS
    current: WindowReading
    previous: WindowReading | None
    change: float | None
    change_pct: float | None
    reason: str | None             # why there is no comparison, in words

    def to_api(self) -> dict:
        return {"basis": self.basis, "current": self.current.to_api(),
                "previous": None if self.previous is None else self.previous.to_api(),
                "change": self.change, "change_pct": self.change_pct, "reason": self.reason}


@dataclass(frozen=True)
class BaselineReading:
    """The current window against the measure's fixed baseline (SPEC §6)."""
    label: str
    first: str | None              # "YYYY-MM"; None for a published value whose months are not held
    last: str | None
    value: float | None
    change: float | None
    change_pct: float | None
    significance: Significance
    reason: str | None = None

    def to_api(self) -> dict:
        return {"label": self.label, "from": self.first, "to": self.last, "value": self.value,
                "change": self.change, "change_pct": self.change_pct,
                "significance": self.significance.to_api()}


@dataclass(frozen=True)
class ReplacesReading:
    """The measure whose definition this one replaces (SPEC §6 Definition changes)."""
    code: str
    first: str | None              # "YYYY-MM": the first month on the new definition
    note: str

    def to_api(self) -> dict:
        return {"code": self.code, "from": self.first, "note": self.note}


@dataclass(frozen=True)
class BenchmarkReading:
    """A benchmark series' value for the measure's current window (SPEC §6 Benchmarks)."""
    force: str                     # slug: england-and-wales, wales, a force
    value: float | None
    difference: float | None       # the measure's value − the benchmark's
    difference_pct: float | None   # 100 · difference / benchmark
    rating: str | None = None      # better | similar | worse by the measure's polarity (None: neutral, no value)

    def to_api(self) -> dict:
        return {"force": self.force, "value": self.value, "difference": self.difference,
                "difference_pct": self.difference_pct}


@dataclass(frozen=True)
class Illustrative:
    """Which of a result's verdicts rest on at least one figure generated
    for the demo (engine.grid.MonthGrid.any_illustrative over each verdict's
    months). Pages, the report and the API say "illustrative" beside each."""
    comparison: bool = False       # YTD against last YTD: change, computed RAG, significance
    rolling: bool = False          # the rolling 12 months against the 12 before
    spc: bool = False              # the SPC series from the baseline's start: limits, variation, assurance
    msg: bool = False              # the Most Similar Group rates (own and peers' rolling 12 months)

    @property
    def any(self) -> bool:
        return self.comparison or self.rolling or self.spc or self.msg


NOT_ILLUSTRATIVE = Illustrative()


@dataclass(frozen=True)
class IndicatorResult:
    id: int
    force: str                     # slug
    indicator: str                 # code
    name: str
    period: str                    # "YYYY-MM"
    financial_year: str
    unit: str
    aggregation: str
    polarity: str
    decimals: int
    headline: bool
    ytd: float | None              # grid.aggregate over periods.ytd_months
    ytd_reason: str | None
    last_ytd: float | None
    last_ytd_reason: str | None
    change: float | None           # ytd − last_ytd
    change_pct: float | None       # 100 · change / last_ytd
    rolling_12: float | None
    rolling_12_reason: str | None
    full_last_year: float | None
    projected_outturn: float | None
    target: TargetReading | None
    rag: str | None                # rag.rag_statuses, or the assessment's
    rag_source: str | None         # "computed" | "manual" | None
    computed_rag: str | None
    assessment: Assessment | None
    significance: Significance
    spc: SpcReading
    msg_comparison: MsgComparison | None
    rating: Rating                 # engine.ratings.ratings: the plan's own rating (SPEC §3 "Ratings")
    monthly: tuple[MonthlyFigure, ...] | None = None
    # Figures for readers (pages and report; not in the SPEC §4 API object):
    change_pts: float | None = None            # percent units: ytd − last_ytd in percentage points
    previous_rolling_12: float | None = None   # the 12 months before the rolling 12 (grid.aggregate)
    previous_rolling_12_reason: str | None = None
    rolling_12_change: float | None = None     # rolling_12 − previous_rolling_12
    rolling_12_change_pct: float | None = None  # 100 · rolling_12_change / previous_rolling_12
    full_year_target: float | None = None      # change: full_last_year · (1 + p/100) (counts half-up); absolute: value
    projected_vs_target: float | None = None   # projected_outturn − full_year_target
    projected_rag: str | None = None           # rag.rag_statuses of the projected outturn against full_year_target
    illustrative: Illustrative = NOT_ILLUSTRATIVE  # the verdicts that rest on a figure generated for the demo
    # SPEC §6 (every measure has them; a 2013-style measure's compare is YTD against last YTD):
    frequency: str = "monthly"                 # vocabulary.FREQUENCIES
    span: WindowReading | None = None          # the span the headline figure is for (compare.current)
    stale: bool = False                        # the span ended more than two of its own periods before the period
    compare: CompareReading | None = None
    baseline: BaselineReading | None = None
    replaces: ReplacesReading | None = None
    benchmarks: tuple[BenchmarkReading, ...] = ()
    display: str | None = None                 # compare.current.value in the unit's form ("2nd of 43", "31 s")
    scale: float | None = None                 # score measures: the top of the scale

    def to_api(self, *, monthly: bool = True) -> dict:
        """The indicator object of SPEC §4 (without "monthly" for the list)."""
        out = {
            "force": self.force, "indicator": self.indicator, "name": self.name,
            "period": self.period, "financial_year": self.financial_year,
            "unit": self.unit, "aggregation": self.aggregation, "polarity": self.polarity,
            "headline": self.headline,
            "ytd": self.ytd, "last_ytd": self.last_ytd, "change": self.change, "change_pct": self.change_pct,
            "ytd_reason": self.ytd_reason,
            "target": None if self.target is None else self.target.to_api(),
            "rag": self.rag, "rag_source": self.rag_source,
            "projected_outturn": self.projected_outturn,
            "significance": self.significance.to_api(),
            "spc": self.spc.to_api(),
            "rolling_12": self.rolling_12,
            "msg": None if self.msg_comparison is None else self.msg_comparison.to_api(),
            "rating": self.rating.to_api(),
            "illustrative": self.illustrative.any,
            "frequency": self.frequency,
            "span": None if self.span is None else self.span.span_api(),
            "stale": self.stale,
            "compare": None if self.compare is None else self.compare.to_api(),
            "baseline": None if self.baseline is None else self.baseline.to_api(),
            "replaces": None if self.replaces is None else self.replaces.to_api(),
            "benchmarks": [b.to_api() for b in self.benchmarks],
            "display": self.display,
        }
        if monthly:
            out["monthly"] = [m.to_api() for m in self.monthly or ()]
        return out


_FIELDS = {cls: frozenset(f.name for f in fields(cls))
           for cls in (SpcReading, IndicatorResult, WindowReading, CompareReading)}
