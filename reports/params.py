"""Query parameters pages and the API share, parsed in one place."""

from __future__ import annotations

import re
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext

from indicators import periods


class BadParam(Exception):
    """A query parameter that cannot be used, with the message for the reader."""


def month_param(request, name: str = "period") -> date | None:
    """``?name=YYYY-MM`` as the first of the month; None when absent or empty;
    BadParam when malformed or in the future. ``date`` is an alias of
    ``period`` (data.police.uk's name for it, issue 30)."""
    raw = request.GET.get(name)
    if name == "period" and request.GET.get("date"):
        if raw and raw != request.GET["date"]:
            raise BadParam(gettext("period and date name the same month (date is data.police.uk's name for "
                                   "period); give one of them"))
        raw, name = request.GET["date"], "date"
    if not raw:
        return None
    try:
        return periods.parse_past_month(raw, timezone.localdate())
    except ValueError as exc:
        raise BadParam(f"{name}: {month_error(str(exc))}") from None


# indicators.periods stays Django-free and English: its messages are put into the page's language here
_MONTH_ERRORS = (
    (re.compile(r"(?P<text>.+) is not a month; write it as YYYY-MM, e\.g\. 2014-06"),
     lambda: gettext("%(text)s is not a month; write it as YYYY-MM, e.g. 2014-06")),
    (re.compile(r"(?P<text>.+) is not a month; the month part must be 01 to 12"),
     lambda: gettext("%(text)s is not a month; the month part must be 01 to 12")),
    (re.compile(r"(?P<text>.+) is too early; months start in 1900"),
     lambda: gettext("%(text)s is too early; months start in 1900")),
    (re.compile(r"(?P<text>.+) is in the future"), lambda: gettext("%(text)s is in the future")),
)


def month_error(message: str) -> str:
    """A month's error from indicators.periods, in the active language."""
    for pattern, words in _MONTH_ERRORS:
        found = pattern.fullmatch(message)
        if found:
            return words() % {"text": found["text"]}
    return message
