"""Charts of one indicator's `IndicatorResult`: trend, SPC and MSG.

Charts are plotly figure specs (plain JSON) drawn by static/js/charts.js
with the locally served plotly.js on the pages, and drawn from the same spec
as inline SVG on the server (reports/svg.py) for the panel report and for
pages read without scripts; every chart also comes with its data as table
rows and a sentence that says what it shows, for screen readers and print.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from django.contrib.humanize.templatetags.humanize import ordinal
from django.utils.html import escape
from django.utils.translation import get_language, gettext, gettext_lazy

from indicators import periods
from indicators.engine.result import IndicatorResult
from reports import formatting as fmt
from reports import welsh

# The SPC lines in Making Data Count's colours (docs/decisions.md, "MDC chart colours (issue 29, item
# 3)"): the mean grey solid, the process limits grey dashed, the target red dashed. The grey is MDC's
# #7B7D7D (4.1:1 on white, above the 3:1 a line needs); the words naming those lines on the chart are in
# the darker grey of the text ("line_label", 7:1), as text needs 4.5:1. "average" is the MSG chart's
# average of the peers, which is no SPC line: it stays in ink.
COLOURS = {"this": "#1d70b8", "last": "#505a5f", "mean": "#7b7d7d", "limit": "#7b7d7d", "target": "#b10e1e",
           "line_label": "#505a5f", "average": "#0b0c0c", "signal": "#b35c00", "force": "#1d70b8",
           "peer": "#8b949e"}


@dataclass
class Chart:
    id: str
    title: str
    summary: str
    figure: dict                 # for Plotly.newPlot, embedded with json_script
    columns: list
    rows: list                   # formatted cells
    svg: str = ""                # the same chart drawn on the server (reports/svg.py), set by svg.render_many

    @property
    def filled_rows(self) -> list:
        """The rows with at least one value: a chart too small to draw is shown as this table."""
        return [row for row in self.rows if any(cell not in ("\u2014", "", None) for cell in row[1:])]

    @property
    def points(self) -> int:
        """How many values the chart plots (reference lines aside)."""
        return sum(sum(v is not None for v in t.get("y", [])) for t in self.figure["data"]
                   if t.get("mode") != "lines")

    @property
    def data_id(self) -> str:
        return f"{self.id}-data"


def _layout(title: str, y_title: str, *, from_zero: bool = True, **extra) -> dict:
    layout = {
        "title": {"text": escape(title), "font": {"size": 15}},
        "margin": {"l": 60, "r": 20, "t": 40, "b": 50},
        "height": 320,
        "yaxis": {"title": {"text": escape(y_title)}, "rangemode": "tozero" if from_zero else "normal",
                  "separatethousands": True},
        "legend": {"orientation": "h", "y": -0.2},
        "font": {"family": "system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif", "color": "#0b0c0c"},
        "plot_bgcolor": "#ffffff", "paper_bgcolor": "#ffffff",
    }
    layout.update(extra)
    return layout


def _y_title(result: IndicatorResult) -> str:
    return {"percent": "%", "gbp": "£", "count": gettext("number"), "rate": gettext("rate")}.get(result.unit,
                                                                                               gettext("value"))


def trend_chart(result: IndicatorResult, period: date, prefix: str = "") -> Chart | None:
    """This financial year against last, month by month (April to March)."""
    points = dict(result.spc.points)
    this_fy = periods.fy_start_year(period)
    this_months = periods.fy_months(this_fy)
    last_months = periods.fy_months(this_fy - 1)
    labels = [fmt.short_month_name(m.month) for m in this_months]
    this_vals = [points.get(periods.format_month(m)) if m <= period else None for m in this_months]
    last_vals = [points.get(periods.format_month(m)) for m in last_months]
    if all(v is None for v in this_vals + last_vals):
        return None
    this_label, last_label = periods.fy_label(this_fy), periods.fy_label(this_fy - 1)
    figure = {
        "data": [
            {"type": "scatter", "mode": "lines+markers", "name": last_label, "x": labels, "y": last_vals,
             "line": {"color": COLOURS["last"], "dash": "dash"}, "marker": {"symbol": "square"}},
            {"type": "scatter", "mode": "lines+markers", "name": this_label, "x": labels, "y": this_vals,
             "line": {"color": COLOURS["this"], "width": 3}, "marker": {"symbol": "circle", "size": 8}},
        ],
        "layout": _layout(gettext("%(name)s: %(this)s against %(last)s") % {
            "name": welsh.plan_text(result.name), "this": this_label, "last": last_label}, _y_title(result),
            from_zero=result.unit == "count"),
    }
    rows = [[label, _cell(t, result), _cell(last, result)] for label, t, last in zip(labels, this_vals, last_vals)]
    summary = gettext("%(this)s to %(period)s: %(ytd)s against %(last_ytd)s in the same months of %(last)s "
                      "(%(change)s).") % {
        "this": this_label, "period": fmt.month_label(period), "ytd": _cell(result.ytd, result),
        "last_ytd": _cell(result.last_ytd, result), "last": last_label, "change": fmt.change_pct(result.change_pct)}
    return Chart(f"{prefix}trend-{result.indicator}",
                 gettext("Month by month, %(this)s and %(last)s") % {"this": this_label, "last": last_label}, summary,
                 figure, [gettext("Month"), this_label, last_label], rows)


def _cell(value, result: IndicatorResult) -> str:
    return fmt.measure(value, result.unit, result.decimals)


MEANING_STYLES = {   # special-cause points by meaning (Making Data Count): colour AND shape AND name
    "improvement": {"name": gettext_lazy("Special cause: improvement"), "color": fmt.ICON_COLOURS["improve"], "symbol": "circle"},
    "concern": {"name": gettext_lazy("Special cause: concern"), "color": fmt.ICON_COLOURS["concern"], "symbol": "diamond"},
    "neither": {"name": gettext_lazy("Special cause: neither"), "color": fmt.ICON_COLOURS["neither"], "symbol": "square"},
}
DIRECTION_WORDS = {
    "outside-limits": {"high": gettext_lazy("above the upper limit"), "low": gettext_lazy("below the lower limit")},
    "trend": {"high": gettext_lazy("rising"), "low": gettext_lazy("falling")},
    "two-of-three": {"high": gettext_lazy("close to or beyond the upper limit"), "low": gettext_lazy("close to or beyond the lower limit")},
    "run": {"high": gettext_lazy("above the average"), "low": gettext_lazy("below the average")},
}


def _rule_direction(rule: str, index: int, points, spc, marked=None) -> str:
    """"high" or "low": which way the point at ``index`` departs under ``rule``:
    a trend by its neighbour within the trend (``marked``: the indices the
    trend rule marks), the others by the side of the mean."""
    value = points[index][1]
    if rule == "trend":
        marked = marked if marked is not None else set(range(len(points)))
        if index - 1 in marked:
            return "high" if value > points[index - 1][1] else "low"
        if index + 1 in marked:
            return "high" if points[index + 1][1] > value else "low"
        return "high" if index > 0 and value > points[index - 1][1] else "low"
    return "high" if spc.mean is not None and value > spc.mean else "low"


def _meaning(direction: str, polarity: str) -> str:
    if polarity == "neutral":
        return "neither"
    return "improvement" if (direction == "high") == (polarity == "up") else "concern"


def point_meanings(result: IndicatorResult) -> dict[str, tuple[str, str, str]]:
    """month -> (meaning, direction, rule) for every special-cause point, read
    like the variation: the first rule, in the engine's order, that marks it."""
    spc = result.spc
    index = {m: k for k, (m, _) in enumerate(spc.points)}
    trend = {index[s.month] for s in spc.signals if "trend" in s.rules and s.month in index}
    out = {}
    for signal in spc.signals:
        if signal.month not in index:
            continue
        rule = next(r for r in RULE_ORDER if r in signal.rules)
        direction = _rule_direction(rule, index[signal.month], spc.points, spc, trend)
        out[signal.month] = (_meaning(direction, result.polarity), direction, rule)
    return out


RULE_ORDER = ("outside-limits", "trend", "two-of-three", "run")


@dataclass(frozen=True)
class SignalRun:
    first: str            # "YYYY-MM"
    last: str
    count: int
    rule: str
    direction: str
    meaning: str
    beyond: int = 0       # points of a run also beyond the process limit on its side

    @property
    def text(self) -> str:
        """"Jun 2013 – Feb 2014: 9 points in a row above the average, 2 of them
        above the upper limit (concern)"."""
        when = _short_month(self.first) + ("" if self.first == self.last else f" \u2013 {_short_month(self.last)}")
        words = DIRECTION_WORDS[self.rule][self.direction]
        if self.rule in ("run", "trend"):
            what = gettext("%(count)s points in a row %(words)s") % {"count": self.count, "words": words}
        elif self.count == 1:
            what = str(words)
        else:
            what = gettext("%(count)s points %(words)s") % {"count": self.count, "words": words}
        if self.beyond:
            what += gettext(", %(count)s of them %(words)s") % {
                "count": self.beyond, "words": DIRECTION_WORDS["outside-limits"][self.direction]}
        return f"{when}: {what} ({MEANING_WORDS.get(self.meaning, self.meaning)})"


# A run's meaning as its text ends: "(concern)"
MEANING_WORDS = {"improvement": gettext_lazy("improvement"), "concern": gettext_lazy("concern"),
                 "neither": gettext_lazy("neither")}


def _month_label(month: str) -> str:
    """"2014-06" -> "June 2014" (a report labels some 3,000 rows with a few hundred months)."""
    return _month_label_in(month, get_language())


@lru_cache(maxsize=4096)
def _month_label_in(month: str, language: str) -> str:
    return fmt.month_label(periods.parse_month(month))


def _short_month(month: str) -> str:
    d = periods.parse_month(month)
    return f"{fmt.short_month_name(d.month)} {d.year}"


def _segments(indices: list[int], direction_of) -> list[list]:
    """Consecutive indices with the same direction: [[first, last, direction], ...]."""
    out = []
    for k in indices:
        d = direction_of(k)
        if out and out[-1][1] == k - 1 and out[-1][2] == d:
            out[-1][1] = k
        else:
            out.append([k, k, d])
    return out


def signal_runs(result: IndicatorResult) -> list[SignalRun]:
    """The special-cause points collapsed into runs, in date order, instead of
    one bullet per point: each stretch of consecutive points (months with
    values) a rule marks in one direction is one entry. A point beyond the
    limits inside a run on the same side is counted in that run's entry;
    two-of-three points already inside another entry add nothing."""
    spc = result.spc
    points = spc.points
    rules_at = {s.month: s.rules for s in spc.signals}
    marked = {rule: [k for k, (m, _) in enumerate(points) if rule in rules_at.get(m, ())] for rule in RULE_ORDER}
    trend = set(marked["trend"])
    found = {rule: _segments(marked[rule], lambda k, r=rule: _rule_direction(r, k, points, spc, trend))
             for rule in RULE_ORDER}
    runs = []                   # [first, last, direction, rule, beyond]
    for first, last, d in found["run"] + found["trend"]:
        runs.append([first, last, d, "run" if [first, last, d] in found["run"] else "trend", 0])
    for first, last, d in found["outside-limits"]:
        for k in range(first, last + 1):
            home = next((r for r in runs if r[3] == "run" and r[0] <= k <= r[1] and r[2] == d), None)
            if home is not None:
                home[4] += 1
            elif runs and runs[-1][3] == "outside-limits" and runs[-1][1] == k - 1 and runs[-1][2] == d:
                runs[-1][1] = k
            else:
                runs.append([k, k, d, "outside-limits", 0])
    covered = {k for r in runs for k in range(r[0], r[1] + 1)}
    spare = [k for k in marked["two-of-three"] if k not in covered]
    for first, last, d in _segments(spare, lambda k: _rule_direction("two-of-three", k, points, spc)):
        runs.append([first, last, d, "two-of-three", 0])
    runs.sort(key=lambda r: (r[0], RULE_ORDER.index(r[3])))
    return [SignalRun(points[first][0], points[last][0], last - first + 1, rule, d,
                      _meaning(d, result.polarity), beyond) for first, last, d, rule, beyond in runs]


def display_limits(result: IndicatorResult) -> tuple[float | None, float | None]:
    """The process limits as drawn: a percentage cannot go below 0 or above
    100, nor a count below 0 (the engine and the API keep them unclipped)."""
    lcl, ucl = result.spc.lcl, result.spc.ucl
    if lcl is not None and result.unit in ("percent", "count"):
        lcl = max(lcl, 0.0)
    if ucl is not None and result.unit == "percent":
        ucl = min(ucl, 100.0)
    return lcl, ucl


def spc_chart(result: IndicatorResult, prefix: str = "") -> Chart | None:
    """XmR chart: the points (common cause grey), special-cause points by
    meaning (improvement blue circles, concern orange diamonds, neither
    purple squares, each named in the legend), the mean (grey solid), the
    process limits (grey dashed, clipped to what the unit allows), and the
    target (red dashed) where there is an absolute one, as Making Data Count
    draws them, each line labelled on the chart."""
    points = result.spc.points
    if len(points) < 4:          # no SPC chart for one to three points (SPEC §3)
        return None
    spc = result.spc
    x = [f"{m}-01" for m, _ in points]
    y = [v for _, v in points]
    signals = {s.month: s.rules for s in spc.signals}
    meanings = point_meanings(result)
    data = [{"type": "scatter", "mode": "lines+markers", "name": gettext("Monthly value (common cause)"), "x": x, "y": y,
             "line": {"color": COLOURS["last"]}, "marker": {"color": COLOURS["last"], "size": 6}}]
    for meaning, style in MEANING_STYLES.items():
        marked = [(f"{m}-01", v, "; ".join(str(fmt.RULE_LABELS[r]) for r in signals[m]))
                  for m, v in points if meanings.get(m, ("",))[0] == meaning]
        if marked:
            data.append({"type": "scatter", "mode": "markers", "name": str(style["name"]),
                         "x": [p[0] for p in marked], "y": [p[1] for p in marked], "text": [p[2] for p in marked],
                         "marker": {"color": style["color"], "size": 11, "symbol": style["symbol"],
                                    "line": {"color": "#0b0c0c", "width": 1}}})
    annotations = []

    def line(value, name, colour, dash, label_colour):
        if value is not None:
            data.append({"type": "scatter", "mode": "lines", "name": name, "x": [x[0], x[-1]], "y": [value, value],
                         "line": {"color": colour, "dash": dash, "width": 2}, "hoverinfo": "name+y"})
            annotations.append({"x": 1, "xref": "paper", "xanchor": "right", "y": value, "yanchor": "bottom",
                                "text": escape(name), "showarrow": False,
                                "font": {"size": 11, "color": label_colour}})

    lcl, ucl = display_limits(result)
    # Making Data Count's lines: the mean grey solid, the limits grey dashed, the target red dashed
    line(spc.mean, gettext("Average"), COLOURS["mean"], "solid", COLOURS["line_label"])
    line(ucl, gettext("Upper limit"), COLOURS["limit"], "dash", COLOURS["line_label"])
    line(lcl, gettext("Lower limit"), COLOURS["limit"], "dash", COLOURS["line_label"])
    target = result.target
    if target is not None and target.kind == "absolute" and target.value is not None:
        line(target.value, gettext("Target"), COLOURS["target"], "dash", COLOURS["target"])
    yaxis_range = {"range": [0, 100]} if result.unit == "percent" and (ucl == 100.0 or lcl == 0.0) else {}
    layout = _layout(gettext("%(name)s: statistical process control") % {"name": welsh.plan_text(result.name)},
                     _y_title(result), from_zero=False,
                     xaxis={"type": "date", "tickformat": "%b %Y"}, annotations=annotations)
    layout["yaxis"].update(yaxis_range)
    figure = {"data": data, "layout": layout}

    def cell(m):
        if m not in meanings:
            return "\u2014"
        return (f"{MEANING_STYLES[meanings[m][0]]['name']}: "
                + "; ".join(str(fmt.RULE_LABELS[r]) for r in signals.get(m, [])))

    rows = [[_month_label(m), _cell(v, result), cell(m)] for m, v in points]
    return Chart(f"{prefix}spc-{result.indicator}", gettext("Statistical process control (XmR) chart"),
                 spc_summary(result), figure, [gettext("Month"), gettext("Value"), gettext("Special cause")], rows)


def spc_summary(result: IndicatorResult) -> str:
    spc = result.spc
    first, last = spc.baseline          # the engine's: a series that starts later has a shorter one
    if spc.mean is None:
        text = fmt.reason_words(spc.reason) or gettext("Not enough data for control limits.")
    elif spc.ucl is None:
        text = gettext("Average %(mean)s a month.") % {"mean": _cell(spc.mean, result)} + f" {fmt.reason_words(spc.reason)}"
    else:
        lcl, ucl = display_limits(result)
        text = gettext("Average %(mean)s a month; the process limits are %(lcl)s to %(ucl)s, from the baseline "
                       "%(first)s to %(last)s.") % {
            "mean": _cell(spc.mean, result), "lcl": _cell(lcl, result), "ucl": _cell(ucl, result),
            "first": fmt.month_label(periods.parse_month(first)), "last": fmt.month_label(periods.parse_month(last))}
    points = spc.points
    if points:
        month, value = points[-1]
        reading = fmt.variation_label(spc)
        rule = spc.rule
        text += " " + gettext("Latest: %(value)s in %(month)s") % {
            "value": _cell(value, result), "month": fmt.month_label(periods.parse_month(month))} + (
            f" {fmt.DASH} {reading}" + (f" ({fmt.RULE_LABELS[rule]})." if rule else "."))
    assurance = fmt.ASSURANCE_LABELS.get(spc.assurance)
    if assurance:
        text += " " + gettext("Against the target: %(assurance)s.") % {"assurance": str(assurance).lower()}
    if result.illustrative.spc and spc.mean is not None:
        text = gettext("Illustrative: these limits and this reading are built on figures generated for the demo, "
                       "not published ones.") + " " + text
    return text


def msg_chart(result: IndicatorResult, force_names: dict[str, str]) -> Chart | None:
    """The force's rate per 1,000 against each MSG peer's, and the average."""
    msg = result.msg_comparison
    if not msg:
        return None
    entries = sorted([(result.force, msg.rate)] + [(p.force, p.rate) for p in msg.peers],
                     key=lambda e: e[1])
    def name(slug):
        return str(welsh.plan_text(force_names.get(slug, slug)))
    names = [name(slug) for slug, _ in entries]
    colours = [COLOURS["force"] if slug == result.force else COLOURS["peer"] for slug, _ in entries]
    rate_words = gettext("Rate per 1,000")
    figure = {
        "data": [{"type": "bar", "orientation": "h", "name": rate_words, "x": [r for _, r in entries],
                  "y": names, "marker": {"color": colours, "line": {"color": "#0b0c0c", "width": 1}},
                  "text": [f"{r:.2f}" for _, r in entries], "textposition": "outside"}],
        "layout": _layout(gettext("%(name)s: rate per 1,000 population, 12 months") % {
                              "name": welsh.plan_text(result.name)}, "",
                          height=60 + 32 * len(entries), showlegend=False,
                          yaxis={"automargin": True},
                          xaxis={"title": {"text": gettext("per 1,000 population")}},
                          shapes=[{"type": "line", "x0": msg.average, "x1": msg.average, "y0": -0.5,
                                   "y1": len(entries) - 0.5, "line": {"color": COLOURS["average"], "dash": "dash"}}],
                          annotations=[{"x": msg.average, "y": len(entries) - 0.5, "yanchor": "bottom",
                                        "text": gettext("MSG average %(average)s") % {"average": f"{msg.average:.2f}"},
                                        "showarrow": False,
                                        "font": {"size": 12, "color": COLOURS["average"]}}],
                          margin={"l": 60, "r": 20, "t": 60, "b": 50}),
    }
    rows = [[name(slug) + (gettext(" (this force)") if slug == result.force else ""), f"{rate:.2f}"]
            for slug, rate in entries]
    rows.append([gettext("MSG average"), f"{msg.average:.2f}"])
    position = (gettext("%(position)s of %(of)s") % {"position": ordinal(msg.position), "of": msg.of}
                if msg.position else gettext("%(of)s forces") % {"of": msg.of})
    better = {"down": gettext("lowest"), "up": gettext("highest")}.get(result.polarity, "")
    summary = gettext("%(force)s: %(rate)s per 1,000 people over the last 12 months, against a Most Similar Group "
                      "average of %(average)s (%(change)s); %(position)s") % {
        "force": name(result.force), "rate": f"{msg.rate:.2f}", "average": f"{msg.average:.2f}",
        "change": fmt.change_pct(msg.difference_pct), "position": position}
    summary += (gettext(" (1st = %(better)s).") % {"better": better} if better else ".")
    if set(getattr(force_names, "illustrative", ())) & {p.force for p in msg.peers}:
        summary = gettext("Illustrative: the peer forces' figures were generated for the demo, so their rates, the "
                          "average and this ranking are not published statistics.") + " " + summary
    elif result.illustrative.msg:
        summary = gettext("Illustrative: some figures in these rates were generated for the demo, so the rates, the "
                          "average and this ranking are not published statistics.") + " " + summary
    return Chart(f"msg-{result.indicator}", gettext("Most Similar Group comparison"), summary, figure,
                 [gettext("Force"), rate_words], rows)
