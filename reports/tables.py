"""The measures table (SPEC §4 columns) and RAG counts, from engine results.

`measures_table` is the one call pages and the report make; the template
`reports/_measures_table.html` draws it, reading each row's
`IndicatorResult` attributes directly (``row.result.ytd``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import astuple, dataclass, field
from datetime import date
from functools import lru_cache

from django.urls import get_script_prefix, reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from indicators import periods
from indicators.engine.result import IndicatorResult
from reports import formatting as fmt

RAG_ORDER = ["green", "amber", "red", "no-data", None]
NOT_RATED_REASONS = {"monitor": gettext_lazy("Monitored: no numeric target"), "baseline": gettext_lazy("Baseline year: no target yet"),
                     "milestone": gettext_lazy("Milestone: rated by assessment")}


def rag_reason(result: IndicatorResult) -> str:
    """Why the RAG is what it is, in words (the badge's hover text)."""
    if result.rag_source == "manual":
        return _("Manual assessment: %(reason)s") % {
            "reason": (result.assessment and result.assessment.reason) or _("set by an analyst")}
    if result.rag == "no-data":
        return fmt.reason_words(result.ytd_reason) or _("No figure yet")
    if result.rag is None:
        return str(NOT_RATED_REASONS.get(result.target.kind if result.target else None, _("No numeric target")))
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
        return {"monitor": _("Monitor"), "baseline": _("Baseline year"), "milestone": _("Milestone")}.get(kind, fmt.DASH)

    @property
    def significance(self) -> str:
        return fmt.SIGNIFICANCE_LABELS[self.result.significance.result]


@dataclass
class MeasuresTable:
    caption: str
    footnote_prefix: str
    rows: list[MeasureRow] = field(default_factory=list)
    footnotes: list[tuple[int, str]] = field(default_factory=list)
    method: str = "targets"        # the plan's rating method: a Rating column unless it is the RAG
    # SPEC §6: drawn with span, latest figure and comparison columns (`current_layout`) instead of
    # YTD / last YTD / change; a table of 2013-style measures keeps its columns, byte for byte.
    current: bool = False
    labels: dict = field(default_factory=dict)     # the plan's rating_labels: SPEC value -> its words

    @property
    def method_label(self) -> str:
        return fmt.RATING_METHOD_LABELS.get(self.method, self.method)


def needs_current_layout(result: IndicatorResult) -> bool:
    """A measure the YTD / last YTD columns cannot show as SPEC §6 says:
    not monthly, compared otherwise than year to date, with a baseline or
    benchmarks, or in a §6 unit (a rank, a duration, a score)."""
    return (result.frequency != "monthly"
            or (result.compare is not None and result.compare.basis != "ytd")
            or result.baseline is not None or bool(result.benchmarks)
            or result.unit in ("duration", "rank", "score"))


def current_layout(rows, method: str) -> bool:
    """The §6 table for ``rows``: when a measure needs it, or the plan
    publishes no verdicts (``assessment: none``: no rating, no RAG column)."""
    return method == "none" or any(needs_current_layout(row.result) for row in rows)


def indicator_url(force_slug: str, code: str, period: date) -> str:
    """The indicator page of ``code`` at ``period``. The URL of a force's
    indicators is reversed once per request and force (a national dashboard
    links 200 measures; each reverse() costs about 50 µs): codes are slugs,
    so the code is put in the path as it is."""
    return (f"{_indicators_path(force_slug, get_script_prefix(), get_language())}{code}/"
            f"?period={periods.format_month(period)}")


@lru_cache(maxsize=1024)
def _indicators_path(force_slug: str, prefix: str, language: str) -> str:
    """Keyed by language too: a Welsh page's links are /cy/… (issue 31)."""
    return reverse("reports:indicator", args=[force_slug, "_"])[:-2]


def measures_table(caption: str, measures, results: dict[int, IndicatorResult], *, force_slug: str,
                   period: date, footnote_prefix: str, anchor_links: bool = False,
                   anchored: set[str] | None = None,
                   method: str = "targets", labels: dict | None = None) -> MeasuresTable:
    """``measures``: PriorityIndicator rows in order; ``results``: engine
    results by indicator id. Identical footnote texts share a number.
    ``anchor_links`` links each measure to its section in the same document
    (the exported report) instead of its page; ``anchored``, when given,
    the codes that have such a section: the others are not linked (no
    dangling anchor). ``labels``: the plan's own
    words for its ratings (Plan.rating_labels)."""
    table = MeasuresTable(caption, footnote_prefix, method=method, labels=dict(labels or {}))
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
            url = _anchor(result.indicator, anchored)
        else:
            url = indicator_url(force_slug, result.indicator, period)
        table.rows.append(MeasureRow(result, url, measure.headline, number))
    table.current = current_layout(table.rows, method)
    return table


def _anchor(code: str, anchored: set[str] | None) -> str:
    """The link to a measure's section in the same document; "" (no link)
    when ``anchored`` is given and the measure has no section."""
    return f"#m-{code}" if anchored is None or code in anchored else ""


def _once(results) -> list:
    """Each measure once, though a plan lists it under two priorities (SPEC §6 Plan shape)."""
    return list({r.id: r for r in results}.values())


def rag_counts(results) -> list[dict]:
    counts = Counter(r.rag for r in _once(results))
    return [{"rag": rag or "none", "key": rag, "label": fmt.RAG_LABELS[rag], "shape": fmt.RAG_SHAPES[rag],
             "count": counts.get(rag, 0)} for rag in RAG_ORDER]


# --- The plan's own rating: summary counts, filters, and what needs attention ---------------------

SHOW_ATTENTION = "attention"
NOT_RATED = "none"                    # the ?rating= value of measures without a rating


def rating_value_key(result: IndicatorResult) -> str:
    return result.rating.value or NOT_RATED


def rating_counts(results, method: str, *, link: str | None = None, labels: dict | None = None) -> list[dict]:
    """The plan's rating counts, in its own words and order (SPEC §3 Ratings):
    each {key, label, shape, tone, count, url}; ``link`` (the page's query
    string without a filter, e.g. "?period=2014-06") makes each count a link
    that filters the measures (``&rating=KEY``). Counts of zero are kept for
    the method's own values, so the key is the same every month. ``labels``:
    the plan's own words for its ratings (Plan.rating_labels). A plan that
    publishes no verdicts (``none``) has no rating counts (SPEC §6)."""
    if method == "none":
        return []
    labels = labels or {}
    results = _once(results)
    counts = Counter(rating_value_key(r) for r in results)
    values = fmt.RATING_VALUES.get(method, fmt.RATING_VALUES["targets"])
    out = []
    for value, (label, shape, tone) in values.items():
        key = value or NOT_RATED
        if value == "significant-change" and not counts.get(key):
            continue                  # only neutral measures have it; no empty slot for it
        out.append({"key": key, "rag": key, "label": labels.get(value, label), "shape": shape, "tone": tone,
                    "count": counts.get(key, 0), "bad": tone == "bad",
                    "url": f"{link}&rating={key}" if link is not None and counts.get(key) else None})
    return out


def filter_param(request_get, method: str) -> tuple[str | None, str | None]:
    """(show, rating) from ``?show=attention`` or ``?rating=VALUE``; ValueError
    in words for anything else, so a bad link answers 400, not every measure."""
    show, rating = request_get.get("show") or None, request_get.get("rating") or None
    if show is not None and show != SHOW_ATTENTION:
        raise ValueError(f"show must be {SHOW_ATTENTION!r} (got {show!r})")
    values = [v or NOT_RATED for v in fmt.RATING_VALUES.get(method, fmt.RATING_VALUES["targets"])]
    if rating is not None and rating not in values:
        raise ValueError(f"rating must be one of {', '.join(values)} (got {rating!r})")
    if show and rating:
        raise ValueError("give show or rating, not both")
    return show, rating


def keep(result: IndicatorResult, show: str | None, rating: str | None) -> bool:
    from indicators.engine.ratings import needs_attention

    if show == SHOW_ATTENTION:
        return needs_attention(result)
    if rating is not None:
        return rating_value_key(result) == rating
    return True


def filtered(table: MeasuresTable, show: str | None, rating: str | None) -> MeasuresTable:
    """The table with only the rows the filter keeps (footnotes kept for them)."""
    if show is None and rating is None:
        return table
    rows = [row for row in table.rows if keep(row.result, show, rating)]
    used = {row.footnote for row in rows}
    return MeasuresTable(table.caption, table.footnote_prefix, rows,
                         [(n, text) for n, text in table.footnotes if n in used], table.method,
                         table.current, table.labels)


def _change_words(result: IndicatorResult) -> str:
    """"up 15.8% on last year"; for a percentage, the two figures."""
    if result.ytd is None or result.last_ytd is None:
        return ""
    if result.unit == "percent":
        ytd, last = (fmt.measure(v, result.unit, result.decimals) for v in (result.ytd, result.last_ytd))
        return _("%(ytd)s against %(last)s last year") % {"ytd": ytd, "last": last}
    if result.change_pct is None:
        return ""
    size = fmt.number(abs(result.change_pct), 1)
    if size == "0.0":
        return _("no change on last year")
    if result.change_pct > 0:
        return _("up %(size)s%% on last year") % {"size": size}
    return _("down %(size)s%% on last year") % {"size": size}


def _spc_words(result: IndicatorResult) -> str:
    """What SPC found in the latest month, naming the month: "an unusual
    fall in June 2013 (special cause of improvement)"."""
    meaning = {"special-cause-concern": _("special cause of concern"),
               "special-cause-improvement": _("special cause of improvement")}.get(
        result.spc.variation, _("neither better nor worse"))
    when = _("the latest month")
    if result.spc.points:
        when = fmt.month_label(periods.parse_month(result.spc.points[-1][0]))
    words = {"high": _("an unusual rise in %(when)s (%(meaning)s)"),
             "low": _("an unusual fall in %(when)s (%(meaning)s)")}.get(
        result.spc.direction or "", _("an unusual change in %(when)s (%(meaning)s)"))
    return words % {"when": when, "meaning": meaning}


def _significance_words(result: IndicatorResult) -> str:
    """The test and its p-value: "binomial test, p = 0.0064"."""
    sig = result.significance
    if sig.test is None or sig.p_value is None:
        return ""
    p = "p < 0.0001" if sig.p_value < 0.0001 else f"p = {sig.p_value:.4f}"
    test = {"binomial": _("binomial test"), "two-proportion": _("two-proportion test")}.get(
        sig.test, _("%(test)s test") % {"test": sig.test})
    return f"{test}, {p}"


def _analyst_words(result: IndicatorResult, label: str) -> str:
    """"rated amber by an analyst: <their reason>"."""
    reason = (result.assessment.reason or result.assessment.status_text) if result.assessment else ""
    reason = reason.strip().rstrip(".")
    text = _("rated %(label)s by an analyst") % {"label": label}
    return text + (f": {reason}" if reason else "")


@dataclass(frozen=True)
class Why:
    """Why a measure is in a list, in words, and whether any verdict the
    words give rests on a figure generated for the demo."""
    text: str
    illustrative: bool


def why(result: IndicatorResult, *, improved: bool = False) -> str:
    """One line saying, in words, why a measure is in a "what needs attention"
    (or "what improved") list: "up 15.8% on last year, a significant
    deterioration"."""
    return explain(result, improved=improved).text


def explain(result: IndicatorResult, *, improved: bool = False) -> Why:
    """`why`, with whether the verdicts it names are illustrative.

    An improvement names the test that found it and never contradicts its own
    figure: a significance test's improvement is the year-to-date change with
    its test and p-value; an SPC one is the unusual month, and the year to
    date follows as what it is ("up 1.3% on last year, not a significant
    change"), never as part of the improvement."""
    parts, illustrative = [], []
    ill = result.illustrative
    if improved:
        change = _change_words(result)
        if result.significance.result == "improvement":
            test = _significance_words(result)
            parts.append(_("significance: %(change)s, a significant improvement") % {"change": change}
                         + (f" ({test})" if test else ""))
            illustrative.append(ill.comparison)
        if result.spc.variation == "special-cause-improvement":
            parts.append(_("SPC: %(words)s") % {"words": _spc_words(result)})
            illustrative.append(ill.spc)
            if result.significance.result != "improvement" and change:
                context = {"no-significant-change": _("not a significant change"),
                           "deterioration": _("a significant deterioration"),
                           "significant-change": _("a significant change")}.get(result.significance.result,
                                                                               _("not tested for significance"))
                parts.append(_("the year to date is %(change)s, %(context)s") % {"change": change, "context": context})
        return Why("; ".join(p for p in parts if p), any(illustrative))
    parts.append(_change_words(result))
    rating, method = result.rating, result.rating.method
    analyst_said = False
    if rating.manual and rating.bad:
        parts.append(_analyst_words(result, str(fmt.rating_value_label(method, rating.value)).lower()))
        analyst_said = method == "targets"
    if result.rag in ("red", "amber") and not analyst_said:
        if result.rag_source == "manual":
            # An analyst's RAG: there may be no numeric target to miss at all.
            parts.append(_analyst_words(result, str(fmt.RAG_LABELS.get(result.rag, result.rag)).lower()))
        else:
            if result.target and result.target.value is not None:
                value = fmt.measure(result.target.value, result.unit, result.decimals)
                parts.append((_("red: misses its target of %(value)s") if result.rag == "red"
                              else _("amber: just misses its target of %(value)s")) % {"value": value})
            else:
                parts.append(_("red: misses its target") if result.rag == "red" else _("amber: just misses its target"))
            illustrative.append(ill.comparison)
    if not rating.manual and rating.bad:
        illustrative.append(rating.illustrative)
    if result.significance.result == "deterioration":
        parts.append(_("a significant deterioration"))
        illustrative.append(ill.comparison)
    if result.spc.variation == "special-cause-concern":
        parts.append(_spc_words(result))
        illustrative.append(ill.spc)
    if result.spc.assurance == "fail":
        parts.append(_("consistently misses its target (SPC assurance: fail)"))
        illustrative.append(ill.spc)
    return Why(", ".join(p for p in parts if p), any(illustrative))


@dataclass(frozen=True)
class AttentionItem:
    result: IndicatorResult
    url: str
    why: str
    illustrative: bool = False     # a verdict it names rests on a figure generated for the demo


def attention(results, *, force_slug: str, period: date, anchor_links: bool = False,
              anchored: set[str] | None = None) -> tuple[list[AttentionItem], list[AttentionItem]]:
    """(what needs attention, what improved significantly), in the order
    given (the plan's), each measure once; a measure that needs attention is
    not also listed as improved."""
    from indicators.engine.ratings import improved, needs_attention

    bad, good, seen = [], [], set()
    for result in results:
        if result.id in seen:
            continue
        seen.add(result.id)
        url = _anchor(result.indicator, anchored) if anchor_links else indicator_url(force_slug, result.indicator, period)
        if needs_attention(result):
            bad.append(AttentionItem(result, url, *astuple(explain(result))))
        elif improved(result):
            good.append(AttentionItem(result, url, *astuple(explain(result, improved=True))))
    return bad, good


def key_context(method: str, *, exceptions_only: bool = False, present=None, open: bool = False,
                labels: dict | None = None, current: bool = False) -> dict:
    """What the "how to read" key says about the plan's own rating; in an
    exceptions report only the values its measures have (``present``).
    ``open``: the key starts unfolded (the panel report, read on paper).
    ``labels``: the plan's words for its ratings; ``current``: the page has
    a SPEC §6 table (latest figure, compared with, baseline, stale)."""
    labels = labels or {}
    values = fmt.RATING_VALUES.get(method, fmt.RATING_VALUES["targets"])
    entries = [{"key": value or NOT_RATED, "label": labels.get(value, label), "shape": shape, "tone": tone,
                "meaning": fmt.rating_meaning(method, value)}
               for value, (label, shape, tone) in values.items()
               if value is not None and (present is None or value in present)]
    return {"method": method, "method_label": fmt.RATING_METHOD_LABELS.get(method, method),
            "key_words": fmt.RATING_WORDS.get(method, fmt.RATING_WORDS["targets"])["key"],
            "method_meaning": ((fmt.RATING_METHOD_MEANINGS_CURRENT if current else {}).get(method)
                               or fmt.RATING_METHOD_MEANINGS.get(method, "")), "entries": entries,
            "exceptions_only": exceptions_only, "open": open, "current": current,
            "rag_labels": {rag: labels.get(rag, fmt.RAG_LABELS[rag]) for rag in ("green", "amber", "red")}}


def mdc_rows(results, *, force_slug: str, period: date, anchors: set[str] | None = None) -> list[dict]:
    """The icon summary (as PowerBI-SPC's summary table): each measure with an
    SPC reading once, in the plan's order, with its latest month and value.
    ``anchors``: in the exported report, the measures with a section of their
    own in the document (``#m-<code>``); the others are named without a link,
    as the file links to nothing outside itself."""
    rows, seen = [], set()
    for result in results:
        if result.id in seen or result.spc.variation is None or not result.spc.points:
            continue
        seen.add(result.id)
        month, value = result.spc.points[-1]
        if anchors is None:
            url = indicator_url(force_slug, result.indicator, period)
        else:
            url = f"#m-{result.indicator}" if result.indicator in anchors else ""
        rows.append({"result": result, "month": fmt.month_label(periods.parse_month(month)), "value": value,
                     "url": url})
    return rows
