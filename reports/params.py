"""Query parameters pages and the API share, parsed in one place."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

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
            raise BadParam("period and date name the same month (date is data.police.uk's name for period); "
                           "give one of them")
        raw, name = request.GET["date"], "date"
    if not raw:
        return None
    try:
        return periods.parse_past_month(raw, timezone.localdate())
    except ValueError as exc:
        raise BadParam(f"{name}: {exc}") from None
