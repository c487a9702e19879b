"""Write a checked plan file to the database (SPEC §4 load_plan).

Creates or updates, in one transaction, and counts what changed so that a
second load of the same file can say "nothing changed". Observations are
never deleted: indicators are keyed by (force, code) and outlive the plan.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction

from indicators import models, versioning, vocabulary
from indicators.plans.benchmarks import ensure_benchmark_forces
from indicators.plans.file import ForceSpec, IndicatorSpec, PlanSpec, targets_by_year


class PlanLoadError(Exception):
    pass


@dataclass
class LoadSummary:
    plan: models.Plan | None = None
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    deleted: Counter = field(default_factory=Counter)
    unchanged: int = 0
    details: list[str] = field(default_factory=list)   # each change in words, for the admin's preview

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deleted)

    def describe(self) -> str:
        def part(word, counter):
            if not counter:
                return f"0 {word}"
            detail = ", ".join(f"{n} {name}" for name, n in sorted(counter.items()))
            return f"{sum(counter.values())} {word} ({detail})"
        return "; ".join([part("created", self.created), part("updated", self.updated),
                          part("deleted", self.deleted), f"{self.unchanged} unchanged"])


def _upsert(summary: LoadSummary, model, lookup: dict, values: dict):
    """Create or update one row, counting what happened. Returns the row."""
    obj = model.objects.filter(**lookup).first()
    label = model._meta.verbose_name_plural
    if obj is None:
        obj = model.objects.create(**lookup, **values)
        summary.created[label] += 1
        summary.details.append(f"New {model._meta.verbose_name}: {obj}")
        return obj
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        words = ", ".join(f"{model._meta.get_field(name).verbose_name} {_shown(getattr(obj, name))} → "
                          f"{_shown(values[name])}" for name in changed)
        for name in changed:
            setattr(obj, name, values[name])
        obj.save(update_fields=changed)
        summary.updated[label] += 1
        summary.details.append(f"Changed {model._meta.verbose_name} {obj}: {words}")
    else:
        summary.unchanged += 1
    return obj


def _shown(value) -> str:
    """A field's value as the preview shows it (quoted text, "none" for empty)."""
    if value in (None, "", [], {}):
        return "none"
    return repr(value) if isinstance(value, str) else str(value)


def _indicator_values(spec: IndicatorSpec) -> dict:
    baseline = spec.baseline
    return {
        "name": spec.name, "name_cy": spec.name_cy, "unit": spec.unit, "decimals": spec.decimals,
        "aggregation": spec.aggregation, "polarity": spec.polarity,
        "msg": spec.msg, "source": spec.source,
        # SPEC §6; a 2013-style file gives the fields' defaults, so its re-load changes nothing
        "frequency": spec.frequency, "compare": spec.compare, "covers": spec.covers, "lag": spec.lag,
        "scale": spec.scale,
        "baseline_label": baseline.label if baseline else "",
        "baseline_label_cy": baseline.label_cy if baseline else "",
        "baseline_from": baseline.first if baseline else None,
        "baseline_to": baseline.last if baseline else None,
        "baseline_value": baseline.value if baseline else None,
        "benchmarks": list(spec.benchmarks), "rebase": list(spec.rebase),
        "replaces": spec.replaces, "replaces_from": spec.replaces_from, "replaces_note": spec.replaces_note,
        "replaces_note_cy": spec.replaces_note_cy,
    }


def _series_values(spec: IndicatorSpec) -> dict:
    """The definition a peer's or benchmark's copy of the measure is created
    with: the same, but without the plan force's own benchmarks (a benchmark
    series is not compared with benchmarks; a peer's own plan names its own)."""
    values = _indicator_values(spec)
    values["benchmarks"] = []
    if values["compare"] == "benchmark":
        values["compare"] = ""
    return values


def _load_force(summary: LoadSummary, spec: ForceSpec, *, is_demo: bool | None) -> models.Force:
    """``is_demo``: whether the plan loaded is the demo's (SPEC §6: demo is a
    property of the data, so a real plan makes its force real, even one the
    demo created as a peer); None for a peer listed by a plan, left as it is."""
    values = {"name": spec.name}
    if spec.name_cy or is_demo is not None:
        values["name_cy"] = spec.name_cy       # a peer listed without Welsh keeps the Welsh its own plan gave
    if spec.languages is not None:
        values["languages"] = list(spec.languages)
    if is_demo is not None:
        values["is_demo"] = is_demo
    force = _upsert(summary, models.Force, {"slug": spec.slug}, values)
    for year, population in sorted(spec.population.items()):
        _upsert(summary, models.ForcePopulation, {"force": force, "year": year}, {"population": population})
    return force


def _load_local_areas(summary: LoadSummary, force: models.Force, spec: ForceSpec) -> dict[str, models.LocalArea]:
    """Create or update the local areas the file lists. Areas the file no
    longer lists are kept, like indicators: they may hold figures
    (docs/decisions.md)."""
    listed = {a.code for a in spec.local_areas or []}
    for area_spec in spec.local_areas or []:
        clash = (models.LocalArea.objects.filter(force=force, name__iexact=area_spec.name)
                 .exclude(code__in=listed).first())
        if clash:
            raise PlanLoadError(
                f"force.local_areas: {area_spec.name!r} ({area_spec.code}) has the name of the force's area "
                f"{clash.code}, which this file no longer lists; areas with figures are kept, so give it "
                "another name or list the old code")
        area = _upsert(summary, models.LocalArea, {"force": force, "code": area_spec.code}, {"name": area_spec.name})
        for year, population in sorted(area_spec.population.items()):
            _upsert(summary, models.LocalAreaPopulation, {"area": area, "year": year}, {"population": population})
    return {a.code: a for a in models.LocalArea.objects.filter(force=force)}


def load_plan(spec: PlanSpec, *, is_demo: bool = False, dry_run: bool = False) -> LoadSummary:
    """Create or update the plan, its force, peers, indicators and targets.

    With ``dry_run`` everything is done and counted, then rolled back.
    """
    summary = LoadSummary()
    try:
        with transaction.atomic():
            _load(summary, spec, is_demo=is_demo)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return summary


class _DryRun(Exception):
    pass


def _load(summary: LoadSummary, spec: PlanSpec, *, is_demo: bool) -> None:
    versioning.bump()       # measure lists are rebuilt with bulk_create, which sends no signal
    force = _load_force(summary, spec.force, is_demo=is_demo)
    peers = {p.slug: _load_force(summary, p, is_demo=None) for p in spec.peers}

    if spec.force.msg_peers is not None:
        known = dict(peers)
        missing = [s for s in spec.force.msg_peers if s not in known]
        known.update({f.slug: f for f in models.Force.objects.filter(slug__in=missing)})
        unknown = [s for s in spec.force.msg_peers if s not in known]
        if unknown:
            raise PlanLoadError(
                "force.msg_peers: " + ", ".join(repr(s) for s in unknown)
                + " not found; add them under peers: with a slug and name, or load their plan first")
        wanted = {known[s].pk for s in spec.force.msg_peers}
        current = set(force.msg_peers.values_list("pk", flat=True))
        if wanted != current:
            before = sorted(force.msg_peers.values_list("slug", flat=True))
            force.msg_peers.set(wanted)
            summary.updated["MSG peer lists"] += 1
            summary.details.append(f"MSG peers of {force.name}: {', '.join(before) or 'none'} → "
                                   f"{', '.join(sorted(spec.force.msg_peers)) or 'none'}")
        else:
            summary.unchanged += 1
    msg_peers = list(force.msg_peers.all())

    local_areas = _load_local_areas(summary, force, spec.force)
    benchmarks = _benchmark_forces(summary, spec, force, peers)
    _check_replaces(spec, force)

    plan = _upsert(summary, models.Plan, {"force": force, "start": spec.start},
                   {"title": spec.title, "title_cy": spec.title_cy, "end": spec.end, "area_label": spec.area_label, "area_label_cy": spec.area_label_cy,
                    "assessment": spec.assessment, "rating_labels": dict(spec.rating_labels),
                    **({"is_demo": True} if is_demo else {})})
    summary.plan = plan

    indicators: dict[str, models.Indicator] = {}
    for ind in spec.indicators():
        indicator = _upsert(summary, models.Indicator, {"force": force, "code": ind.code}, _indicator_values(ind))
        indicators[ind.code] = indicator
        # a target keyed `plan` is written for every financial year of the plan (SPEC §6)
        for target in targets_by_year(ind.targets, spec.start, spec.end):
            _upsert(summary, models.Target, {"indicator": indicator, "financial_year": target.financial_year},
                    {"kind": target.kind, "value": target.value, "tolerance": target.tolerance,
                     "wording": target.wording, "wording_cy": target.wording_cy, "due": target.due})
        # Peers and benchmarks report the measure under the same code; a
        # peer's own plan owns its definition, so an existing indicator is
        # left as it is.
        for other, label in ([(peer, "peer indicators") for peer in msg_peers] if ind.msg else []) + [
                (benchmarks[slug], "benchmark indicators") for slug in ind.benchmarks]:
            if not models.Indicator.objects.filter(force=other, code=ind.code).exists():
                models.Indicator.objects.create(force=other, code=ind.code, **_series_values(ind))
                summary.created[label] += 1

    # Areas and priorities are written before the ones the file no longer
    # lists are deleted, so a priority that moves to another area (or to the
    # one area of a one-level plan) keeps its row and its commentary.
    priority_numbers = [p.number for a in spec.areas for p in a.priorities]
    listed_before = dict(models.PriorityIndicator.objects.filter(priority__plan=plan)
                         .values_list("indicator_id", "indicator__name"))
    _load_priorities(summary, spec, plan, indicators, local_areas)
    listed_now = {i.pk for i in indicators.values()}
    for pk, name in sorted(listed_before.items(), key=lambda item: item[1]):
        if pk not in listed_now:
            summary.details.append(f"Retired from the plan: {name} (its figures are kept, and its page stays "
                                   "readable)")
    removed = plan.priorities.exclude(number__in=priority_numbers)
    if removed.exists():
        summary.deleted["strategic priorities"] += removed.count()
        removed.delete()
    gone = plan.areas.exclude(number__in=[a.number for a in spec.areas])
    if gone.exists():
        summary.deleted["areas of focus (with their priorities)"] += gone.count()
        gone.delete()


def _benchmark_forces(summary: LoadSummary, spec: PlanSpec, force: models.Force,
                      peers: dict[str, models.Force]) -> dict[str, models.Force]:
    """The forces the plan's measures name as benchmarks (SPEC §6): the
    pseudo-forces every database holds (re-created if missing), the file's
    peers, or forces already loaded. An unknown slug is an error at its path."""
    named = {slug for ind in spec.indicators() for slug in ind.benchmarks}
    found = dict(ensure_benchmark_forces(summary.created))
    found.update(peers)
    found.update({f.slug: f for f in models.Force.objects.filter(slug__in=named - set(found))})
    problems = [f"{ind.path}.benchmarks[{i}]: {slug!r} is not a force or benchmark series here; use "
                f"{' or '.join(vocabulary.BENCHMARK_FORCES)}, a peer under peers:, or a force whose plan is loaded"
                for ind in spec.indicators() for i, slug in enumerate(ind.benchmarks) if slug not in found]
    if problems:
        raise PlanLoadError("; ".join(problems))
    return {slug: found[slug] for slug in named}


def _check_replaces(spec: PlanSpec, force: models.Force) -> None:
    """`replaces` names a measure of this file or one the force already has."""
    in_file = {ind.code for ind in spec.indicators()}
    wanted = {ind.replaces for ind in spec.indicators() if ind.replaces and ind.replaces not in in_file}
    known = set(models.Indicator.objects.filter(force=force, code__in=wanted).values_list("code", flat=True))
    problems = [f"{ind.path}.replaces: {ind.replaces!r} is not a measure of this file or of {force.slug}"
                for ind in spec.indicators() if ind.replaces and ind.replaces not in in_file | known]
    if problems:
        raise PlanLoadError("; ".join(problems))


def _load_priorities(summary: LoadSummary, spec: PlanSpec, plan: models.Plan,
                     indicators: dict[str, models.Indicator], local_areas: dict[str, models.LocalArea]) -> None:
    for area_spec in spec.areas:
        area = _upsert(summary, models.AreaOfFocus, {"plan": plan, "number": area_spec.number},
                       {"title": area_spec.title, "title_cy": area_spec.title_cy})
        for pr_spec in area_spec.priorities:
            priority = _upsert(summary, models.StrategicPriority, {"plan": plan, "number": pr_spec.number},
                               {"title": pr_spec.title, "title_cy": pr_spec.title_cy, "area": area})
            wanted_areas = {local_areas[code].pk for code in pr_spec.local_areas}
            if wanted_areas != set(priority.local_areas.values_list("pk", flat=True)):
                priority.local_areas.set(wanted_areas)
                summary.updated["priority local-area lists"] += 1
            wanted = [(indicators[i.code].pk, order, i.headline, i.footnote, i.footnote_cy)
                      for order, i in enumerate(pr_spec.indicators, start=1)]
            current = list(priority.measures.order_by("order")
                           .values_list("indicator_id", "order", "headline", "footnote", "footnote_cy"))
            if wanted != current:
                # Rebuilt whole: reordering in place would trip the
                # (priority, order) uniqueness half-way through.
                priority.measures.all().delete()
                models.PriorityIndicator.objects.bulk_create(
                    models.PriorityIndicator(priority=priority, indicator_id=ind_id, order=order,
                                             headline=headline, footnote=footnote, footnote_cy=footnote_cy)
                    for ind_id, order, headline, footnote, footnote_cy in wanted)
                (summary.updated if current else summary.created)["priority measure lists"] += 1
            else:
                summary.unchanged += 1


def record_load(plan: models.Plan, *, user, name: str, summary: LoadSummary) -> None:
    """Record a plan file's load in the plan's history, and so in the force's
    audit trail: who loaded which file, and what it changed."""
    plan._history_user = user
    plan._change_reason = f"{name}: {summary.describe()}"
    plan.save()
