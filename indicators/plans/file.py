"""Read and check a plan file (SPEC §4), the format of shared/examples/plan.yaml.

`parse_plan_file` turns YAML text into a `PlanSpec` or raises
`PlanFileError` listing every problem with its YAML path, e.g.
``plan.areas[2].priorities[0].indicators[3].aggregation: must be one of sum,
ratio, mean, latest``. Nothing here touches the database; `load.py` writes.
The checks that need the database (a benchmark's force exists, a replaced
code is known) are the loader's.

SPEC §6 keys: a plan lists `areas` or `priorities` (one level); a measure
listed again under another priority gives only `code` and `headline`;
targets may be keyed `plan` (see `targets_by_year`); `plan.baselines`,
`plan.rating_labels`, `force.languages`; indicator `frequency`, `compare`,
`covers`, `lag`, `scale`, `baseline`, `benchmarks`, `rebase`, `replaces*`;
every text key may have a Welsh `_cy` sibling (read into the specs' `*_cy` fields; issue 31).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import yaml

from indicators import periods, vocabulary

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
UNITS, AGGREGATIONS, POLARITIES, TARGET_KINDS, ASSESSMENTS = (list(v) for v in (vocabulary.UNITS, vocabulary.AGGREGATIONS, vocabulary.POLARITIES, vocabulary.TARGET_KINDS, vocabulary.ASSESSMENT_METHODS))  # noqa: E501
FREQUENCIES, COMPARISONS = list(vocabulary.FREQUENCIES), list(vocabulary.COMPARISONS)
AREA_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
BASELINE_NAME_RE = AREA_CODE_RE

TOP_KEYS = {"force": True, "peers": False, "plan": True}
FORCE_KEYS = {"slug": True, "name": True, "population": False, "msg_peers": False, "local_areas": False,
              "languages": False}
LOCAL_AREA_KEYS = {"code": True, "name": True, "population": False}
PEER_KEYS = {"slug": True, "name": True, "population": False}
# `areas` or `priorities`: exactly one of the two (SPEC §6 Plan shape), checked in _read
PLAN_KEYS = {"title": True, "start": True, "end": True, "area_label": False, "assessment": False,
             "baselines": False, "rating_labels": False, "areas": False, "priorities": False}
AREA_KEYS = {"number": True, "title": True, "priorities": True}
PRIORITY_KEYS = {"number": True, "title": True, "local_areas": False, "indicators": True}
INDICATOR_KEYS = {
    "code": True, "name": True, "unit": True, "decimals": False, "aggregation": True,
    "polarity": True, "headline": False, "msg": False, "source": False, "footnote": False,
    "targets": False,
    # SPEC §6
    "frequency": False, "compare": False, "covers": False, "lag": False, "scale": False, "baseline": False,
    "benchmarks": False, "rebase": False, "replaces": False, "replaces_from": False, "replaces_note": False,
}
# A measure listed again under another priority gives only these (SPEC §6 Plan shape)
LISTING_KEYS = ("code", "headline")
TARGET_KEYS = {"kind": True, "value": False, "tolerance": False, "wording": False, "due": False}
BASELINE_KEYS = {"label": True, "from": False, "to": False, "value": False}
# Every text key may have a Welsh sibling `<key>_cy` (SPEC §6), checked as text
WELSH_KEYS = ("title", "name", "wording", "footnote", "replaces_note", "label", "area_label")
LANGUAGES = ["cy", "en"]
PLAN_TARGET_KEY = "plan"     # a target keyed `plan` applies to every financial year of the plan
# The ratings a plan may rename for readers: the RAG words and every method's values
RATING_LABEL_KEYS = list(dict.fromkeys([*vocabulary.RAGS, *(v for values in vocabulary.RATING_VALUES.values()
                                                             for v in values)]))
NON_MONTHLY = ("quarterly", "annual", "irregular")


MAX_ALIASES = 200                  # YAML aliases (*name) in one plan file: bounded parsing
MAX_BYTES = 2 * 1024 * 1024        # a plan file uploaded in the admin (real plans: 10-60 KB)


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
    languages: list[str] | None = None  # SPEC §6 `languages: [cy, en]`: None, the file does not say
    name_cy: str = ""


@dataclass(frozen=True)
class TargetSpec:
    financial_year: str
    kind: str
    value: float | None
    tolerance: float
    wording: str
    due: date | None
    wording_cy: str = ""


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
    targets: list[TargetSpec]       # as the file keys them: financial years and `plan` (see targets_by_year)
    # SPEC §6; the defaults are what a 2013-style file means
    frequency: str = "monthly"
    compare: str = ""               # empty: the frequency's default (Indicator.basis)
    covers: int | None = None
    lag: int = 0
    scale: float | None = None
    baseline: BaselineSpec | None = None
    benchmarks: list[str] = field(default_factory=list)
    rebase: list[str] = field(default_factory=list)      # "YYYY-MM", in the file's order
    replaces: str = ""
    replaces_from: date | None = None
    replaces_note: str = ""
    path: str = ""                  # where the file defines it, for the loader's messages
    # Welsh siblings (SPEC §6 `_cy`; issue 31): empty, the English shows on Welsh pages
    name_cy: str = ""
    footnote_cy: str = ""
    replaces_note_cy: str = ""


@dataclass(frozen=True)
class BaselineSpec:
    """`{label, from, to}` (aggregated from held months) or `{label, value}` (as published)."""

    label: str
    first: date | None = None
    last: date | None = None
    value: float | None = None
    label_cy: str = ""


@dataclass(frozen=True)
class PrioritySpec:
    number: int
    title: str
    indicators: list[IndicatorSpec]
    local_areas: list[str] = field(default_factory=list)  # codes of the force's local areas
    title_cy: str = ""


@dataclass(frozen=True)
class AreaSpec:
    number: int
    title: str
    priorities: list[PrioritySpec]
    title_cy: str = ""


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
    rating_labels: dict[str, str] = field(default_factory=dict)
    baselines: dict[str, BaselineSpec] = field(default_factory=dict)
    one_level: bool = False         # `priorities` directly under `plan`: one area, number 1, no title
    title_cy: str = ""
    area_label_cy: str = ""

    def indicators(self) -> list[IndicatorSpec]:
        """Each measure once, in the order of its first listing (a measure may be
        listed under several priorities, SPEC §6)."""
        seen: dict[str, IndicatorSpec] = {}
        for area in self.areas:
            for pr in area.priorities:
                for ind in pr.indicators:
                    seen.setdefault(ind.code, ind)
        return list(seen.values())


def targets_by_year(targets: list[TargetSpec], start: date, end: date) -> list[TargetSpec]:
    """The Target rows to store: a target keyed `plan` is written once for
    every financial year the plan touches (start..end), and a year's own key
    overrides it there (SPEC §6). Years keyed outside the plan are kept as given."""
    own = [t for t in targets if t.financial_year != PLAN_TARGET_KEY]
    whole = next((t for t in targets if t.financial_year == PLAN_TARGET_KEY), None)
    if whole is None:
        return own
    keyed = {t.financial_year for t in own}
    years = [periods.fy_label(y) for y in range(periods.fy_start_year(start), periods.fy_start_year(end) + 1)]
    added = [replace(whole, financial_year=year) for year in years if year not in keyed]
    return sorted(own + added, key=lambda t: t.financial_year)


class _Checker:
    """Collects problems while walking the YAML tree."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def problem(self, path: str, message: str) -> None:
        if f"{path}: is required" in self.problems:
            return            # a key left out is said once, not again as "must be one of…" or "must be text"
        self.problems.append(f"{path}: {message}")

    def mapping(self, value: Any, path: str, keys: dict[str, bool]) -> dict | None:
        if not isinstance(value, dict):
            self.problem(path, f"must be a mapping of keys ({', '.join(keys)}), not {_describe(value)}")
            return None
        for key in value:
            if key in keys:
                continue
            base = key[:-3] if isinstance(key, str) and key.endswith("_cy") else None
            if base in keys and base in WELSH_KEYS:
                # the Welsh text beside an English one (SPEC §6), read by `_welsh`
                self.text(value[key], f"{path}.{key}" if path else key, required=False, max_length=2000)
                continue
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

    def month(self, value: Any, path: str) -> date | None:
        """A month written YYYY-MM. YAML reads `2018-07` as text but `2018-07-01`
        as a date: a date on the 1st is taken as its month, any other is refused."""
        if isinstance(value, date):
            if value.day == 1:
                return value
            self.problem(path, f"must be a month written YYYY-MM, not the date {value.isoformat()}")
            return None
        if isinstance(value, str):
            try:
                return periods.parse_month(value)
            except ValueError as exc:
                self.problem(path, str(exc))
                return None
        self.problem(path, f"must be a month written YYYY-MM, e.g. 2019-06, not {_describe(value)}")
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


def _welsh(data: Any, key: str) -> str:
    """The Welsh sibling of ``key`` (``<key>_cy``, SPEC §6), already checked as
    text by `_Checker.mapping`; empty when the file gives none."""
    value = data.get(f"{key}_cy") if isinstance(data, dict) else None
    if value is None or isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return ""
    return str(value).strip()


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
        if "*" in text:
            # An alias refers to a node already read, so a few lines can stand for a tree too big to walk
            # (a "billion laughs"): real plans use a handful, for a footnote repeated.
            aliases = sum(isinstance(event, yaml.AliasEvent) for event in yaml.parse(text, Loader=yaml.SafeLoader))
            if aliases > MAX_ALIASES:
                raise PlanFileError([f"file: {aliases:,} YAML aliases (*name); a plan file may use at most "
                                     f"{MAX_ALIASES}: write the values out"])
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
    rating_labels = _read_rating_labels(check, raw_plan.get("rating_labels"), "plan.rating_labels")
    baselines: dict[str, BaselineSpec] = {}
    if raw_plan.get("baselines") is not None:
        raw_baselines = raw_plan["baselines"]
        if not isinstance(raw_baselines, dict):
            check.problem("plan.baselines", "must map names to baselines, e.g. ncpm: {label: \"year ending June "
                          f"2019\", from: 2018-07, to: 2019-06}}, not {_describe(raw_baselines)}")
        else:
            for name, raw_baseline in raw_baselines.items():
                bpath = f"plan.baselines.{name}"
                if not isinstance(name, str) or not BASELINE_NAME_RE.match(name):
                    check.problem(bpath, "a baseline's name is letters, digits, hyphens and underscores, e.g. ncpm")
                    continue
                baseline = _read_baseline(check, raw_baseline, bpath)
                if baseline is not None:
                    baselines[name] = baseline

    walker = _Listings(check, area_codes={a.code for a in force.local_areas or []}, baselines=baselines,
                       own_slug=force.slug)
    has_areas, has_priorities = "areas" in raw_plan, "priorities" in raw_plan
    one_level = has_priorities and not has_areas
    if has_areas and has_priorities:
        check.problem("plan.priorities", "a plan lists either areas (each with its priorities) or priorities "
                      "directly (one level, no area headings), not both")
    elif isinstance(raw_plan, dict) and raw_plan and not has_areas and not has_priorities:
        check.problem("plan.areas", "is required (or plan.priorities, for a plan with no areas of focus)")

    areas: list[AreaSpec] = []
    area_numbers: dict[int, str] = {}
    for a, raw_area in enumerate(check.listing(raw_plan.get("areas"), "plan.areas") if has_areas else []):
        apath = f"plan.areas[{a}]"
        area = check.mapping(raw_area, apath, AREA_KEYS)
        if area is None:
            continue
        number = check.integer(area.get("number"), f"{apath}.number", minimum=1, maximum=999)
        if number in area_numbers:
            check.problem(f"{apath}.number", f"{number} is already used by {area_numbers[number]}")
        area_numbers[number] = apath
        raw_prs = check.listing(area.get("priorities"), f"{apath}.priorities") if "priorities" in area else []
        priorities = [walker.priority(raw_pr, f"{apath}.priorities[{p}]") for p, raw_pr in enumerate(raw_prs)]
        areas.append(AreaSpec(number, check.text(area.get("title"), f"{apath}.title"), [p for p in priorities if p],
                              title_cy=_welsh(area, "title")))
    if one_level:
        # One level (SPEC §6 Plan shape): stored as one area, number 1, with no title
        raw_prs = check.listing(raw_plan.get("priorities"), "plan.priorities")
        priorities = [walker.priority(raw_pr, f"plan.priorities[{p}]") for p, raw_pr in enumerate(raw_prs)]
        areas.append(AreaSpec(1, "", [p for p in priorities if p]))
    areas = walker.finish(areas)

    if any(ind.msg for area in areas for pr in area.priorities for ind in pr.indicators) and not force.msg_peers:
        check.problem("force.msg_peers", "an indicator has msg: true, so the force must list its msg_peers")
    return PlanSpec(force=force, peers=peers, title=title, start=start, end=end, area_label=area_label,
                    areas=areas, assessment=assessment, rating_labels=rating_labels, baselines=baselines,
                    one_level=one_level, title_cy=_welsh(raw_plan, "title"),
                    area_label_cy=_welsh(raw_plan, "area_label"))


class _Listings:
    """Walks the priorities and their measures. A measure's first listing
    defines it; a later listing (under another priority) gives only `code`
    and `headline`, and the measure is a headline measure when any listing
    says so (SPEC §6 Plan shape)."""

    def __init__(self, check: _Checker, *, area_codes: set[str], baselines: dict[str, BaselineSpec],
                 own_slug: str) -> None:
        self.check, self.area_codes, self.baselines, self.own_slug = check, area_codes, baselines, own_slug
        self.priority_numbers: dict[int, str] = {}
        self.defined: dict[str, IndicatorSpec] = {}     # code -> its definition (path: where)
        self.headline: dict[str, bool] = {}

    def priority(self, raw_pr: Any, ppath: str) -> PrioritySpec | None:
        check = self.check
        pr = check.mapping(raw_pr, ppath, PRIORITY_KEYS)
        if pr is None:
            return None
        pnumber = check.integer(pr.get("number"), f"{ppath}.number", minimum=1, maximum=999)
        if pnumber in self.priority_numbers:
            check.problem(f"{ppath}.number", f"{pnumber} is already used by {self.priority_numbers[pnumber]}; "
                          "priorities are numbered across the whole plan")
        self.priority_numbers[pnumber] = ppath
        listed: dict[str, str] = {}     # code -> path, in this priority
        indicators = []
        raw_inds = check.listing(pr.get("indicators"), f"{ppath}.indicators", non_empty=False) if "indicators" in pr else []
        for i, raw_ind in enumerate(raw_inds):
            ipath = f"{ppath}.indicators[{i}]"
            code = raw_ind.get("code") if isinstance(raw_ind, dict) else None
            if isinstance(code, str) and code in listed:
                check.problem(f"{ipath}.code", f"{code!r} is already used at {listed[code]}; "
                              "a measure is listed once under a priority")
                continue
            if isinstance(code, str) and code in self.defined:
                first = self.defined[code].path
                for key in raw_ind:
                    if key not in LISTING_KEYS:
                        check.problem(f"{ipath}.{key}", f"{code!r} is already defined at {first}; "
                                      "a later listing gives only code and headline")
                headline = check.boolean(raw_ind.get("headline"), f"{ipath}.headline")
                self.headline[code] = self.headline[code] or headline
                ind = self.defined[code]
            else:
                ind = _read_indicator(check, raw_ind, ipath, baselines=self.baselines, own_slug=self.own_slug)
                if ind is None:
                    continue
                self.defined.setdefault(ind.code, ind)
                self.headline[ind.code] = ind.headline
            listed[ind.code] = ipath
            indicators.append(ind)
        local = _read_priority_areas(check, pr.get("local_areas"), f"{ppath}.local_areas", self.area_codes)
        return PrioritySpec(pnumber, check.text(pr.get("title"), f"{ppath}.title"), indicators, local,
                            title_cy=_welsh(pr, "title"))

    def finish(self, areas: list[AreaSpec]) -> list[AreaSpec]:
        """Every listing of a measure gets its one definition, headline if any listing says so."""
        final = {code: replace(ind, headline=self.headline[code]) for code, ind in self.defined.items()}
        return [replace(area, priorities=[replace(pr, indicators=[final[i.code] for i in pr.indicators])
                                          for pr in area.priorities]) for area in areas]


def _read_rating_labels(check: _Checker, raw: Any, path: str) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        check.problem(path, f"must map ratings to the plan's words for them, e.g. {{green: Content}}, not {_describe(raw)}")
        return {}
    labels = {}
    for key, text in raw.items():
        if key not in RATING_LABEL_KEYS:
            check.problem(f"{path}.{key}", f"is not a rating; ratings are {', '.join(RATING_LABEL_KEYS)}")
            continue
        labels[key] = check.text(text, f"{path}.{key}", max_length=100)
    return labels


def _read_baseline(check: _Checker, raw: Any, path: str) -> BaselineSpec | None:
    data = check.mapping(raw, path, BASELINE_KEYS)
    if data is None:
        return None
    label = check.text(data.get("label"), f"{path}.label", max_length=200)
    months = "from" in data or "to" in data
    if months and "value" in data:
        check.problem(path, "give either from and to (the months it is aggregated from) or value "
                      "(the published figure), not both")
        return None
    if "value" in data:
        value = check.number(data["value"], f"{path}.value")
        return BaselineSpec(label, value=value, label_cy=_welsh(data, "label"))
    if not months:
        check.problem(path, "needs from and to (YYYY-MM, the months it is aggregated from) or value "
                      "(the published figure)")
        return None
    first = check.month(data.get("from"), f"{path}.from") if "from" in data else None
    last = check.month(data.get("to"), f"{path}.to") if "to" in data else None
    for key in ("from", "to"):
        if key not in data:
            check.problem(f"{path}.{key}", "is required with " + ("to" if key == "from" else "from"))
    if first and last and last < first:
        check.problem(f"{path}.to", f"{periods.format_month(last)} is before from {periods.format_month(first)}")
    return BaselineSpec(label, first=first, last=last, label_cy=_welsh(data, "label"))


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
    languages = None
    if data.get("languages") is not None:
        languages = []
        for i, lang in enumerate(check.listing(data["languages"], f"{path}.languages")):
            lang = check.choice(lang, f"{path}.languages[{i}]", LANGUAGES)
            if lang in languages:
                check.problem(f"{path}.languages[{i}]", f"{lang!r} is listed twice")
            else:
                languages.append(lang)
    return ForceSpec(
        slug=check.slug(data.get("slug"), f"{path}.slug"),
        name=check.text(data.get("name"), f"{path}.name", max_length=200),
        population=check.population(data.get("population"), f"{path}.population"),
        msg_peers=msg_peers,
        local_areas=local_areas,
        languages=languages,
        name_cy=_welsh(data, "name"),
    )


def _read_indicator(check: _Checker, raw: Any, path: str, *, baselines: dict[str, BaselineSpec] | None = None,
                    own_slug: str = "") -> IndicatorSpec | None:
    ind = check.mapping(raw, path, INDICATOR_KEYS)
    if ind is None:
        return None
    code = check.slug(ind.get("code"), f"{path}.code")
    unit = check.choice(ind.get("unit"), f"{path}.unit", UNITS)
    aggregation = check.choice(ind.get("aggregation"), f"{path}.aggregation", AGGREGATIONS)
    polarity = check.choice(ind.get("polarity"), f"{path}.polarity", POLARITIES)
    decimals = 1 if unit in ("percent", "score") else 0
    if ind.get("decimals") is not None:
        decimals = check.integer(ind["decimals"], f"{path}.decimals", minimum=0, maximum=6)
    msg = check.boolean(ind.get("msg"), f"{path}.msg")
    if msg and (aggregation != "sum" or unit != "count"):
        check.problem(f"{path}.msg", "MSG comparison needs unit: count and aggregation: sum "
                      "(it compares rates per 1,000 population)")
    if aggregation == "ratio" and unit not in ("percent", "rate"):
        check.problem(f"{path}.aggregation", "ratio gives 100 × numerator / denominator, so the unit must be percent or rate")
    if unit == "rank":
        if aggregation != "latest" and ind.get("aggregation") in AGGREGATIONS:
            check.problem(f"{path}.aggregation", "a rank (a position among N) cannot be added or averaged "
                          "across figures, so its aggregation must be latest")
        if polarity != "down" and ind.get("polarity") in POLARITIES:
            check.problem(f"{path}.polarity", f"a rank is a position where 1 is best, so its polarity is always "
                          f"down (got {polarity!r})")
    scale = None
    if unit == "score":
        if ind.get("scale") is None:
            check.problem(f"{path}.scale", "is required for a score: the top of its scale, e.g. scale: 10")
        else:
            scale = check.number(ind["scale"], f"{path}.scale")
            if scale is not None and scale <= 0:
                check.problem(f"{path}.scale", f"must be more than 0 (got {ind['scale']!r})")
    elif ind.get("scale") is not None:
        check.problem(f"{path}.scale", f"is only for unit: score, not {unit}")

    frequency = "monthly"
    if ind.get("frequency") is not None:
        frequency = check.choice(ind["frequency"], f"{path}.frequency", FREQUENCIES)
    compare = ""
    if ind.get("compare") is not None:
        compare = check.choice(ind["compare"], f"{path}.compare", COMPARISONS)
    covers = None
    if ind.get("covers") is not None:
        covers = check.integer(ind["covers"], f"{path}.covers", minimum=1, maximum=120)
        if frequency not in NON_MONTHLY:
            check.problem(f"{path}.covers", f"is only for frequency quarterly, annual or irregular (a {frequency} "
                          "figure covers its own month)")
    lag = 0
    if ind.get("lag") is not None:
        lag = check.integer(ind["lag"], f"{path}.lag", minimum=0, maximum=120)

    baseline = None
    raw_baseline = ind.get("baseline")
    if isinstance(raw_baseline, str):
        baseline = (baselines or {}).get(raw_baseline)
        if baseline is None:
            known = ", ".join(sorted(baselines or {})) or "the plan names none"
            check.problem(f"{path}.baseline", f"{raw_baseline!r} is not one of plan.baselines ({known})")
    elif raw_baseline is not None:
        baseline = _read_baseline(check, raw_baseline, f"{path}.baseline")

    benchmarks: list[str] = []
    if ind.get("benchmarks") is not None:
        for i, raw_slug in enumerate(check.listing(ind["benchmarks"], f"{path}.benchmarks")):
            slug = check.slug(raw_slug, f"{path}.benchmarks[{i}]")
            if not slug:
                continue
            if slug == own_slug:
                check.problem(f"{path}.benchmarks[{i}]", f"{slug!r} is the plan's own force; a benchmark is "
                              "another series (england-and-wales, wales or another force)")
            elif slug in benchmarks:
                check.problem(f"{path}.benchmarks[{i}]", f"{slug!r} is listed twice")
            else:
                benchmarks.append(slug)
    if compare == "benchmark" and not benchmarks and ind.get("benchmarks") is None:
        check.problem(f"{path}.compare", "benchmark compares with the measure's benchmark, so it needs "
                      "benchmarks, e.g. benchmarks: [england-and-wales]")

    rebase: list[str] = []
    if ind.get("rebase") is not None:
        for i, raw_month in enumerate(check.listing(ind["rebase"], f"{path}.rebase")):
            month = check.month(raw_month, f"{path}.rebase[{i}]")
            if month is None:
                continue
            text = periods.format_month(month)
            if text in rebase:
                check.problem(f"{path}.rebase[{i}]", f"{text} is listed twice")
            else:
                rebase.append(text)

    replaces, replaces_from, replaces_note = "", None, ""
    if ind.get("replaces") is not None:
        replaces = check.slug(ind["replaces"], f"{path}.replaces")
        if replaces and replaces == code:
            check.problem(f"{path}.replaces", f"{code!r} is this measure's own code; replaces names the code "
                          "of the measure whose definition it replaces")
        if ind.get("replaces_from") is None:
            check.problem(f"{path}.replaces_from", "is required with replaces: the first month on the new "
                          "definition, YYYY-MM")
    for key in ("replaces_from", "replaces_note"):
        if ind.get(key) is not None and ind.get("replaces") is None:
            check.problem(f"{path}.{key}", "is only given with replaces")
    if ind.get("replaces_from") is not None:
        replaces_from = check.month(ind["replaces_from"], f"{path}.replaces_from")
    replaces_note = check.text(ind.get("replaces_note"), f"{path}.replaces_note", required=False, max_length=2000)

    targets = []
    raw_targets = ind.get("targets")
    if raw_targets is not None:
        if not isinstance(raw_targets, dict):
            check.problem(f"{path}.targets", f"must map financial years (or plan) to targets, e.g. "
                          f"2013/14: {{kind: monitor}}, not {_describe(raw_targets)}")
        else:
            for year, raw_target in raw_targets.items():
                targets.append(_read_target(check, raw_target, f"{path}.targets.{year}", str(year)))
    return IndicatorSpec(
        code=code,
        name=check.text(ind.get("name"), f"{path}.name"),
        unit=unit, decimals=decimals, aggregation=aggregation,
        polarity=polarity,
        headline=check.boolean(ind.get("headline"), f"{path}.headline"),
        msg=msg,
        source=check.text(ind.get("source"), f"{path}.source", required=False),
        footnote=check.text(ind.get("footnote"), f"{path}.footnote", required=False, max_length=2000),
        targets=targets,
        frequency=frequency, compare=compare, covers=covers, lag=lag, scale=scale, baseline=baseline,
        benchmarks=benchmarks, rebase=rebase, replaces=replaces, replaces_from=replaces_from,
        replaces_note=replaces_note, path=path,
        name_cy=_welsh(ind, "name"), footnote_cy=_welsh(ind, "footnote"), replaces_note_cy=_welsh(ind, "replaces_note"),
    )


def _read_target(check: _Checker, raw: Any, path: str, year: str) -> TargetSpec:
    if year != PLAN_TARGET_KEY:
        try:
            periods.parse_financial_year(year)
        except ValueError as exc:
            check.problem(path, f"{exc}, or plan for every year of the plan")
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
        wording_cy=_welsh(data, "wording"),
    )
