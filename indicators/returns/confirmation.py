"""One rule for publishing (issue 28, item 4; docs/decisions.md): wherever
publishing starts (the quarterly grid's *Save and publish*, the review page,
the import's *Publish at once*, the returns list's bulk action), the figures
that need the analyst's eyes are listed old → new and published only with
one tick, "I have checked these figures", for the whole list:

- a figure that changes a published figure (a revision, a withdrawal, or a
  draft's figure older than one published since, which publishing would undo);
- a figure with a warning (figure_warnings: 3× the previous month or the
  same month last year).

A new figure with no warning needs no tick, and a figure equal to the
published one is not published at all. Nothing else is asked.

``confirmation(figures, post)`` is the one check every path calls; it is
server-side: a POST without the tick (or whose list of figures is not the
one shown: a figure or the published figure changed since) publishes
nothing, and the page shows the list again. A tick confirms the listed
figures by key (figure_key): the figure as it would be published over the
published figure as it stood, so a figure published since the list was
shown must be confirmed afresh."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime

from indicators import periods
from indicators.models import Indicator, LocalArea, Observation
from indicators.returns.figure_warnings import find_warnings
from reports import formatting as fmt

FIELDS = ["value", "numerator", "denominator", "status", "note", "first_month", "lower", "upper", "illustrative"]
TICK = "checked"                  # the one tick, value "1"
LISTED = "checked_figure"         # a hidden field per figure listed: its key
WORDS = "I have checked these figures"


def figure_words(values: dict | None, unit: str, decimals: int) -> str:
    """A figure in words: "15,102", "55.2% (275 of 498)", "4,767
    provisional", "unavailable (system change)", "none", "512 illustrative"
    (generated for the demo: a real figure over it says so)."""
    if values is None:
        return "none"
    if values["status"] == "unavailable":
        return "unavailable" + (f" ({values['note']})" if values.get("note") else "")
    text = fmt.measure(values["value"], unit, decimals)
    if values.get("numerator") is not None and values.get("denominator") is not None:
        text += f" ({fmt.number(values['numerator'])} of {fmt.number(values['denominator'])})"
    if values["status"] == "provisional":
        text += " provisional"
    if values.get("illustrative"):
        text += " illustrative"
    if values.get("note"):
        text += f" — note: {values['note']}"
    return text


def figure_key(indicator_id: int, area_id: int | None, month: date, new: dict,
               published_at: datetime | None) -> str:
    """What the tick confirms for one figure: this figure over the published
    one as it stood (its time), short enough to post."""
    text = repr((indicator_id, area_id, month.isoformat(), tuple(new.get(f) for f in FIELDS),
                 published_at.isoformat() if published_at else None))
    return hashlib.sha256(text.encode()).hexdigest()[:20]


@dataclass
class FigureCheck:
    """A figure the analyst confirms before it is published."""
    indicator_id: int
    area_id: int | None
    month: date
    label: str                    # "Reduction in … ASB incidents, June 2013" (", Bromsgrove" for an area)
    old: str                      # the published figure in words ("none" for a new one)
    new: str
    changes: bool                 # it changes a published figure
    warnings: list[str] = field(default_factory=list)
    conflict: str = ""            # older than the figure published since (workflow.Conflict.describe)
    published_at: datetime | None = None
    key: str = ""
    anchor: str = ""              # where the page shows the figure (its row or cell), when it does


@dataclass
class Confirmation:
    """The figures of one publication that need the tick, and whether the
    POST confirmed them (``ok``). ``refused`` when a tick was posted for
    another list (a figure changed since it was shown)."""
    checks: list[FigureCheck]
    missing: list[FigureCheck]
    ticked: bool = False

    @property
    def ok(self) -> bool:
        return not self.missing

    @property
    def needed(self) -> bool:
        return bool(self.checks)

    @property
    def changed(self) -> list[FigureCheck]:
        return [c for c in self.checks if c.changes]

    @property
    def warned(self) -> list[FigureCheck]:
        return [c for c in self.checks if c.warnings]

    @property
    def refused(self) -> bool:
        return self.ticked and bool(self.missing)

    def confirms(self, conflict) -> bool:
        """Was the stale conflict ``conflict`` (workflow.Conflict) among the
        figures confirmed, over the same publication?"""
        return self.ok and any(
            c.indicator_id == conflict.indicator_id and c.area_id == conflict.area_id and c.month == conflict.month
            and c.published_at == conflict.published_at for c in self.checks)

    def message(self) -> str:
        n = len(self.checks)
        what = f"{n} figure{'s' if n != 1 else ''}"
        if self.refused:
            return (f"Not published: the figures changed since the list was shown. Check the {what} listed "
                    f"again and tick “{WORDS}”.")
        return f"Not published: check the {what} listed old → new and tick “{WORDS}”."


def figure_checks(figures, *, conflicts=(), anchor=None) -> list[FigureCheck]:
    """The figures of ``figures`` (file Rows, grid rows or ReturnLines: with
    indicator_id, area_id, month and workflow.FIELDS) that need the tick:
    those changing a published figure or with a warning. Those equal to the
    published figure are left out (publishing does not write them).
    ``conflicts``: workflow.Conflicts of a draft, said beside their figure.
    ``anchor(indicator_id, month)``: where the page shows a figure. Four
    queries, however many figures."""
    figures = list(figures)
    if not figures:
        return []
    from indicators.returns.workflow import unchanged

    ids = {f.indicator_id for f in figures}
    held = {(o["indicator_id"], o["area_id"], o["month"]): o for o in Observation.objects.filter(
        indicator_id__in=ids, month__in={f.month for f in figures})
        .values("indicator_id", "area_id", "month", "updated_at", *FIELDS)}
    info = {i["id"]: i for i in Indicator.objects.filter(id__in=ids).values("id", "name", "unit", "decimals")}
    area_ids = {getattr(f, "area_id", None) for f in figures} - {None}
    areas = dict(LocalArea.objects.filter(id__in=area_ids).values_list("id", "name")) if area_ids else {}
    conflict_of = {(c.indicator_id, c.area_id, c.month): c for c in conflicts}
    publishing, out = [], {}
    for f in figures:
        area_id = getattr(f, "area_id", None)
        new = {name: getattr(f, name, None) for name in FIELDS}
        old = held.get((f.indicator_id, area_id, f.month))
        ind = info[f.indicator_id]
        if old is not None and unchanged(old, new, ind["decimals"]):
            continue
        publishing.append(f)
        conflict = conflict_of.get((f.indicator_id, area_id, f.month))
        published_at = old["updated_at"] if old else None
        label = f"{ind['name']}{', ' + areas[area_id] if area_id in areas else ''}, {periods.month_label(f.month)}"
        out[(f.indicator_id, area_id, f.month)] = FigureCheck(
            f.indicator_id, area_id, f.month, label, figure_words(old, ind["unit"], ind["decimals"]),
            figure_words(new, ind["unit"], ind["decimals"]), changes=old is not None,
            conflict=conflict.describe() if conflict else "", published_at=published_at,
            key=figure_key(f.indicator_id, area_id, f.month, new, published_at),
            anchor=anchor(f.indicator_id, f.month) if anchor else "")
    # warnings compare with the figures filed beside them too, so every figure is passed; only the
    # figures publishing writes are listed (a warned figure published already is not published again)
    # (a warning names no area: it is told apart from another area's by its value)
    values = {(f.indicator_id, getattr(f, "area_id", None), f.month): f.value for f in publishing}
    for w in find_warnings(figures):
        for where, check in out.items():
            if where[0] == w.indicator_id and where[2] == w.month and values[where] == w.value \
                    and w.message not in check.warnings:
                check.warnings.append(w.message)
                break
    return [c for c in out.values() if c.changes or c.warnings]


def unconfirmed(checks: list[FigureCheck], post) -> list[FigureCheck]:
    """The figures ``post`` did not confirm: all of them without the tick,
    else those its list did not hold (changed since it was shown)."""
    if post is None or post.get(TICK) != "1":
        return list(checks)
    listed = set(post.getlist(LISTED))
    return [c for c in checks if c.key not in listed]


def confirmation(figures, post, *, conflicts=(), anchor=None) -> Confirmation:
    """The one rule, for every path that publishes: which of ``figures`` need
    the tick, and whether ``post`` (the request's POST; None when nothing was
    posted) gave it for exactly those."""
    checks = figure_checks(figures, conflicts=conflicts, anchor=anchor)
    return Confirmation(checks, unconfirmed(checks, post), ticked=post is not None and post.get(TICK) == "1")


def as_json(confirm: Confirmation) -> dict:
    """A Confirmation as an import job stores it (returns/jobs.py); the
    template reads it as it reads the object."""
    checks = [{"label": c.label, "old": c.old, "new": c.new, "changes": c.changes, "warnings": c.warnings,
               "conflict": c.conflict, "key": c.key, "anchor": c.anchor} for c in confirm.checks]
    return {"checks": checks, "changed": [c for c in checks if c["changes"]],
            "warned": [c for c in checks if c["warnings"]], "needed": bool(checks),
            "refused": confirm.refused, "ok": confirm.ok}
