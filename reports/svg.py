"""Charts drawn on the server as inline SVG (SPEC §4 Panel report).

`render(chart)` draws a `reports.charts.Chart` from the same plotly figure
spec the pages hand to plotly.js (so the picture on paper and the one on
screen come from one description: the trend, the SPC chart with its Making
Data Count colours and shapes, the MSG bars). The SVG is written here
directly, element by element (docs/decisions.md, "Server-drawn charts
written directly"): it was drawn with matplotlib's SVG backend and cleaned
up, at ~45 ms a chart; the same picture written as text takes well under a
millisecond. The layout is matplotlib's as it was (fixed margins, tick
placement by `matplotlib.ticker.MaxNLocator`, legend in rows under the
plot), measured with the metrics of the font the stack names first. The
output is

- accessible: ``role="img"`` and a ``<title>`` naming the chart; the data
  table stays beside it in the template;
- deterministic: no date, no random ids (ids are the chart's own, prefixed,
  so many charts can share one HTML page without clashing);
- small: no metadata, no style sheet, no glyph outlines (text stays text, in
  the system font stack), presentation attributes rather than CSS (a page's
  style rules and an HTML-to-PDF printer leave them alone), each set once
  where it can be inherited, coordinates to one decimal, paths in relative
  steps, a row of labels one ``<text>`` (docs/decisions.md, "The report's
  inline SVG, smaller").

An SVG is still cached by a hash of its figure spec: the same data draws
once, and changed data can never be served an old picture.
"""

from __future__ import annotations

import functools
import hashlib
import html
import itertools
import json
import math
import os
from datetime import date

from django.core.cache import caches
from django.utils.translation import get_language
from matplotlib.ticker import MaxNLocator

from reports import formatting as fmt

# The text is set in the first of these the reader has; its width is measured with the metrics of the
# font matplotlib finds for the same names (Liberation Sans is metric-compatible with Arial and Helvetica).
FONT_STACK = "Arial, 'Liberation Sans', Helvetica, sans-serif"      # written as it is: no double quote
FONT_FAMILIES = ["Liberation Sans", "Arial", "DejaVu Sans"]
FONT_FILES = ("liberationsans-regular.ttf", "arial.ttf")
VERSION = "5"            # bump when the drawing changes, so cached SVGs are redrawn
WIDTH_IN = 7.0           # A4 text width is about 7.3 in: printed at 100% the fonts keep their size
PX_PER_IN = 320 / 2.4    # plotly layout height 320 px -> 2.4 in
DPI = 72                 # SVG user units are points
CACHE_SECONDS = 7 * 24 * 3600

INK = "#0b0c0c"
AXIS = "#505a5f"
GRID = "#dfe3e6"
TICK_SIZE = 8.5          # tick labels and axis titles, pt
LEGEND_SIZE = 8
NOTE_SIZE = 7.5          # reference lines' labels, bar values
TICK_PAD = 7             # from the axis to its tick labels (matplotlib: tick length 3.5 + pad 3.5)
LABEL_PAD = 4            # from the tick labels to the axis title
# A line of text, in ems: from the baseline up to the top of its box, and down to the bottom
# (matplotlib's box of "lp"), so text is placed as matplotlib placed it.
ASCENT, DESCENT = 0.76, 0.21
# Legend (matplotlib's, in units of the legend's font size): border and pad round it, the handle's
# length, the gap to its text, the gap between columns, between rows.
LEGEND_PAD, HANDLE, HANDLE_GAP, COLUMN_GAP, ROW_PITCH = 0.8, 2.2, 0.8, 1.6, 1.5
DASHES = {"dash": (3.7, 1.6), "dot": (1, 1.65)}     # matplotlib's "--" and ":", scaled by the line width


def render(chart) -> str:
    """The chart as an inline ``<svg>`` element (cached by its content)."""
    key = _key(chart)
    svg = caches["pages"].get(key)
    if svg is None:
        svg = _draw(chart)
        caches["pages"].set(key, svg, CACHE_SECONDS)
    return svg


def render_many(charts) -> None:
    """Set ``chart.svg`` on each chart, reading the cache once for all of them."""
    keys = {(chart.id, id(chart)): _key(chart) for chart in charts}
    found = caches["pages"].get_many(list(set(keys.values()))) if keys else {}
    fresh = {}
    for chart in charts:
        key = keys[chart.id, id(chart)]
        svg = found.get(key) or fresh.get(key)
        if svg is None:
            svg = fresh[key] = _draw(chart)
        chart.svg = svg
    if fresh:
        caches["pages"].set_many(fresh, CACHE_SECONDS)


def _key(chart) -> str:
    return "svg:" + hashlib.sha256(
        json.dumps([VERSION, chart.id, chart.title, chart.figure, get_language()], sort_keys=True,
                   default=str).encode()
    ).hexdigest()


def _number(value: float, _pos=None) -> str:
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if float(value).is_integer():
        return f"{value:.0f}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _text(value) -> str:
    return html.unescape(str(value or ""))


def _value(v) -> float | None:
    """A plotted value, or None for a gap (None or NaN)."""
    if v is None:
        return None
    v = float(v)
    return None if math.isnan(v) else v


def _date_label(x: str) -> str:
    d = date.fromisoformat(x)
    return f"{fmt.short_month_name(d.month)} {d.year}"


def _f(v: float) -> str:
    """A coordinate to one decimal, without a trailing ".0" (or a "-0")."""
    return _t(round(v * 10))


def _t(tenths: int) -> str:
    """A number of tenths written as `_f` writes it."""
    if tenths % 10 == 0:
        return str(tenths // 10)
    return f"{tenths / 10:.1f}"


def _numbers(*tenths: int) -> str:
    """Path numbers (in tenths): a space between two, none before a minus."""
    out = ""
    for t in tenths:
        text = _t(t)
        out += text if not out or text[0] == "-" else " " + text
    return out


def _polyline(points: list) -> str:
    """A line through ``points`` (tenths; None for a gap, which breaks it):
    the first point absolute, every other relative to the one before, a
    command's letter once (pairs after "l" or "m" are more of the same), a
    gap a relative move. The points are written to one decimal, so each step
    is exact and the renderer adds them up to the same points: "M56.6
    52.7l12.2 14.4 12.4-8.1" where "M56.6 52.7L68.8 67.1L81.2 59" took 13%
    more (dropping the repeated "L" alone saves nothing: a space takes its
    place)."""
    out, last, pen = [], None, "M"
    for point in points:
        if point is None:
            pen = "m" if last is not None else "M"
            continue
        if last is None:
            out.append("M" + _numbers(*point))
            pen = "l"
        else:
            step = _numbers(point[0] - last[0], point[1] - last[1])
            out.append(pen + step if pen else step if step[0] == "-" else " " + step)
            pen = ""
        last = point
    return "".join(out)


def _esc(s: str) -> str:
    return html.escape(s, quote=False)


# -- font metrics -------------------------------------------------------------------------------------


@functools.cache
def _advances() -> tuple[dict[str, float], float]:
    """Each character's advance width in ems, read once per process from the
    font file matplotlib finds for the stack (Liberation Sans, else Arial,
    else the DejaVu Sans it ships), and a default for characters it lacks.
    The characters up to U+20FF: Latin, punctuation, currency signs."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font, LoadFlags

    font = FT2Font(_font_path(font_manager))
    units = font.units_per_EM
    widths = {chr(code): font.load_glyph(glyph, flags=LoadFlags.NO_SCALE).horiAdvance / units
              for code, glyph in font.get_charmap().items() if code < 0x2100}
    return widths, widths.get("n", 0.556)


def _font_path(font_manager) -> str:
    """The file of the first font of the stack installed here: matplotlib's
    choice, unless its font list predates a Liberation Sans or Arial
    installed since (it is cached across processes), then the system's."""
    path = font_manager.findfont(font_manager.FontProperties(family=FONT_FAMILIES), fallback_to_default=True)
    if os.path.basename(path).lower() not in FONT_FILES:
        found = {os.path.basename(p).lower(): p for p in font_manager.findSystemFonts(fontext="ttf")}
        path = next((found[name] for name in FONT_FILES if name in found), path)
    return path


@functools.lru_cache(maxsize=4096)                   # the same tick labels and names, chart after chart
def text_width(text: str, size: float) -> float:
    """The width of one line of text at ``size`` pt (kerning aside)."""
    widths, default = _advances()
    return sum(widths.get(c, default) for c in text) * size


# -- writing ----------------------------------------------------------------------------------------


def _draw(chart) -> str:
    figure = chart.figure
    layout = figure.get("layout", {})
    data = figure.get("data", [])
    prefix = "c" + hashlib.sha1(chart.id.encode()).hexdigest()[:8]
    height = max(1.6, layout.get("height", 320) / PX_PER_IN) * DPI
    if any(t.get("type") == "bar" for t in data):
        body = _bars(data, layout, height, prefix)
    else:
        body = _lines(data, layout, height, prefix)
    title = layout.get("title", {}).get("text", "")
    title = _esc(_text(title) if title else chart.title)
    # No xmlns: the drawing is only ever inline in HTML, where the parser puts <svg> and all in the SVG
    # namespace (a standalone .svg file would need it back). Inherited by every element: no fill (each
    # text, text group, filled marker and bar sets its own, and a line's or a dot's stroke is drawn
    # alone), and the tick labels' size (the legend and notes set theirs).
    return (f'<svg class="chart-svg" viewBox="0 0 {_f(WIDTH_IN * DPI)} {_f(height)}" role="img" '
            f'aria-labelledby="{prefix}t" font-family="{html.escape(FONT_STACK, quote=False)}" '
            f'font-size="{TICK_SIZE}" fill="none"><title id="{prefix}t">{title}</title>{"".join(body)}</svg>')


def _clip(prefix: str, left: float, top: float, right: float, bottom: float) -> str:
    """The plot area as a clip path. Not in a ``<defs>``: a clipPath is never
    drawn where it stands, in SVG or in WeasyPrint (which finds it by id
    anywhere in the drawing)."""
    return (f'<clipPath id="{prefix}0"><rect x="{_f(left)}" y="{_f(top)}" width="{_f(right - left)}" '
            f'height="{_f(bottom - top)}"/></clipPath>')


def _stroke(colour: str, width: float, dash: str | None = None) -> str:
    out = f'stroke="{colour}" stroke-width="{_f2(width)}"'
    if dash in DASHES:
        out += f' stroke-dasharray="{",".join(_f(d * width) for d in DASHES[dash])}"'
    return out


def _f2(v: float) -> str:
    """A line width: to two decimals (0.5, 0.6, 1.2, 1.8)."""
    return f"{v:.2f}".rstrip("0").rstrip(".")


OUTLINE = 0.6            # a special cause's marker: its outline's width, pt


def _markers(symbol: str, size: float, colour: str, outline: str | None, points) -> str:
    """A series' markers: matplotlib's "o", "D" or "s" at ``size`` pt, at each
    point (tenths, as the line writes them), as one path a layer rather than
    an element a point (an HTML-to-PDF printer draws one node where it drew
    one per point: the full pack's 886 ``<use>`` were a third of the PDF's
    drawing time); the first point absolute, each next one a relative move
    from where the last shape ended, as `_polyline` writes a line.

    A circle is a dot: a zero-length stroke with round caps as wide as the
    marker (``M x y h0``), which SVG and PDF both draw as a filled circle; with
    an outline, two layers of dots, the outline's colour 0.6 pt wider under
    the fill's 0.6 pt narrower (a filled circle stroked 0.6 wide). A square
    without an outline is a stroke as long as its side and as wide (``M x y
    h3.3``, butt caps), centred on its point (the outline it replaces had its
    corner written to one decimal, up to 0.05 pt off centre); not a
    zero-length stroke with square caps, which PDF does not draw at all (ISO
    32000 8.5.3.2: a degenerate subpath is painted only with round caps;
    poppler leaves it out). 11 to 14 bytes a point where the outlines took 30
    to 55: the markers were the most of a report's inline SVG (issue 27: 1,006
    KB at national scale, goal 800 KB). A square with an outline and a diamond
    stay outlines, filled and stroked, written short (a command's letter once,
    no separator before a minus): two layers of butt strokes would draw the
    same square, but poppler moves each layer's edges to whole pixels apart,
    and at 100 dpi the fill covered the outline's sides."""
    x0, y0 = points[0]
    steps = [(x - px, y - py) for (px, py), (x, y) in zip(points, points[1:])]
    if symbol not in ("square", "diamond"):
        layers = [(colour, size)] if outline is None else [(outline, size + OUTLINE), (colour, size - OUTLINE)]
        d = f"M{_numbers(x0, y0)}h0" + "".join(f"m{_numbers(*step)}h0" for step in steps)
        return "".join(f'<path d="{d}" stroke="{paint}" stroke-width="{_f2(round(width, 2))}" '
                       f'stroke-linecap="round"/>' for paint, width in layers)
    side = round(size * 10)                              # tenths, as the outline wrote it
    if symbol == "square" and outline is None:
        # from the left edge (to hundredths: the point less half the side) to the right; then on to the
        # next left edge
        d = f"M{_f2((x0 * 10 - side * 5) / 100)} {_t(y0)}h{_t(side)}" + "".join(
            f"m{_numbers(dx - side, dy)}h{_t(side)}" for dx, dy in steps)
        return f'<path d="{d}" stroke="{colour}" stroke-width="{_t(side)}"/>'
    # an outline from its top (or top left) corner, closed there, so the next starts from that corner
    if symbol == "square":
        corner = round(-size / 2 * 10)
        path = f"M{_numbers(x0 + corner, y0 + corner)}h{_t(side)}v{_t(side)}h{_t(-side)}z" + "".join(
            f"m{_numbers(*step)}h{_t(side)}v{_t(side)}h{_t(-side)}z" for step in steps)
    else:
        half = round(size / 2 * math.sqrt(2) * 10)     # from the centre to a corner
        sides = (half, half, -half, half, -half, -half)
        # after a move, more pairs are lines: "m" and the step, then the sides
        path = f"M{_numbers(x0, y0 - half)}l{_numbers(*sides)}z" + "".join(
            f"m{_numbers(*step, *sides)}z" for step in steps)
    paint = f' stroke="{outline}" stroke-width="{_f2(OUTLINE)}"' if outline else ""
    return f'<path d="{path}" fill="{colour}"{paint}/>'


def _marker_style(trace: dict) -> tuple[str, float, str, str | None]:
    """(symbol, size in pt, fill colour, outline colour or None) of a trace's markers."""
    marker, line = trace.get("marker", {}), trace.get("line", {})
    colour = marker.get("color") or line.get("color") or INK
    outline = marker["line"].get("color", colour) if marker.get("line") else None
    return marker.get("symbol", "circle"), max(3.0, marker.get("size", 6) * 0.55), colour, outline


def _ticks(low: float, high: float, locator: MaxNLocator) -> list[float]:
    """The locator's ticks inside the axis (matplotlib shows no other)."""
    slack = (high - low) * 1e-10
    step = None
    ticks = [float(t) for t in locator.tick_values(low, high)]
    if len(ticks) > 1:
        step = ticks[1] - ticks[0]
    return [0.0 if step and abs(t) < step * 1e-9 else t for t in ticks if low - slack <= t <= high + slack]


def _lines(data: list, layout: dict, height: float, prefix: str) -> list[str]:
    xaxis, yaxis = layout.get("xaxis", {}), layout.get("yaxis", {})
    categories = list(dict.fromkeys(x for trace in data for x in trace.get("x", [])))
    if xaxis.get("type") == "date":
        categories.sort()
    position = {x: k for k, x in enumerate(categories)}
    # Reference lines (mean, limits, target): two points at one value, drawn across the whole axis.
    traces = []
    for trace in data:
        xs, ys = trace.get("x", []), [_value(v) for v in trace.get("y", [])]
        mode = trace.get("mode", "lines")
        reference = mode == "lines" and len(xs) == 2 and ys[0] is not None and ys[0] == ys[1]
        traces.append((trace, xs, ys, mode, reference))
    legend = [(trace, mode, reference) for trace, _, _, mode, reference in traces] \
        if layout.get("showlegend", True) else []
    names = [_text(trace.get("name")) for trace, _, _ in legend]
    width = WIDTH_IN * DPI
    left, right, top = 0.7 * DPI, width - 0.15 * DPI, 0.2 * DPI
    ncol = _legend_columns(names, width - left)
    rows = -(-len(legend) // ncol) if legend else 0
    bottom = height - (0.42 + 0.17 * rows) * DPI
    n = max(1, len(categories))

    # y range: every value and every reference line inside the axis, with room for the markers.
    values = [v for _, _, ys, _, _ in traces for v in ys if v is not None]
    low, high = 0.0, 1.0
    if values:
        low, high = min(values), max(values)
        pad = (high - low) * 0.08 or abs(high) * 0.1 or 1.0
        low, high = low - pad, high + pad
    if yaxis.get("range"):
        # A bound the unit allows (0-100 for a percentage): kept inside it, not stretched to it,
        # so a series near 95% is not flattened against a 0-100 axis.
        floor, ceiling = yaxis["range"]
        low, high = max(low, floor), min(high, ceiling)
    elif yaxis.get("rangemode") == "tozero" and low > 0:
        low = 0.0
    if high <= low:
        high = low + 1.0

    def px(k: float) -> float:
        return left + (k + 0.5) * (right - left) / n

    def py(v: float) -> float:
        return bottom - (v - low) / (high - low) * (bottom - top)

    out = [_clip(prefix, left, top, right, bottom)]

    # Grid and y tick labels.
    yticks = _ticks(low, high, MaxNLocator(nbins=5))
    labels = [_number(t) for t in yticks]
    if yticks:
        out.append(f'<path d="{"".join(f"M{_f(left)} {_f(py(t))}H{_f(right)}" for t in yticks)}" '
                   f'{_stroke(GRID, 0.5)}/>')
    # the axes' texts, in ink, centred but for the y tick labels (right-aligned)
    out.append(f'<g fill="{INK}" text-anchor="middle"><g text-anchor="end">'
               + "".join(f'<text x="{_f(left - TICK_PAD)}" y="{_f(py(t) + _center_baseline(TICK_SIZE))}">'
                         f"{_esc(label)}</text>" for t, label in zip(yticks, labels)) + "</g>")
    # x tick labels: every category, or every few so that no more than twelve are named and no two
    # labels touch (measured: twelve "Mon YYYY" labels do not fit side by side).
    date_axis = xaxis.get("type") == "date"
    xlabels = [_date_label(x) if date_axis else _text(x) for x in categories]
    widest = max((text_width(label, TICK_SIZE) for label in xlabels), default=0)
    step = max(1, -(-len(categories) // 12), math.ceil((widest + TICK_SIZE) / ((right - left) / n)))
    out.append(_row(bottom + TICK_PAD + ASCENT * TICK_SIZE,
                    [(px(k), xlabels[k]) for k in range(0, len(categories), step)]))
    y_title = _text(yaxis.get("title", {}).get("text"))
    if y_title:
        widest = max((text_width(label, TICK_SIZE) for label in labels), default=0)
        x = left - TICK_PAD - widest - LABEL_PAD - DESCENT * TICK_SIZE
        y = (top + bottom) / 2
        out.append(f'<text x="{_f(x)}" y="{_f(y)}" transform="rotate(-90 {_f(x)} {_f(y)})">{_esc(y_title)}</text>')
    out.append("</g>")

    # The plot: reference lines under the series, the series' lines with their markers, then the
    # axis lines, then markers alone (special-cause points) over everything.
    # Reference lines drawn one after another in the same stroke (the two limits) are one path.
    references: list[tuple[str, str]] = []
    for trace, _, ys, _, reference in traces:
        if reference:
            line = trace.get("line", {})
            d = f"M{_f(left)} {_f(py(ys[0]))}H{_f(right)}"
            paint = _stroke(line.get("color", INK), line.get("width", 2) * 0.6, line.get("dash"))
            if references and references[-1][1] == paint:
                d = references.pop()[0] + d
            references.append((d, paint))
    plot, over = [f'<path d="{d}" {paint}/>' for d, paint in references], []
    column = [round(px(k) * 10) for k in range(len(categories))]
    for trace, xs, ys, mode, reference in traces:
        if reference:
            continue
        # each point's coordinates in tenths as written, once for its line and its marker
        points = [(column[position[x]], round(py(y) * 10)) if y is not None else None for x, y in zip(xs, ys)]
        target = plot
        if "lines" in mode:
            line = trace.get("line", {})
            colour = line.get("color") or trace.get("marker", {}).get("color") or INK
            if any(point is not None for point in points):
                plot.append(f'<path d="{_polyline(points)}" '
                            f'{_stroke(colour, line.get("width", 2) * 0.6, line.get("dash"))} stroke-linejoin="round"/>')
        else:
            target = over
        if "markers" in mode:
            held = [p for p in points if p is not None]
            if held:
                target.append(_markers(*_marker_style(trace), held))
    out.append(f'<g clip-path="url(#{prefix}0)">{"".join(plot)}</g>')
    out.append(f'<path d="M{_f(left)} {_f(top)}V{_f(bottom)}H{_f(right)}" {_stroke(AXIS, 0.6)}/>')
    if over:
        out.append(f'<g clip-path="url(#{prefix}0)">{"".join(over)}</g>')
    out.extend(_line_labels([n for n in layout.get("annotations", []) if n.get("xref") == "paper"],
                            low, high, left, right, py))
    if legend:
        out.append(_legend(legend, names, ncol, left,
                           bottom + 0.1 * (bottom - top)))
    return out


def _row(y: float, texts: list, attributes: str = "") -> str:
    """Texts on one baseline (tick labels, a legend's row of names) as one
    ``<text>``, each a ``<tspan>`` at its own x: a tspan with an x starts a
    new chunk of text, placed and anchored (text-anchor) on its own, in SVG
    as in WeasyPrint (its svg/text.py); 9 bytes a label fewer than a
    ``<text>`` with its x and y each."""
    if not texts:
        return ""
    return (f'<text y="{_f(y)}"{attributes}>'
            + "".join(f'<tspan x="{_f(x)}">{_esc(text)}</tspan>' for x, text in texts) + "</text>")


def _center_baseline(size: float) -> float:
    """From a text's centre to its baseline as matplotlib's va="center_baseline"
    (tick labels) places it: half the height above the baseline."""
    return ASCENT / 2 * size


def _center(size: float) -> float:
    """From a text's centre to its baseline as matplotlib's va="center" places
    it: the middle of its box, descent included."""
    return (ASCENT - DESCENT) / 2 * size


def _line_labels(notes: list, low: float, high: float, left: float, right: float, py) -> list[str]:
    """Each reference line's name at its right end, above the line; a label
    that would overprint another (a target close to the average) goes below
    its line, or failing that at the left end. Two labels overprint when
    closer than a label's height (a line of text and a point's gap, in data
    units). A line outside the axis (and so not drawn) is not named."""
    near = ((ASCENT + DESCENT) * NOTE_SIZE + 1) * (high - low) / (py(low) - py(high))
    placed: list[tuple[float, str, str]] = []         # (y, va, ha)
    labels: list[tuple[str, str]] = []                # (paint, <text>), in the order drawn
    for note in sorted(notes, key=lambda n: -n["y"]):
        y = note["y"]
        for va, ha in (("bottom", "right"), ("top", "right"), ("bottom", "left"), ("top", "left")):
            offset = y + (near / 2 if va == "bottom" else -near / 2)
            if all(abs(offset - (p + (near / 2 if pva == "bottom" else -near / 2))) >= near or pha != ha
                   for p, pva, pha in placed):
                break
        placed.append((y, va, ha))
        if not low <= y <= high:
            continue
        x = right - 2 if ha == "right" else left + 2
        base = py(y) - 1 - DESCENT * NOTE_SIZE if va == "bottom" else py(y) + 1 + ASCENT * NOTE_SIZE
        paint = (f'font-size="{NOTE_SIZE}" fill="{note.get("font", {}).get("color", INK)}" '
                 f'text-anchor="{"end" if ha == "right" else "start"}"')
        labels.append((paint, f'x="{_f(x)}" y="{_f(base)}">{_esc(_text(note.get("text")))}</text>'))
    # labels drawn one after another alike (the limits and the average, grey at the right) share a group
    out = []
    for paint, run in itertools.groupby(labels, key=lambda label: label[0]):
        texts = [text for _, text in run]
        out.append(f"<text {paint} {texts[0]}" if len(texts) == 1 else
                   f"<g {paint}>" + "".join(f"<text {text}" for text in texts) + "</g>")
    return out


def _legend_columns(names: list[str], room: float) -> int:
    """As many columns as fit across ``room`` (four at most), each as wide as
    its widest name."""
    size = LEGEND_SIZE
    for ncol in range(min(4, len(names)), 1, -1):
        columns = [max(text_width(names[k], size) for k in range(c, len(names), ncol)) for c in range(ncol)]
        if 2 * LEGEND_PAD * size + sum(columns) + ncol * (HANDLE + HANDLE_GAP) * size \
                + (ncol - 1) * COLUMN_GAP * size <= room:
            return ncol
    return 1


def _legend(entries: list, names: list[str], ncol: int, x0: float, y0: float) -> str:
    """The legend below the plot, read across its rows: each column as wide
    as its widest name, measured."""
    size = LEGEND_SIZE
    columns = [max(text_width(names[k], size) for k in range(c, len(names), ncol)) for c in range(ncol)]
    top = y0 + LEGEND_PAD * size
    handles: dict[str, str] = {}                        # each stroke's handles, one path
    markers, rows = [], {}
    for k, ((trace, mode, reference), name) in enumerate(zip(entries, names)):
        row, column = divmod(k, ncol)
        x = x0 + LEGEND_PAD * size + sum(columns[:column]) + column * ((HANDLE + HANDLE_GAP + COLUMN_GAP) * size)
        baseline = top + row * ROW_PITCH * size + ASCENT * size
        middle = baseline - 0.35 * size                # the handle's box: 0.7 em above the baseline
        if "lines" in mode:
            line = trace.get("line", {})
            colour = line.get("color") or trace.get("marker", {}).get("color") or INK
            paint = _stroke(colour, line.get("width", 2) * 0.6, line.get("dash"))
            handles[paint] = handles.get(paint, "") + f"M{_f(x)} {_f(middle)}H{_f(x + HANDLE * size)}"
        if "markers" in mode and not reference:
            markers.append(_markers(*_marker_style(trace), [(round((x + HANDLE * size / 2) * 10), round(middle * 10))]))
        rows.setdefault(baseline, []).append((x + (HANDLE + HANDLE_GAP) * size, name))
    # nothing in a legend overlaps: the handles, then the markers over them, then the names
    return (f'<g font-size="{size}">' + "".join(f'<path d="{d}" {paint}/>' for paint, d in handles.items())
            + "".join(markers) + "".join(_row(baseline, names, f' fill="{INK}"') for baseline, names in rows.items())
            + "</g>")


def _bars(data: list, layout: dict, height: float, prefix: str) -> list[str]:
    """A horizontal bar per entry, its value at its end, the first entry at
    the bottom; vertical reference lines (the MSG average) with their notes."""
    trace = next(t for t in data if t.get("type") == "bar")
    names = [_text(n) for n in trace["y"]]
    values = [_value(v) for v in trace["x"]]
    colours = trace.get("marker", {}).get("color", "#1d70b8")
    colours = colours if isinstance(colours, list) else [colours] * len(names)
    n = len(names)
    width = WIDTH_IN * DPI
    widest = max((text_width(name, TICK_SIZE) for name in names), default=0)
    left = min(2.6 * DPI, TICK_PAD + widest + 8)       # room for the longest name
    right, top, bottom = width - 0.15 * DPI, 0.2 * DPI, height - 0.42 * DPI
    present = [v for v in values if v is not None]
    high = max(present) * 1.15 if present and max(present) > 0 else 1.0
    # matplotlib's autoscaling of bars 0.7 high: 5% margins round them
    span = n - 0.3
    ylow, yhigh = -0.35 - 0.05 * span, n - 0.65 + 0.05 * span

    def px(v: float) -> float:
        return left + v / high * (right - left)

    def py(v: float) -> float:
        return bottom - (v - ylow) / (yhigh - ylow) * (bottom - top)

    out = [_clip(prefix, left, top, right, bottom)]
    # matplotlib's AutoLocator: up to nine ticks, no closer than three label heights
    xticks = _ticks(0, high, MaxNLocator(nbins=max(1, min(9, int((right - left) // (TICK_SIZE * 3)))),
                                         steps=[1, 2, 2.5, 5, 10]))
    if xticks:
        out.append(f'<path d="{"".join(f"M{_f(px(t))} {_f(top)}V{_f(bottom)}" for t in xticks)}" '
                   f'{_stroke(GRID, 0.5)}/>')
    # the axes' texts, in ink, centred but for the names (right-aligned)
    out.append(f'<g fill="{INK}" text-anchor="middle">'
               + _row(bottom + TICK_PAD + ASCENT * TICK_SIZE, [(px(t), _number(t)) for t in xticks])
               + '<g text-anchor="end">'
               + "".join(f'<text x="{_f(left - TICK_PAD)}" y="{_f(py(k) + _center_baseline(TICK_SIZE))}">'
                         f"{_esc(name)}</text>" for k, name in enumerate(names)) + "</g>")
    x_title = _text(layout.get("xaxis", {}).get("title", {}).get("text"))
    if x_title:
        y = bottom + TICK_PAD + (ASCENT + DESCENT) * TICK_SIZE + LABEL_PAD + ASCENT * TICK_SIZE
        out.append(f'<text x="{_f((left + right) / 2)}" y="{_f(y)}">{_esc(x_title)}</text>')
    out.append("</g>")
    bars, labels = [], []
    texts = trace.get("text", [])
    for k, value in enumerate(values):
        if value is None:
            continue
        y0, y1 = py(k + 0.35), py(k - 0.35)
        bars.append(f'<rect x="{_f(left)}" y="{_f(y0)}" width="{_f(px(value) - left)}" height="{_f(y1 - y0)}" '
                    f'fill="{colours[k]}"/>')
        if k < len(texts):
            labels.append(f'<text x="{_f(px(value) + 3)}" y="{_f(py(k) + _center(NOTE_SIZE))}">'
                          f"{_esc(_text(texts[k]))}</text>")
    edge = trace.get("marker", {}).get("line", {}).get("color", INK)
    out.append(f'<g clip-path="url(#{prefix}0)" stroke="{edge}" stroke-width="0.5">{"".join(bars)}</g>')
    for shape in layout.get("shapes", []):
        if shape.get("type") == "line":
            line = shape.get("line", {})
            out.append(f'<path d="M{_f(px(shape["x0"]))} {_f(top)}V{_f(bottom)}" '
                       f'{_stroke(line.get("color", INK), 1, line.get("dash"))}/>')
    out.append(f'<path d="M{_f(left)} {_f(top)}V{_f(bottom)}H{_f(right)}" {_stroke(AXIS, 0.6)}/>')
    out.append(f'<g font-size="{NOTE_SIZE}" fill="{INK}">{"".join(labels)}</g>')
    for note in layout.get("annotations", []):
        out.append(f'<text font-size="{NOTE_SIZE}" fill="{note.get("font", {}).get("color", INK)}" '
                   f'text-anchor="middle" x="{_f(px(note["x"]))}" '
                   f'y="{_f(py(n - 0.5) - 2 - DESCENT * NOTE_SIZE)}">{_esc(_text(note.get("text")))}</text>')
    return out
