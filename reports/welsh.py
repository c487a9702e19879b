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

from contextvars import ContextVar

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
