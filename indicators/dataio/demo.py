"""Demo data: the three seed forces and a Welsh force (issue 31: Dyfed-Powys, a
bilingual plan with illustrative figures), their plans and generated monthly series.

The seeds publish totals (a quarter's YTD, a change on last year); panels
need months. Everything here is deterministic: series are drawn from a
random generator seeded by force and indicator code, then forced so that
every published total reproduces exactly. Every generated value carries a
note saying it is illustrative; published single figures say where they
come from. Files: fixtures/demo/<force>.plan.yaml (plan files, SPEC §4) and
fixtures/demo/<force>.data.yaml (published figures, assessments,
commentary, meetings).
"""

from __future__ import annotations

import math
import random
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import numpy as np
import yaml
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from indicators import models, periods, versioning
from indicators.engine.msg import population_for
from indicators.plans.file import parse_plan_file
from indicators.plans.load import load_plan

DEMO_DIR = Path(settings.BASE_DIR) / "fixtures" / "demo"
POPULATION_FILE = Path(settings.BASE_DIR) / "fixtures" / "population_police_force_areas_2009-2019.csv"
DEMO_FORCES = ["west-mercia", "leicestershire", "essex", "dyfed-powys"]
ILLUSTRATIVE = "Illustrative"
# Two returns per demo force: the seed's figures, published when the seed was
# (published_at = the data file's published_on: the pages' "Data as at"), and
# the generated ones, never published (published_at stays empty, which is how
# selectors.data_state tells them apart).
DEMO_RETURN_PERIOD = "Demo data (illustrative)"
DEMO_PUBLISHED_PERIOD = "Demo data (published figures)"
# Local areas with generated monthly series (issue 18): the force's own
# figure of each month split over its areas, adding up to it exactly.
LOCAL_SERIES = {"essex": ["all-crime", "asb", "domestic-burglary", "vehicle-crime"]}

# --- pure helpers -----------------------------------------------------------

def split_total(total: int, weights: list[float]) -> list[int]:
    """Whole numbers in proportion to ``weights`` that add up to ``total``
    exactly (largest remainder)."""
    scale = sum(weights)
    raw = [total * w / scale for w in weights]
    parts = [math.floor(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: (parts[i] - raw[i], i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def seasonal(month: date) -> float:
    """Crime peaks in summer and dips in February; a gentle annual cycle."""
    return 1 + 0.07 * math.cos(2 * math.pi * (month.month - 7) / 12)


def _rng(force: str, code: str, salt: str = "") -> random.Random:
    return random.Random(zlib.crc32(f"{force}/{code}/{salt}".encode()))


@dataclass
class Point:
    month: date
    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    status: str = "final"
    note: str = ""
    published: bool = False      # a seed's figure (or a month of a published total), not generated
    # The value itself was generated (Observation.illustrative): every point but a
    # seed's own published figure. A month of a published total is illustrative
    # (the split is the demo's), though the total it adds up to is not.
    illustrative: bool = True


@dataclass
class Series:
    points: dict[date, Point] = field(default_factory=dict)

    def put(self, point: Point) -> None:
        self.points[point.month] = point


def _window_label(months: list[date]) -> str:
    first, last = months[0], months[-1]
    return f"{periods.MONTH_NAMES[first.month - 1][:3]} {first.year}–{periods.MONTH_NAMES[last.month - 1][:3]} {last.year}"


def generate_series(*, force: str, code: str, unit: str, aggregation: str, decimals: int,
                    figure: dict, published_at: date, history_from: date, generate_to: date) -> Series:
    """The monthly points of one demo indicator (pure: no database)."""
    series = Series()
    basis = figure.get("basis", "")
    if "unavailable" in figure:
        for month in periods.ytd_months(published_at):
            series.put(Point(month, None, status="unavailable", note=figure["unavailable"], published=True,
                             illustrative=False))
        return series

    window_end = periods.parse_month(figure["window_end"]) if "window_end" in figure else published_at
    start = max(history_from, periods.parse_month(figure["from"]) if "from" in figure else history_from)
    history = figure.get("history", True)
    ytd_w = periods.ytd_months(window_end)
    last_w = periods.last_ytd_months(window_end)
    rng = _rng(force, code)

    if aggregation in ("sum", "ratio"):
        has_last = "last_ytd" in figure or "last_ytd_pct" in figure
        months = periods.month_range(start, generate_to) if history else ytd_w + (last_w if has_last else [])
        months = sorted(m for m in set(months) if m >= start and m <= generate_to)
        if aggregation == "sum":
            _sum_series(series, rng, figure, months, ytd_w, last_w, basis)
        else:
            _ratio_series(series, rng, figure, months, ytd_w, last_w, basis)
    else:
        _level_series(series, rng, figure, unit, decimals, start, window_end, generate_to, history, basis)

    if "unavailable_after" in figure:
        for month in periods.month_range(periods.add_months(window_end, 1), generate_to):
            series.put(Point(month, None, status="unavailable", note=figure["unavailable_after"], published=True,
                             illustrative=False))
    return series


def _fy_levels(rng: random.Random, months: list[date], anchor_fy: int, anchor: float, last: float | None) -> dict[int, float]:
    levels = {anchor_fy: anchor, anchor_fy - 1: last if last is not None else anchor * (1 + rng.uniform(0.0, 0.05))}
    for fy in sorted({periods.fy_start_year(m) for m in months}):
        if fy < anchor_fy - 1:
            continue
        if fy not in levels:
            levels[fy] = levels[fy - 1] * (1 + rng.uniform(-0.04, 0.03))
    for fy in sorted({periods.fy_start_year(m) for m in months}, reverse=True):
        if fy not in levels:
            levels[fy] = levels[fy + 1] * (1 + rng.uniform(0.01, 0.06))
    return levels


def _smooth_level(levels: dict[int, float], month: date) -> float:
    """Monthly level drawn smoothly through each financial year's level
    (anchored mid-year), so history drifts rather than jumping each April."""
    years = sorted(levels)
    xs = [y * 12 + 9 for y in years]              # mid-October of each financial year, in months
    return float(np.interp(month.year * 12 + month.month - 1, xs, [levels[y] for y in years]))


def _sum_series(series, rng, figure, months, ytd_w, last_w, basis) -> None:
    ytd_total = int(figure["ytd"])
    last_total = int(figure["last_ytd"]) if "last_ytd" in figure else None
    anchor_fy = periods.fy_start_year(ytd_w[-1])
    levels = _fy_levels(rng, months, anchor_fy, ytd_total / len(ytd_w),
                        last_total / len(last_w) if last_total is not None else None)
    weights = {m: seasonal(m) * rng.gauss(1, 0.035) for m in months}
    generated = f"{ILLUSTRATIVE}: generated for the demo, not a published figure."
    values = {m: max(0, round(_smooth_level(levels, m) * weights[m])) for m in months}
    notes = dict.fromkeys(months, generated)
    published = dict.fromkeys(months, False)
    for window, total in ((ytd_w, ytd_total), (last_w, last_total)):
        if total is None or not set(window) <= set(months):
            continue
        for m, v in zip(window, split_total(total, [max(weights[m], 0.01) for m in window])):
            values[m] = v
            notes[m] = _split_note(figure, window, f"total of {total:,}", basis)
            published[m] = not figure.get("illustrative", False)
    for m in months:
        series.put(Point(m, float(values[m]), note=notes[m], published=published[m]))


def _split_note(figure: dict, window: list[date], what: str, basis: str) -> str:
    """The note of one month of a window whose total (or rate) is given:
    published (and reproduced exactly), or itself illustrative."""
    if figure.get("illustrative", False):
        return (f"{ILLUSTRATIVE}: generated for the demo, with an illustrative {_window_label(window)} {what} "
                f"chosen so that the published change reproduces. Source: {basis}.")
    return (f"{ILLUSTRATIVE} monthly split generated for the demo; the published {_window_label(window)} "
            f"{what} is reproduced exactly. Source: {basis}.")


def _ratio_window(total_den, pct, weights):
    """Split a denominator and a numerator over a window so the window's
    ratio is exactly ``pct`` (to the published decimal place)."""
    tenths = round(pct * 10)
    step = 1000 // math.gcd(tenths, 1000) if tenths else 1
    den = max(step, round(total_den / step) * step)
    num = tenths * den // 1000
    dens = split_total(den, weights)
    nums = split_total(num, [max(d, 1e-9) for d in dens])
    return dens, [min(n, d) for n, d in zip(nums, dens)]


def _ratio_series(series, rng, figure, months, ytd_w, last_w, basis) -> None:
    level = float(figure.get("denominator", 1000)) / (len(ytd_w) if "numerator" in figure else 1)
    pct = float(figure.get("ytd_pct", 0))
    weights = {m: seasonal(m) * rng.gauss(1, 0.05) for m in months}
    generated = f"{ILLUSTRATIVE}: generated for the demo, not a published figure."
    points = {}
    for m in months:
        d = max(1, round(level * weights[m]))
        rate = min(99.0, max(1.0, pct + rng.gauss(0, 1.5)))
        points[m] = (d, min(d, round(d * rate / 100)), generated, False)
    if "numerator" in figure:
        dens = split_total(int(figure["denominator"]), [weights[m] for m in ytd_w])
        nums = split_total(int(figure["numerator"]), dens)
        windows = [(ytd_w, dens, nums)]
    else:
        windows = []
        for window, key in ((ytd_w, "ytd_pct"), (last_w, "last_ytd_pct")):
            if key in figure and set(window) <= set(months):
                dens, nums = _ratio_window(sum(points[m][0] for m in window), float(figure[key]),
                                           [weights[m] for m in window])
                windows.append((window, dens, nums))
    for window, dens, nums in windows:
        note = _split_note(figure, window, "rate", basis)
        for m, d, n in zip(window, dens, nums):
            points[m] = (d, n, note, not figure.get("illustrative", False))
    for m, (d, n, note, published) in points.items():
        series.put(Point(m, 100 * n / d, numerator=float(n), denominator=float(d), note=note, published=published))


def _level_series(series, rng, figure, unit, decimals, start, window_end, generate_to, history, basis) -> None:
    latest = float(figure["latest"])
    note = f"Published figure. Source: {basis}."
    if history:
        spread = 1.2 if unit == "percent" else abs(latest) * 0.03
        for m in periods.month_range(start, generate_to):
            drift = 0.03 * periods.months_between(m, window_end) * spread
            value = latest + drift + rng.gauss(0, spread)
            if unit == "percent":
                value = min(100.0, max(0.0, value))
            series.put(Point(m, round(value, decimals),
                             note=f"{ILLUSTRATIVE}: generated for the demo, not a published figure."))
    # numerator and denominator belong to ratio indicators only (SPEC §4); the
    # published counts of a level figure stay in its basis, in the note
    series.put(Point(window_end, latest, note=note, published=True, illustrative=False))
    if "last" in figure:
        series.put(Point(periods.add_months(window_end, -12), float(figure["last"]), note=note, published=True,
                         illustrative=False))


def peer_value(rng: random.Random, own_value: float, own_population: int, peer_population: int, factor: float) -> float:
    return float(max(0, round(own_value * peer_population / own_population * factor * rng.gauss(1, 0.04))))


# --- database ---------------------------------------------------------------

@dataclass
class DemoSummary:
    forces: list[str] = field(default_factory=list)
    observations: int = 0
    peer_observations: int = 0
    kept: int = 0
    lines: list[str] = field(default_factory=list)


def read_data_file(slug: str) -> dict:
    return yaml.safe_load((DEMO_DIR / f"{slug}.data.yaml").read_text(encoding="utf-8"))


def load_populations(path: Path = POPULATION_FILE) -> int:
    """Populations for the forces the demo knows (no new forces)."""
    from indicators.opendata.populations import load_populations as load
    from indicators.opendata.populations import read_population_file

    return load(read_population_file(path), create_forces=False)[1]


def _population_lookup() -> dict[str, dict[int, int]]:
    table: dict[str, dict[int, int]] = {}
    for slug, year, people in models.ForcePopulation.objects.values_list("force__slug", "year", "population"):
        table.setdefault(slug, {})[year] = people
    return table


def _demo_return(force: models.Force, period: str, *, published_on: date | None = None,
                 source: str = "load_demo") -> models.Return:
    """The force's demo return for ``period``: published on ``published_on``
    (a seed's date), or never (illustrative figures)."""
    published_at = None
    if published_on is not None:
        published_at = timezone.make_aware(datetime.combine(published_on, time()))
    ret, _ = models.Return.objects.update_or_create(
        force=force, period=period, is_demo=True,
        defaults={"state": models.ReturnState.PUBLISHED, "source": source, "published_at": published_at})
    return ret


def _published_on(slug: str, data: dict) -> date:
    value = data.get("published_on")
    if not isinstance(value, date):
        raise ValueError(f"{slug}.data.yaml: published_on must be the date its figures were published (YYYY-MM-DD)")
    return value


@transaction.atomic
def load_demo(progress=None) -> DemoSummary:
    """Load the seed forces, replacing earlier demo observations (never an
    analyst's: a month that a non-demo return has filled is kept)."""
    say = progress or (lambda text: None)
    summary = DemoSummary()
    for slug in DEMO_FORCES:
        spec = parse_plan_file((DEMO_DIR / f"{slug}.plan.yaml").read_bytes())
        result = load_plan(spec, is_demo=True)
        say(f"{slug}: plan '{spec.title}' — {len(spec.indicators())} indicators ({result.describe()})")
    say(f"populations: {load_populations()} force-years from {POPULATION_FILE.name}")
    # The MSG peers the demo made up figures for are demo forces too (their
    # figures are all illustrative): a force with an analyst's return is not.
    models.Force.objects.filter(msg_of__slug__in=DEMO_FORCES, is_demo=False).exclude(
        returns__is_demo=False).exclude(plans__is_demo=False).update(is_demo=True)

    # Earlier demo rows are compared with the new ones, so a second run
    # writes nothing (and adds no history); an analyst's rows are kept.
    existing = {(o.indicator_id, o.area_id, o.month): o
                for o in models.Observation.objects.filter(source_return__is_demo=True)}
    taken = set(models.Observation.objects.exclude(source_return__is_demo=True)
                .values_list("indicator_id", "area_id", "month"))
    summary.kept = len(taken)
    new: list[models.Observation] = []

    def add(indicator_id: int, point: Point, ret: models.Return, area_id: int | None = None) -> bool:
        if (indicator_id, area_id, point.month) in taken:
            return False
        taken.add((indicator_id, area_id, point.month))
        new.append(models.Observation(
            indicator_id=indicator_id, area_id=area_id, month=point.month, value=point.value,
            numerator=point.numerator, denominator=point.denominator, status=point.status, note=point.note,
            illustrative=point.illustrative, source_return=ret))
        return True

    own: dict[tuple[str, str], Series] = {}
    for slug in DEMO_FORCES:
        data = read_data_file(slug)
        force = models.Force.objects.get(slug=slug)
        generated = _demo_return(force, DEMO_RETURN_PERIOD)
        published = _demo_return(force, DEMO_PUBLISHED_PERIOD, published_on=_published_on(slug, data),
                                 source=f"load_demo: {data['source']}")
        indicators = {i.code: i for i in force.indicators.all()}
        unknown = sorted(set(data.get("figures") or {}) - set(indicators))
        if unknown:
            raise ValueError(f"{slug}.data.yaml names unknown indicators: {', '.join(unknown)}")
        count = 0
        for code, figure in (data.get("figures") or {}).items():
            ind = indicators[code]
            series = generate_series(
                force=slug, code=code, unit=ind.unit, aggregation=ind.aggregation, decimals=ind.decimals,
                figure=figure, published_at=periods.parse_month(data["published_at"]),
                history_from=periods.parse_month(data["history_from"]),
                generate_to=periods.parse_month(data["generate_to"]))
            own[(slug, code)] = series
            count += sum(add(ind.pk, p, published if p.published else generated) for p in series.points.values())
        area_count = 0
        for code in LOCAL_SERIES.get(slug, []):
            for area_id, point in local_points(force, code, own[(slug, code)]):
                area_count += add(indicators[code].pk, point, generated, area_id)
        if area_count:
            _load_area_notes(force)
            say(f"{slug}: {area_count:,} illustrative local-area observations")
        summary.observations += count + area_count
        _load_notes(force, data, indicators)
        summary.forces.append(slug)
        say(f"{slug}: {count:,} observations generated")

    populations = _population_lookup()
    for slug in DEMO_FORCES:
        force = models.Force.objects.get(slug=slug)
        count = 0
        for peer in force.msg_peers.all():
            ret = None
            peer_indicators = {i.code: i for i in peer.indicators.filter(msg=True)}
            for (owner, code), series in own.items():
                if owner != slug or code not in peer_indicators:
                    continue
                factor = _rng(peer.slug, code, "factor").uniform(0.75, 1.3)
                rng = _rng(peer.slug, code, slug)
                for month, point in sorted(series.points.items()):
                    # The engine's rule (SPEC §4): the population of the latest year not
                    # after the month's; a month before any has no rate, so no peer figure.
                    own_pop = population_for(populations.get(slug), month.year)
                    peer_pop = population_for(populations.get(peer.slug), month.year)
                    if point.value is None or not own_pop or not peer_pop:
                        continue
                    ret = ret or _demo_return(peer, "Demo MSG peer data (illustrative)")
                    count += add(peer_indicators[code].pk, Point(
                        month, peer_value(rng, point.value, own_pop, peer_pop, factor),
                        note=f"{ILLUSTRATIVE} MSG peer figure generated for the demo from "
                             f"{force.name}'s series and population; not published."), ret)
        summary.peer_observations += count
        say(f"{slug}: {count:,} illustrative MSG peer observations")

    _write(new, existing)
    return summary


def local_points(force: models.Force, code: str, series: Series) -> list[tuple[int, Point]]:
    """The force's monthly figures of ``code`` split over its local areas:
    each area a steady share (drawn per area, so districts differ) with a
    little monthly noise, in whole numbers that add up to the force's
    figure of the month exactly (`split_total`). Illustrative: no district
    figures were published."""
    areas = list(force.local_areas.order_by("code"))
    share = {a.code: _rng(force.slug, "areas", a.code).uniform(0.5, 1.6) for a in areas}
    out = []
    for month, point in sorted(series.points.items()):
        if point.value is None or point.status == "unavailable":
            continue
        rng = _rng(force.slug, code, f"areas/{month}")
        parts = split_total(int(point.value), [share[a.code] * rng.gauss(1, 0.06) for a in areas])
        for area, part in zip(areas, parts):
            out.append((area.pk, Point(month, float(part), note=(
                f"{ILLUSTRATIVE}: {area.name}'s share of {force.name}'s figure for the month, generated for "
                "the demo (the districts' figures add up to the force's exactly); not a published figure."))))
    return out


def _load_area_notes(force: models.Force) -> None:
    """Each district's own priorities in Annex A's words (fixtures/demo/<force>.areas.yaml)."""
    path = DEMO_DIR / f"{force.slug}.areas.yaml"
    if not path.exists():
        return
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for code, item in (data.get("areas") or {}).items():
        parts = []
        if item.get("priorities"):
            parts.append(f"Its Community Safety Partnership's priorities: {item['priorities']}")
        if item.get("comments"):
            parts.append(f"Additional comments: {item['comments']}")
        if item.get("matrix_note"):
            parts.append(item["matrix_note"])
        parts.append(f"Source: {data['source']}.")
        models.LocalArea.objects.filter(force=force, code=code).update(notes="\n\n".join(parts))


_OBS_FIELDS = ["value", "numerator", "denominator", "status", "note", "illustrative", "source_return_id"]


def _write(new: list[models.Observation], existing: dict) -> None:
    create, update = [], []
    for obs in new:
        old = existing.pop((obs.indicator_id, obs.area_id, obs.month), None)
        if old is None:
            create.append(obs)
        elif any(getattr(old, f) != getattr(obs, f) for f in _OBS_FIELDS):
            for f in _OBS_FIELDS:
                setattr(old, f, getattr(obs, f))
            update.append(old)
    if existing:
        models.Observation.objects.filter(pk__in=[o.pk for o in existing.values()]).delete()
    bulk_create_with_history(create, models.Observation, batch_size=2000)
    if update:
        bulk_update_with_history(update, models.Observation, _OBS_FIELDS, batch_size=2000)
    versioning.bump()


def _load_notes(force: models.Force, data: dict, indicators: dict[str, models.Indicator]) -> None:
    month = periods.parse_month(data["published_at"])
    for code, item in (data.get("assessments") or {}).items():
        models.Assessment.objects.update_or_create(
            indicator=indicators[code], month=month,
            defaults={"rag": item.get("rag", ""), "status_text": item.get("text", ""),
                      "reason": f"As published: {data['source']}."})
    plan = force.plans.order_by("-start").first()
    priorities = {p.number: p for p in plan.priorities.all()}
    welsh = data.get("commentary_cy") or {}
    for number, text in (data.get("commentary") or {}).items():
        models.Commentary.objects.update_or_create(
            force=force, priority=priorities[int(number)], month=month,
            defaults={"text": text.strip(), "text_cy": (welsh.get(number) or "").strip(), "is_demo": True})
    for meeting in data.get("meetings") or []:
        sheet = {key: meeting[key] for key in ("reference", "author", "contact", "recommendation") if key in meeting}
        models.PanelMeeting.objects.update_or_create(
            force=force, date=meeting["date"],
            defaults={"period": periods.parse_month(meeting["period"]), "mode": meeting["mode"],
                      "notes": meeting.get("notes", ""), **sheet})
    if data.get("executive_summary") or data.get("key_activity"):
        models.ExecutiveSummary.objects.update_or_create(
            force=force, month=month,
            defaults={"text": (data.get("executive_summary") or "").strip(),
                      "text_cy": (data.get("executive_summary_cy") or "").strip(),
                      "key_activity": (data.get("key_activity") or "").strip(), "is_demo": True})
