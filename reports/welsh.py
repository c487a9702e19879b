"""The plan's own words on Welsh pages (issue 31; see indicators/bilingual.py).

Pages, the report and the PDF print a plan's texts (force and plan names,
titles, measure names, target wordings, footnotes, baseline labels, notes of
a change of definition) through `plan_text`: on an English page it returns
the text itself, so English output is byte for byte what it was; on a Welsh
page it returns the plan file's `_cy` sibling, or the English marked as
English (`bilingual.English`, printed inside ``<span lang="en">``).

The Welsh texts are read once per request, on the first Welsh text asked
for (`selectors.welsh_glossary`); `reset` forgets them at the start of each
request and export (pccperf/language.py, reports/report.py).
"""

from __future__ import annotations

import re
from contextvars import ContextVar

from django.utils.translation import gettext, gettext_noop

from indicators import selectors
from indicators.plans import bilingual

_glossary: ContextVar[dict[str, str] | None] = ContextVar("welsh_glossary", default=None)


def reset() -> None:
    """Forget the Welsh texts read so far (a new request or export)."""
    _glossary.set(None)


def glossary() -> dict[str, str]:
    found = _glossary.get()
    if found is None:
        found = selectors.welsh_glossary()
        _glossary.set(found)
    return found


def plan_text(text):
    """A plan's text in the page's language (see the module's docstring)."""
    if not text or not bilingual.is_welsh():
        return text
    return bilingual.pick(str(text), glossary().get(str(text)))


def plain(text) -> str:
    """A text where no markup can go (an attribute, <title>, <option>): the
    same words, without `English`'s ``<span lang="en">``."""
    return "" if text is None else str(text)


# An observation's note is data (a force's return writes it), but the demo's generated months carry
# notes pccperf writes itself (indicators/dataio/demo.py): on a Welsh page those are put in Welsh;
# any other note is shown as it was written, marked English.
_DEMO_GENERATED = "Illustrative: generated for the demo, not a published figure."
_DEMO_SPLIT = re.compile(r"Illustrative: generated for the demo, with an illustrative (?P<window>\S+ \d{4}–\S+ \d{4}) "
                         r"(?:total of (?P<total>[\d,]+)|rate) chosen so that the published change reproduces\. "
                         r"Source: illustrative\.")
_SHORT = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _welsh_window(window: str) -> str:
    from reports.formatting import short_month_name

    def month(match):
        return short_month_name(_SHORT.index(match.group(1)) + 1)
    return re.sub(r"\b(" + "|".join(_SHORT) + r")\b", month, window)


def note_text(note):
    """An observation's note in the page's language (see above)."""
    if not note or not bilingual.is_welsh():
        return note
    if note == _DEMO_GENERATED:
        return gettext("Illustrative: generated for the demo, not a published figure.")
    found = _DEMO_SPLIT.fullmatch(str(note))
    if found and found["total"]:
        return gettext("Illustrative: generated for the demo, with an illustrative %(window)s total of %(total)s "
                       "chosen so that the published change reproduces.") % {
            "window": _welsh_window(found["window"]), "total": found["total"]}
    if found:
        return gettext("Illustrative: generated for the demo, with an illustrative %(window)s rate chosen so that "
                       "the published change reproduces.") % {"window": _welsh_window(found["window"])}
    return bilingual.English(str(note))


_DEFAULT_AREA_LABEL = gettext_noop("Area of focus")       # indicators.models.Plan.area_label's default


def area_label(plan, *, plural: bool = False, lower: bool = False) -> str:
    """What the plan calls its areas of focus ("Area of focus", "Theme"), in
    the page's language: on an English page as before (``plural``:
    "Areas of focus"); on a Welsh page the plan file's ``area_label_cy``,
    pccperf's own Welsh for the default, or the English marked as English.
    Welsh counts with the singular ("4 maes ffocws", "pob thema"), so a
    Welsh label is never made plural."""
    if not bilingual.is_welsh():
        text = plan.area_label_plural if plural else plan.area_label
        return text.lower() if lower else text
    if plan.area_label_cy.strip():
        text = plan.area_label_cy.strip()
    elif plan.area_label == _DEFAULT_AREA_LABEL:
        text = gettext(_DEFAULT_AREA_LABEL)
    else:
        text = plan.area_label_plural if plural else plan.area_label
        return bilingual.English(text.lower() if lower else text)
    return text.lower() if lower else text
