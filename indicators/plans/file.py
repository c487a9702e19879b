"""Read and check a plan file (SPEC §4), the format of shared/examples/plan.yaml.

`parse_plan_file` turns YAML text into a `PlanSpec` or raises
`PlanFileError` listing every problem with its YAML path, e.g.
``plan.areas[2].priorities[0].indicators[3].aggregation: must be one of sum,
ratio, mean, latest``. Nothing here touches the database; `planload` writes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import yaml

from indicators import periods, vocabulary

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
UNITS, AGGREGATIONS, POLARITIES, TARGET_KINDS, ASSESSMENTS = (list(v) for v in (vocabulary.UNITS, vocabulary.AGGREGATIONS, vocabulary.POLARITIES, vocabulary.TARGET_KINDS, vocabulary.ASSESSMENT_METHODS))  # noqa: E501
AREA_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")

TOP_KEYS = {"force": True, "peers": False, "plan": True}
FORCE_KEYS = {"slug": True, "name": True, "population": False, "msg_peers": False, "local_areas": False}
LOCAL_AREA_KEYS = {"code": True, "name": True, "population": False}
PEER_KEYS = {"slug": True, "name": True, "population": False}
PLAN_KEYS = {"title": True, "start": True, "end": True, "area_label": False, "assessment": False, "areas": True}
AREA_KEYS = {"number": True, "title": True, "priorities": True}
PRIORITY_KEYS = {"number": True, "title": True, "local_areas": False, "indicators": True}
INDICATOR_KEYS = {
    "code": True, "name": True, "unit": True, "decimals": False, "aggregation": True,
    "polarity": True, "headline": False, "msg": False, "source": False, "footnote": False,
    "targets": False,
}
TARGET_KEYS = {"kind": True, "value": False, "tolerance": False, "wording": False, "due": False}


class PlanFileError(Exception):
    """Every problem found in a plan file, one per line."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class LocalAreaSpec:
    code: str
    name: str
    population: dict[int, int]


@dataclass(frozen=True)
class ForceSpec:
    slug: str
    name: str
    population: dict[int, int]
    msg_peers: list[str] | None = None  # None: the file does not say
    local_areas: list[LocalAreaSpec] | None = None  # None: the file does not say


@dataclass(frozen=True)
class TargetSpec:
    financial_year: str
    kind: str
    value: float | None
    tolerance: float
    wording: str
    due: date | None


@dataclass(frozen=True)
class IndicatorSpec:
    code: str
    name: str
    unit: str
    decimals: int
    aggregation: str
    polarity: str
    headline: bool
    msg: bool
    source: str
    footnote: str
    targets: list[TargetSpec]


@dataclass(frozen=True)
class PrioritySpec:
    number: int
    title: str
    indicators: list[IndicatorSpec]
    local_areas: list[str] = field(default_factory=list)  # codes of the force's local areas


@dataclass(frozen=True)
class AreaSpec:
    number: int
    title: str
    priorities: list[PrioritySpec]


@dataclass(frozen=True)
class PlanSpec:
    force: ForceSpec
    peers: list[ForceSpec]
    title: str
    start: date
    end: date
    area_label: str
    areas: list[AreaSpec] = field(default_factory=list)
    assessment: str = "targets"

    def indicators(self) -> list[IndicatorSpec]:
        return [ind for area in self.areas for pr in area.priorities for ind in pr.indicators]


class _Checker:
    """Collects problems while walking the YAML tree."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def problem(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}")

    def mapping(self, value: Any, path: str, keys: dict[str, bool]) -> dict | None:
        if not isinstance(value, dict):
            self.problem(path, f"must be a mapping of keys ({', '.join(keys)}), not {_describe(value)}")
            return None
        for key in value:
            if key not in keys:
                self.problem(f"{path}.{key}" if path else str(key),
                             f"unknown key; allowed keys are {', '.join(keys)}")
        for key, required in keys.items():
            if required and key not in value:
                self.problem(f"{path}.{key}" if path else key, "is required")
        return value

    def text(self, value: Any, path: str, *, required: bool = True, max_length: int = 300) -> str:
        if value is None:
            if required:
                self.problem(path, "must be text, not empty")
            return ""
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.problem(path, f"must be text, not {_describe(value)}")
            return ""
        text = str(value).strip()
        if required and not text:
            self.problem(path, "must not be empty")
        if len(text) > max_length:
            self.problem(path, f"is {len(text)} characters long; at most {max_length} are allowed")
        return text

    def slug(self, value: Any, path: str) -> str:
        text = self.text(value, path, max_length=64)
        if text and not SLUG_RE.match(text):
            self.problem(path, f"{text!r} is not a valid id; use lower-case letters, digits and single hyphens")
        return text

    def choice(self, value: Any, path: str, choices: list[str]) -> str:
        if value not in choices:
            self.problem(path, f"must be one of {', '.join(choices)}" + (
                "" if value is None else f" (got {value!r})"))
            return choices[0]
        return value

    def boolean(self, value: Any, path: str, default: bool = False) -> bool:
        if value is None:
            return default
        if not isinstance(value, bool):
            self.problem(path, f"must be true or false, not {value!r}")
            return default
        return value

    def integer(self, value: Any, path: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(path, f"must be a whole number, not {_describe(value)}")
            return minimum or 0
        if minimum is not None and value < minimum:
            self.problem(path, f"must be at least {minimum} (got {value})")
        if maximum is not None and value > maximum:
            self.problem(path, f"must be at most {maximum} (got {value})")
        return value

    def number(self, value: Any, path: str) -> float | None:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or abs(value) == float("inf"):
            self.problem(path, f"must be a number, not {_describe(value)}")
            return None
        return float(value)

    def day(self, value: Any, path: str) -> date | None:
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.problem(path, f"must be a date written YYYY-MM-DD, not {_describe(value)}")
        return None

    def listing(self, value: Any, path: str, *, non_empty: bool = True) -> list:
        if not isinstance(value, list):
            self.problem(path, f"must be a list, not {_describe(value)}")
            return []
        if non_empty and not value:
            self.problem(path, "must list at least one item")
        return value

    def population(self, value: Any, path: str) -> dict[int, int]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.problem(path, f"must map calendar years to populations, e.g. {{2013: 1187000}}, not {_describe(value)}")
            return {}
        result = {}
        for year, people in value.items():
            if isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 2100:
                self.problem(f"{path}.{year}", "the key must be a calendar year such as 2013")
                continue
            result[year] = self.integer(people, f"{path}.{year}", minimum=1)
        return result


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def parse_plan_file(text: str | bytes) -> PlanSpec:
    """Check a whole plan file; raise PlanFileError with every problem found."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise PlanFileError([f"file: not UTF-8 text (byte {exc.start} cannot be read); save it as UTF-8"]) from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        reason = getattr(exc, "problem", None) or str(exc)
        raise PlanFileError([f"file: not valid YAML{where}: {reason}"]) from exc
    if data is None:
        raise PlanFileError(["file: the file is empty"])
    check = _Checker()
    spec = _read(check, data)
    if check.problems:
        raise PlanFileError(check.problems)
    return spec


def _read(check: _Checker, data: Any) -> PlanSpec | None:
    top = check.mapping(data, "", TOP_KEYS)
    if top is None:
        return None
    force = _read_force(check, top.get("force"), "force", FORCE_KEYS)
    peers = []
    if top.get("peers") is not None:
        for i, raw in enumerate(check.listing(top["peers"], "peers", non_empty=False)):
            peers.append(_read_force(check, raw, f"peers[{i}]", PEER_KEYS))
    peer_slugs = [p.slug for p in peers]
    for i, slug in enumerate(peer_slugs):
        if slug and slug in peer_slugs[:i]:
            check.problem(f"peers[{i}].slug", f"{slug!r} is listed twice")
        if slug and slug == force.slug:
            check.problem(f"peers[{i}].slug", f"{slug!r} is the plan's own force, not a peer")
    for i, slug in enumerate(force.msg_peers or []):
        if slug == force.slug:
            check.problem(f"force.msg_peers[{i}]", "a force cannot be its own peer")

    raw_plan = check.mapping(top.get("plan"), "plan", PLAN_KEYS) or {}
    title = check.text(raw_plan.get("title"), "plan.title")
    start = check.day(raw_plan.get("start"), "plan.start")
    end = check.day(raw_plan.get("end"), "plan.end")
    if start and end and end <= start:
        check.problem("plan.end", f"{end} must be after plan.start {start}")
    area_label = check.text(raw_plan.get("area_label"), "plan.area_label", required=False, max_length=60) or "Area of focus"
    assessment = "targets"
    if raw_plan.get("assessment") is not None:
        assessment = check.choice(raw_plan["assessment"], "plan.assessment", ASSESSMENTS)
    area_codes = {a.code for a in force.local_areas or []}

    areas: list[AreaSpec] = []
    area_numbers: dict[int, str] = {}
    priority_numbers: dict[int, str] = {}
    codes: dict[str, str] = {}
    for a, raw_area in enumerate(check.listing(raw_plan.get("areas"), "plan.areas") if "areas" in raw_plan else []):
        apath = f"plan.areas[{a}]"
        area = check.mapping(raw_area, apath, AREA_KEYS)
        if area is None:
            continue
        number = check.integer(area.get("number"), f"{apath}.number", minimum=1, maximum=999)
        if number in area_numbers:
            check.problem(f"{apath}.number", f"{number} is already used by {area_numbers[number]}")
        area_numbers[number] = apath
        priorities = []
        for p, raw_pr in enumerate(check.listing(area.get("priorities"), f"{apath}.priorities") if "priorities" in area else []):
            ppath = f"{apath}.priorities[{p}]"
            pr = check.mapping(raw_pr, ppath, PRIORITY_KEYS)
            if pr is None:
                continue
            pnumber = check.integer(pr.get("number"), f"{ppath}.number", minimum=1, maximum=999)
            if pnumber in priority_numbers:
                check.problem(f"{ppath}.number", f"{pnumber} is already used by {priority_numbers[pnumber]}; "
                              "priorities are numbered across the whole plan")
            priority_numbers[pnumber] = ppath
            indicators = []
            raw_inds = check.listing(pr.get("indicators"), f"{ppath}.indicators", non_empty=False) if "indicators" in pr else []
            for i, raw_ind in enumerate(raw_inds):
                ipath = f"{ppath}.indicators[{i}]"
                ind = _read_indicator(check, raw_ind, ipath)
                if ind is None:
                    continue
                if ind.code in codes:
                    check.problem(f"{ipath}.code", f"{ind.code!r} is already used at {codes[ind.code]}; "
                                  "each indicator appears once in a plan")
                codes[ind.code] = ipath
                indicators.append(ind)
            local = _read_priority_areas(check, pr.get("local_areas"), f"{ppath}.local_areas", area_codes)
            priorities.append(PrioritySpec(pnumber, check.text(pr.get("title"), f"{ppath}.title"), indicators, local))
        areas.append(AreaSpec(number, check.text(area.get("title"), f"{apath}.title"), priorities))

    if any(ind.msg for area in areas for pr in area.priorities for ind in pr.indicators) and not force.msg_peers:
        check.problem("force.msg_peers", "an indicator has msg: true, so the force must list its msg_peers")
    return PlanSpec(force=force, peers=peers, title=title, start=start, end=end, area_label=area_label,
                    areas=areas, assessment=assessment)


def _read_priority_areas(check: _Checker, raw: Any, path: str, area_codes: set[str]) -> list[str]:
    if raw is None:
        return []
    codes = []
    for i, code in enumerate(check.listing(raw, path, non_empty=False)):
        code = check.text(code, f"{path}[{i}]", max_length=64)
        if not code:
            continue
        if code not in area_codes:
            known = ", ".join(sorted(area_codes)) or "none are listed"
            check.problem(f"{path}[{i}]", f"{code!r} is not one of force.local_areas (codes: {known})")
        elif code in codes:
            check.problem(f"{path}[{i}]", f"{code!r} is listed twice")
        else:
            codes.append(code)
    return codes


def _read_local_areas(check: _Checker, raw: Any, path: str) -> list[LocalAreaSpec]:
    areas: list[LocalAreaSpec] = []
    for i, item in enumerate(check.listing(raw, path, non_empty=False)):
        apath = f"{path}[{i}]"
        data = check.mapping(item, apath, LOCAL_AREA_KEYS)
        if data is None:
            continue
        code = check.text(data.get("code"), f"{apath}.code", max_length=64)
        if code and not AREA_CODE_RE.match(code):
            check.problem(f"{apath}.code", f"{code!r} is not a valid area code; use letters, digits, "
                          "hyphens and underscores (e.g. the ONS code E07000234)")
        name = check.text(data.get("name"), f"{apath}.name", max_length=200)
        if code and any(a.code == code for a in areas):
            check.problem(f"{apath}.code", f"{code!r} is listed twice")
        if name and any(a.name.casefold() == name.casefold() for a in areas):
            check.problem(f"{apath}.name", f"{name!r} is listed twice")
        areas.append(LocalAreaSpec(code, name, check.population(data.get("population"), f"{apath}.population")))
    return areas


def _read_force(check: _Checker, raw: Any, path: str, keys: dict[str, bool]) -> ForceSpec:
    data = check.mapping(raw, path, keys) or {}
    msg_peers = None
    if data.get("msg_peers") is not None:
        msg_peers = [check.slug(s, f"{path}.msg_peers[{i}]")
                     for i, s in enumerate(check.listing(data["msg_peers"], f"{path}.msg_peers", non_empty=False))]
        for i, slug in enumerate(msg_peers):
            if slug in msg_peers[:i]:
                check.problem(f"{path}.msg_peers[{i}]", f"{slug!r} is listed twice")
    local_areas = None
    if data.get("local_areas") is not None:
        local_areas = _read_local_areas(check, data["local_areas"], f"{path}.local_areas")
    return ForceSpec(
        slug=check.slug(data.get("slug"), f"{path}.slug"),
        name=check.text(data.get("name"), f"{path}.name", max_length=200),
        population=check.population(data.get("population"), f"{path}.population"),
        msg_peers=msg_peers,
        local_areas=local_areas,
    )


def _read_indicator(check: _Checker, raw: Any, path: str) -> IndicatorSpec | None:
    ind = check.mapping(raw, path, INDICATOR_KEYS)
    if ind is None:
        return None
    unit = check.choice(ind.get("unit"), f"{path}.unit", UNITS)
    aggregation = check.choice(ind.get("aggregation"), f"{path}.aggregation", AGGREGATIONS)
    decimals = 1 if unit == "percent" else 0
    if ind.get("decimals") is not None:
        decimals = check.integer(ind["decimals"], f"{path}.decimals", minimum=0, maximum=6)
    msg = check.boolean(ind.get("msg"), f"{path}.msg")
    if msg and (aggregation != "sum" or unit != "count"):
        check.problem(f"{path}.msg", "MSG comparison needs unit: count and aggregation: sum "
                      "(it compares rates per 1,000 population)")
    if aggregation == "ratio" and unit not in ("percent", "rate"):
        check.problem(f"{path}.aggregation", "ratio gives 100 × numerator / denominator, so the unit must be percent or rate")
    targets = []
    raw_targets = ind.get("targets")
    if raw_targets is not None:
        if not isinstance(raw_targets, dict):
            check.problem(f"{path}.targets", f"must map financial years to targets, e.g. 2013/14: {{kind: monitor}}, "
                          f"not {_describe(raw_targets)}")
        else:
            for year, raw_target in raw_targets.items():
                targets.append(_read_target(check, raw_target, f"{path}.targets.{year}", str(year)))
    return IndicatorSpec(
        code=check.slug(ind.get("code"), f"{path}.code"),
        name=check.text(ind.get("name"), f"{path}.name"),
        unit=unit, decimals=decimals, aggregation=aggregation,
        polarity=check.choice(ind.get("polarity"), f"{path}.polarity", POLARITIES),
        headline=check.boolean(ind.get("headline"), f"{path}.headline"),
        msg=msg,
        source=check.text(ind.get("source"), f"{path}.source", required=False),
        footnote=check.text(ind.get("footnote"), f"{path}.footnote", required=False, max_length=2000),
        targets=targets,
    )


def _read_target(check: _Checker, raw: Any, path: str, year: str) -> TargetSpec:
    try:
        periods.parse_financial_year(year)
    except ValueError as exc:
        check.problem(path, str(exc))
    data = check.mapping(raw, path, TARGET_KEYS) or {}
    kind = check.choice(data.get("kind"), f"{path}.kind", TARGET_KINDS)
    value = None
    if kind in ("change", "absolute"):
        if data.get("value") is None:
            check.problem(f"{path}.value", f"is required for a {kind} target")
        else:
            value = check.number(data["value"], f"{path}.value")
    elif data.get("value") is not None:
        value = check.number(data["value"], f"{path}.value")
    tolerance = 5.0
    if data.get("tolerance") is not None:
        tolerance = check.number(data["tolerance"], f"{path}.tolerance")
        if tolerance is not None and tolerance < 0:
            check.problem(f"{path}.tolerance", "must not be negative")
        tolerance = 5.0 if tolerance is None else tolerance
    due = None
    if data.get("due") is not None:
        due = check.day(data["due"], f"{path}.due")
    elif kind == "milestone":
        check.problem(f"{path}.due", "is required for a milestone target (the date the deliverable is due)")
    return TargetSpec(
        financial_year=year, kind=kind, value=value, tolerance=tolerance,
        wording=check.text(data.get("wording"), f"{path}.wording", required=False), due=due,
    )
