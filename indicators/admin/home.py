"""The admin home's panel (issue 28 item 8): for each force the user files
for, the quarter to file next (as the grid and the quarter status open on)
with what is held and missing and when it is due, and links to the grid,
the import, the quarter status and the audit trail."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from indicators.access.permissions import editable_force_ids
from indicators.models import Force

MAX_FORCES = 6          # an operator sees every force: the first few, then the quarter status picks any


def quarter_home(user) -> dict:
    from indicators.admin.returns import parse_quarter_param
    from indicators.admin.review import _quarter_to_file, quarter_status

    out = {"home_forces": [], "home_more": 0, "home_links": {}}
    if not user.is_authenticated or not user.has_perm("indicators.add_return"):
        return out
    ids = editable_force_ids(user)
    forces = Force.objects.filter(plans__isnull=False).distinct().order_by("name")
    forces = forces if ids is None else forces.filter(pk__in=ids)
    listed = list(forces[:MAX_FORCES + 1])
    out["home_more"] = max(0, forces.count() - MAX_FORCES) if len(listed) > MAX_FORCES else 0
    today = timezone.localdate()
    for force in listed[:MAX_FORCES]:
        quarter = _quarter_to_file(force, forces, today)
        status = quarter_status(force, quarter, parse_quarter_param(quarter))
        query = urlencode({"force": force.slug, "quarter": quarter})
        out["home_forces"].append({
            "force": force, "quarter": quarter, "counts": status["counts"], "complete": status["complete"],
            "measures": status["measures"], "due": status["due"], "meeting": status["meeting"],
            "grid": f"{reverse('admin:indicators_return_grid')}?{query}",
            "status": f"{reverse('admin:indicators_return_status')}?{query}",
            "audit": f"{reverse('admin:indicators_return_audit')}?{urlencode({'force': force.slug})}",
        })
    out["home_links"] = {"import": reverse("admin:indicators_return_import"),
                         "returns": reverse("admin:indicators_return_changelist")}
    return out
