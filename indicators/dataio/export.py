"""Export to plain files and import them again (manage.py export_data /
import_data): readable, diffable files in the formats people already use.
This is not a backup: ``manage.py backup`` (indicators/backup.py) keeps
every table. An export folder holds:
- ``forces.yaml``: every force with its name, populations, MSG peers and local areas;
- ``plans/<force>-<start>.yaml``: each plan in the plan-file format (SPEC §4);
- ``indicators.yaml``: indicators outside every plan (peers', open data);
- ``observations/<force>.csv``: every published figure, in the return-file format
  with its ninth column ``area`` (empty: the whole force's figure), then
  ``from`` (the first month of a figure's span, when it covers more than its
  month), ``lower`` and ``upper`` (a survey figure's interval; SPEC §6);
- ``definitions.yaml``: what the plan files do not say of each indicator and
  plan (SPEC §6: frequency, comparison, covers, lag, scale, baseline,
  benchmarks, rebase, replaces; a plan's rating labels), applied after the
  plans load;
- ``notes.yaml``: assessments, commentary and panel meetings.

`import_folder` reads them into an empty database: plans through load_plan,
figures through the return-file format and the publishing path (with
history from that moment on). It restores every figure exactly as the
database held it, so it can always read what `export_folder` wrote: the
plausibility checks of a new return (a percentage above 100, a note that
starts like a spreadsheet formula, a month still to come, an empty row)
are for new figures, not for figures already published, which may have
been edited in the admin (docs/decisions.md, Backups).

Not carried (NOT_CARRIED): the history of earlier values, draft and
submitted returns and who published what when, users, groups, force
memberships and login records.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import yaml
from django.db import transaction
from django.db.models import F

from indicators import models, periods, versioning
from indicators.plans.file import parse_plan_file
from indicators.plans.load import load_plan
from indicators.returns.file import (
    COLUMNS,
    COLUMNS_WITH_AREA,
    FROM,
    LOWER,
    STATUSES,
    UPPER,
    ReturnFileError,
    Row,
    format_cell,
    read_table,
)
from indicators.returns.workflow import catalogue_for, stage

NOT_CARRIED = ("the history of earlier values; draft and submitted returns, and who published what when; "
               "users, groups, force memberships and login records")


# observations/<force>.csv: the return file's columns, area, then SPEC §6's span and interval
EXPORT_COLUMNS = [*COLUMNS_WITH_AREA, FROM, LOWER, UPPER]
# The Indicator fields of SPEC §6 that definitions.yaml carries, with the value that needs no line
INDICATOR_FIELDS = {"frequency": "monthly", "compare": "", "covers": None, "lag": 0, "scale": None,
                    "baseline_label": "", "baseline_from": None, "baseline_to": None, "baseline_value": None,
                    "benchmarks": [], "rebase": [], "replaces": "", "replaces_from": None, "replaces_note": ""}


class ExportError(Exception):
    pass


def _population(force) -> dict:
    return {p.year: p.population for p in force.populations.all()}


def _local_areas(force, *, notes: bool = False) -> list[dict]:
    """The force's local areas as the plan file has them (with ``notes``, as forces.yaml has them)."""
    return [{"code": a.code, "name": a.name, **({"population": {p.year: p.population for p in a.populations.all()}}
                                                 if a.populations.all() else {}),
             **({"notes": a.notes} if notes and a.notes else {})}
            for a in force.local_areas.prefetch_related("populations").order_by("code")]


def _current_keys(ind: models.Indicator) -> dict:
    """The SPEC §6 keys of an indicator that differ from what a 2013-style file means."""
    keys: dict = {}
    if ind.frequency != "monthly":
        keys["frequency"] = ind.frequency
    for name in ("compare", "covers", "scale", "benchmarks", "rebase"):
        if getattr(ind, name):
            keys[name] = getattr(ind, name)
    if ind.lag:
        keys["lag"] = ind.lag
    label = {"label": ind.baseline_label, **_cy(ind, "baseline_label", "label")}
    if ind.baseline_label and ind.baseline_value is not None:
        keys["baseline"] = {**label, "value": ind.baseline_value}
    elif ind.baseline_label and ind.baseline_from and ind.baseline_to:
        keys["baseline"] = {**label, "from": periods.format_month(ind.baseline_from),
                            "to": periods.format_month(ind.baseline_to)}
    if ind.replaces and ind.replaces_from:
        keys.update({"replaces": ind.replaces, "replaces_from": periods.format_month(ind.replaces_from),
                     **({"replaces_note": ind.replaces_note} if ind.replaces_note else {}),
                     **_cy(ind, "replaces_note")})
    return keys


def _cy(obj, field: str, key: str | None = None) -> dict:
    """The plan file's Welsh sibling of a text (SPEC §6 `<key>_cy`), when there is one."""
    welsh = getattr(obj, f"{field}_cy", "")
    return {f"{key or field}_cy": welsh} if welsh else {}


def plan_document(plan: models.Plan) -> dict:
    force = plan.force
    peers = list(force.msg_peers.all())
    areas = []
    listed: set[int] = set()      # a measure listed again gives only code and headline (SPEC §6)
    for area in plan.areas.all():
        priorities = []
        for priority in area.priorities.all():
            indicators = []
            for measure in priority.measures.select_related("indicator").order_by("order"):
                ind = measure.indicator
                if ind.pk in listed:
                    indicators.append({"code": ind.code, "headline": measure.headline})
                    continue
                listed.add(ind.pk)
                targets = {}
                for t in ind.targets.all():
                    target = {"kind": t.kind}
                    if t.value is not None:
                        target["value"] = t.value
                    target["tolerance"] = t.tolerance
                    if t.wording:
                        target["wording"] = t.wording
                        target.update(_cy(t, "wording"))
                    if t.due:
                        target["due"] = t.due
                    targets[t.financial_year] = target
                entry = {"code": ind.code, "name": ind.name, **_cy(ind, "name"), "unit": ind.unit, "decimals": ind.decimals,
                         "aggregation": ind.aggregation, "polarity": ind.polarity, "headline": measure.headline,
                         "msg": ind.msg}
                if ind.source:
                    entry["source"] = ind.source
                if measure.footnote:
                    entry["footnote"] = measure.footnote
                    entry.update(_cy(measure, "footnote"))
                entry.update(_current_keys(ind))
                if targets:
                    entry["targets"] = targets
                indicators.append(entry)
            chosen = sorted(priority.local_areas.values_list("code", flat=True))
            priorities.append({"number": priority.number, "title": priority.title, **_cy(priority, "title"),
                               **({"local_areas": chosen} if chosen else {}), "indicators": indicators})
        areas.append({"number": area.number, "title": area.title, **_cy(area, "title"), "priorities": priorities})
    local_areas = _local_areas(force)
    document = {
        "force": {"slug": force.slug, "name": force.name, **_cy(force, "name"), "population": _population(force),
                  **({"languages": list(force.languages)} if force.languages else {}),
                  **({"msg_peers": [p.slug for p in peers]} if peers else {}),
                  **({"local_areas": local_areas} if local_areas else {})},
        "plan": {"title": plan.title, **_cy(plan, "title"), "start": plan.start, "end": plan.end, "area_label": plan.area_label, **_cy(plan, "area_label"),
                 "assessment": plan.assessment,
                 **({"rating_labels": dict(plan.rating_labels)} if plan.rating_labels else {}),
                 # the one untitled area of a one-level plan is its `priorities` (SPEC §6 Plan shape)
                 **({"priorities": areas[0]["priorities"]} if len(areas) == 1 and not areas[0]["title"]
                    else {"areas": areas})},
    }
    if peers:
        document["peers"] = [{"slug": p.slug, "name": p.name, "population": _population(p)} for p in peers]
    return document


def export_folder(folder: Path) -> dict:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "plans").mkdir(exist_ok=True)
    (folder / "observations").mkdir(exist_ok=True)
    counts = {"forces": 0, "plans": 0, "indicators": 0, "observations": 0, "notes": 0}

    forces = list(models.Force.objects.prefetch_related("populations", "msg_peers").order_by("slug"))
    _dump(folder / "forces.yaml", {"forces": [
        {"slug": f.slug, "name": f.name, "is_demo": f.is_demo, "is_benchmark": f.is_benchmark,
         "population": _population(f),
         "msg_peers": [p.slug for p in f.msg_peers.all()], "local_areas": _local_areas(f, notes=True)} for f in forces]})
    counts["forces"] = len(forces)

    for plan in models.Plan.objects.select_related("force").order_by("force__slug", "start"):
        document = plan_document(plan)
        text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=120)
        parse_plan_file(text)      # a backup that would not load is no backup
        (folder / "plans" / f"{plan.force.slug}-{plan.start.isoformat()}.yaml").write_text(text, encoding="utf-8")
        counts["plans"] += 1

    orphans = models.Indicator.objects.filter(measures__isnull=True).select_related("force").order_by("force__slug",
                                                                                                       "code")
    _dump(folder / "indicators.yaml", {"indicators": [
        {"force": i.force.slug, "code": i.code, "name": i.name, "unit": i.unit, "decimals": i.decimals,
         "aggregation": i.aggregation, "polarity": i.polarity, "msg": i.msg, "source": i.source, "notes": i.notes}
        for i in orphans]})
    counts["indicators"] = len(orphans)

    published = models.Observation.objects.filter(
        models.Q(source_return__isnull=True) | models.Q(source_return__state=models.ReturnState.PUBLISHED))
    for force in forces:
        rows = (published.filter(indicator__force=force)
                .order_by("indicator__code", F("area__code").asc(nulls_first=True), "month")
                .values_list("indicator__code", "month", "value", "numerator", "denominator", "status", "note",
                             "area__code", "first_month", "lower", "upper"))
        if not rows:
            continue
        with (folder / "observations" / f"{force.slug}.csv").open("w", newline="", encoding="utf-8") as handle:
            # CRLF, as RFC 4180 has it: a note holding a lone carriage return is then quoted and reads back
            writer = csv.writer(handle, lineterminator="\r\n")
            writer.writerow(EXPORT_COLUMNS)
            for code, month, value, num, den, status, note, area, first, lower, upper in rows:
                writer.writerow([force.slug, code, periods.format_month(month), format_cell(value), format_cell(num),
                                 format_cell(den), status, note, area or "",
                                 periods.format_month(first) if first else "", format_cell(lower),
                                 format_cell(upper)])
                counts["observations"] += 1

    definitions = _definitions()
    _dump(folder / "definitions.yaml", definitions)

    notes = {
        "assessments": [{"force": a.indicator.force.slug, "indicator": a.indicator.code, "month": a.month,
                         "rag": a.rag, "rating": a.rating, "status_text": a.status_text, "reason": a.reason}
                        for a in models.Assessment.objects.select_related("indicator__force")],
        "commentary": [{"force": c.force.slug, "month": c.month, "text": c.text, **_cy(c, "text"), "is_demo": c.is_demo,
                        "state": c.state,
                        "priority": c.priority.number if c.priority else None,
                        "plan_start": c.priority.plan.start if c.priority else None,
                        "indicator": c.indicator.code if c.indicator else None}
                       for c in models.Commentary.objects.select_related("force", "priority__plan", "indicator")],
        "meetings": [{"force": m.force.slug, "date": m.date, "period": m.period, "mode": m.mode, "theme": m.theme,
                      "notes": m.notes, "reference": m.reference, "author": m.author, "contact": m.contact,
                      "recommendation": m.recommendation}
                     for m in models.PanelMeeting.objects.select_related("force")],
        "executive_summaries": [{"force": e.force.slug, "month": e.month, "text": e.text, **_cy(e, "text"),
                                 "key_activity": e.key_activity, "state": e.state, "is_demo": e.is_demo}
                                for e in models.ExecutiveSummary.objects.select_related("force")],
    }
    _dump(folder / "notes.yaml", notes)
    counts["notes"] = sum(len(v) for v in notes.values())
    # Which figures the demo generated (Observation.illustrative): the return-file
    # columns have no place for it, so it travels beside them, a line per series.
    series: dict[tuple, list[str]] = {}
    for force, code, area, month in (published.filter(illustrative=True)
                                     .order_by("indicator__force__slug", "indicator__code", "area__code", "month")
                                     .values_list("indicator__force__slug", "indicator__code", "area__code", "month")):
        series.setdefault((force, code, area), []).append(periods.format_month(month))
    _dump(folder / "illustrative.yaml", {"illustrative": [
        {"force": force, "indicator": code, "area": area, "months": months}
        for (force, code, area), months in series.items()]})
    return counts


def _definitions() -> dict:
    """definitions.yaml: each indicator's SPEC §6 fields that differ from
    their defaults, and each plan's rating labels."""
    indicators = []
    for ind in models.Indicator.objects.select_related("force").order_by("force__slug", "code"):
        fields = {name: getattr(ind, name) for name, default in INDICATOR_FIELDS.items()
                  if getattr(ind, name) != default}
        if fields:
            indicators.append({"force": ind.force.slug, "code": ind.code, **fields})
    plans = [{"force": p.force.slug, "start": p.start, "rating_labels": p.rating_labels}
             for p in models.Plan.objects.select_related("force").order_by("force__slug", "start")
             if p.rating_labels]
    return {"indicators": indicators, "plans": plans}


def _apply_definitions(data: dict) -> None:
    for item in data.get("indicators", []):
        fields = {name: item[name] for name in INDICATOR_FIELDS if name in item}
        updated = models.Indicator.objects.filter(force__slug=item["force"], code=item["code"]).update(**fields)
        if not updated:
            raise ExportError(f"definitions.yaml: force {item['force']!r} has no indicator {item['code']!r}")
    for item in data.get("plans", []):
        if not models.Plan.objects.filter(force__slug=item["force"], start=item["start"]).update(
                rating_labels=item["rating_labels"]):
            raise ExportError(f"definitions.yaml: force {item['force']!r} has no plan starting {item['start']}")


def _dump(path: Path, data) -> None:
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=120), encoding="utf-8")


def _load(path: Path) -> dict:
    if not path.exists():
        raise ExportError(f"{path} is missing; is this a folder written by export_data?")
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


@transaction.atomic
def import_folder(folder: Path, *, progress=None) -> dict:
    say = progress or (lambda text: None)
    forces = _load(folder / "forces.yaml").get("forces", [])
    if models.Plan.objects.exists() or models.Observation.objects.exists():
        raise ExportError("the database is not empty; import into a new database")
    counts = {"forces": 0, "plans": 0, "indicators": 0, "observations": 0, "notes": 0}
    by_slug = {}
    for f in forces:
        # update_or_create: the benchmark series are in every migrated database already (SPEC §6)
        force, _ = models.Force.objects.update_or_create(slug=f["slug"], defaults={
            "name": f["name"], "is_demo": f.get("is_demo", False), "is_benchmark": f.get("is_benchmark", False)})
        force.populations.all().delete()
        models.ForcePopulation.objects.bulk_create(
            [models.ForcePopulation(force=force, year=y, population=p) for y, p in f.get("population", {}).items()])
        by_slug[force.slug] = force
        for a in f.get("local_areas", []):
            area = models.LocalArea.objects.create(force=force, code=a["code"], name=a["name"],
                                                   notes=a.get("notes", ""))
            models.LocalAreaPopulation.objects.bulk_create(
                [models.LocalAreaPopulation(area=area, year=y, population=p)
                 for y, p in (a.get("population") or {}).items()])
    for f in forces:
        by_slug[f["slug"]].msg_peers.set([by_slug[s] for s in f.get("msg_peers", [])])
    counts["forces"] = len(forces)
    say(f"{len(forces)} forces")

    for path in sorted((folder / "plans").glob("*.yaml")):
        spec = parse_plan_file(path.read_bytes())
        load_plan(spec, is_demo=by_slug[spec.force.slug].is_demo)
        counts["plans"] += 1
    say(f"{counts['plans']} plans")

    for i in _load(folder / "indicators.yaml").get("indicators", []):
        force = by_slug[i.pop("force")]
        models.Indicator.objects.update_or_create(force=force, code=i.pop("code"), defaults=i)
        counts["indicators"] += 1

    if (folder / "definitions.yaml").exists():      # an export made before SPEC §6 has none
        _apply_definitions(_load(folder / "definitions.yaml"))

    catalogue = catalogue_for(None)
    for path in sorted((folder / "observations").glob("*.csv")):
        header, body = read_table(path.read_bytes(), path.name)
        rows = read_figures(header, body, catalogue, f"observations/{path.name}")
        stage(rows, user=None, source=f"import_data: {path.name}", period="Imported from an export", publish=True)
        counts["observations"] += len(rows)
        say(f"{path.name}: {len(rows):,} observations")

    notes = _load(folder / "notes.yaml")
    for a in notes.get("assessments", []):
        models.Assessment.objects.create(indicator=models.Indicator.objects.get(force__slug=a["force"],
                                                                                 code=a["indicator"]),
                                         month=a["month"], rag=a["rag"], rating=a.get("rating") or "",
                                         status_text=a["status_text"], reason=a["reason"])
    for c in notes.get("commentary", []):
        force = by_slug[c["force"]]
        priority = (models.StrategicPriority.objects.get(plan__force=force, plan__start=c["plan_start"],
                                                         number=c["priority"]) if c["priority"] else None)
        indicator = models.Indicator.objects.get(force=force, code=c["indicator"]) if c["indicator"] else None
        models.Commentary.objects.create(force=force, priority=priority, indicator=indicator, month=c["month"],
                                         text=c["text"], text_cy=c.get("text_cy", ""), is_demo=c.get("is_demo", False),
                                         state=c.get("state") or models.WritingState.PUBLISHED)
    for m in notes.get("meetings", []):
        sheet = {key: m[key] for key in ("reference", "author", "contact", "recommendation") if key in m}
        models.PanelMeeting.objects.create(force=by_slug[m["force"]], date=m["date"], period=m["period"],
                                           mode=m["mode"], theme=m["theme"], notes=m["notes"], **sheet)
    for e in notes.get("executive_summaries", []):      # an export made before issue 29 has none
        models.ExecutiveSummary.objects.create(force=by_slug[e["force"]], month=e["month"], text=e["text"],
                                               text_cy=e.get("text_cy", ""),
                                               key_activity=e.get("key_activity", ""), is_demo=e.get("is_demo", False),
                                               state=e.get("state") or models.WritingState.PUBLISHED)
    counts["notes"] = sum(len(notes.get(k, [])) for k in ("assessments", "commentary", "meetings",
                                                          "executive_summaries"))
    if (folder / "illustrative.yaml").exists():     # an export made before the flag has none
        for item in _load(folder / "illustrative.yaml").get("illustrative", []):
            where = models.Q(area__code=item["area"]) if item.get("area") else models.Q(area__isnull=True)
            models.Observation.objects.filter(
                where, indicator__force__slug=item["force"], indicator__code=item["indicator"],
                month__in=[periods.parse_month(m) for m in item["months"]]).update(illustrative=True)
    versioning.bump()
    return counts


def read_figures(header: list[str], body: list[tuple[int, list]], catalogue, name: str) -> list[Row]:
    """The rows of an exported observations file, exactly as written: every
    figure the database can hold is accepted (the return checks for new
    figures do not apply); anything else is a problem naming row and column."""
    if header not in (COLUMNS, COLUMNS_WITH_AREA, EXPORT_COLUMNS):
        raise ExportError(f"{name}: the columns must be {','.join(EXPORT_COLUMNS)} (an export made before SPEC §6 "
                          f"stops after area, and one before local areas after note)")
    problems, rows = [], []
    for number, cells in body:
        where = f"{name} row {number}"
        if len(cells) != len(header):
            problems.append(f"{where}: has {len(cells)} fields; the header has {len(header)}")
            continue
        force, code, month, *figures, status, note = cells[:len(COLUMNS)]
        area = cells[len(COLUMNS)] if len(cells) > len(COLUMNS) else ""
        first_text, *interval = cells[len(COLUMNS) + 1:] if len(cells) > len(COLUMNS) + 1 else ("", "", "")
        area_id = catalogue.areas.get((force, area)) if area else None
        if area and area_id is None:
            problems.append(f"{where}, column area: force {force!r} has no local area {area!r}")
            continue
        info = catalogue.indicators.get((force, code))
        if force not in catalogue.forces:
            problems.append(f"{where}, column force: unknown force {force!r}")
            continue
        if info is None:
            problems.append(f"{where}, column indicator: force {force!r} has no indicator {code!r}")
            continue
        try:
            month = periods.parse_month(month)
        except ValueError as exc:
            problems.append(f"{where}, column month: {exc}")
            continue
        first = None
        if first_text:
            try:
                first = periods.parse_month(first_text)
            except ValueError as exc:
                problems.append(f"{where}, column from: {exc}")
                continue
        values = []
        for column, text in zip(("value", "numerator", "denominator", LOWER, UPPER), [*figures, *interval]):
            try:
                values.append(None if text == "" else float(text))
            except ValueError:
                values.append(math.nan)
            if values[-1] is not None and not math.isfinite(values[-1]):
                problems.append(f"{where}, column {column}: {text!r} is not a number")
        value, num, den, lower, upper = values
        if status not in STATUSES:
            problems.append(f"{where}, column status: must be final, provisional or unavailable (got {status!r})")
        elif status == "unavailable" and not note:
            problems.append(f"{where}, column note: a note is required when status is unavailable")
        if den is not None and not den > 0:
            problems.append(f"{where}, column denominator: must be more than zero")
        if num is not None and not num >= 0:
            problems.append(f"{where}, column numerator: must not be negative")
        elif num is not None and den is not None and num > den and info.aggregation == "ratio":
            problems.append(f"{where}, column numerator: is more than the denominator")
        rows.append(Row(number, force, code, info.id, info.force_id, month, value, num, den, status, note,
                        area, area_id, first_month=first, lower=lower, upper=upper))
    if problems:
        raise ReturnFileError(problems)
    return rows
