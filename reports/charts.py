"""Charts of one indicator's `IndicatorResult`: trend, SPC and MSG.

Charts are plotly figure specs (plain JSON) drawn by static/js/charts.js
with the locally served plotly.js; every chart also comes with its data as
table rows and a sentence that says what it shows, for readers without
JavaScript, screen readers and print.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.humanize.templatetags.humanize import ordinal
from django.utils.html import escape

from indicators import periods
from indicators.engine.result import IndicatorResult
from reports import formatting as fmt

COLOURS = {"this": "#1d70b8", "last": "#505a5f", "mean": "#0b0c0c", "limit": "#b10e1e", "target": "#00703c",
           "signal": "#b35c00", "force": "#1d70b8", "peer": "#8b949e"}


@dataclass
class Chart:
    id: str
    title: str
    summary: str
    figure: dict                 # for Plotly.newPlot, embedded with json_script
    columns: list
    rows: list                   # formatted cells

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
    return {"percent": "%", "gbp": "£", "count": "number", "rate": "rate"}.get(result.unit, "value")


def trend_chart(result: IndicatorResult, period: date, prefix: str = "") -> Chart | None:
    """This financial year against last, month by month (April to March)."""
    points = dict(result.spc.points)
    this_fy = periods.fy_start_year(period)
    this_months = periods.fy_months(this_fy)
    last_months = periods.fy_months(this_fy - 1)
    labels = [periods.MONTH_NAMES[m.month - 1][:3] for m in this_months]
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
        "layout": _layout(f"{result.name}: {this_label} against {last_label}", _y_title(result),
                          from_zero=result.unit == "count"),
    }
    rows = [[label, _cell(t, result), _cell(last, result)] for label, t, last in zip(labels, this_vals, last_vals)]
    summary = (f"{this_label} to {periods.month_label(period)}: {_cell(result.ytd, result)} "
               f"against {_cell(result.last_ytd, result)} in the same months of {last_label} "
               f"({fmt.change_pct(result.change_pct)}).")
    return Chart(f"{prefix}trend-{result.indicator}", f"Month by month, {this_label} and {last_label}", summary,
                 figure, ["Month", this_label, last_label], rows)


def _cell(value, result: IndicatorResult) -> str:
    return fmt.measure(value, result.unit, result.decimals)


def spc_chart(result: IndicatorResult, prefix: str = "") -> Chart | None:
    """XmR chart: the points, the mean, the process limits, special-cause
    points marked, and the target where there is an absolute one."""
    points = result.spc.points
    if not points:
        return None
    spc = result.spc
    x = [f"{m}-01" for m, _ in points]
    y = [v for _, v in points]
    signals = {s.month: s.rules for s in spc.signals}
    data = [{"type": "scatter", "mode": "lines+markers", "name": "Monthly value", "x": x, "y": y,
             "line": {"color": COLOURS["last"]}, "marker": {"color": COLOURS["last"], "size": 6}}]
    marked = [(f"{m}-01", v, "; ".join(fmt.RULE_LABELS[r] for r in signals[m])) for m, v in points if m in signals]
    if marked:
        data.append({"type": "scatter", "mode": "markers", "name": "Special cause", "x": [p[0] for p in marked],
                     "y": [p[1] for p in marked], "text": [p[2] for p in marked],
                     "marker": {"color": COLOURS["signal"], "size": 11, "symbol": "diamond",
                                "line": {"color": "#0b0c0c", "width": 1}}})

    def line(value, name, colour, dash):
        if value is not None:
            data.append({"type": "scatter", "mode": "lines", "name": name, "x": [x[0], x[-1]], "y": [value, value],
                         "line": {"color": colour, "dash": dash, "width": 2}, "hoverinfo": "name+y"})

    line(spc.mean, "Average", COLOURS["mean"], "solid")
    line(spc.ucl, "Upper limit", COLOURS["limit"], "dash")
    line(spc.lcl, "Lower limit", COLOURS["limit"], "dash")
    target = result.target
    if target is not None and target.kind == "absolute" and target.value is not None:
        line(target.value, "Target", COLOURS["target"], "dot")
    figure = {"data": data, "layout": _layout(f"{result.name}: statistical process control", _y_title(result),
                                              from_zero=False, xaxis={"type": "date", "tickformat": "%b %Y"})}
    rows = [[periods.month_label(periods.parse_month(m)), _cell(v, result),
             "; ".join(fmt.RULE_LABELS[r] for r in signals.get(m, [])) or "—"] for m, v in points]
    return Chart(f"{prefix}spc-{result.indicator}", "Statistical process control (XmR) chart", spc_summary(result),
                 figure, ["Month", "Value", "Special cause"], rows)


def spc_summary(result: IndicatorResult) -> str:
    spc = result.spc
    first, last = spc.baseline
    if spc.points:          # a series that starts later has a shorter baseline (SPEC §3): say when it starts
        first = max(first, spc.points[0][0])
    if spc.mean is None:
        text = spc.reason or "Not enough data for control limits."
    elif spc.ucl is None:
        text = f"Average {_cell(spc.mean, result)} a month. {spc.reason}"
    else:
        text = (f"Average {_cell(spc.mean, result)} a month; the process limits are {_cell(spc.lcl, result)} to "
                f"{_cell(spc.ucl, result)}, from the baseline "
                f"{periods.month_label(periods.parse_month(first))} to {periods.month_label(periods.parse_month(last))}.")
    points = spc.points
    if points:
        month, value = points[-1]
        reading = fmt.variation_label(spc)
        rule = spc.rule
        text += (f" Latest: {_cell(value, result)} in {periods.month_label(periods.parse_month(month))} "
                 f"{fmt.DASH} {reading}" + (f" ({fmt.RULE_LABELS[rule]})." if rule else "."))
    assurance = fmt.ASSURANCE_LABELS.get(spc.assurance)
    if assurance:
        text += f" Against the target: {assurance.lower()}."
    return text


def msg_chart(result: IndicatorResult, force_names: dict[str, str]) -> Chart | None:
    """The force's rate per 1,000 against each MSG peer's, and the average."""
    msg = result.msg_comparison
    if not msg:
        return None
    entries = sorted([(result.force, msg.rate)] + [(p.force, p.rate) for p in msg.peers],
                     key=lambda e: e[1])
    names = [force_names.get(slug, slug) for slug, _ in entries]
    colours = [COLOURS["force"] if slug == result.force else COLOURS["peer"] for slug, _ in entries]
    figure = {
        "data": [{"type": "bar", "orientation": "h", "name": "Rate per 1,000", "x": [r for _, r in entries],
                  "y": names, "marker": {"color": colours, "line": {"color": "#0b0c0c", "width": 1}},
                  "text": [f"{r:.2f}" for _, r in entries], "textposition": "outside"}],
        "layout": _layout(f"{result.name}: rate per 1,000 population, 12 months", "",
                          height=60 + 32 * len(entries), showlegend=False,
                          yaxis={"automargin": True},
                          xaxis={"title": {"text": "per 1,000 population"}},
                          shapes=[{"type": "line", "x0": msg.average, "x1": msg.average, "y0": -0.5,
                                   "y1": len(entries) - 0.5, "line": {"color": COLOURS["mean"], "dash": "dash"}}]),
    }
    rows = [[force_names.get(slug, slug) + (" (this force)" if slug == result.force else ""), f"{rate:.2f}"]
            for slug, rate in entries]
    rows.append(["MSG average", f"{msg.average:.2f}"])
    position = f"{ordinal(msg.position)} of {msg.of}" if msg.position else f"{msg.of} forces"
    better = {"down": "lowest", "up": "highest"}.get(result.polarity, "")
    summary = (f"{force_names.get(result.force, result.force)}: {msg.rate:.2f} per 1,000 people over the "
               f"last 12 months, against a Most Similar Group average of {msg.average:.2f} "
               f"({fmt.change_pct(msg.difference_pct)}); {position}"
               + (f" (1st = {better})." if better else "."))
    if set(getattr(force_names, "illustrative", ())) & {p.force for p in msg.peers}:
        summary = ("Illustrative: the peer forces' figures were generated for the demo, so their rates, the "
                   "average and this ranking are not published statistics. " + summary)
    return Chart(f"msg-{result.indicator}", "Most Similar Group comparison", summary, figure,
                 ["Force", "Rate per 1,000"], rows)
