"""Numbers and words for readers: UK formatting, a real minus sign, and plain
English for RAG, SPC and significance. Display only; the engine and the API
keep full precision."""

from __future__ import annotations

import html as htmllib
import re

import markdown
import nh3
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, gettext_lazy, gettext_noop, ngettext
from django.utils.translation import gettext as _

from indicators.plans.bilingual import English

MINUS = "\u2212"
DASH = "\u2014"

RAG_LABELS = {"green": gettext_lazy("Green"), "amber": gettext_lazy("Amber"), "red": gettext_lazy("Red"),
              "no-data": gettext_lazy("No data"),
              None: gettext_lazy("Not rated")}
RAG_SHAPES = {"green": "\u25cf", "amber": "\u25b2", "red": "\u25a0", "no-data": "\u25cb", None: "\u2013"}
RAG_MEANINGS = {
    "green": gettext_lazy("on track: meets or beats the target"),
    "amber": gettext_lazy("just off track: misses the target by no more than the tolerance"),
    "red": gettext_lazy("off track: misses the target by more than the tolerance"),
    "no-data": gettext_lazy("there is a target but no figure yet"),
    None: gettext_lazy("no numeric target to rate against"),
}

SIGNIFICANCE_LABELS = {
    "improvement": gettext_lazy("Significant improvement"),
    "deterioration": gettext_lazy("Significant deterioration"),
    "significant-change": gettext_lazy("Significant change"),
    "no-significant-change": gettext_lazy("No significant change"),
    "not-tested": gettext_lazy("Not tested"),
}

ASSURANCE_LABELS = {
    "pass": gettext_lazy("Consistently meets the target"),
    "fail": gettext_lazy("Consistently misses the target"),
    "hit-and-miss": gettext_lazy("Sometimes meets the target, sometimes not"),
    None: "",
}

# How each rating method reads (SPEC §3 "Ratings"): the key a page shows
# ("how this plan judges its measures") and the words for each value.
RATING_WORDS = {
    "targets": {
        "key": gettext_lazy("Against targets: green on track / amber just off track / red off track"),
        "values": {"green": gettext_lazy("Green: on track"), "amber": gettext_lazy("Amber: just off track"),
                   "red": gettext_lazy("Red: off track"),
                   "no-data": gettext_lazy("No data yet"), None: gettext_lazy("Not rated")},
    },
    "significance": {
        "key": gettext_lazy("Continuous improvement: statistically significant improvement / no significant change / "
                "significant deterioration"),
        "values": {"improvement": gettext_lazy("Statistically significant improvement"),
                   "no-significant-change": gettext_lazy("No significant change"),
                   "deterioration": gettext_lazy("Significant deterioration"),
                   "significant-change": gettext_lazy("Significant change"),
                   None: gettext_lazy("Not rated (no test for this measure)")},
    },
    "spc": {
        "key": gettext_lazy("Statistical process control: special cause improvement / common cause (normal variation) / "
                "special cause concern"),
        "values": {"special-cause-improvement": gettext_lazy("Special cause: improvement"),
                   "common-cause": gettext_lazy("Common cause: normal variation"),
                   "special-cause-concern": gettext_lazy("Special cause: concern"),
                   "special-cause-neither": gettext_lazy("Special cause: unusual change"),
                   None: gettext_lazy("Not rated (not enough data for SPC)")},
    },
    # SPEC §6: a plan that publishes no verdicts has no ratings to name
    "none": {"key": gettext_lazy("No ratings: the plan publishes comparisons without verdicts"), "values": {None: ""}},
    "benchmark": {
        "key": gettext_lazy("Against a benchmark: better / similar (within the tolerance) / worse"),
        "values": {"better": gettext_lazy("Better than the benchmark"), "similar": gettext_lazy("Similar to the benchmark"),
                   "worse": gettext_lazy("Worse than the benchmark"), None: gettext_lazy("Not rated (no benchmark figure)")},
    },
}


def rating_label(rating) -> str:
    """The words for a rating (`engine.result.Rating`): "Significant
    deterioration (manual; computed: No significant change)"."""
    words = RATING_WORDS[rating.method]["values"]
    text = words.get(rating.value, rating.value or words[None])
    if rating.manual:
        computed = words.get(rating.computed, rating.computed or words[None])
        text = str(text) + _(" (manual; the figures say: %(computed)s)") % {"computed": computed}
    return text


# The vocabulary's words as a page prints them (indicators/vocabulary.py stays Django-free and English)
OBSERVATION_STATUS_LABELS = {"final": gettext_lazy("Final"), "provisional": gettext_lazy("Provisional"),
                             "unavailable": gettext_lazy("Unavailable")}
TARGET_KIND_LABELS = {"change": gettext_lazy("Change on last year (%)"), "absolute": gettext_lazy("Absolute value"),
                      "monitor": gettext_lazy("Monitor (no numeric target)"), "baseline": gettext_lazy("Baseline year"),
                      "milestone": gettext_lazy("Milestone (deliverable)")}
POLARITY_LABELS = {"up": gettext_lazy("Higher is better"), "down": gettext_lazy("Lower is better"),
                   "neutral": gettext_lazy("Neither")}
SIGNIFICANCE_TESTS = {"binomial": gettext_lazy("binomial test"), "two-proportion": gettext_lazy("two-proportion test")}


def significance_test(test) -> str:
    """The name of a significance test: "binomial test"."""
    return str(SIGNIFICANCE_TESTS.get(test, f"{test} test"))


RULE_LABELS = {
    "outside-limits": gettext_lazy("a point outside the control limits"),
    "trend": gettext_lazy("seven points in a row rising or falling"),
    "two-of-three": gettext_lazy("two of three points close to a limit"),
    "run": gettext_lazy("seven or more points in a row on one side of the average"),
}


from indicators.numbers import (  # noqa: E402,F401  (one place for every unit; re-exported for pages)
    UNIT_DEFAULT_DECIMALS,
    _decimals,
    _duration,
    _half_up,
    _scale,
    _signed,
    change_pct,
    is_missing,
    number,
    ordinal,
)


def month_label(month) -> str:
    """A month as readers read it: "June 2014"; on a Welsh page "Mehefin 2014"
    (Django's Welsh month names)."""
    from django.utils.dateformat import format as date_format
    from django.utils.translation import get_language

    from indicators import periods

    if get_language() == "cy":
        return date_format(month, "F Y")
    return periods.month_label(month)


# Django's Welsh catalogue spells July "Gorffenaf"; the Welsh Language Commissioner's and Welsh Government's
# spelling is "Gorffennaf" (this catalogue's entry overrides Django's: LOCALE_PATHS come first).
_MONTH_WORDS = (gettext_noop("July"),)


def quarter_label(period) -> str:
    """The financial quarter of a period, "2024/25 Q1"; in Welsh "2024/25 Ch1" (chwarter)."""
    from django.utils.translation import get_language

    from indicators import periods

    label = periods.quarter(period)
    return label.replace(" Q", " Ch") if get_language() == "cy" else label


def quarter_reach(period) -> str:
    """How far into its quarter a period reaches: "to the end of 2013/14 Q1"
    for June, "into 2013/14 Q1" for May (not its end); in the page's language."""
    from django.utils.translation import gettext

    words = gettext("to the end of %(quarter)s") if period.month in (3, 6, 9, 12) else gettext("into %(quarter)s")
    return words % {"quarter": quarter_label(period)}


# Welsh months shortened as Welsh public bodies shorten them (Ion, Chwef, …): chart axes and spans
WELSH_SHORT_MONTHS = ["Ion", "Chwef", "Maw", "Ebr", "Mai", "Meh", "Gorff", "Awst", "Medi", "Hyd", "Tach", "Rhag"]


def short_month_name(month_number: int) -> str:
    """A month's short name (1 = January): "Jun"; on a Welsh page "Meh"."""
    from django.utils.translation import get_language

    from indicators import periods

    if get_language() == "cy":
        return WELSH_SHORT_MONTHS[month_number - 1]
    return periods.MONTH_NAMES[month_number - 1][:3]


def measure(value, unit: str, decimals: int = 0) -> str:
    """A figure in its unit: 15,015 · 74.2% · £3.24 · 0.88. The pages', the
    report's and the charts' name for `display` (one place for every unit)."""
    return display(value, unit, decimals)


def change_pts(value) -> str:
    """A change of a percentage in percentage points: +3.2 pts / −1.0 pts / 0.0 pts."""
    return display_change(value, "percent", 1)


def change(result) -> str:
    """The change on last year as a reader compares it: a percentage measure
    in percentage points with the relative change beside it ("+3.2 pts
    (+4.0%)"), any other measure as a relative change ("−4.8%")."""
    if result.unit == "percent" and not is_missing(result.change_pts):
        relative = "" if is_missing(result.change_pct) else f" ({change_pct(result.change_pct)})"
        return points_words(change_pts(result.change_pts)) + relative
    return change_pct(result.change_pct)


def points_words(text: str) -> str:
    """"+3.2 pts" (percentage points, indicators.numbers); on a Welsh page "+3.2 pwynt"."""
    from django.utils.translation import get_language

    return text.replace(" pts", " " + gettext("pts")) if get_language() == "cy" else text


def variation_label(spc) -> str:
    """Plain words for an SPC reading (`engine.result.SpcReading`): "Getting worse — unusual rise"."""
    if spc.variation is None:
        return _("Not enough data")
    if spc.variation == "common-cause":
        return _("Normal variation")
    direction = spc.direction or ""
    if spc.variation == "special-cause-improvement":
        return {"high": _("Getting better — unusual rise"), "low": _("Getting better — unusual fall")}.get(
            direction, _("Getting better — unusual change"))
    if spc.variation == "special-cause-concern":
        return {"high": _("Getting worse — unusual rise"), "low": _("Getting worse — unusual fall")}.get(
            direction, _("Getting worse — unusual change"))
    return {"high": _("Unusual change — rise"), "low": _("Unusual change — fall")}.get(
        direction, _("Unusual change — change"))


def variation_class(variation: str | None) -> str:
    return {
        "special-cause-improvement": "spc-improvement",
        "special-cause-concern": "spc-concern",
        "special-cause-neither": "spc-neither",
    }.get(variation or "", "spc-common")


# nh3's output quotes every attribute with double quotes and escapes any
# inside, so an <img> element is exactly this.
_IMG = re.compile(r'<img(?:\s+[\w:-]+="[^"]*")*\s*/?>')
_ALT = re.compile(r'\salt="([^"]*)"')


def _image_as_text(match: re.Match) -> str:
    alt = _ALT.search(match.group(0))
    text = htmllib.unescape(alt.group(1)).strip() if alt else ""
    if text:
        return "[" + htmllib.escape(_("image not shown: %(alt)s") % {"alt": text}) + "]"
    return "[" + _("image not shown") + "]"


def render_markdown(text: str) -> str:
    """Analysts' markdown as safe HTML: rendered, then sanitised with nh3
    (no scripts, event attributes, styles or javascript: links survive).
    Images are not shown, only their alt text: an image from another
    address would be fetched when the page or the self-contained report is
    opened, telling that host who reads it and when (SPEC §4 Panel report).
    Blank text is blank HTML, as markdown renders it, without building a
    Markdown parser (about half a millisecond on every dashboard without a
    summary)."""
    if not (text or "").strip():
        return mark_safe("")
    html = markdown.markdown(text or "", extensions=["extra", "sane_lists"])
    html = _IMG.sub(_image_as_text, nh3.clean(html, link_rel="noopener noreferrer"))
    # nothing else nh3 lets through fetches; drop any <img> the pattern missed
    html = nh3.clean(html, tags=nh3.ALLOWED_TAGS - {"img"}, link_rel="noopener noreferrer")
    if isinstance(text, English):
        # a Welsh page showing writing that has no Welsh: said in English (issue 31)
        html = f'<div lang="en">{html}</div>'
    return mark_safe(html)


# --- Ratings (SPEC §3): each plan's own method, its words and its key ------------------------------

RATING_METHOD_LABELS = {
    "targets": gettext_lazy("Against targets"),
    "significance": gettext_lazy("Continuous improvement"),
    "spc": gettext_lazy("Statistical process control"),
    "none": gettext_lazy("No ratings"),
    "benchmark": gettext_lazy("Against a benchmark"),
}
RATING_METHOD_MEANINGS = {
    "targets": gettext_lazy("each measure's year to date against its target"),
    # xgettext:no-python-format
    "significance": gettext_lazy("each measure's year to date against the same months last year, "
                    "by a test of statistical significance (95% confidence)"),
    "spc": gettext_lazy("each measure's latest month against the limits of its own past variation "
           "(Making Data Count)"),
    "none": gettext_lazy("the plan publishes each measure's comparisons and their significance, without a verdict"),
    "benchmark": gettext_lazy("each measure against its benchmark for the same months, within the tolerance"),
}
# The same, for a page with SPEC §6 measures: each is judged on its own comparison, not always the YTD.
RATING_METHOD_MEANINGS_CURRENT = {
    "targets": gettext_lazy("each measure's latest figure against its target, on the measure's own comparison"),
    # xgettext:no-python-format
    "significance": gettext_lazy("each measure's latest figure against the one it is compared with (the same months last "
                    "year, the rolling year before, the same quarter a year earlier, the wave before), "
                    "by a test of statistical significance (95% confidence)"),
}
# value -> (label, shape, tone); the order is the order of the summary counts. None = not rated.
RATING_VALUES = {
    "targets": {
        "green": (gettext_lazy("Green"), RAG_SHAPES["green"], "good"),
        "amber": (gettext_lazy("Amber"), RAG_SHAPES["amber"], "bad"),
        "red": (gettext_lazy("Red"), RAG_SHAPES["red"], "bad"),
        "no-data": (gettext_lazy("No data"), RAG_SHAPES["no-data"], "none"),
        None: (gettext_lazy("Not rated"), RAG_SHAPES[None], "none"),
    },
    "significance": {
        "improvement": (gettext_lazy("Statistically significant improvement"), "\u25b2", "good"),
        "no-significant-change": (gettext_lazy("No significant change"), "\u25cf", "neutral"),
        "deterioration": (gettext_lazy("Significant deterioration"), "\u25bc", "bad"),
        "significant-change": (gettext_lazy("Significant change"), "\u2666", "neutral"),
        None: (gettext_lazy("Not rated"), "\u2013", "none"),
    },
    "spc": {
        "special-cause-improvement": (gettext_lazy("Special cause: improvement"), "\u25b2", "good"),
        "common-cause": (gettext_lazy("Common cause: normal variation"), "\u25cf", "neutral"),
        "special-cause-concern": (gettext_lazy("Special cause: concern"), "\u25bc", "bad"),
        "special-cause-neither": (gettext_lazy("Special cause: neither better nor worse"), "\u2666", "neutral"),
        None: (gettext_lazy("Not rated"), "\u2013", "none"),
    },
    "none": {None: ("", "", "none")},
    "benchmark": {
        "better": (gettext_lazy("Better than the benchmark"), "\u25b2", "good"),
        "similar": (gettext_lazy("Similar to the benchmark"), "\u25cf", "neutral"),
        "worse": (gettext_lazy("Worse than the benchmark"), "\u25bc", "bad"),
        None: (gettext_lazy("Not rated"), "\u2013", "none"),
    },
}
RATING_MEANINGS = {
    "improvement": gettext_lazy("the year to date is better than last year's by more than chance would explain"),
    "no-significant-change": gettext_lazy("the year to date differs from last year's by no more than chance would explain"),
    "deterioration": gettext_lazy("the year to date is worse than last year's by more than chance would explain"),
    "significant-change": gettext_lazy("the year to date differs from last year's by more than chance would explain "
                          "(a measure that is neither better up nor down)"),
    "special-cause-improvement": gettext_lazy("the latest month is an unusual change for the better"),
    "common-cause": gettext_lazy("the latest month is within the variation the past two years would lead us to expect"),
    "special-cause-concern": gettext_lazy("the latest month is an unusual change for the worse"),
    "special-cause-neither": gettext_lazy("the latest month is an unusual change, neither better nor worse"),
    "better": gettext_lazy("better than the benchmark for the same months by more than the tolerance"),
    "similar": gettext_lazy("within the tolerance of the benchmark for the same months"),
    "worse": gettext_lazy("worse than the benchmark for the same months by more than the tolerance"),
}


def rating_value_label(method: str, value: str | None) -> str:
    """The short label of a rating value under ``method`` (the summary counts' words)."""
    return RATING_VALUES.get(method, RATING_VALUES["targets"]).get(value, (value or _("Not rated"), "", ""))[0]


def rating_meaning(method: str, value: str | None) -> str:
    if method == "targets" or value not in RATING_MEANINGS:
        return RAG_MEANINGS.get(value, RAG_MEANINGS[None])
    return RATING_MEANINGS[value]


# --- Making Data Count icons: colour, letter and words ------------------------------------------

# (css tone, letter, title) of each variation icon; "H"/"L" = the latest point is high/low.
VARIATION_TONES = {"special-cause-improvement": "improve", "special-cause-concern": "concern",
                   "special-cause-neither": "neither", "common-cause": "common"}
VARIATION_ICON_WORDS = {
    "special-cause-improvement": gettext_lazy("Special cause variation: improvement"),
    "special-cause-concern": gettext_lazy("Special cause variation: concern"),
    "special-cause-neither": gettext_lazy("Special cause variation: neither improvement nor concern"),
    "common-cause": gettext_lazy("Common cause variation: no significant change"),
}
ASSURANCE_ICONS = {
    "pass": ("improve", "P", gettext_lazy("Assurance: consistently passes the target")),
    "fail": ("concern", "F", gettext_lazy("Assurance: consistently fails the target")),
    "hit-and-miss": ("common", "?", gettext_lazy("Assurance: hit and miss, the target is within the limits")),
}
ICON_COLOURS = {"improve": "#1d70b8", "concern": "#b35c00", "neither": "#912b88", "common": "#505a5f"}


def variation_icon(spc) -> dict | None:
    """What the variation icon shows for an `engine.result.SpcReading`: None without SPC."""
    if spc.variation is None:
        return None
    tone = VARIATION_TONES[spc.variation]
    letter = {"high": "H", "low": "L"}.get(spc.direction or "", "") if spc.variation != "common-cause" else ""
    words = str(VARIATION_ICON_WORDS[spc.variation])
    if letter:
        words += " (%s)" % (_("high") if letter == "H" else _("low"))
    short = {"improve": _("Improvement"), "concern": _("Concern"), "neither": _("Neither"),
             "common": _("Common cause")}[tone]
    if letter:
        short += f" ({letter})"
    return {"tone": tone, "letter": letter, "title": words, "short": short, "colour": ICON_COLOURS[tone]}


def assurance_icon(assurance: str | None) -> dict | None:
    if assurance not in ASSURANCE_ICONS:
        return None
    tone, letter, words = ASSURANCE_ICONS[assurance]
    short = {"pass": _("Pass"), "fail": _("Fail"), "hit-and-miss": _("Hit and miss")}[assurance]
    return {"tone": tone, "letter": letter, "title": words, "short": short, "colour": ICON_COLOURS[tone]}


# --- SPEC §6: the span a figure is for, its comparison, baseline and benchmarks in words -----------

STALE_AFTER_WORDS = {"monthly": gettext_lazy("2 months"), "quarterly": gettext_lazy("2 quarters"),
                     "annual": gettext_lazy("2 years"), "irregular": gettext_lazy("24 months")}
SIGNIFICANT = ("improvement", "deterioration", "significant-change")


def change_text(unit: str, decimals: int, change, pct) -> str:
    """A change in the unit's form (SPEC §6 Units): "−5.1 pts" (percent, in
    points), "up 2 places" (rank), "−15 min 20 s" (duration), else the
    figure and the relative change, "+1,093 (+6.4%)"."""
    text = display_change(change, unit, None if unit == "percent" else decimals)
    if unit == "percent":
        text = points_words(text)
    if unit in ("percent", "rank", "duration") or is_missing(pct):
        return text
    return f"{text} ({change_pct(pct)})"


def benchmark_name(slug: str) -> str:
    """"England and Wales", "Wales", or a force's slug in words (no query: a
    benchmark force's name is not loaded with the results)."""
    from indicators.vocabulary import BENCHMARK_FORCES

    return BENCHMARK_FORCES.get(slug) or slug.replace("-", " ").title()


def significance_words(significance) -> str:
    """The significance in words; a survey change tested by its 95% intervals says so (SPEC §6)."""
    words = str(SIGNIFICANCE_LABELS[significance.result])
    if significance.test == "interval-overlap":
        # xgettext:no-python-format
        overlap = _(" (the 95% intervals overlap)")
        # xgettext:no-python-format
        words += _(" (the 95% intervals do not overlap)") if significance.result in SIGNIFICANT else overlap
    return words


def stale_words(result) -> str:
    """Why a figure is marked stale: "the figure is for Q1 2024/25, which
    ended more than 2 quarters before January 2025"."""
    from indicators import periods

    period = month_label(periods.parse_month(result.period))
    span = result.span.label if result.span is not None else _("an earlier span")
    return _("the figure is for %(span)s, which ended more than %(after)s before %(period)s") % {
        "span": span, "after": STALE_AFTER_WORDS.get(result.frequency, _("2 periods")), "period": period}


def _months(window) -> int:
    first, last = (int(x[:4]) * 12 + int(x[5:7]) for x in (window.first, window.last))
    return last - first + 1


def basis_words(result) -> str:
    """What the headline change compares with, in words ("compared with the
    same 3 months a year earlier")."""
    compare = result.compare
    basis = compare.basis if compare is not None else "ytd"
    if basis == "ytd":
        return _("compared with the same months last year")
    if basis == "rolling-12":
        return _("compared with the rolling year before")
    if basis == "rolling-3":
        return _("compared with the same 3 months a year earlier")
    if basis == "benchmark":
        return _("compared with its benchmark for the same months")
    length = _months(compare.current)
    if result.frequency == "irregular":
        return (_("compared with the previous survey wave") if result.unit == "score"
                or compare.current.lower is not None else _("compared with the figure before it"))
    if basis == "sequential":
        return {1: _("compared with the month just before"), 3: _("compared with the quarter just before"),
                12: _("compared with the year just before")}.get(
                    length, _("compared with the %(months)s months just before") % {"months": length})
    if result.frequency == "quarterly" and length == 12:
        return _("compared with the 12 months to the same quarter a year earlier")
    return {1: _("compared with the same month a year earlier"), 3: _("compared with the same quarter a year earlier"),
            12: _("compared with the year before")}.get(
                length, _("compared with the same %(months)s months a year earlier") % {"months": length})


# --- why a measure has no rating, in words (issue "Current plans II": on screen, and the right reason) ----------

_UNTESTED = {("mean", "percent"): gettext_lazy("a mean of percentages"),
             ("mean", None): gettext_lazy("a mean, with no count or ratio to test"),
             ("latest", None): gettext_lazy("a latest figure, with no count or ratio to test"),
             ("weighted-mean", None): gettext_lazy("a weighted mean, with no count or ratio to test")}


def not_tested_reason(aggregation: str, unit: str) -> str:
    """Why the significance test does not apply to a measure (SPEC §3: counts
    by the binomial test, ratios by the two-proportion test)."""
    words = _UNTESTED.get((aggregation, unit)) or _UNTESTED.get((aggregation, None))
    if words is None and aggregation == "sum":
        words = _("a sum of %(unit)s figures, not a count") % {"unit": unit}
    return _("Not tested (%(why)s)") % {"why": words or _("no count or ratio to test")}


def not_rated_reason(result) -> str:
    """Why the plan's own rating of ``result`` is "Not rated", by its method:
    a target's kind or the missing figure (targets), why the change was not
    tested or what it lacks (significance), why SPC gives no verdict (spc)."""
    rating = result.rating
    if rating.method == "significance":
        if result.significance.test is None and result.significance.result == "not-tested":
            compare = getattr(result, "compare", None)
            missing = compare.reason if compare is not None and compare.reason else None
            if missing and (compare.previous is None or compare.previous.value is None
                            or compare.current.value is None):
                return reason_words(missing)
            return not_tested_reason(result.aggregation, result.unit)
        compare = getattr(result, "compare", None)
        return reason_words((compare.reason if compare is not None else None) or result.ytd_reason
                            or result.last_ytd_reason) or _("Needs this year's and last year's figures")
    if rating.method == "spc":
        return (reason_words(result.spc.reason) or _("No SPC verdict yet")).rstrip(".")
    return ""


def figures_words(indicator) -> str:
    """How a measure's figures are filed and combined, in words ("sum of
    monthly figures", "ratio of quarterly figures", "latest of year-ending
    figures published quarterly"): the indicator page's lead and the
    report's definitions (SPEC §6 Frequency)."""
    frequency = getattr(indicator, "frequency", "") or "monthly"
    covers = getattr(indicator, "covers", None)
    if get_language() != "cy":
        how = indicator.get_aggregation_display().lower()
        if covers:
            what = f"{covers}-month figures published {frequency}" if covers != 12 else \
                f"year-ending figures published {frequency}"
        else:
            what = {"monthly": "monthly figures", "quarterly": "quarterly figures", "annual": "annual figures",
                    "irregular": "figures for irregular spans (survey waves, one-off releases)"}.get(
                        frequency, f"{frequency} figures")
        return f"{how} of {what}"
    # in Welsh (issue 31): each part in words a translator can check
    how = str(_AGGREGATION_WORDS.get(indicator.aggregation, indicator.get_aggregation_display().lower()))
    if covers:
        what = gettext("%(months)s-month figures published %(frequency)s") % {
            "months": covers, "frequency": _FREQUENCY_WORDS.get(frequency, frequency)}
    else:
        what = str(_FIGURES_WORDS.get(frequency, frequency))
    return gettext("%(how)s of %(what)s") % {"how": how, "what": what}


_AGGREGATION_WORDS = {"sum": gettext_lazy("sum"), "ratio": gettext_lazy("ratio"), "mean": gettext_lazy("mean"),
                      "latest": gettext_lazy("latest"), "weighted-mean": gettext_lazy("weighted mean")}
_FREQUENCY_WORDS = {"monthly": gettext_lazy("monthly"), "quarterly": gettext_lazy("quarterly"),
                    "annual": gettext_lazy("annually"), "irregular": gettext_lazy("irregularly")}
_FIGURES_WORDS = {"monthly": gettext_lazy("monthly figures"), "quarterly": gettext_lazy("quarterly figures"),
                  "annual": gettext_lazy("annual figures"),
                  "irregular": gettext_lazy("figures for irregular spans (survey waves, one-off releases)")}


# --- the engine's and the number module's English, on a Welsh page (issue 31) ------------------------------
# indicators/ stays Django-free and English (the API's SPEC shapes are English): its span labels, reasons and
# unit words are put into Welsh here, where a page prints them. On an English page each function returns the
# text it was given.
from indicators import numbers as _numbers  # noqa: E402
from indicators.periods import MONTH_NAMES as _MONTHS  # noqa: E402

_SHORT_EN = [name[:3] for name in _MONTHS]
_SHORT_MONTH = r"(?:" + "|".join(_SHORT_EN) + r") \d{4}"
_LONG_MONTH = r"(?:" + "|".join(_MONTHS) + r") \d{4}"


def _welsh() -> bool:
    return get_language() == "cy"


def _short(text: str) -> str:
    """"Nov 2022" -> "Tach 2022"."""
    name, year = text.split()
    return f"{short_month_name(_SHORT_EN.index(name) + 1)} {year}"


def _long(text: str) -> str:
    """"June 2014" -> "Mehefin 2014"."""
    from datetime import date
    name, year = text.split()
    return month_label(date(int(year), _MONTHS.index(name) + 1, 1))


_SPANS = (
    (re.compile(rf"rolling year to ({_SHORT_MONTH})"),
     lambda m: gettext("rolling year to %(month)s") % {"month": _short(m[1])}),
    (re.compile(r"Q(\d) (\d{4}/\d{2})"), lambda m: gettext("Q%(quarter)s %(year)s") % {"quarter": m[1], "year": m[2]}),
    (re.compile(rf"({_SHORT_MONTH}) – ({_SHORT_MONTH})"), lambda m: f"{_short(m[1])} – {_short(m[2])}"),
    (re.compile(_SHORT_MONTH), lambda m: _short(m[0])),
)


def span_words(label):
    """A figure's span as the engine labels it ("rolling year to Nov 2022", "Q1 2024/25"), in the page's language."""
    if not label or not _welsh():
        return label
    for pattern, words in _SPANS:
        found = pattern.fullmatch(str(label))
        if found:
            return words(found)
    return label


def _months_tail(m) -> str:
    if not m:
        return ""
    return ngettext(" (and %(count)s more month)", " (and %(count)s more months)", int(m)) % {"count": m}


def _label_words(text: str) -> str:
    """A month ("June 2014") or a span ("Q1 2024/25", "Nov 2021 – Apr 2022") as the engine names it."""
    return _long(text) if re.fullmatch(_LONG_MONTH, text) else span_words(text)


# The comparison a year-ending figure is compared on (indicators.vocabulary.COMPARISONS), in a reason's brackets
_BASIS = {"ytd": gettext_lazy("year to date"), "rolling-12": gettext_lazy("rolling year"),
          "rolling-3": gettext_lazy("3 months"), "previous": gettext_lazy("the same span a year earlier"),
          "sequential": gettext_lazy("the figure before it"), "benchmark": gettext_lazy("benchmark")}
# Each placeholder of a reason: a month or span (put in the page's language), a comparison's code, or words as
# they were written (an analyst's note) or a number
_PARAMS = {"month": _label_words, "first": _label_words, "last": _label_words, "window": _label_words,
           "span": _label_words, "basis": lambda code: str(_BASIS.get(code, code))}
_TAIL = r"(?: \(and (?P<more>\d+) more months?\))?"

# Every reason the engine gives for a missing figure, comparison or SPC verdict (indicators/engine: grid,
# spans, current, windows, spc, performance), as it words them. Each English wording is its own msgid: a
# reason is matched by it, its months and spans put in the page's language, its note and numbers kept.
_REASON_WORDINGS = (
    # grid.aggregate and spans.window_value: a month or span with no figure; "(and N more months)" after some
    (gettext_noop("%(month)s not yet available"), True),
    (gettext_noop("%(month)s has no figure"), True),
    (gettext_noop("%(month)s unavailable: %(note)s"), True),
    (gettext_noop("%(month)s unavailable"), True),
    (gettext_noop("%(span)s lies partly outside %(window)s"), True),
    (gettext_noop("No data for %(first)s to %(last)s"), False),
    (gettext_noop("No data for %(month)s"), False),
    (gettext_noop("The denominator adds up to zero"), False),
    (gettext_noop("Those months are outside the data loaded"), False),
    (gettext_noop("No one figure covers %(window)s: figures of %(count)s months overlap and are never added "
                  "together"), False),
    (gettext_noop("%(first)s and %(last)s overlap: a window never adds two overlapping figures"), False),
    # current: the windows of a comparison
    (gettext_noop("No figure for the current window"), False),
    (gettext_noop("No figure for %(window)s"), False),
    (gettext_noop("No figure yet"), False),
    (gettext_noop("No earlier figure to compare with"), False),
    (gettext_noop("The baseline has neither months nor a published value"), False),
    (gettext_noop("No comparison across the change of %(month)s: %(window)s spans it"), False),
    (gettext_noop("No comparison across the change of %(month)s: %(window)s is before it"), False),
    # spc: why a chart has no limits
    (gettext_noop("not enough data for SPC (%(count)s of the %(needed)s months needed)"), False),
    (gettext_noop("not enough data for SPC since the rebase (%(count)s of the %(needed)s months needed)"), False),
    (gettext_noop("not enough data for SPC (%(count)s of the %(needed)s figures needed)"), False),
    (gettext_noop("not enough data for SPC since the rebase (%(count)s of the %(needed)s figures needed)"), False),
    (gettext_noop("No two consecutive months in the baseline, so there is no moving range."), False),
    (gettext_noop("No two consecutive figures in the baseline, so there is no moving range."), False),
    (gettext_noop("Screening dropped every moving range that was not zero (each at least 3.267 times the "
                  "average), so the average moving range is 0 and there are no limits; the baseline is not flat: "
                  "it holds a few large jumps between otherwise equal months."), False),
    (gettext_noop("Screening dropped every moving range that was not zero (each at least 3.267 times the "
                  "average), so the average moving range is 0 and there are no limits; the baseline is not flat: "
                  "it holds a few large jumps between otherwise equal figures."), False),
    (gettext_noop("The baseline is flat (every month the same), so there are no limits."), False),
    (gettext_noop("The baseline is flat (every figure the same), so there are no limits."), False),
    (gettext_noop("No month in the baseline differs from the month before it (the moving ranges are all 0), so "
                  "there are no limits."), False),
    (gettext_noop("No figure in the baseline differs from the figure before it (the moving ranges are all 0), so "
                  "there are no limits."), False),
    # performance: a measure over spans has no year to date
    (gettext_noop("A quarterly measure: its figures are compared span by span (%(basis)s), not added up as months "
                  "of a year to date"), False),
    (gettext_noop("An annual measure: its figures are compared span by span (%(basis)s), not added up as months "
                  "of a year to date"), False),
    (gettext_noop("An irregular measure: its figures are compared span by span (%(basis)s), not added up as "
                  "months of a year to date"), False),
    (gettext_noop("A measure of year-ending figures: its figures are compared span by span (%(basis)s), not "
                  "added up as months of a year to date"), False),
)


def _reason_pattern(wording: str, tail: bool) -> re.Pattern:
    body = re.sub(r"%\\\(\w+\\\)s", lambda m: "(?P<" + m[0][3:-3] + ">.+?)", re.escape(wording))
    # a reason may lose its full stop on the way (a badge's hover text), and keeps it if it had one
    body = body[:-2] if body.endswith(r"\.") else body
    return re.compile(body + (_TAIL if tail else "") + r"(?P<stop>\.?)", re.S)


_REASONS = tuple((_reason_pattern(wording, tail), wording) for wording, tail in _REASON_WORDINGS)


def reason_words(reason):
    """Why there is no figure, comparison or verdict, as the engine says it
    ("June 2014 not yet available", "not enough data for SPC (3 of the 12
    months needed)"), in the page's language; a reason it does not know (an
    analyst's words) as it was."""
    if not reason or not _welsh():
        return reason
    text = str(reason)
    for pattern, wording in _REASONS:
        found = pattern.fullmatch(text)
        if found:
            params = {k: _PARAMS.get(k, str)(v) for k, v in found.groupdict().items()
                      if k not in ("more", "stop") and v is not None}
            words = gettext(wording) % params if params else gettext(wording)
            words = words.rstrip(".") + _months_tail(found.groupdict().get("more"))
            return words + found["stop"] if wording.endswith(".") or found["stop"] else words
    return reason


_RANK = re.compile(r"(−?)([\d,]+)(?:st|nd|rd|th)(?: of ([\d,]+))?")
_PLACES = re.compile(r"(up|down) ([\d,]+) places?")
_DURATION_PART = re.compile(r"([\d,.]+) (h|min|s)\b")


def _unit_words(text: str, unit: str) -> str:
    if not _welsh() or text == DASH:
        return text
    if unit == "rank":
        found = _RANK.fullmatch(text)
        if found and found[3]:
            return found[1] + gettext("place %(position)s of %(of)s") % {"position": found[2], "of": found[3]}
        if found:
            return found[1] + gettext("place %(position)s") % {"position": found[2]}
        if text == "no change in place":
            return gettext("no change in place")
        found = _PLACES.fullmatch(text)
        if found:
            n = int(found[2].replace(",", ""))
            words = (ngettext("up %(count)s place", "up %(count)s places", n) if found[1] == "up"
                     else ngettext("down %(count)s place", "down %(count)s places", n))
            return words % {"count": found[2]}
    if unit == "duration":
        names = {"h": gettext("h"), "min": gettext("min"), "s": gettext("s")}
        return _DURATION_PART.sub(lambda m: f"{m[1]} {names[m[2]]}", text)
    return text


def display(value, unit: str, decimals: int | None = None, scale=None, of=None) -> str:
    """`indicators.numbers.display` (every unit formatted in one place), its words in the page's language."""
    return _unit_words(_numbers.display(value, unit, decimals, scale, of), unit)


def display_change(delta, unit: str, decimals: int | None = None) -> str:
    """`indicators.numbers.display_change`, its words in the page's language."""
    return _unit_words(_numbers.display_change(delta, unit, decimals), unit)
