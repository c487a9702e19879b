"""The "Write commentary / executive summary for this quarter" links of a
return (issue 28 item 7): the admin's add pages with force, priority and
month filled in (GET parameters), or the change page of what is written
already. ``write_links`` is the context of
templates/admin/indicators/return/_write_links.html; the ``write_links``
tag (indicators/templatetags/pccperf_admin.py) renders it for a return."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import Max
from django.urls import reverse

from indicators import periods, selectors
from indicators.models import Commentary, ExecutiveSummary, StrategicPriority
from indicators.returns.workflow import covered_months


def quarter_month(ret):
    """The month a return's writing is for: the last month it covers (its
    quarter's last month, or its newest figure's)."""
    newest = ret.lines.aggregate(m=Max("month"))["m"] or ret.observations.aggregate(m=Max("month"))["m"]
    covered = covered_months(ret, [newest] if newest else [])
    return max(covered) if covered else None


def write_links(user, ret) -> dict:
    """The links to write (or edit) the executive summary and each priority's
    commentary for the month ``ret`` reports, for a ``user`` who may add
    them; an empty list otherwise."""
    month = quarter_month(ret)
    out = {"write_month": month, "write_month_label": periods.month_label(month) if month else "",
           "write_links": []}
    if month is None:
        return out
    force = ret.force
    query = {"force": force.pk, "month": periods.format_month(month)}
    if user.has_perm("indicators.add_executivesummary"):
        summary = ExecutiveSummary.objects.filter(force=force, month=month).first()
        out["write_links"].append(_link(
            "executive summary", f"Executive summary for {force.name}", "executivesummary", summary, query))
    if user.has_perm("indicators.add_commentary"):
        plan = selectors.plan_for(force=force, period=month, with_measures=False)
        priorities = (StrategicPriority.objects.filter(plan=plan).order_by("number") if plan else [])
        written = {c.priority_id: c for c in Commentary.objects.filter(force=force, month=month,
                                                                        priority__isnull=False)}
        for priority in priorities:
            out["write_links"].append(_link(
                "commentary", f"Priority {priority.number}: {priority.title}", "commentary",
                written.get(priority.pk), {**query, "priority": priority.pk}))
    return out


def _link(kind: str, about: str, model: str, existing, query: dict) -> dict:
    if existing is not None:
        return {"kind": kind, "about": about, "state": existing.state, "verb": "Edit",
                "url": reverse(f"admin:indicators_{model}_change", args=[existing.pk])}
    return {"kind": kind, "about": about, "state": "", "verb": "Write",
            "url": reverse(f"admin:indicators_{model}_add") + "?" + urlencode(query)}
