"""The server-drawn charts as they were drawn with matplotlib's SVG backend
until reports/svg.py wrote its SVG itself (docs/decisions.md, "Server-drawn
charts written directly"). Kept for the bench only (bench/bench_svg.py), to
measure the new writer against it in the same run and to compare pictures;
production code does not import it. Unchanged but for this paragraph and
the caching functions, removed.

Originally: charts drawn on the server as inline SVG (SPEC §4 Panel report).

`render(chart)` draws a `reports.charts.Chart` from the same plotly figure
spec the pages hand to plotly.js (so the picture on paper and the one on
screen come from one description: the trend, the SPC chart with its Making
Data Count colours and shapes, the MSG bars), with matplotlib's SVG backend
(docs/decisions.md, "Server-drawn charts"). The output is

- accessible: ``role="img"`` and a ``<title>`` naming the chart; the data
  table stays beside it in the template;
- deterministic: no date, no random ids (ids are the chart's own, prefixed,
  so many charts can share one HTML page without clashing);
- small: no metadata, no glyph outlines (text stays text, in the system font
  stack), coordinates to one decimal.

Drawing costs a few tens of milliseconds, so an SVG is cached by a hash of
its figure spec: the same data draws once, and changed data can never be
served an old picture.
"""

from __future__ import annotations

import hashlib
import html
import io
import re

import matplotlib
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from reports.svg import _date_label, _number, _text  # the same helpers as the writer that replaced this drawing

# Arial's metrics, which matplotlib measures with (Liberation Sans is metric-compatible with Arial
# and Helvetica), so legends and labels laid out on the server fit wherever the SVG is shown.
FONT_STACK = "Arial, 'Liberation Sans', Helvetica, sans-serif"
VERSION = "3"            # bump when the drawing changes, so cached SVGs are redrawn
WIDTH_IN = 7.0           # A4 text width is about 7.3 in: printed at 100% the fonts keep their size
PX_PER_IN = 320 / 2.4    # plotly layout height 320 px -> 2.4 in
RC = {
    "svg.fonttype": "none",            # text as <text>, no glyph paths
    "svg.hashsalt": "pccperf",         # stable ids
    "font.family": "sans-serif",
    "font.sans-serif": ["Liberation Sans", "Arial", "DejaVu Sans"],
    "font.size": 8.5,
    "axes.edgecolor": "#505a5f",
    "axes.linewidth": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 9,
    "xtick.color": "#0b0c0c",
    "xtick.bottom": False,             # no tick marks: the labels and the grid say enough, in fewer bytes
    "ytick.left": False,
    "ytick.color": "#0b0c0c",
    "grid.color": "#dfe3e6",
    "grid.linewidth": 0.5,
    "legend.frameon": False,
    "legend.fontsize": 8,
    "savefig.dpi": 72,
}
SYMBOLS = {"circle": "o", "diamond": "D", "square": "s"}
DASHES = {"dash": "--", "dot": ":", "solid": "-", None: "-"}


def _values(ys) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in ys], dtype=float)


def _draw(chart) -> str:
    figure = chart.figure
    layout = figure.get("layout", {})
    data = figure.get("data", [])
    bar = any(t.get("type") == "bar" for t in data)
    height_in = max(1.6, layout.get("height", 320) / PX_PER_IN)
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=(WIDTH_IN, height_in))
        fig.patch.set_visible(False)
        ax = fig.add_subplot()
        ax.patch.set_visible(False)
        if bar:
            _bars(ax, data, layout)
        else:
            _lines(ax, data, layout)
        _margins(fig, ax, layout, bar)
        out = io.StringIO()
        fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    return _clean(out.getvalue(), chart)


def _margins(fig, ax, layout, bar: bool) -> None:
    """Fixed margins (in inches) rather than a layout engine: drawing twice
    to measure would double the time, and fixed margins keep every chart's
    plot area aligned on the page. Room on the left for the longest tick label."""
    width, height = fig.get_size_inches()
    if bar:
        longest = max((len(str(t.get_text())) for t in ax.get_yticklabels()), default=8)
        left = min(2.6, 0.25 + 0.062 * longest)
        bottom = 0.42
    else:
        left = 0.7
        handles = len(ax.get_legend_handles_labels()[0])
        names = ax.get_legend_handles_labels()[1]
        per_row = 3 if names and max(len(n) for n in names) > 20 else 4
        bottom = 0.42 + 0.17 * (-(-handles // per_row))
    fig.subplots_adjust(left=left / width, right=1 - 0.15 / width, top=1 - 0.2 / height, bottom=bottom / height)


def _lines(ax, data, layout) -> None:
    xaxis = layout.get("xaxis", {})
    categories: list[str] = []
    for trace in data:
        for x in trace.get("x", []):
            if x not in categories:
                categories.append(x)
    if xaxis.get("type") == "date":
        categories.sort()
    position = {x: k for k, x in enumerate(categories)}
    labels = [(trace.get("x"), trace.get("y")) for trace in data]
    ax.set_axisbelow(True)
    ax.grid(axis="y")
    # Horizontal reference lines (mean, limits, target) across the whole axis.
    for trace, (xs, ys) in zip(data, labels):
        mode = trace.get("mode", "lines")
        line = trace.get("line", {})
        marker = trace.get("marker", {})
        colour = marker.get("color") or line.get("color") or "#0b0c0c"
        name = _text(trace.get("name"))
        if mode == "lines" and len(xs) == 2 and ys[0] == ys[1]:
            ax.axhline(ys[0], color=line.get("color", colour), linestyle=DASHES.get(line.get("dash")),
                       linewidth=line.get("width", 2) * 0.6, label=name, zorder=1)
            continue
        px = [position[x] for x in xs]
        py = _values(ys)
        kwargs = {"label": name, "zorder": 2}
        if "markers" in mode:
            kwargs.update(marker=SYMBOLS.get(marker.get("symbol"), "o"),
                          markersize=max(3.0, marker.get("size", 6) * 0.55), markerfacecolor=colour,
                          markeredgecolor=marker.get("line", {}).get("color", colour),
                          markeredgewidth=0.6 if marker.get("line") else 0)
        if "lines" in mode:
            ax.plot(px, py, color=line.get("color", colour), linestyle=DASHES.get(line.get("dash")),
                    linewidth=line.get("width", 2) * 0.6, **kwargs)
        else:
            kwargs["zorder"] = 3
            ax.plot(px, py, linestyle="none", **kwargs)
    ax.set_xlim(-0.5, len(categories) - 0.5)
    step = max(1, -(-len(categories) // 12))
    ticks = list(range(0, len(categories), step))
    ax.set_xticks(ticks)
    names = [_date_label(categories[k]) if xaxis.get("type") == "date" else categories[k] for k in ticks]
    ax.set_xticklabels(names)
    yaxis = layout.get("yaxis", {})
    # Every value and every reference line (limits, target) inside the axis, with room for the markers.
    values = np.concatenate([_values(ys) for _, ys in labels]) if labels else np.array([])
    values = values[~np.isnan(values)]
    if values.size:
        low, high = float(values.min()), float(values.max())
        pad = (high - low) * 0.08 or abs(high) * 0.1 or 1.0
        ax.set_ylim(low - pad, high + pad)
    if yaxis.get("range"):
        # A bound the unit allows (0-100 for a percentage): kept inside it, not stretched to it,
        # so a series near 95% is not flattened against a 0-100 axis.
        floor, ceiling = yaxis["range"]
        low, high = ax.get_ylim()
        ax.set_ylim(max(low, floor), min(high, ceiling))
    elif yaxis.get("rangemode") == "tozero":
        low, high = ax.get_ylim()
        if low > 0:
            ax.set_ylim(0, high)
    _line_labels(ax, [n for n in layout.get("annotations", []) if n.get("xref") == "paper"])
    ax.yaxis.set_major_locator(MaxNLocator(nbins=5))
    ax.yaxis.set_major_formatter(FuncFormatter(_number))
    ax.set_ylabel(_text(yaxis.get("title", {}).get("text")))
    handles, names = ax.get_legend_handles_labels()
    if handles and layout.get("showlegend", True):
        ncol = min(3 if max(len(n) for n in names) > 20 else 4, len(handles))
        handles, names = _row_major(handles, ncol), _row_major(names, ncol)
        ax.legend(handles, names, loc="upper left", bbox_to_anchor=(0, -0.1), bbox_transform=ax.transAxes,
                  ncol=ncol, handlelength=2.2, columnspacing=1.6, borderaxespad=0.4)


def _line_labels(ax, notes) -> None:
    """Each reference line's name at its right end, above the line; a label
    that would overprint another (a target close to the average) goes below
    its line, or failing that at the left end."""
    low, high = ax.get_ylim()
    near = (high - low) * 0.08
    placed: list[tuple[float, str, str]] = []         # (y, va, ha)
    for note in sorted(notes, key=lambda n: -n["y"]):
        y = note["y"]
        for va, ha in (("bottom", "right"), ("top", "right"), ("bottom", "left"), ("top", "left")):
            offset = y + (near / 2 if va == "bottom" else -near / 2)
            if all(abs(offset - (py + (near / 2 if pva == "bottom" else -near / 2))) >= near or pha != ha
                   for py, pva, pha in placed):
                break
        placed.append((y, va, ha))
        ax.annotate(_text(note.get("text")), xy=(1 if ha == "right" else 0, y), xycoords=("axes fraction", "data"),
                    xytext=(-2 if ha == "right" else 2, 1 if va == "bottom" else -1), textcoords="offset points",
                    ha=ha, va=va, fontsize=7.5, color=note.get("font", {}).get("color", "#0b0c0c"))


def _row_major(items: list, ncol: int) -> list:
    """Order legend entries so that they read across the rows (matplotlib
    fills a legend's columns first)."""
    rows = -(-len(items) // ncol)
    return [items[i * ncol + j] for j in range(ncol) for i in range(rows) if i * ncol + j < len(items)]


def _bars(ax, data, layout) -> None:
    trace = next(t for t in data if t.get("type") == "bar")
    names = [_text(n) for n in trace["y"]]
    values = _values(trace["x"])
    colours = trace.get("marker", {}).get("color", "#1d70b8")
    ax.barh(range(len(names)), values, color=colours, edgecolor="#0b0c0c", linewidth=0.5, height=0.7)
    ax.set_yticks(range(len(names)))
    ax.set_yticklabels(names)
    for k, (value, label) in enumerate(zip(values, trace.get("text", []))):
        ax.annotate(label, xy=(value, k), xytext=(3, 0), textcoords="offset points", va="center", fontsize=7.5)
    for shape in layout.get("shapes", []):
        if shape.get("type") == "line":
            ax.axvline(shape["x0"], color=shape.get("line", {}).get("color", "#0b0c0c"),
                       linestyle=DASHES.get(shape.get("line", {}).get("dash")), linewidth=1)
    for note in layout.get("annotations", []):
        ax.annotate(_text(note.get("text")), xy=(note["x"], len(names) - 0.5), xytext=(0, 2),
                    textcoords="offset points", ha="center", va="bottom", fontsize=7.5,
                    color=note.get("font", {}).get("color", "#0b0c0c"), annotation_clip=False)
    ax.set_xlim(0, float(np.nanmax(values)) * 1.15 if len(values) else 1)
    ax.xaxis.set_major_formatter(FuncFormatter(_number))
    ax.set_xlabel(_text(layout.get("xaxis", {}).get("title", {}).get("text")))
    ax.grid(axis="x")
    ax.set_axisbelow(True)


_ID = re.compile(r'\sid="([^"]+)"')
_REF = re.compile(r'(?:xlink:href="#|url\(#)([^")]+)')
_FONT = re.compile(r"font-family: [^;\"]*;?\s*")
_ATTRIBUTE = re.compile(r' ([a-zA-Z][\w:-]*)="([^"]*)"')
_NUMBER = re.compile(r"(-?\d+\.\d)\d+")


def _clean(svg: str, chart) -> str:
    """Strip what an inline SVG does not need and make its ids the chart's own."""
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    svg = re.sub(r"<style[^>]*>.*?</style>", "", svg, flags=re.S)
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.S)
    svg = re.sub(r'\s*transform="rotate\(-?0 [^"]*\)"', "", svg)
    svg = _FONT.sub("", svg)
    svg = re.sub(r"\s*\n\s*", " ", svg)
    svg = _ATTRIBUTE.sub(_tidy_attribute, svg)
    svg = re.sub(r"> <", "><", svg)
    svg = re.sub(r"<defs>\s*</defs>", "", svg)
    svg = svg.replace("stroke-dashoffset: 0; ", "")
    # Ids unique in a page of many charts, and short: the chart's id hashed, then a number.
    prefix = "c" + hashlib.sha1(chart.id.encode()).hexdigest()[:8]
    renamed = {old: f"{prefix}{k}" for k, old in enumerate(dict.fromkeys(_REF.findall(svg)))}
    svg = _ID.sub(lambda m: f' id="{renamed[m.group(1)]}"' if m.group(1) in renamed else "", svg)
    svg = _unwrap_bare_groups(svg)
    svg = re.sub(r'(xlink:href="#|url\(#)([^")]+)', lambda m: m.group(1) + renamed[m.group(2)], svg)
    title = html.escape(chart.figure.get("layout", {}).get("title", {}).get("text", "") and
                        _text(chart.figure["layout"]["title"]["text"]) or chart.title)
    head = re.match(r"<svg [^>]*>", svg).group(0)
    view_box = re.search(r'viewBox="([^"]+)"', head).group(1)
    new_head = (f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
                f'class="chart-svg" viewBox="{view_box}" role="img" aria-labelledby="{prefix}t" '
                f'font-family="{html.escape(FONT_STACK)}">'
                f'<title id="{prefix}t">{title}</title>')
    return new_head + svg[len(head):]


def _unwrap_bare_groups(svg: str) -> str:
    """Drop ``<g>`` elements with no attributes (matplotlib's id-only groups
    once their ids are gone), keeping their children."""
    out, stack, last = [], [], 0
    for match in re.finditer(r"<g\b[^>]*>|</g>", svg):
        out.append(svg[last:match.start()])
        tag = match.group(0)
        if tag == "</g>":
            if stack.pop():
                out.append(tag)
        else:
            bare = tag == "<g>"
            stack.append(not bare)
            if not bare:
                out.append(tag)
        last = match.end()
    out.append(svg[last:])
    return "".join(out)


def _tidy_attribute(match) -> str:
    name, value = match.group(1), _NUMBER.sub(lambda n: _round(n.group(0)), match.group(2))
    if name == "d":
        value = re.sub(r" ?([zLMC]) ?", r"\1", value).strip()
    if name == "style":
        # Presentation attributes, not CSS: an HTML page's style rules and
        # an HTML-to-PDF printer then leave them alone.
        pairs = [part.split(":", 1) for part in value.split(";") if ":" in part]
        return "".join(f' {k.strip()}="{v.strip().removesuffix("px")}"' for k, v in pairs)
    return f' {name}="{value}"'


def _round(text: str) -> str:
    value = f"{float(text):.1f}"
    return value[:-2] if value.endswith(".0") else value

