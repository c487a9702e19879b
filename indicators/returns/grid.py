"""The quarterly grid's rules that are not HTML: how a typed or pasted
number is read, which quarter the grid opens on, what "filled" means, the
snapshot of the figures shown (so a second analyst saving the same quarter
is told rather than silently overwriting the first), withdrawing a
published figure, and the confirmation that publishing with warnings needs.

The cells are checked by exactly the return file's rules (``file.check_rows``);
this module only prepares what the grid posts for them."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date

from django.db.models import Max, Min

from indicators import periods
from indicators.models import Observation, Plan, ReturnLine, ReturnState

FIELDS = ("value", "numerator", "denominator", "status", "note")

# "1,234", "12,345.6", "-1,234": commas only between groups of three digits.
_THOUSANDS = re.compile(r"^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$")
_PERCENT = re.compile(r"^(?P<n>[-+]?[\d,]*\.?\d+)\s*%$")


def normalise_number(text: str, unit: str) -> str:
    """A number as an analyst types or Excel copies it, as the checker reads
    it: thousands separators ("1,234") dropped, and a per cent sign
    ("55.2 %", "55.2%") dropped for a percentage measure. Anything else
    ("n/a", "1,23", "55 %" for a count) is left as it was, so the checks
    report it beside its cell."""
    text = (text or "").strip().replace("\u00a0", " ")
    match = _PERCENT.match(text)
    if match and unit == "percent":
        text = match.group("n")
    if _THOUSANDS.match(text):
        text = text.replace(",", "")
    return text


# The grid's one statement of how a figure is written (shown in its help; its
# error messages point to it rather than give rules of their own).
NUMBER_RULES = ("Write a figure with digits and a dot for decimals: 512, 55.2. Thousands separators are "
                "accepted (4,920), and a per cent sign on a percentage measure (55.2 %). A ratio measure takes "
                "its numerator and denominator: type them in its two boxes, or paste them as 275/498. Anything "
                "else (text such as n/a, a decimal comma) is reported beside its cell.")

_FILE_NUMBER_ADVICE = "; write a plain decimal such as 512 or 55.2"
_FILE_SEPARATOR = re.compile(r"^(?P<text>'[^']*') has a thousands separator; write it as \S+$")


def grid_message(message: str) -> str:
    """A return file's problem as the grid says it: the file's advice ("write
    a plain decimal such as 512") is not the grid's rule, which accepts
    thousands separators (``normalise_number``); the grid's rules are said
    once, in NUMBER_RULES, and its messages point there."""
    if message.endswith(_FILE_NUMBER_ADVICE):
        return message.removesuffix(_FILE_NUMBER_ADVICE) + "; write a number such as 512, 4,920 or 55.2"
    separator = _FILE_SEPARATOR.match(message)
    if separator:       # a comma not between groups of three ("12,34,567"): not a separator the grid reads
        return f"{separator.group('text')} has commas that do not separate thousands; write it as 512, 4,920 or 55.2"
    return message


def quarter_key(fy: int, q: int) -> str:
    return f"{periods.fy_label(fy)} Q{q}"


def plan_quarters(forces, today: date) -> list[tuple[int, int]]:
    """Every quarter from the forces' first plan's start to the current
    quarter, newest first (one query). Figures belong to indicators, not to
    plans (SPEC §6 "A plan's life"): after a plan ends its analysts keep
    filing for its measures until a new plan is loaded, so the quarters run
    on past the last plan's end (`ended_plan` gives the notice)."""
    first_start = Plan.objects.filter(force__in=forces).aggregate(first=Min("start"))["first"]
    current = periods.fy_start_year(today), periods.quarter_number(today)
    if first_start is None:
        return [current]
    first = periods.fy_start_year(first_start), periods.quarter_number(first_start)
    out = []
    fy, q = current
    while (fy, q) >= first:
        out.append((fy, q))
        fy, q = (fy, q - 1) if q > 1 else (fy - 1, 4)
    return out or [current]


def ended_plan(plan: Plan | None, months: list[date]) -> Plan | None:
    """``plan`` (the force's latest plan to start by the quarter's end, whose
    measures the quarter is filed for) when the quarter begins after it has
    ended and no new plan has been loaded; else None."""
    if plan is None or not months or plan.end is None or plan.end >= months[0]:
        return None
    return plan


def ended_words(force, plan: Plan) -> str:
    """The notice shown where an analyst files after ``plan`` has ended."""
    return (f"{force.name}'s plan \u201c{plan.title}\u201d ended on {plan.end:%-d %B %Y}. Its measures are "
            "still offered, and figures filed for them are kept, until a new plan is loaded.")


def default_quarter(force, quarters: list[tuple[int, int]], today: date) -> tuple[int, int] | None:
    """The quarter the grid opens on: the one to file next. That is the
    quarter after the newest one holding any of the force's figures
    (published or in a draft), when it is over; else that newest quarter
    itself (still being filled, or the last one over). With no figure at
    all, the plan's first quarter that is over. (Two queries.)"""
    if not quarters:
        return None
    this_month = periods.first_of_month(today)
    done = [q for q in quarters if periods.quarter_months(*q)[-1] < this_month] or quarters
    latest = max(
        [m for m in (
            Observation.objects.filter(indicator__force=force, month__lt=this_month).aggregate(m=Max("month"))["m"],
            ReturnLine.objects.filter(source_return__force=force, month__lt=this_month)
            .exclude(source_return__state=ReturnState.PUBLISHED).aggregate(m=Max("month"))["m"],
        ) if m is not None], default=None)
    if latest is None:
        return done[-1]
    held = (periods.fy_start_year(latest), periods.quarter_number(latest))
    after = [q for q in done if q > held]
    if periods.quarter_months(*held)[-1] == latest and after:
        return after[-1]                       # the quarter after the newest full one
    if held in done:
        return held
    return after[-1] if after else done[0]


# --- which months a measure has a cell for (SPEC §6 Frequency) -------------------------------------------------

def entry_months(frequency: str, months: list[date]) -> list[date]:
    """The months of a quarter's grid (or template) where a measure of
    ``frequency`` takes a figure: a monthly one each month, a quarterly one
    the quarter's end (its figure covers the quarter, or with ``covers`` the
    months before it too), an annual one March (the financial year's end),
    an irregular one none (its spans are given by file, with ``from``)."""
    if frequency == "quarterly":
        return months[-1:]
    if frequency == "annual":
        return [m for m in months if m.month == 3]
    if frequency == "irregular":
        return []
    return list(months)


def closed_words(frequency: str, month: date, months: list[date]) -> str:
    """Why a measure has no cell in ``month`` of the grid, in words."""
    if frequency == "quarterly":
        return f"quarterly: one figure for the quarter, in {months[-1]:%B %Y}"
    if frequency == "annual":
        return "annual: one figure for the financial year, in March"
    if frequency == "irregular":
        return "irregular: filed by file only, with the first month of its span in the column from"
    return ""


def span_first(frequency: str, month: date, covers: int | None = None) -> date | None:
    """The first month of the span a grid cell's figure covers (the return
    file's rule with no ``from``), None when it covers its month alone."""
    from indicators.engine.windows import Span

    if frequency == "irregular":
        return None
    span = Span.of(month, frequency, None, covers)
    return span.first if len(span) > 1 else None


def cell_filled(cell: dict, ratio: bool) -> bool:
    if cell.get("status") == "unavailable":
        return True
    if ratio:
        return bool(cell.get("numerator")) and bool(cell.get("denominator"))
    return bool(cell.get("value"))


def filled_counts(grid: list[dict]) -> dict:
    """Measures with a figure (or a withdrawal) in every cell they have this
    quarter, and figures, out of how many. A measure with no cell this
    quarter (an annual one before Q4, an irregular one) is not counted, nor
    one that expects no figure (``row["not_expected"]``: a milestone, a
    measure reported in words; `selectors.measures_expecting_no_figures`),
    shown or not, as on the quarter status page."""
    grid = [row for row in grid if not row.get("not_expected")]
    open_rows = [row for row in grid if row["cells"]]
    measures = sum(all(cell_filled(c, row["ratio"]) for c in row["cells"]) for row in open_rows)
    figures = sum(cell_filled(c, row["ratio"]) for row in grid for c in row["cells"])
    return {"measures": measures, "measure_total": len(open_rows), "figures": figures,
            "figure_total": sum(len(row["cells"]) for row in grid)}


def hidden_by_default(row: dict) -> bool:
    """A row the grid leaves out unless "Show all measures" is on: a measure
    expecting no figure whose cells are all empty (one holding a figure, a
    note, a withdrawal or a problem is always shown)."""
    return bool(row.get("not_expected")) and not any(
        c.get(f) for c in row["cells"] for f in ("value", "numerator", "denominator", "note", "status", "errors"))


# --- what the analyst saw: the optimistic check ---------------------------------------------------------------

def snapshot(grid: list[dict]) -> str:
    """The figures the grid showed, keyed by cell, as compact JSON. Posted back
    with the form; a different snapshot at saving time means someone saved
    the quarter in between."""
    return json.dumps({c["key"]: [c["held"].get(f, "") for f in FIELDS] for row in grid for c in row["cells"]
                       if any(c["held"].get(f) for f in FIELDS)}, separators=(",", ":"), sort_keys=True)


def read_snapshot(text: str | None) -> dict | None:
    if not text:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


@dataclass(frozen=True)
class Overtaken:
    """A cell someone else saved after the analyst opened the grid."""
    key: str
    then: list                  # FIELDS as the analyst saw them
    now: list                   # FIELDS as held now
    kept_yours: bool            # the analyst had changed the cell too: their figure stays in the form

    def message(self) -> str:
        now = describe_fields(self.now)
        if self.kept_yours:
            return (f"saved by someone else as {now} since you opened the grid (it was {describe_fields(self.then)}); "
                    "your figure is kept here: check it, then save again")
        return f"saved by someone else as {now} since you opened the grid; shown here now"


def describe_fields(fields: list) -> str:
    value, num, den, status, note = (list(fields) + [""] * 5)[:5]
    if status == "unavailable":
        return f"unavailable ({note})" if note else "unavailable"
    if num and den:
        text = f"{num}/{den}"
    else:
        text = value or "empty"
    return text + (" provisional" if status == "provisional" else "")


def overtaken(shown: dict, grid: list[dict]) -> list[Overtaken]:
    """Cells whose held figure differs from the one the analyst was shown;
    where the analyst left such a cell as it was, the form takes the new
    figure (nothing of theirs is lost, and nothing of their colleague's is
    undone). ``grid`` holds the posted cells and the figures held now."""
    out = []
    for row in grid:
        for cell in row["cells"]:
            then = shown.get(cell["key"], [""] * 5)
            now = [cell["held"].get(f, "") for f in FIELDS]
            if then == now:
                continue
            posted = [cell.get(f, "") for f in FIELDS]
            untouched = _same_cell(posted, then, row["ratio"])
            if untouched:
                cell.update(dict(zip(FIELDS, now)))
            out.append(Overtaken(cell["key"], then, now, not untouched))
    return out


def _same_cell(posted: list, then: list, ratio: bool) -> bool:
    a, b = list(posted), list(then)
    if not ratio:                      # the grid has no inputs for a non-ratio figure's parts
        a[1:3] = b[1:3] = ["", ""]
    a[3] = a[3] or "final"
    b[3] = b[3] or "final"
    return a == b


# --- warnings confirmed to publish --------------------------------------------------------------------------

def warning_key(warning) -> str:
    """What "I have checked these figures" confirms: this value for this
    measure and month (a different value is a new warning)."""
    return f"{warning.indicator_id}:{periods.format_month(warning.month)}:{warning.value!r}"


def unconfirmed(warnings, post) -> list:
    """The warnings not confirmed by the form ``post``: all of them unless
    the box "I have checked these figures" is ticked, else those the form
    did not list (a figure changed after the list was shown)."""
    if post.get("accept_warnings") != "1":
        return list(warnings)
    listed = set(post.getlist("warned"))
    return [w for w in warnings if warning_key(w) not in listed]
