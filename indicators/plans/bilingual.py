"""Welsh and English (issue 31): which language is being written, and the
plan's own words in it.

pccperf's own words go through Django's gettext (locale/cy/LC_MESSAGES);
a plan's words (titles, names, wordings, footnotes, notes, commentary) are
the plan's, given in Welsh beside the English by the `_cy` keys of the plan
file (SPEC §6) and the Welsh fields of commentary and summaries. Where a
Welsh text is missing, the English shows, marked ``lang="en"`` so a screen
reader says it in English (WCAG 3.1.2): `English` is that text, and prints
itself inside ``<span lang="en">`` wherever a template autoescapes it.
"""

from __future__ import annotations

from django.utils import translation
from django.utils.html import escape

WELSH = "cy"


def is_welsh() -> bool:
    """Whether the language active for this request (or export) is Welsh."""
    return translation.get_language() == WELSH


class English(str):
    """A plan's English text shown on a Welsh page because it has no Welsh:
    printed by a template (``{{ text }}``) as ``<span lang="en">text</span>``.
    Where markup cannot go (an attribute, <title>, <option>) print
    ``text|plain``. Any string operation returns a plain ``str``."""

    __slots__ = ()

    def __html__(self) -> str:
        return f'<span lang="en">{escape(str(self))}</span>'


def pick(english: str, welsh: str | None) -> str:
    """The text to show: the Welsh on a Welsh page when there is some, else
    the English (an `English` on a Welsh page). English pages get
    ``english`` itself, unchanged."""
    if not is_welsh() or not english:
        return english
    if welsh and welsh.strip():
        return welsh
    return English(english)
