"""The admin's *Load a plan file* (SPEC §6 "A plan's life"): upload a plan
file, see exactly what it would change (forces, peers, local areas,
measures new, changed and retired, targets), then confirm. The checks and
messages are `load_plan`'s: the same parser and loader, run once as a dry
run for the preview and again, in one transaction, on confirm. The file
waits between the two as a pending upload in the database (any server can
confirm it; only its uploader finds it). The load is recorded in the plan's
history, which the force's audit trail shows.

Who may load: a user with the permissions `load_plan` asks for (add and
change plans, change indicators) whose forces include the plan's force
(docs/decisions.md: administrators, and no analyst role has them)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from indicators.access.permissions import editable_force_ids
from indicators.models import Force
from indicators.plans.file import MAX_BYTES, PlanFileError, parse_plan_file
from indicators.plans.load import PlanLoadError, load_plan, record_load
from indicators.returns import pending

PERMS = ("indicators.add_plan", "indicators.change_plan", "indicators.change_indicator")
TEMPLATE = "admin/indicators/plan/load.html"


def may_load(user) -> bool:
    return user.has_perms(PERMS)


def _checked(user, data: bytes):
    """(the plan file's spec, the dry run's summary), or the problems in words."""
    try:
        spec = parse_plan_file(data)
    except PlanFileError as exc:
        return None, None, exc.problems
    scope = editable_force_ids(user)
    if scope is not None:
        force = Force.objects.filter(slug=spec.force.slug).first()
        if force is None or force.pk not in scope:
            return None, None, [f"force.slug: {spec.force.slug!r} is not one of your forces; an administrator "
                                "loads a new force's plan"]
    try:
        summary = load_plan(spec, dry_run=True)
    except PlanLoadError as exc:
        return None, None, [str(exc)]
    return spec, summary, []


def load_view(admin, request):
    if not may_load(request.user):
        raise PermissionDenied
    context = {**admin.admin_site.each_context(request), "opts": admin.model._meta, "title": "Load a plan file",
               "max_kb": MAX_BYTES // 1024}
    if request.method == "POST" and "cancel" in request.POST:
        if pending.discard(user=request.user, token=request.POST.get("token", "")):
            admin.message_user(request, "The plan file was not loaded; nothing changed.", messages.INFO)
        return redirect(reverse("admin:indicators_plan_load"))
    if request.method == "POST" and "confirm" in request.POST:
        return _confirm(admin, request, context)
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            context["problems"] = ["choose a plan file (YAML) to upload"]
        elif upload.size > MAX_BYTES:
            context["problems"] = [f"file: {upload.size / 1024:,.0f} KB; a plan file may be at most "
                                   f"{MAX_BYTES // 1024:,} KB"]
        else:
            data = upload.read()
            spec, summary, problems = _checked(request.user, data)
            if problems:
                context.update(problems=problems, filename=upload.name)
            else:
                token = pending.keep(user=request.user, data=data, name=upload.name)
                context.update(_preview(spec, summary), token=token, filename=upload.name)
    return TemplateResponse(request, TEMPLATE, context)


def _preview(spec, summary) -> dict:
    return {"spec": spec, "summary": summary.describe(), "details": summary.details, "changed": summary.changed,
            "measures": len(spec.indicators())}


def _confirm(admin, request, context):
    with transaction.atomic():
        upload = pending.find(user=request.user, token=request.POST.get("token", ""), lock=True)
        if upload is None:
            context["problems"] = ["no plan file is waiting for you: it was loaded or cancelled already, or "
                                   "expired after a day; please upload it again"]
            return TemplateResponse(request, TEMPLATE, context, status=404)
        name = upload.name
        # checked again: the database may have changed since the preview
        spec, summary, problems = _checked(request.user, upload.data)
        if problems:
            upload.delete()
            context.update(problems=problems, filename=name)
            return TemplateResponse(request, TEMPLATE, context)
        summary = load_plan(spec)
        record_load(summary.plan, user=request.user, name=name, summary=summary)
        upload.delete()
    where = f"{spec.force.name}'s plan \u201c{spec.title}\u201d"
    if summary.changed:
        admin.message_user(request, f"Loaded {name}: {where}: {summary.describe()}.", messages.SUCCESS)
    else:
        admin.message_user(request, f"Loaded {name}: {where} was already up to date; nothing changed.",
                           messages.INFO)
    return redirect(reverse("admin:indicators_plan_changelist"))
