"""The history of published figures, kept lean (issue 17; docs/decisions.md,
"Observation history: a first value lives in its Observation").

A figure's first value is recorded by its Observation row itself: the
values, the return it was published from (``source_return``: who published
it, ``published_by``; when, ``published_at``, also the row's ``updated_at``)
and so the file or grid it came from. Publishing a first value therefore
writes no history row: at national scale that row was half the database.

The first time a figure changes (a revision, an edit or revert in the admin),
its first value is written to the history just before the change, as the
"+" row simple-history would have written at publication (same values, same
user, same time, same reason), and the change follows as usual. So every
revision's old value, new value, who, when and return are in the history,
and a figure never revised has its whole story in its Observation.
"""

from __future__ import annotations

from django.utils import timezone

from indicators.models import Observation, Return

# The Observation fields a history row copies (its own fields, bar the primary key).
SNAPSHOT = ["indicator_id", "area_id", "month", "value", "numerator", "denominator", "status", "note",
            "first_month", "lower", "upper", "illustrative", "source_return_id", "updated_at"]


def published_reason(ret_pk: int, period: str) -> str:
    """The change reason of a figure published from a return (as the history shows it)."""
    return f"Published from return {ret_pk} ({period})"[:100]


def without_history(ids) -> set[int]:
    """Those of the observation ``ids`` that have no history row yet. One query."""
    ids = set(ids)
    if not ids:
        return set()
    return ids - set(Observation.history.filter(id__in=ids).values_list("id", flat=True).distinct())


def write_first_values(snapshots: list[dict]) -> int:
    """Write the "+" history row of each observation in ``snapshots`` (its
    state before a change: "id" and the SNAPSHOT fields) that has no history
    yet. Two queries (three with returns to look up), one insert. Returns
    how many rows were written."""
    missing = without_history(s["id"] for s in snapshots)
    todo = [s for s in snapshots if s["id"] in missing]
    if not todo:
        return 0
    returns = {r["pk"]: r for r in Return.objects.filter(pk__in={s["source_return_id"] for s in todo} - {None})
               .values("pk", "period", "published_by_id", "published_at")}
    History = Observation.history.model
    rows = []
    for s in todo:
        ret = returns.get(s["source_return_id"])
        rows.append(History(
            id=s["id"], **{f: s[f] for f in SNAPSHOT},
            history_type="+",
            history_date=(ret and ret["published_at"]) or s["updated_at"] or timezone.now(),
            history_user_id=ret["published_by_id"] if ret else None,
            history_change_reason=published_reason(ret["pk"], ret["period"]) if ret else None,
        ))
    History.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def snapshot(obs: Observation) -> dict:
    return {"id": obs.pk, **{f: getattr(obs, f) for f in SNAPSHOT}}


def first_value_before_save(sender, instance: Observation, raw=False, **kwargs) -> None:
    """pre_save of an Observation (an admin edit or revert): a figure with no
    history yet gets its first value written before it changes."""
    if raw or instance.pk is None:
        return
    held = Observation.objects.filter(pk=instance.pk).values("id", *SNAPSHOT).first()
    if held is not None:
        write_first_values([held])
