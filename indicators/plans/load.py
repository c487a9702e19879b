"""Write a checked plan file to the database (SPEC §4 load_plan).

Creates or updates, in one transaction, and counts what changed so that a
second load of the same file can say "nothing changed". Observations are
never deleted: indicators are keyed by (force, code) and outlive the plan.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction

from indicators import models, versioning
from indicators.plans.file import ForceSpec, IndicatorSpec, PlanSpec


class PlanLoadError(Exception):
    pass


@dataclass
class LoadSummary:
    plan: models.Plan | None = None
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    deleted: Counter = field(default_factory=Counter)
    unchanged: int = 0

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
        return obj
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.save(update_fields=changed)
        summary.updated[label] += 1
    else:
        summary.unchanged += 1
    return obj


def _indicator_values(spec: IndicatorSpec) -> dict:
    return {
        "name": spec.name, "unit": spec.unit, "decimals": spec.decimals,
        "aggregation": spec.aggregation, "polarity": spec.polarity,
        "msg": spec.msg, "source": spec.source,
    }


def _load_force(summary: LoadSummary, spec: ForceSpec, *, is_demo: bool) -> models.Force:
    values = {"name": spec.name}
    if is_demo:
        values["is_demo"] = True
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
    peers = {p.slug: _load_force(summary, p, is_demo=False) for p in spec.peers}

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
            force.msg_peers.set(wanted)
            summary.updated["MSG peer lists"] += 1
        else:
            summary.unchanged += 1
    msg_peers = list(force.msg_peers.all())

    local_areas = _load_local_areas(summary, force, spec.force)

    plan = _upsert(summary, models.Plan, {"force": force, "start": spec.start},
                   {"title": spec.title, "end": spec.end, "area_label": spec.area_label,
                    "assessment": spec.assessment,
                    **({"is_demo": True} if is_demo else {})})
    summary.plan = plan

    indicators: dict[str, models.Indicator] = {}
    for ind in spec.indicators():
        indicator = _upsert(summary, models.Indicator, {"force": force, "code": ind.code}, _indicator_values(ind))
        indicators[ind.code] = indicator
        for target in ind.targets:
            _upsert(summary, models.Target, {"indicator": indicator, "financial_year": target.financial_year},
                    {"kind": target.kind, "value": target.value, "tolerance": target.tolerance,
                     "wording": target.wording, "due": target.due})
        if ind.msg:
            # Peers report the measure under the same code; a peer's own plan
            # owns its definition, so an existing indicator is left as it is.
            for peer in msg_peers:
                if not models.Indicator.objects.filter(force=peer, code=ind.code).exists():
                    models.Indicator.objects.create(force=peer, code=ind.code, **_indicator_values(ind))
                    summary.created["peer indicators"] += 1

    area_numbers = [a.number for a in spec.areas]
    gone = plan.areas.exclude(number__in=area_numbers)
    if gone.exists():
        summary.deleted["areas of focus (with their priorities)"] += gone.count()
        gone.delete()
    priority_numbers = [p.number for a in spec.areas for p in a.priorities]
    removed = plan.priorities.exclude(number__in=priority_numbers)
    if removed.exists():
        summary.deleted["strategic priorities"] += removed.count()
        removed.delete()

    for area_spec in spec.areas:
        area = _upsert(summary, models.AreaOfFocus, {"plan": plan, "number": area_spec.number},
                       {"title": area_spec.title})
        for pr_spec in area_spec.priorities:
            priority = _upsert(summary, models.StrategicPriority, {"plan": plan, "number": pr_spec.number},
                               {"title": pr_spec.title, "area": area})
            wanted_areas = {local_areas[code].pk for code in pr_spec.local_areas}
            if wanted_areas != set(priority.local_areas.values_list("pk", flat=True)):
                priority.local_areas.set(wanted_areas)
                summary.updated["priority local-area lists"] += 1
            wanted = [(indicators[i.code].pk, order, i.headline, i.footnote)
                      for order, i in enumerate(pr_spec.indicators, start=1)]
            current = list(priority.measures.order_by("order")
                           .values_list("indicator_id", "order", "headline", "footnote"))
            if wanted != current:
                # Rebuilt whole: reordering in place would trip the
                # (priority, order) uniqueness half-way through.
                priority.measures.all().delete()
                models.PriorityIndicator.objects.bulk_create(
                    models.PriorityIndicator(priority=priority, indicator_id=ind_id, order=order,
                                             headline=headline, footnote=footnote)
                    for ind_id, order, headline, footnote in wanted)
                (summary.updated if current else summary.created)["priority measure lists"] += 1
            else:
                summary.unchanged += 1
