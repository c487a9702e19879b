"""Every read of the database: ORM -> QuerySet or DataFrame, one query each.

`performance_inputs` gathers what the engine needs for a set of indicators
in a fixed number of queries, however many indicators there are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pandas as pd
from django.db import connection
from django.db.models import (
    Case,
    Count,
    DateField,
    DateTimeField,
    Exists,
    F,
    FilteredRelation,
    Func,
    IntegerField,
    JSONField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from indicators import periods
from indicators.engine import areas as a
from indicators.engine import columns as c
from indicators.engine.performance import Inputs, rows_using_current_keys, window_start
from indicators.engine.ratings import DEFAULT_METHOD
from indicators.models import (
    AreaOfFocus,
    Assessment,
    Commentary,
    ExecutiveSummary,
    Force,
    ForcePopulation,
    Indicator,
    LocalArea,
    LocalAreaPopulation,
    Observation,
    PanelMeeting,
    Plan,
    PriorityIndicator,
    Return,
    ReturnLine,
    ReturnState,
    StrategicPriority,
    Target,
    WritingState,
)
from indicators.plans import bilingual
from indicators.sql.compiled import Compiled


def force_by_slug(*, slug: str) -> Force | None:
    """The force with this slug, or None; ``has_local_areas``: whether it
    has local areas (to link its areas page). One query, compiled once per
    process (every page of a force starts with it)."""
    rows = _FORCE_BY_SLUG.rows(slug, using=connection.alias)
    if not rows:
        return None
    force = Force.from_db(connection.alias, _FORCE_FIELDS, rows[0][:-1])
    force.has_local_areas = rows[0][-1]
    return force


_FORCE_FIELDS = [field.attname for field in Force._meta.concrete_fields]
_FORCE_BY_SLUG = Compiled(lambda slug: (
    Force.objects.filter(slug=slug).annotate(has_local_areas=Exists(LocalArea.objects.filter(force=OuterRef("pk"))))
    .order_by("pk").values_list(*_FORCE_FIELDS, "has_local_areas")[:1]), ("str",))


def force_slugs_with_plans() -> list[str]:
    """Slugs of the forces that have a plan loaded (to suggest on a typo). One query."""
    return list(Force.objects.filter(plans__isnull=False).distinct().values_list("slug", flat=True))


def indicator_by_code(*, force: Force, code: str, period: date | None = None) -> Indicator | None:
    """The force's indicator with this code, or None; ``rating_method`` is
    the rating method of the force's plan in force at ``period`` (None
    without a plan), ``rating_labels`` that plan's words for its ratings
    (None without a plan). One query."""
    plans = _plans_in_force(Plan.objects.filter(force=force), period)
    return (Indicator.objects.filter(force=force, code=code)
            .annotate(rating_method=_rating_method_of_force(force, period),
                      rating_labels=Subquery(plans.values("rating_labels")[:1], output_field=JSONField()))
            .order_by().first())


def meeting_list(*, force: Force) -> list[PanelMeeting]:
    """The force's panel meetings, earliest first. One query."""
    return list(PanelMeeting.objects.filter(force=force).order_by("date"))


def _count_of(qs: QuerySet, group: str) -> Coalesce:
    """COUNT(*) of ``qs`` (filtered on an OuterRef) as a subquery, 0 when none."""
    return Coalesce(Subquery(qs.order_by().values(group).annotate(n=Count("*")).values("n")[:1]), 0)


def plan_list() -> QuerySet[Plan]:
    """Every plan with its force and counts of areas and linked indicators.
    One query; each count a subquery, not a join of every area with every
    measure (44 plans × 4 areas × 60 measures rows to count distinct)."""
    return (Plan.objects.select_related("force")
            .annotate(area_count=_count_of(AreaOfFocus.objects.filter(plan=OuterRef("pk")), "plan"),
                      indicator_count=_count_of(PriorityIndicator.objects.filter(priority__plan=OuterRef("pk")),
                                                "priority__plan"))
            .order_by("force__name", "-start"))


def _visible(include_drafts: bool) -> Q:
    """Published data: from a published return, or entered without one."""
    if include_drafts:
        return Q()
    return Q(source_return__isnull=True) | Q(source_return__state=ReturnState.PUBLISHED)


# The whole force's figures: what was returned for the force, never the sum of
# its local areas' figures (SPEC §1). Every force-level read filters on it.
WHOLE_FORCE = Q(area__isnull=True)


def _plans_in_force(plans: QuerySet[Plan], period: date | None) -> QuerySet[Plan]:
    """``plans`` with the one in force at ``period`` first: the latest to
    start by then, else the latest (the latest when ``period`` is None)."""
    if period is None:
        return plans.order_by("-start")
    return plans.annotate(in_force=Case(When(start__lte=period, then=Value(1)), default=Value(0),
                                        output_field=IntegerField())).order_by("-in_force", "-start")


def _rating_method_of_force(force_ref, period: date | None) -> Subquery:
    """The rating method (Plan.assessment) of the force's plan in force at
    ``period``, as a subquery (so it costs no query of its own)."""
    return Subquery(_plans_in_force(Plan.objects.filter(force=force_ref), period).values("assessment")[:1])


def indicator_frame(*, force: Force, codes: list[str] | None = None, period: date | None = None) -> pd.DataFrame:
    """The force's indicators (all, or those with ``codes``), with the headline
    flag from its plans and the rating method of the plan in force at
    ``period`` (column c.RATING_METHOD; "targets" without a plan), by code.
    One query."""
    qs = Indicator.objects.filter(force=force)
    if codes is not None:
        qs = qs.filter(code__in=codes)
    first_link = PriorityIndicator.objects.filter(indicator=OuterRef("pk"))
    rows = (qs.annotate(headline=Exists(first_link.filter(headline=True)),
                        rating_method=_rating_method_of_force(OuterRef("force"), period))
            .order_by("code")
            .values_list("id", "force__slug", "code", "name", "unit", "decimals", "aggregation", "polarity",
                         "msg", "headline", "rating_method", *c.CURRENT_PLAN_COLUMNS))
    frame = pd.DataFrame.from_records(list(rows), columns=[*c.INDICATOR_COLUMNS, c.HEADLINE, c.RATING_METHOD,
                                                           *c.CURRENT_PLAN_COLUMNS])
    frame[c.RATING_METHOD] = frame[c.RATING_METHOD].fillna(DEFAULT_METHOD)
    return frame


def peer_indicator_frame(*, force: Force, codes: list[str]) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """The MSG peers' indicators with these codes, and the force's peer list (two queries)."""
    peers = list(force.msg_peers.values_list("slug", flat=True)) if codes else []
    return _peer_indicators(force=force, codes=codes), {force.slug: peers}


def _peer_indicators(*, force: Force, codes: list[str]) -> pd.DataFrame:
    """The MSG peers' indicators with these codes. One query."""
    rows = list(Indicator.objects.filter(force__msg_of=force, code__in=codes)
                .values_list("id", "force__slug", "code", "name", "unit", "decimals", "aggregation", "polarity",
                             "msg"))
    frame = pd.DataFrame.from_records(rows, columns=c.INDICATOR_COLUMNS)
    frame[c.HEADLINE] = False
    return frame


def _peers_and_populations(*, force: Force, with_peers: bool) -> tuple[list[str], pd.DataFrame]:
    """The force's MSG peers (slugs, ordered as ``force.msg_peers``; none
    without ``with_peers``) and the populations of the force and those
    peers, as `population_frame` gives them. One query, not two."""
    peer_of = Force.msg_peers.through.objects.filter(from_force=force.pk)
    forces = (Force.objects.filter(Q(pk=force.pk) | Q(pk__in=peer_of.values("to_force")))
              if with_peers else Force.objects.filter(pk=force.pk))
    rows = list(forces.annotate(is_peer=Exists(peer_of.filter(to_force=OuterRef("pk"))))
                .order_by("name", "pk", "populations__year")
                .values_list("slug", "is_peer", "populations__year", "populations__population"))
    peers = list(dict.fromkeys(slug for slug, is_peer, _, _ in rows if is_peer)) if with_peers else []
    populations = pd.DataFrame.from_records([(slug, year, people) for slug, _, year, people in rows
                                             if year is not None], columns=c.POPULATION_COLUMNS)
    return peers, populations


_peers_sql: dict[str, tuple[str, list]] = {}     # vendor: (SQL with {codes}, the peers' indicators' converters)


def _peers_with_populations(*, force: Force, codes: list[str]) -> tuple[pd.DataFrame, list[str], pd.DataFrame]:
    """`_peer_indicators` and `_peers_and_populations` (with the peers) in one
    query: a UNION ALL of the two reads, each row tagged with its part and
    ordered as each orders its own (the peers' indicators by force name and
    code; the forces by name and id, then the populations' years). The SQL is
    built once per process; the same frames and peer list from the same rows."""
    vendor = connection.vendor
    if vendor not in _peers_sql:
        q = connection.ops.quote_name
        ind, frc, pop = Indicator._meta, Force._meta, ForcePopulation._meta
        links = q(Force.msg_peers.through._meta.db_table)
        fields = [ind.get_field(n) for n in ("id", "code", "name", "unit", "decimals", "aggregation", "polarity",
                                             "msg")]
        converters = [(f, connection.ops.get_db_converters(f.get_col("i")) + f.get_db_converters(connection))
                      for f in fields]
        i_cols = [f"i.{q(f.column)}" for f in fields]
        in_codes = "= ANY(%s)" if vendor == "postgresql" else "IN ({codes})"
        sql = f"""
            SELECT 0, f.{q("name")}, i.{q("code")}, NULL, NULL, f.{q("slug")}, {", ".join(i_cols)}, NULL, NULL
            FROM {q(ind.db_table)} i JOIN {q(frc.db_table)} f ON f.{q("id")} = i.{q("force_id")}
            JOIN {links} t ON t.{q("to_force_id")} = f.{q("id")}
            WHERE i.{q("code")} {in_codes} AND t.{q("from_force_id")} = %s
            UNION ALL
            SELECT 1, f.{q("name")}, NULL, f.{q("id")}, p.{q("year")}, f.{q("slug")}{", NULL" * len(i_cols)},
                   EXISTS(SELECT 1 FROM {links} u WHERE u.{q("from_force_id")} = %s
                          AND u.{q("to_force_id")} = f.{q("id")}),
                   p.{q("population")}
            FROM {q(frc.db_table)} f LEFT JOIN {q(pop.db_table)} p ON p.{q("force_id")} = f.{q("id")}
            WHERE f.{q("id")} = %s OR f.{q("id")} IN (SELECT {q("to_force_id")} FROM {links}
                                                      WHERE {q("from_force_id")} = %s)
            ORDER BY 1, 2, 3, 4, 5"""
        _peers_sql[vendor] = (sql, converters)
    sql, converters = _peers_sql[vendor]
    if vendor == "postgresql":
        params = [list(codes), force.pk, force.pk, force.pk, force.pk]
    else:
        sql = sql.replace("{codes}", ", ".join(["%s"] * len(codes)) or "NULL")
        params = [*codes, force.pk, force.pk, force.pk, force.pk]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    indicators, forces = [], []
    width = len(converters)
    for row in rows:
        if row[0] == 0:
            values = [_convert(v, f, cs) if cs else v for v, (f, cs) in zip(row[6:6 + width], converters, strict=True)]
            indicators.append((values[0], row[5], *values[1:]))
        else:
            forces.append((row[5], row[-2], row[4], row[-1]))
    frame = pd.DataFrame.from_records(indicators, columns=c.INDICATOR_COLUMNS)
    frame[c.HEADLINE] = False
    peers = list(dict.fromkeys(slug for slug, is_peer, _, _ in forces if is_peer))
    populations = pd.DataFrame.from_records([(slug, year, people) for slug, _, year, people in forces
                                             if year is not None], columns=c.POPULATION_COLUMNS)
    return frame, peers, populations


def observation_frame(*, indicator_ids: list[int], start: date | None = None, end: date | None = None,
                      include_drafts: bool = False) -> pd.DataFrame:
    """Published figures; with ``include_drafts``, the lines of unpublished
    returns laid over them (a second query)."""
    return _observations(indicator_ids=indicator_ids, start=start, end=end, include_drafts=include_drafts)[0]


def _observations(*, indicator_ids: list[int], start: date | None, end: date | None, include_drafts: bool,
                  state_of: tuple[list[int], date, date] | None = None,
                  later_for: tuple[list[int], date] | None = None) -> tuple[pd.DataFrame, dict | None]:
    """`observation_frame`, and with ``state_of`` (indicator ids, first and
    last month, within those read) the `data_state` of those figures,
    counted from the same rows (three more columns on the same query, and the
    unpublished lines already read with drafts) instead of a query of its own.
    ``later_for`` (indicator ids, month): those indicators' published figures
    only from that month."""
    if later_for is not None and later_for[0]:
        # two index ranges (PostgreSQL ORs two scans of the (indicator, month) index), not a filter on every row
        later = set(later_for[0])
        scope = (Q(indicator_id__any_of=[i for i in indicator_ids if i not in later])
                 | Q(indicator_id__any_of=[i for i in indicator_ids if i in later], month__gte=later_for[1]))
    else:
        scope = Q(indicator_id__in=indicator_ids)
    qs = Observation.objects.filter(WHOLE_FORCE, _visible(include_drafts), scope)
    if start is not None:
        qs = qs.filter(month__gte=start)
    if end is not None:
        qs = qs.filter(month__lte=end)
    # order_by(): the model's ordering (indicator → force name, code) would join two tables and sort
    # every row; the engine lays the rows out on its grid whatever their order.
    qs = qs.order_by()
    if state_of is None:
        frame = pd.DataFrame.from_records(list(qs.values_list(*c.OBSERVATION_COLUMNS)),
                                          columns=c.OBSERVATION_COLUMNS)
        state = None
    else:
        columns = _state_columns(*state_of)
        rows = list(qs.annotate(**columns).values_list(*c.OBSERVATION_COLUMNS, *columns))
        width = len(c.OBSERVATION_COLUMNS)
        frame = pd.DataFrame.from_records([r[:width] for r in rows], columns=c.OBSERVATION_COLUMNS)
        state = _state_of_rows(rows, width)
    if include_drafts:
        lines = pending_lines(indicator_ids=indicator_ids, first=start, last=end).values_list(*c.OBSERVATION_COLUMNS)
        pending = pd.DataFrame.from_records(list(lines), columns=c.OBSERVATION_COLUMNS)
        if state is not None:
            state["drafts"] += int(_in_window(pending, *state_of).sum()) if len(pending) else 0
        if len(pending):
            frame = (pd.concat([frame, pending], ignore_index=True)
                     .drop_duplicates([c.INDICATOR_ID, c.MONTH], keep="last").reset_index(drop=True))
    return frame, state


_STATUS = c.OBSERVATION_COLUMNS.index(c.STATUS)


def _in_window(frame: pd.DataFrame, indicator_ids: list[int], first: date, last: date):
    months = frame[c.MONTH]
    return (frame[c.INDICATOR_ID].isin(indicator_ids) & (months >= first) & (months <= last)).to_numpy()


def _state_of_rows(rows: list, width: int) -> dict:
    """`data_state` (whole force) of the rows that `_state_columns` marks as
    in the state's window: the same counts and maximum as its aggregate."""
    as_at, figures, illustrative, provisional, drafts = None, 0, 0, 0, 0
    for row in rows:
        flags = row[width + 1]
        if flags is None:                 # not one of the state's indicators and months
            continue
        status, stamp = row[_STATUS], row[width]
        if stamp is not None and (as_at is None or stamp > as_at):
            as_at = stamp
        if status != "unavailable":
            figures += 1
            illustrative += flags >> 1
        provisional += status == "provisional"
        drafts += flags & 1
    return {"as_at": _time_of(as_at), "figures": figures, "illustrative": illustrative, "provisional": provisional,
            "drafts": drafts}


# The fields read for the engine's targets and assessments (c.TARGET_COLUMNS, c.ASSESSMENT_COLUMNS).
TARGET_FIELDS = ("indicator_id", "financial_year", "kind", "value", "tolerance", "wording", "due")
ASSESSMENT_FIELDS = ("indicator_id", "month", "rag", "status_text", "reason", "rating")
_targets_assessments_sql: dict[str, tuple[str, list, list]] = {}   # vendor: (SQL with {ids} {months}, converters)


def _targets_and_assessments(*, indicator_ids: list[int], months: list[date]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The indicators' targets, and their assessments of ``months``, as the
    engine's frames, in one query (a UNION ALL of the two reads, each row
    tagged with its table): one round trip and no ORM compilation (the SQL
    is built once per process; SQLite's dates converted as the ORM converts
    them; tests/test_engine_reads.py compares with the ORM's reads)."""
    vendor = connection.vendor
    if vendor not in _targets_assessments_sql:
        q = connection.ops.quote_name

        def part(model, names):
            fields = [model._meta.get_field(n) for n in names]
            converters = [connection.ops.get_db_converters(f.get_col(model._meta.db_table))
                          + f.get_db_converters(connection) for f in fields]
            return [q(f.column) for f in fields], list(zip(fields, converters, strict=True))

        t_cols, t_conv = part(Target, TARGET_FIELDS)
        a_cols, a_conv = part(Assessment, ASSESSMENT_FIELDS)
        blanks_t, blanks_a = ", NULL" * len(a_cols), ", NULL" * len(t_cols)
        pg = vendor == "postgresql"
        ids, in_months = ("= ANY(%s::bigint[])", "= ANY(%s::date[])") if pg else ("IN ({ids})", "IN ({months})")
        sql = (f"SELECT 0{', ' + ', '.join(t_cols)}{blanks_t} FROM {q(Target._meta.db_table)} "
               f"WHERE {q('indicator_id')} {ids} "
               f"UNION ALL SELECT 1{blanks_a}, {', '.join(a_cols)} FROM {q(Assessment._meta.db_table)} "
               f"WHERE {q('indicator_id')} {ids} AND {q('month')} {in_months}")
        _targets_assessments_sql[vendor] = (sql, t_conv, a_conv)
    sql, t_conv, a_conv = _targets_assessments_sql[vendor]
    ids = [int(i) for i in indicator_ids]
    months = list(months)
    if vendor == "postgresql":
        params = [ids, ids, months]
    else:
        sql = (sql.replace("{ids}", ", ".join(["%s"] * len(ids)) or "NULL")
               .replace("{months}", ", ".join(["%s"] * len(months)) or "NULL"))
        params = [*ids, *ids, *months]
    targets, assessments = [], []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    width = len(t_conv)
    for row in rows:
        values, conv, out = ((row[1:1 + width], t_conv, targets) if row[0] == 0
                             else (row[1 + width:], a_conv, assessments))
        if any(cs for _, cs in conv):
            values = [_convert(v, f, cs) for v, (f, cs) in zip(values, conv, strict=True)]
        out.append(tuple(values))
    return (pd.DataFrame.from_records(targets, columns=c.TARGET_COLUMNS),
            pd.DataFrame.from_records(assessments, columns=c.ASSESSMENT_COLUMNS))


def _convert(value, field, converters):
    for converter in converters:
        value = converter(value, field, connection)
    return value


def population_frame(*, force_slugs: list[str]) -> pd.DataFrame:
    rows = ForcePopulation.objects.filter(force__slug__in=force_slugs).values_list("force__slug", "year", "population")
    return pd.DataFrame.from_records(list(rows), columns=c.POPULATION_COLUMNS)


def plan_rating_method(*, force: Force, period: date | None) -> str:
    """How the force's plan in force at ``period`` judges its measures
    ("targets" without a plan). One query."""
    return (_plans_in_force(Plan.objects.filter(force=force), period).values_list("assessment", flat=True).first()
            or DEFAULT_METHOD)


def performance_inputs(*, force: Force, indicators: pd.DataFrame, period: date,
                       include_drafts: bool = False, rating_method: str | None = None) -> Inputs:
    """Everything the engine needs for ``indicators`` of ``force`` at ``period``:
    peers' indicators, observations, targets, assessments, populations, and
    the rating method of the plan in force (``rating_method``, e.g. the
    loaded plan's ``assessment``; else the frame's c.RATING_METHOD column,
    as `indicator_frame` gives it; else one more query).
    Queries: the peer list with the populations (with MSG measures: and the
    peers' indicators, in the same query), observations, the targets with
    the assessments — three, whatever the number of indicators."""
    return _performance_inputs(force=force, indicators=indicators, period=period, include_drafts=include_drafts,
                               rating_method=rating_method)[0]


def performance_inputs_with_state(*, force: Force, indicators: pd.DataFrame, period: date,
                                  include_drafts: bool = False, rating_method: str | None = None,
                                  state_first: date) -> tuple[Inputs, dict]:
    """`performance_inputs` for evaluating ``indicators`` themselves, and the
    `data_state` of their figures from ``state_first`` to ``period`` (e.g. the
    year to date) counted from the observations read for the engine: no
    query of its own. The MSG peers' figures are read for the rolling 12
    months only (all the engine reads of them), so these inputs are not for
    evaluating or charting the peers' indicators."""
    return _performance_inputs(force=force, indicators=indicators, period=period, include_drafts=include_drafts,
                               rating_method=rating_method, state_first=state_first)


def _performance_inputs(*, force: Force, indicators: pd.DataFrame, period: date, include_drafts: bool,
                        rating_method: str | None, state_first: date | None = None) -> tuple[Inputs, dict | None]:
    if rating_method is None:
        if c.RATING_METHOD in indicators and len(indicators):
            rating_method = str(indicators[c.RATING_METHOD].iloc[0])
        else:
            rating_method = plan_rating_method(force=force, period=period)
    ids = [int(i) for i in indicators[c.ID]]
    msg_codes = list(indicators.loc[indicators[c.MSG].astype(bool), c.CODE])
    if msg_codes:
        peers, peer_slugs, populations = _peers_with_populations(force=force, codes=msg_codes)
    else:
        peers = indicators.iloc[0:0]
        peer_slugs, populations = _peers_and_populations(force=force, with_peers=False)
    peer_map = {force.slug: peer_slugs}
    all_indicators = pd.concat([indicators, peers], ignore_index=True) if len(peers) else indicators
    all_ids = [int(i) for i in all_indicators[c.ID]]
    start = window_start(period)
    if state_first is not None and not start <= state_first <= period:
        raise ValueError(f"the state's months must lie in the engine's window, {start} to {period}")
    # With the state (the pages of a plan, which evaluate the force's own indicators only), the MSG peers'
    # figures are read for the rolling 12 months alone: all the engine reads of them (the MSG comparison).
    peer_ids = [] if state_first is None else [int(i) for i in peers[c.ID]]
    observations, state = _observations(indicator_ids=all_ids, start=start, end=period,
                                        include_drafts=include_drafts,
                                        state_of=None if state_first is None else (ids, state_first, period),
                                        later_for=(peer_ids, periods.rolling_12_months(period)[0]) if peer_ids
                                        else None)
    all_indicators, observations = _current_plan_inputs(indicators, all_indicators, observations, period,
                                                         include_drafts)
    targets, assessments = _targets_and_assessments(indicator_ids=ids, months=[period])
    return Inputs(
        indicators=all_indicators,
        observations=observations,
        targets=targets,
        assessments=assessments,
        populations=populations,
        msg_peers=peer_map,
        rating_methods={force.slug: rating_method},
    ), state


def _current_plan_inputs(indicators: pd.DataFrame, all_indicators: pd.DataFrame, observations: pd.DataFrame,
                         period: date, include_drafts: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """SPEC §6: a measure whose figures span quarters or years, or that has a
    fixed baseline, reads its figures from before the engine's window (the
    same quarter a year earlier, the survey wave before, the baseline's
    months); a measure with benchmarks reads the benchmark series' figures
    (the indicators of that code filed for england-and-wales, wales or a
    force). Nothing for a plan of 2013-style measures: no query."""
    if c.FREQUENCY not in indicators or not len(indicators):
        return all_indicators, observations
    frequency = indicators[c.FREQUENCY].to_numpy(dtype=object)
    label = indicators[c.BASELINE_LABEL].to_numpy(dtype=object)
    benchmarks = indicators[c.BENCHMARKS].to_numpy(dtype=object)
    ids = indicators[c.ID].to_numpy()
    earlier = [int(i) for i, f, b in zip(ids, frequency, label) if (f not in (None, "monthly")) or b]
    wanted = [(slug, code) for bs, code in zip(benchmarks, indicators[c.CODE]) if isinstance(bs, list)
              for slug in bs]
    if wanted:
        slugs, codes = {s for s, _ in wanted}, {code for _, code in wanted}
        rows = list(Indicator.objects.filter(force__slug__in=slugs, code__in=codes)
                    .values_list("id", "force__slug", "code", "name", "unit", "decimals", "aggregation", "polarity",
                                 "msg", *c.CURRENT_PLAN_COLUMNS))
        bench = pd.DataFrame.from_records(rows, columns=[*c.INDICATOR_COLUMNS, *c.CURRENT_PLAN_COLUMNS])
        bench = bench[[(s, code) in set(wanted) for s, code in zip(bench[c.FORCE], bench[c.CODE])]]
        bench = bench[~bench[c.ID].isin(all_indicators[c.ID])]
        if len(bench):
            bench[c.HEADLINE] = False
            all_indicators = pd.concat([all_indicators, bench], ignore_index=True)
            earlier += [int(i) for i in bench[c.ID]]
    if not earlier:
        return all_indicators, observations
    more = observation_frame(indicator_ids=earlier, end=period, include_drafts=include_drafts)
    if len(more):
        observations = (pd.concat([observations, more], ignore_index=True)
                        .drop_duplicates([c.INDICATOR_ID, c.MONTH], keep="last").reset_index(drop=True))
    return all_indicators, observations


def _latest_month(visible: Q) -> Subquery:
    """The latest month with a figure (not unavailable, with a value or a
    numerator) of the indicator OuterRef("pk"), among the force's own
    observations (no local area) that match ``visible``: a backward scan of the (indicator, month) index that
    stops at the first such row, so it costs about the same for 36 months of
    figures or 180."""
    return Subquery(Observation.objects.filter(WHOLE_FORCE, visible, indicator_id=OuterRef("pk"))
                    .exclude(status="unavailable")
                    .filter(Q(value__isnull=False) | Q(numerator__isnull=False))
                    .order_by("-month").values("month")[:1])


def _latest_draft_month() -> Subquery:
    """The latest month of the unpublished lines (not unavailable) of the indicator OuterRef("pk")."""
    return Subquery(ReturnLine.objects.filter(indicator_id=OuterRef("pk"), area__isnull=True)
                    .exclude(source_return__state=ReturnState.PUBLISHED).exclude(status="unavailable")
                    .order_by("-month").values("month")[:1])


def default_period(*, force: Force, include_drafts: bool = False) -> date | None:
    """"One version of the truth": the latest month in which every headline
    indicator of the force's plans that has data has a value (every indicator
    of the force when no headline measure has data). With drafts, unpublished
    returns' lines count too. One query: each indicator of the force, flagged
    headline or not, with its latest month (published figures; and the
    draft lines' latest, with drafts)."""
    if include_drafts:
        rows = [(h, max((m for m in (last, draft) if m is not None), default=None), frequency, lag)
                for frequency, lag, h, last, draft in _default_period_query(force.pk, True).values_list(
                    "frequency", "lag", "is_headline", "last", "last_draft")]
    else:
        # compiled once: every dashboard asks (fields before annotations, the order the SQL gives them)
        rows = [(h, last, frequency, lag) for frequency, lag, h, last in _DEFAULT_PERIOD.rows(
            force.pk, using=connection.alias)]
    return _default_month(rows)


def _default_month(rows) -> date | None:
    """SPEC §2 and §6 "The period a figure is for": the latest month for
    which every monthly headline measure with a figure has one; measures over
    spans (quarterly, annual, irregular) and lagged partner data never pin
    it. A plan with no such monthly headline measure takes the latest span
    end of its headline measures; with no headline figure at all, the same
    over every measure."""
    rows = [(bool(h), last, (frequency or "monthly") == "monthly" and not lag)
            for h, last, frequency, lag in rows if last is not None]
    for group in ([r for r in rows if r[0]], rows):
        pinning = [last for _, last, pins in group if pins]
        if pinning:
            return min(pinning)
        if group:
            return max(last for _, last, _ in group)
    return None


def _default_period_query(force_id: int, include_drafts: bool):
    headline = Exists(PriorityIndicator.objects.filter(indicator=OuterRef("pk"), headline=True))
    qs = Indicator.objects.filter(force_id=force_id).order_by().annotate(
        is_headline=headline, last=_latest_month(_visible(include_drafts)))
    return qs.annotate(last_draft=_latest_draft_month()) if include_drafts else qs


_DEFAULT_PERIOD = Compiled(lambda force_id: _default_period_query(force_id, False).values_list(
    "frequency", "lag", "is_headline", "last"), ("int",))


# The columns of `observation_export_rows`, in order: the return file's (SPEC §4, §6) and whether the demo
# generated the figure, then the indicator's frequency and covers (the span a figure without `from` covers).
# The area is its code ("" for the whole force, so that it sorts first).
EXPORT_FIELDS = ("indicator__code", "area_key", "month", "first_month", "value", "numerator", "denominator",
                 "status", "note", "lower", "upper", "illustrative", "indicator__frequency", "indicator__covers")


def _bytewise(expression):
    """``expression`` compared and ordered byte by byte, as Python compares
    str: PostgreSQL's collation otherwise ranks a hyphen unlike Python, and a
    cursor (SQL) and the merge with draft lines (Python) must agree."""
    from django.db.models.functions import Collate

    return Collate(expression, "C") if connection.vendor == "postgresql" else expression


def observation_export_rows(*, force: Force, first: date | None, last: date | None, include_drafts: bool,
                            code: str | None = None, area: LocalArea | None = None,
                            after: tuple[str, str, date] | None = None, limit: int | None = None) -> list[tuple]:
    """The force's figures, the whole force's and its local areas', in the
    return-file format (SPEC §4, §6): tuples of `EXPORT_FIELDS`, ordered by
    indicator code, area code (the whole force first) and month. ``code``:
    one indicator's; ``area``: one local area's; ``after``: the rows after
    that (code, area code, month) key, and ``limit``: at most that many (a
    cursor's page). One query (two with drafts: the unpublished lines laid
    over the figures, the latest return winning)."""
    def keyed(qs):
        qs = qs.annotate(area_key=_bytewise(Coalesce("area__code", Value(""))),
                         code_key=_bytewise(F("indicator__code")))
        if code is not None:
            qs = qs.filter(indicator__code=code)
        if area is not None:
            qs = qs.filter(area=area)
        if first is not None:
            qs = qs.filter(month__gte=first)
        if last is not None:
            qs = qs.filter(month__lte=last)
        if after is not None:
            c_, a_, m_ = after
            qs = qs.filter(Q(code_key__gt=c_) | Q(code_key=c_, area_key__gt=a_) | Q(code_key=c_, area_key=a_,
                                                                                   month__gt=m_))
        return qs

    qs = keyed(Observation.objects.filter(_visible(include_drafts), indicator__force=force))
    qs = qs.order_by("code_key", "area_key", "month").values_list(*EXPORT_FIELDS)
    rows = {r[:3]: r for r in (qs[:limit + 1] if limit is not None else qs)}
    if include_drafts:
        lines = keyed(ReturnLine.objects.filter(indicator__force=force)
                      .exclude(source_return__state=ReturnState.PUBLISHED))
        # the latest return wins: its lines come last
        rows.update({r[:3]: r for r in lines.order_by("source_return__created_at", "source_return_id")
                     .values_list(*EXPORT_FIELDS)})
    out = [rows[k] for k in sorted(rows)]
    return out if limit is None else out[:limit + 1]


def force_list() -> list[Force]:
    """Every force and benchmark series by name, each with ``plan_list``: its
    plans, the latest first. Two queries."""
    forces = list(Force.objects.order_by("name"))
    plans: dict[int, list[Plan]] = {}
    for plan in Plan.objects.order_by("-start", "-id"):
        plans.setdefault(plan.force_id, []).append(plan)
    for force in forces:
        force.plan_list = plans.get(force.id, [])
    return forces


def force_peers(*, force: Force) -> list[Force]:
    """The force's Most Similar Group peers by name. One query."""
    return list(force.msg_peers.order_by("name"))


def force_plans(*, force: Force) -> list[Plan]:
    """The force's plans, the latest first. One query."""
    return list(Plan.objects.filter(force=force).order_by("-start", "-id"))


def local_area_list(*, force: Force) -> list[LocalArea]:
    """The force's local areas by name. One query."""
    return list(LocalArea.objects.filter(force=force).order_by("name"))


def plan_for(*, force: Force, period: date | None, with_measures: bool = True) -> Plan | None:
    """The plan in force at ``period`` (the latest to start by then), else the
    force's latest plan. One query; ``with_measures`` loads, in that same
    query, its areas, priorities and measures with their indicators, cached as
    ``prefetch_related`` would (see `_plan_with_measures`)."""
    if with_measures:
        return _plan_with_measures(force, period)
    return _plans_in_force(Plan.objects.filter(force=force), period).first()


_PLAN_TREE = (Plan, AreaOfFocus, StrategicPriority, PriorityIndicator, Indicator)
_plan_tree_sql: dict[tuple[str, bool], tuple[str, list]] = {}     # (vendor, with period): (SQL, columns' converters)


def _plan_tree_query(with_period: bool) -> tuple[str, list]:
    """The SQL of `_plan_with_measures` and each model's columns' converters
    (compiled once per process: it depends only on the models and vendor).
    The plan is chosen as `_plans_in_force` orders (in force at the period
    first, then the latest start); LEFT JOINs keep a plan without areas, an
    area without priorities and a priority without measures. Ordered as the
    prefetches order (areas by number, then priorities by number, measures
    by order: each unique within its parent)."""
    key = (connection.vendor, with_period)
    if key not in _plan_tree_sql:
        q = connection.ops.quote_name
        aliases = ("p", "a", "s", "m", "i")
        columns, converters = [], []
        for model, alias in zip(_PLAN_TREE, aliases, strict=True):
            fields = model._meta.concrete_fields
            columns += [f"{alias}.{q(f.column)}" for f in fields]
            converters.append([(f, connection.ops.get_db_converters(f.get_col(alias))
                                + f.get_db_converters(connection)) for f in fields])
        plan_cols = ", ".join(q(f.column) for f in Plan._meta.concrete_fields)
        start = q(Plan._meta.get_field("start").column)
        in_force = f"CASE WHEN {start} <= %s THEN 1 ELSE 0 END" if with_period else "0"
        area, prio, measure, ind = (m._meta for m in _PLAN_TREE[1:])
        sql = f"""
            SELECT {", ".join(columns)}, p.in_force
            FROM (SELECT {plan_cols}, {in_force} AS in_force FROM {q(Plan._meta.db_table)}
                  WHERE {q(Plan._meta.get_field("force").column)} = %s
                  ORDER BY in_force DESC, {start} DESC LIMIT 1) p
            LEFT JOIN {q(area.db_table)} a ON a.{q(area.get_field("plan").column)} = p.{q(Plan._meta.pk.column)}
            LEFT JOIN {q(prio.db_table)} s ON s.{q(prio.get_field("area").column)} = a.{q(area.pk.column)}
            LEFT JOIN {q(measure.db_table)} m ON m.{q(measure.get_field("priority").column)} = s.{q(prio.pk.column)}
            LEFT JOIN {q(ind.db_table)} i ON i.{q(ind.pk.column)} = m.{q(measure.get_field("indicator").column)}
            ORDER BY a.{q(area.get_field("number").column)}, s.{q(prio.get_field("number").column)},
                     m.{q(measure.get_field("order").column)}"""
        _plan_tree_sql[key] = (sql, converters)
    return _plan_tree_sql[key]


def _plan_with_measures(force: Force, period: date | None) -> Plan | None:
    """`plan_for` with its areas, priorities and measures (with indicators)
    in one query instead of four, the same instances as
    ``prefetch_related(areas, areas__priorities, areas__priorities__measures
    with select_related("indicator"))`` builds: each manager's
    ``.all()`` answered from ``_prefetched_objects_cache`` (a queryset of the
    related manager, as Prefetch stores it, so a further ``.filter()`` still
    queries the right rows) and ``area.plan``, ``priority.area``,
    ``measure.priority`` and ``measure.indicator`` cached: walking the plan
    costs no further query."""
    sql, converters = _plan_tree_query(period is not None)
    with connection.cursor() as cursor:
        cursor.execute(sql, [period, force.id] if period is not None else [force.id])
        rows = cursor.fetchall()
    if not rows:
        return None
    db = connection.alias
    spans, at = [], 0
    for fields in converters:
        spans.append((at, at + len(fields), fields))
        at += len(fields)

    def build(model, row, span):
        lo, hi, fields = span
        values = list(row[lo:hi])
        if values[0] is None:             # the LEFT JOIN found none (every pk is NOT NULL)
            return None
        for n, (field, convert) in enumerate(fields):
            for converter in convert:
                values[n] = converter(values[n], field, connection)
        return model.from_db(db, None, values)

    plan = build(Plan, rows[0], spans[0])
    if period is not None:
        plan.in_force = rows[0][-1]       # the annotation `_plans_in_force` adds
    area_at, priority_at, measure_at = spans[1][0], spans[2][0], spans[3][0]   # each one's id column
    areas, priorities = {}, {}            # id: (instance, its children in order)
    for row in rows:
        area_id, priority_id = row[area_at], row[priority_at]
        if area_id is None:               # a plan without areas
            continue
        if area_id not in areas:
            area = build(AreaOfFocus, row, spans[1])
            area.plan = plan
            areas[area_id] = (area, [])
        if priority_id is None:           # an area without priorities
            continue
        if priority_id not in priorities:
            priority = build(StrategicPriority, row, spans[2])
            priority.area = areas[area_id][0]
            priorities[priority_id] = (priority, [])
            areas[area_id][1].append(priority)
        if row[measure_at] is None:       # a priority without measures
            continue
        measure = build(PriorityIndicator, row, spans[3])
        measure.priority = priorities[priority_id][0]
        measure.indicator = build(Indicator, row, spans[4])
        priorities[priority_id][1].append(measure)
    _cache_prefetched(plan, "areas", [a for a, _ in areas.values()], _AREAS)
    for area, children in areas.values():
        _cache_prefetched(area, "priorities", children, _PRIORITIES)
    for priority, children in priorities.values():
        _cache_prefetched(priority, "measures", children, _MEASURES)
    return plan


_AREAS = AreaOfFocus.objects.order_by("number")
_PRIORITIES = StrategicPriority.objects.order_by("number")
_MEASURES = PriorityIndicator.objects.select_related("indicator").order_by("order")


def _cache_prefetched(instance, name: str, objects: list, queryset: QuerySet) -> None:
    """What ``prefetch_related_objects`` stores for a Prefetch(name, queryset): the
    related manager's queryset holding ``objects``."""
    qs = getattr(instance, name)._apply_rel_filters(queryset)
    qs._result_cache = objects
    qs._prefetch_done = True
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[name] = qs


def plan_priority(*, plan: Plan, number: int) -> StrategicPriority | None:
    """Priority ``number`` of ``plan``, with its area, and its measures with
    their indicators. Two queries."""
    return (StrategicPriority.objects.filter(plan=plan, number=number).select_related("area")
            .prefetch_related(Prefetch("measures", queryset=PriorityIndicator.objects.select_related("indicator")
                                       .order_by("order")))
            .order_by().first())


def months_with_data(*, force: Force, include_drafts: bool = False) -> list[date]:
    """Every month with at least one visible figure for the force, newest
    first. One query (published figures, UNION the draft lines)."""
    if not include_drafts and connection.vendor == "postgresql":
        return _months_with_data_pg(force)
    # order_by(): the model's default ordering would pull its columns into the
    # DISTINCT and fetch one row per observation instead of one per month.
    months = Observation.objects.filter(WHOLE_FORCE, _visible(include_drafts), indicator__force=force)
    if not force.is_demo:
        # a real force's periods are those of its own figures, not of those the demo generated for it as a
        # peer (SPEC §6: demo is a property of the data; they stay, labelled, wherever they appear)
        months = months.exclude(ILLUSTRATIVE)
    months = months.exclude(status="unavailable").order_by().values_list("month", flat=True).distinct()
    if include_drafts:
        months = months.union(pending_lines(indicator_ids=Indicator.objects.filter(force=force).values("id"))
                              .exclude(status="unavailable").order_by().values_list("month", flat=True))
    return sorted(set(months), reverse=True)


def _months_with_data_pg(force: Force) -> list[date]:
    """`months_with_data` of published figures on PostgreSQL, without reading
    every figure of the force: the span of its months (each indicator's first
    and last, from the (indicator, month) index), then for each month of the
    span whether some indicator has a visible figure in it (an index probe per
    indicator, stopping at the first). A DISTINCT over the force's figures
    read all 10,800 of them at national scale (3-5 ms); this costs about 1 ms.
    Months are stored as the first day of the month (the span is walked in
    calendar months)."""
    obs, ind, ret = Observation._meta.db_table, Indicator._meta.db_table, Return._meta.db_table
    sql = f"""
        WITH ind AS (SELECT id FROM {ind} WHERE force_id = %s),
        span AS (
            SELECT min(f.month) AS lo, max(l.month) AS hi FROM ind,
            LATERAL (SELECT month FROM {obs} o WHERE o.indicator_id = ind.id AND o.area_id IS NULL
                     ORDER BY month LIMIT 1) f,
            LATERAL (SELECT month FROM {obs} o WHERE o.indicator_id = ind.id AND o.area_id IS NULL
                     ORDER BY month DESC LIMIT 1) l)
        SELECT d::date FROM span, generate_series(span.lo, span.hi, interval '1 month') d
        WHERE EXISTS (
            SELECT 1 FROM ind JOIN {obs} o ON o.indicator_id = ind.id AND o.area_id IS NULL
                AND o.month >= d::date AND o.month < (d + interval '1 month')::date
            LEFT JOIN {ret} r ON o.source_return_id = r.id
            WHERE (o.source_return_id IS NULL OR r.state = %s) AND o.status <> %s AND (%s OR NOT o.illustrative))
        ORDER BY 1 DESC"""
    with connection.cursor() as cursor:
        cursor.execute(sql, [force.pk, ReturnState.PUBLISHED, "unavailable", bool(force.is_demo)])
        return [row[0] for row in cursor.fetchall()]


# A figure the demo generated (Observation.illustrative): every figure but a
# seed's own published one, months of published totals included.
ILLUSTRATIVE = Q(illustrative=True)
# The figures whose publication time counts for "as at" (illustrative ones were never published).
_COUNTS_FOR_AS_AT = (Q(source_return__isnull=True) | Q(source_return__is_demo=False)
                     | Q(source_return__published_at__isnull=False))
_FROM_DRAFT = Q(source_return__isnull=False) & ~Q(source_return__state=ReturnState.PUBLISHED)
class _ReadCheaply(Func):
    """A time read with every figure, as microseconds since the epoch on
    PostgreSQL (an integer, which psycopg reads in C, where Django's time
    zone-aware loader parses each timestamp's text in Python: 4,400 of them
    took longer than the query they saved); the time itself elsewhere.
    `_time_of` turns it back into the time the ORM would give."""
    output_field = DateTimeField()
    template = "%(expressions)s"

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="(EXTRACT(EPOCH FROM %(expressions)s) * 1000000)::bigint",
                           **extra)


class _AsReturned(Func):
    """An integer expression as the database returns it: Django would
    otherwise call int() on every row's value (an integer already)."""
    output_field = IntegerField()
    template = "%(expressions)s"
    convert_value = staticmethod(Func._convert_value_noop)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _time_of(value):
    """The time `_ReadCheaply` read, as the ORM would give it (aware, in the connection's time zone)."""
    if not isinstance(value, int):
        return value
    moment = _EPOCH + timedelta(microseconds=value)
    return moment.astimezone(connection.timezone) if connection.timezone is not None else moment


def _state_columns(indicator_ids: list[int], first: date, last: date) -> dict:
    """What `data_state` aggregates, per figure of ``indicator_ids`` from
    ``first`` to ``last`` (NULL for the other rows read: nothing to parse):
    its "as at" candidate (`_ReadCheaply`), and flags, 2 for illustrative + 1
    for a draft's. Read with the observations by `_observations`."""
    window = Q(indicator_id__any_of=indicator_ids, month__gte=first, month__lte=last)
    flag = (Case(When(ILLUSTRATIVE, then=Value(2)), default=Value(0))
            + Case(When(_FROM_DRAFT, then=Value(1)), default=Value(0)))
    return {
        "state_as_at": _ReadCheaply(Case(When(window & _COUNTS_FOR_AS_AT,
                                              then=Coalesce("source_return__published_at", "updated_at")),
                                         default=None, output_field=DateTimeField())),
        "state_flags": _AsReturned(Case(When(window, then=flag), default=None, output_field=IntegerField())),
    }


def data_state(*, indicator_ids: list[int], first: date, last: date, include_drafts: bool,
               areas_of: Force | None = None, area_id: int | None = None) -> dict:
    """When the figures shown were published ("as at": the latest of their
    returns' publication times; a figure without one, e.g. a draft, counts
    when it was written; illustrative figures were never published and do not
    count), how many figures there are, how many are illustrative (generated
    by the demo), and whether any is provisional or comes from an unpublished
    return. One query. (The engine's pages count the same from the rows they
    read: `performance_inputs_with_state`.)"""
    # the whole force's figures; with ``areas_of``, its local areas' (one area's with ``area_id``)
    where = (WHOLE_FORCE if areas_of is None else Q(area__force=areas_of)
             & (Q() if area_id is None else Q(area_id=area_id)))
    qs = Observation.objects.filter(where, _visible(include_drafts), indicator_id__in=indicator_ids,
                                    month__range=(first, last))
    figure = ~Q(status="unavailable")
    state = qs.aggregate(
        as_at=Max(Coalesce("source_return__published_at", "updated_at"), filter=_COUNTS_FOR_AS_AT),
        figures=Count("id", filter=figure),
        illustrative=Count("id", filter=figure & ILLUSTRATIVE),
        provisional=Count("id", filter=Q(status="provisional")),
        drafts=Count("id", filter=_FROM_DRAFT),
    )
    if include_drafts:
        lines = (pending_lines(indicator_ids=indicator_ids, first=first, last=last) if areas_of is None else
                 ReturnLine.objects.filter(where, indicator_id__in=indicator_ids, month__range=(first, last))
                 .exclude(source_return__state=ReturnState.PUBLISHED))
        state["drafts"] += lines.count()
    return state


def _writing_visible(include_drafts: bool) -> Q:
    """Commentary and executive summaries: published ones, and drafts (which
    publish with the return for their period) for those who see drafts."""
    return Q() if include_drafts else Q(state=WritingState.PUBLISHED)


DRAFT_WRITING_MARK = "**Draft**, published with the return for this period; only the force's analysts see it.\n\n"


def _marked(text: str, state: str) -> str:
    """A draft's markdown, marked as one (SPEC §1: drafts clearly marked)."""
    return DRAFT_WRITING_MARK + text if state == WritingState.DRAFT else text


def _in_language(text: str, text_cy: str, state: str) -> str:
    """A writing's markdown in the page's language (issue 31): its Welsh on a
    Welsh page when written, else its English (marked as English there)."""
    return bilingual.pick(_marked(text, state), _marked(text_cy, state) if text_cy.strip() else "")


def commentary_for(*, priority_ids: list[int], month: date, include_drafts: bool = False) -> dict[int, str]:
    """Commentary markdown by priority id for ``month``."""
    return {pk: _in_language(text, text_cy, state) for pk, text, text_cy, state in Commentary.objects.filter(
        _writing_visible(include_drafts), priority_id__in=priority_ids, month=month).order_by()
        .values_list("priority_id", "text", "text_cy", "state")}


def indicator_commentary(*, indicator_id: int, month: date, include_drafts: bool = False) -> str:
    row = (Commentary.objects.filter(_writing_visible(include_drafts), indicator_id=indicator_id, month=month)
           .values_list("text", "text_cy", "state").first())
    return _in_language(*row) if row else ""


def executive_summary(*, force: Force, month: date, include_drafts: bool = False) -> str:
    """The force's executive summary markdown for ``month`` ("" if none). One query,
    without the model's ordering (by force name, a join): there is one summary
    per force and month."""
    return period_writing(force=force, month=month, include_drafts=include_drafts)[0]


def period_writing(*, force: Force, month: date, include_drafts: bool = False) -> tuple[str, str]:
    """The force's executive summary and PCC key activity markdown for
    ``month`` ("" for either not written), a draft's marked. One query."""
    rows = _EXECUTIVE_SUMMARY[include_drafts].rows(force.pk, month, using=connection.alias)
    if not rows:
        return "", ""
    text, text_cy, activity, state = rows[0]
    return (_in_language(text, text_cy, state) if text.strip() else "",
            bilingual.pick(_marked(activity, state), "") if activity.strip() else "")


# compiled once per process, one per visibility (the dashboard's every request reads it)
_EXECUTIVE_SUMMARY = {drafts: Compiled(lambda force_id, month, drafts=drafts: (
    ExecutiveSummary.objects.filter(_writing_visible(drafts), force_id=force_id, month=month)
    .order_by("pk").values_list("text", "text_cy", "key_activity", "state")[:1]), ("int", "date"))
    for drafts in (False, True)}


def draft_writing(*, force: Force, months) -> tuple[list[ExecutiveSummary], list[Commentary]]:
    """The force's draft executive summaries and commentary for ``months``,
    which publish with a return covering them. Two queries."""
    summaries = list(ExecutiveSummary.objects.filter(force=force, month__in=months, state=WritingState.DRAFT)
                     .order_by("month"))
    commentary = list(Commentary.objects.filter(force=force, month__in=months, state=WritingState.DRAFT)
                      .select_related("priority", "indicator").order_by("month", "priority__number",
                                                                         "indicator__code"))
    return summaries, commentary


def welsh_glossary() -> dict[str, str]:
    """The plans' own words in Welsh (SPEC §6 `_cy` keys, issue 31): each
    English text that has a Welsh sibling, mapped to it. Only the rows with
    Welsh are read, so only Welsh forces' plans count. Read by Welsh pages
    only (reports/welsh.py), once per request: nine queries, one per text."""
    pairs = [
        (Force.objects, "name"), (Plan.objects, "title"), (AreaOfFocus.objects, "title"),
        (StrategicPriority.objects, "title"), (Indicator.objects, "name"),
        (Indicator.objects, "baseline_label"), (Indicator.objects, "replaces_note"),
        (PriorityIndicator.objects, "footnote"), (Target.objects, "wording"),
    ]
    glossary: dict[str, str] = {}
    for manager, field in pairs:
        for english, welsh in (manager.exclude(**{f"{field}_cy": ""}).order_by()
                               .values_list(field, f"{field}_cy")):
            if english and welsh.strip():
                glossary.setdefault(english, welsh.strip())
    return glossary


class ForceNames(dict):
    """Forces' names by slug; ``illustrative``: the slugs of demo forces, whose
    figures (as MSG peers, all of them) were generated by load_demo."""

    illustrative: frozenset[str] = frozenset()


def force_names(*, slugs: list[str]) -> ForceNames:
    """Forces' names by slug, and which are demo forces. One query."""
    rows = list(Force.objects.filter(slug__in=slugs).values_list("slug", "name", "is_demo"))
    names = ForceNames((slug, name) for slug, name, _ in rows)
    names.illustrative = frozenset(slug for slug, _, is_demo in rows if is_demo)
    return names


def revisions(*, indicator_id: int, limit: int = 20) -> list[dict]:
    """Changes to published figures, newest first: month, old and new values,
    when and why (from the observation history). For the public pages: it
    names no user (who changed what is the audit trail's, for the force's
    analysts: ``audit_trail``)."""
    history = Observation.history.filter(indicator_id=indicator_id, area__isnull=True).order_by("id", "history_date", "history_id")
    previous: dict[int, object] = {}
    out = []
    for record in history:
        before = previous.get(record.id)
        if before is not None and record.history_type == "~" and any(
                getattr(before, f) != getattr(record, f) for f in ("value", "numerator", "denominator", "status")):
            out.append({"month": record.month, "old": before.value, "new": record.value,
                        "old_status": before.status, "new_status": record.status,
                        "when": record.history_date,
                        "reason": record.history_change_reason or ""})
        previous[record.id] = record
    out.sort(key=lambda r: r["when"], reverse=True)
    return out[:limit]


def replaced_series(*, force: Force, code: str, include_drafts: bool = False) -> tuple[str, list[dict]]:
    """The name and figures of the force's indicator ``code`` (the old
    definition a measure replaces, SPEC §6 Definition changes), whole force,
    newest first: each {unit, decimals, month, first_month, value, lower,
    upper, status}. Published only unless ``include_drafts`` (drafts' own
    lines are not laid over: the old series is closed). ("", []) when the
    force has no such indicator. One query: the indicator LEFT JOIN its
    whole-force figures (so its name comes even when it has none) with
    their returns' state, filtered here, since a FilteredRelation's
    condition may not follow a further relation."""
    rows = list(Indicator.objects.filter(force=force, code=code)
                .annotate(figures=FilteredRelation("observations", condition=Q(observations__area__isnull=True)))
                .order_by(F("figures__month").desc(nulls_last=True))
                .values_list("name", "figures__source_return_id", "figures__source_return__state", "unit",
                             "decimals", "figures__month", "figures__first_month", "figures__value",
                             "figures__lower", "figures__upper", "figures__status"))
    if not rows:
        return "", []
    keys = ("unit", "decimals", "month", "first_month", "value", "lower", "upper", "status")
    return rows[0][0], [dict(zip(keys, row[3:], strict=True)) for row in rows
                        if row[5] is not None and (include_drafts or row[1] is None
                                                   or row[2] == ReturnState.PUBLISHED)]


def headline_links(*, forces: list[Force]) -> list[tuple[int, int, int]]:
    """(force id, plan id, indicator id) of every headline measure of the forces' plans. One query."""
    return list(PriorityIndicator.objects.filter(headline=True, priority__area__plan__force__in=forces)
                .order_by().values_list("priority__area__plan__force_id", "priority__area__plan_id", "indicator_id"))


def default_periods(*, forces: list[Force], headline_ids: set[int], drafts_force_ids: set[int]) -> dict[int, date]:
    """`default_period` for many forces at once. One query, whatever the
    number of forces: the latest month of each headline indicator (of every
    indicator, for a force without headline measures), and of its draft
    lines for the forces whose drafts are visible. A force whose headline
    measures have no figure at all falls back to every indicator, as
    `default_period` does: one more query, only then."""
    visible = _visible(False) | Q(indicator__force_id__in=drafts_force_ids)

    def latest(where: Q) -> list[tuple[int, int, date | None]]:
        qs = Indicator.objects.filter(where).order_by().annotate(last=_latest_month(visible))
        if not drafts_force_ids:
            return list(qs.values_list("force_id", "id", "last"))
        qs = qs.annotate(last_draft=Case(When(force_id__in=drafts_force_ids, then=_latest_draft_month()),
                                         default=Value(None), output_field=DateField()))
        return [(f, i, max((m for m in (a, b) if m is not None), default=None))
                for f, i, a, b in qs.values_list("force_id", "id", "last", "last_draft")]

    has_headline = Exists(Indicator.objects.filter(force_id=OuterRef("force_id"), id__in=headline_ids))
    rows = latest(Q(force__in=forces) & (Q(id__in=headline_ids) | ~has_headline))
    found = {f for f, _, month in rows if month is not None}
    bare = [f.id for f in forces if f.id not in found and any(fid == f.id and i in headline_ids for fid, i, _ in rows)]
    if bare:
        rows += latest(Q(force_id__in=bare) & ~Q(id__in=headline_ids))
    months: dict[int, list[date]] = {}
    for force_id, _, month in rows:
        if month is not None:
            months.setdefault(force_id, []).append(month)
    return {force.id: min(months[force.id]) for force in forces if force.id in months}


def indicator_frame_by_ids(*, indicator_ids: list[int], headline_ids: set[int]) -> pd.DataFrame:
    rows = (Indicator.objects.filter(id__in=indicator_ids).order_by("force__slug", "code")
            .values_list("id", "force__slug", "code", "name", "unit", "decimals", "aggregation", "polarity", "msg",
                         *c.CURRENT_PLAN_COLUMNS))
    frame = pd.DataFrame.from_records(list(rows), columns=[*c.INDICATOR_COLUMNS, *c.CURRENT_PLAN_COLUMNS])
    frame[c.HEADLINE] = frame[c.ID].isin(headline_ids)
    return frame


def performance_inputs_many(*, forces: list[Force], indicators: pd.DataFrame, months: list[date],
                            drafts_force_ids: set[int], rating_methods: dict[str, str]) -> Inputs:
    """`performance_inputs` for the indicators of many forces, each evaluated
    at one of ``months``; ``rating_methods``: force slug -> the rating method
    of its plan in force at its month (the callers have the plans loaded;
    a force not listed is rated by targets). Queries: peers' indicators, peer lists,
    observations (+ unpublished lines when some force's drafts are
    visible), the targets with the assessments (one query), populations —
    five or six, whatever the number of forces or indicators."""
    ids = [int(i) for i in indicators[c.ID]]
    msg_codes = list(indicators.loc[indicators[c.MSG].astype(bool), c.CODE])
    peer_rows = list(Indicator.objects.filter(force__msg_of__in=forces, code__in=msg_codes).distinct()
                     .values_list("id", "force__slug", "code", "name", "unit", "decimals", "aggregation",
                                  "polarity", "msg"))
    peers = pd.DataFrame.from_records(peer_rows, columns=c.INDICATOR_COLUMNS)
    peers = peers[~peers[c.ID].isin(ids)]
    peers[c.HEADLINE] = False
    peer_map: dict[str, list[str]] = {f.slug: [] for f in forces}
    for slug, peer in Force.msg_peers.through.objects.filter(from_force__in=forces).values_list(
            "from_force__slug", "to_force__slug"):
        peer_map[slug].append(peer)
    all_indicators = pd.concat([indicators, peers], ignore_index=True) if len(peers) else indicators
    all_ids = [int(i) for i in all_indicators[c.ID]]
    start, end = min(window_start(m) for m in months), max(months)
    visible = _visible(False) | Q(indicator__force_id__in=drafts_force_ids)
    qs = Observation.objects.filter(WHOLE_FORCE, visible, indicator_id__any_of=all_ids, month__gte=start, month__lte=end)
    # The home page reads every force's figures: the §6 columns only when some measure uses §6
    wanted = c.OBSERVATION_COLUMNS if rows_using_current_keys(indicators) else c.PLAIN_OBSERVATION_COLUMNS
    observations = pd.DataFrame.from_records(list(qs.order_by().values_list(*wanted)), columns=wanted)
    if drafts_force_ids:
        draft_ids = Indicator.objects.filter(force_id__in=drafts_force_ids, id__any_of=all_ids).values("id")
        lines = pending_lines(indicator_ids=draft_ids, first=start, last=end).values_list(*wanted)
        pending = pd.DataFrame.from_records(list(lines), columns=wanted)
        if len(pending):
            observations = (pd.concat([observations, pending], ignore_index=True)
                            .drop_duplicates([c.INDICATOR_ID, c.MONTH], keep="last").reset_index(drop=True))
    # §6: earlier spans, baselines and benchmark series (published figures only; no query for 2013-style plans)
    all_indicators, observations = _current_plan_inputs(indicators, all_indicators, observations, end, False)
    targets, assessments = _targets_and_assessments(indicator_ids=ids, months=months)
    slugs = set(peer_map) | {p for v in peer_map.values() for p in v}
    return Inputs(
        indicators=all_indicators, observations=observations,
        targets=targets,
        assessments=assessments,
        populations=population_frame(force_slugs=sorted(slugs)),
        msg_peers=peer_map,
        rating_methods=dict(rating_methods),
    )


def measures_expecting_no_figures(*, indicator_ids: list[int], financial_year: str) -> dict[int, str]:
    """The measures that expect no figure in ``financial_year`` (so a quarter
    can be complete without one), with why in words: a milestone (rated by
    assessment), and a measure with no numeric target that has never had a
    figure, published or in a draft (a monitored measure reported in words).
    One query."""
    if not indicator_ids:
        return {}
    kind = Target.objects.filter(indicator=OuterRef("pk"), financial_year=financial_year).values("kind")[:1]
    rows = (Indicator.objects.filter(pk__in=indicator_ids)
            .annotate(kind=Subquery(kind),
                      held=Exists(Observation.objects.filter(indicator=OuterRef("pk")))
                      | Exists(ReturnLine.objects.filter(indicator=OuterRef("pk"))))
            .values_list("pk", "kind", "held"))
    out = {}
    for pk, kind_, held in rows:
        if kind_ == "milestone":
            out[pk] = "not expected: a milestone, rated by assessment"
        elif kind_ not in ("change", "absolute") and not held:
            out[pk] = "not expected: no numeric target, and no figure has ever been filed"
    return out


def pending_lines(*, indicator_ids, first: date | None = None, last: date | None = None, area_id: int | None = None):
    """Lines of unpublished returns, latest return last (so it wins): the
    whole force's, or with ``area_id`` that local area's."""
    scope = WHOLE_FORCE if area_id is None else Q(area_id=area_id)
    qs = ReturnLine.objects.filter(scope, indicator_id__in=indicator_ids).exclude(source_return__state=ReturnState.PUBLISHED)
    if first is not None:
        qs = qs.filter(month__gte=first)
    if last is not None:
        qs = qs.filter(month__lte=last)
    return qs.order_by("source_return__created_at", "source_return_id")


# --- The audit trail (issue 15 item 6) ----------------------------------------------------------------

@dataclass
class AuditEntry:
    """One change, in plain words: ``when``, ``who`` (a display name, "" if
    unknown) and ``what`` ("published return #14 (grid)"), on ``subject``
    ("All crime, June 2013") with ``detail`` ("15,015 → 15,102"). For an
    assessment, ``indicator_id``/``month`` let the caller add the computed
    rating it replaced (``replaced``)."""
    when: datetime
    who: str
    what: str
    subject: str = ""
    detail: str = ""
    reason: str = ""
    kind: str = "figure"                     # figure | assessment | return | writing | plan
    return_id: int | None = None
    indicator_id: int | None = None
    month: date | None = None
    replaced: str | None = None


def _user_label(user) -> str:
    if user is None:
        return ""
    first, last = (user.first_name or "").strip(), (user.last_name or "").strip()
    if first and last:
        return f"{first[0]}. {last}"
    return last or first or user.get_username()


def _return_source(source: str | None) -> str:
    if not source:
        return ""
    if source == "Quarterly return grid":
        return "grid"
    if source.startswith("Quarterly return grid, local area "):
        return "grid, local area " + source.rsplit(" ", 1)[-1]
    return f"file {source}" if re.fullmatch(r"[^/\\]+\.(csv|xlsx)", source, re.IGNORECASE) else source


def _figure_words(values: dict | None, unit: str, decimals: int) -> str:
    if values is None:
        return "none"
    if values["status"] == "unavailable":
        return "unavailable" + (f" ({values['note']})" if values.get("note") else "")
    value = values["value"]
    text = "—" if value is None else (
        f"{value:,.{decimals}f}" + ("%" if unit == "percent" else ""))
    if values.get("numerator") is not None and values.get("denominator") is not None:
        text += f" ({values['numerator']:,g} of {values['denominator']:,g})"
    return text + (" provisional" if values["status"] == "provisional" else "")


def _note_change(old: dict | None, new: dict | None) -> str:
    """The note, when it changed (an unavailable figure's note is in its words)."""
    before, after = ((v or {}).get("note") or "" for v in (old, new))
    if before == after or (new or {}).get("status") == "unavailable":
        return ""
    return f" — note: {after}" if after else " — note removed"


_FIGURE = ("value", "numerator", "denominator", "status", "note")


def audit_trail(*, force: Force, indicator_id: int | None = None, return_id: int | None = None,
                limit: int = 500) -> list[AuditEntry]:
    """Who changed what, when, from which return or grid, newest first: the
    force's published figures (old → new), its returns (saved, submitted,
    published), assessments (with their reasons) and its commentary and
    executive summaries. ``indicator_id`` keeps one measure's changes,
    ``return_id`` one return's.

    Figures come from the Observation history; a figure a published return's
    lines hold that the history does not record (should first inserts ever
    not be kept there) is taken from the ReturnLine, published by the
    return's publisher at its publication time, and a figure with neither
    is taken as it stands (its return's publisher and time, else when it
    was written). A change that changes nothing (same figure, status and
    note) is not listed. Queries: the indicators, the figure history, the
    returns' lines, the figures, the returns, the assessment history, the
    writing history (two) and the users: nine, however long the trail
    (every record of the force is read; ``limit`` cuts only what is
    returned)."""
    from django.contrib.auth import get_user_model

    indicators = {i["id"]: i for i in Indicator.objects.filter(force=force)
                  .values("id", "code", "name", "unit", "decimals")}
    history = Observation.history.filter(indicator_id__in=list(indicators))
    lines = ReturnLine.objects.filter(source_return__force=force, source_return__state=ReturnState.PUBLISHED)
    if indicator_id is not None:
        history = history.filter(indicator_id=indicator_id)
        lines = lines.filter(indicator_id=indicator_id)
    events: dict[tuple[int, int | None, date], list[dict]] = {}
    seen: set[tuple[int | None, int, int | None, date]] = set()
    for h in history.order_by("history_date", "history_id").values(
            "history_date", "history_id", "history_type", "history_user_id", "history_change_reason",
            "indicator_id", "area_id", "month", "source_return_id", *_FIGURE):
        seen.add((h["source_return_id"], h["indicator_id"], h["area_id"], h["month"]))
        events.setdefault((h["indicator_id"], h["area_id"], h["month"]), []).append(
            {"when": h["history_date"], "user": h["history_user_id"], "return": h["source_return_id"],
             "deleted": h["history_type"] == "-", "reason": h["history_change_reason"] or "",
             "figure": {f: h[f] for f in _FIGURE}})
    for line in lines.values("source_return_id", "source_return__published_at", "source_return__published_by_id",
                             "indicator_id", "area_id", "month", *_FIGURE):
        if (line["source_return_id"], line["indicator_id"], line["area_id"], line["month"]) in seen:
            continue
        seen.add((line["source_return_id"], line["indicator_id"], line["area_id"], line["month"]))
        events.setdefault((line["indicator_id"], line["area_id"], line["month"]), []).append(
            {"when": line["source_return__published_at"], "user": line["source_return__published_by_id"],
             "return": line["source_return_id"], "deleted": False, "reason": "",
             "figure": {f: line[f] for f in _FIGURE}})
    # a figure written without a history record at all (e.g. a bulk first insert): as it stands now
    held = Observation.objects.filter(indicator_id__in=list(indicators) if indicator_id is None else [indicator_id])
    for obs in held.values("source_return_id", "source_return__published_at", "source_return__published_by_id",
                           "updated_at", "indicator_id", "area_id", "month", *_FIGURE):
        if (obs["indicator_id"], obs["area_id"], obs["month"]) in events or not (obs["source_return__published_at"]
                                                                  or obs["updated_at"]):
            continue
        events[(obs["indicator_id"], obs["area_id"], obs["month"])] = [
            {"when": obs["source_return__published_at"] or obs["updated_at"],
             "user": obs["source_return__published_by_id"], "return": obs["source_return_id"], "deleted": False,
             "reason": "", "figure": {f: obs[f] for f in _FIGURE}}]
    returns = {r["id"]: r for r in Return.objects.filter(force=force).values(
        "id", "period", "source", "author_id", "created_at", "submitted_at", "submitted_by_id",
        "published_at", "published_by_id", "state")}
    assessments = list(Assessment.history.filter(indicator_id__in=list(indicators)).order_by(
        "history_date", "history_id").values("history_date", "history_type", "history_user_id", "id", "indicator_id",
                                             "month", "rag", "rating", "status_text", "reason"))
    if indicator_id is not None:
        assessments = [rec for rec in assessments if rec["indicator_id"] == indicator_id]
    writing = [] if indicator_id is not None or return_id is not None else _writing_history(force)
    # the plan files loaded (with who, which file and what it changed: plans.load.record_load)
    loads = [] if indicator_id is not None or return_id is not None else list(
        Plan.history.filter(force=force, history_change_reason__isnull=False).exclude(history_change_reason="")
        .values("history_date", "history_user_id", "history_change_reason", "title"))
    user_ids = ({e["user"] for evs in events.values() for e in evs} | {p["history_user_id"] for p in loads}
                | {r[k] for r in returns.values() for k in ("author_id", "submitted_by_id", "published_by_id")}
                | {rec["history_user_id"] for rec in assessments} | {w["history_user_id"] for w in writing})
    users = {u.pk: _user_label(u) for u in get_user_model().objects.filter(pk__in=user_ids - {None})}

    out: list[AuditEntry] = []
    area_names = dict(LocalArea.objects.filter(force=force).values_list("id", "name"))
    for (ind_id, area_id, month), evs in events.items():
        info = indicators[ind_id]
        previous = None
        for e in sorted(evs, key=lambda e: e["when"]):
            new = None if e["deleted"] else e["figure"]
            if new is not None and previous is not None and all(
                    (new[f] or None) == (previous[f] or None) for f in _FIGURE):
                continue                                  # nothing a reader can see changed
            if return_id is None or e["return"] == return_id:
                ret = returns.get(e["return"])
                if ret is not None:
                    source = _return_source(ret["source"])
                    what = f"published return #{ret['id']}" + (f" ({source})" if source else "")
                else:
                    what = "deleted the figure" if e["deleted"] else "edited the figure in the admin"
                out.append(AuditEntry(
                    e["when"], users.get(e["user"], ""), what, f"{info['name']}" + (f" ({area_names.get(area_id, 'local area')})" if area_id else "")
                    + f", {periods.month_label(month)}",
                    f"{_figure_words(previous, info['unit'], info['decimals'])} → "
                    f"{_figure_words(new, info['unit'], info['decimals'])}{_note_change(previous, new)}",
                    reason=e["reason"] if ret is None else "", return_id=e["return"], indicator_id=ind_id,
                    month=month))
            previous = new
    if indicator_id is None:
        for ret in returns.values():
            if return_id is not None and ret["id"] != return_id:
                continue
            source = _return_source(ret["source"])
            label = f"return #{ret['id']} ({ret['period']}" + (f", {source})" if source else ")")
            out.append(AuditEntry(ret["created_at"], users.get(ret["author_id"], ""), f"made {label}",
                                  kind="return", return_id=ret["id"]))
            if ret["submitted_at"]:
                out.append(AuditEntry(ret["submitted_at"], users.get(ret["submitted_by_id"], ""),
                                      f"submitted {label}", kind="return", return_id=ret["id"]))
    if return_id is None:
        out += _assessment_entries(assessments, indicators, users)
        for w in writing:
            out.append(AuditEntry(w["history_date"], users.get(w["history_user_id"], ""),
                                  {"+": "wrote", "~": "edited", "-": "deleted"}[w["history_type"]], w["subject"],
                                  "a draft" if w["state"] == WritingState.DRAFT else "published",
                                  reason=w["history_change_reason"] or "", kind="writing"))
    for p in loads:
        name, _, detail = p["history_change_reason"].partition(": ")
        out.append(AuditEntry(p["history_date"], users.get(p["history_user_id"], ""), f"loaded the plan file {name}",
                              p["title"], f"({detail})", kind="plan"))
    out.sort(key=lambda e: e.when, reverse=True)
    return out[:limit]


def _assessment_entries(records, indicators, users) -> list[AuditEntry]:
    out, previous = [], {}
    for rec in records:
        info = indicators[rec["indicator_id"]]
        before = previous.get(rec["id"])
        previous[rec["id"]] = rec
        shown = ("rag", "rating", "status_text", "reason")
        if before is not None and rec["history_type"] == "~" and all(before[k] == rec[k] for k in shown):
            continue
        verdict = rec["rating"].replace("-", " ") or rec["rag"] or "no rating"
        what = {"+": "set the assessment", "~": "changed the assessment", "-": "removed the assessment"}[
            rec["history_type"]]
        detail = verdict if rec["history_type"] != "-" else ""
        if rec["status_text"] and rec["history_type"] != "-":
            detail += f": {rec['status_text']}"
        out.append(AuditEntry(rec["history_date"], users.get(rec["history_user_id"], ""), what,
                              f"{info['name']}, {periods.month_label(rec['month'])}", detail,
                              reason=rec["reason"] if rec["history_type"] != "-" else "", kind="assessment",
                              indicator_id=rec["indicator_id"], month=rec["month"]))
    return out


def _writing_history(force: Force) -> list[dict]:
    out = []
    for h in (ExecutiveSummary.history.filter(force=force).order_by("history_date")
              .values("history_date", "history_type", "history_user_id", "history_change_reason", "month", "state")):
        out.append({**h, "subject": f"the executive summary, {periods.month_label(h['month'])}"})
    for h in (Commentary.history.filter(force=force).order_by("history_date")
              .values("history_date", "history_type", "history_user_id", "history_change_reason", "month", "state",
                      "priority__number", "indicator__name")):
        about = (f"priority {h['priority__number']}" if h["priority__number"] is not None
                 else h["indicator__name"] or "a measure")
        out.append({**h, "subject": f"the commentary on {about}, {periods.month_label(h['month'])}"})
    return out


# --- Local areas (SPEC §1, §4 "Local areas") ------------------------------------------------


def local_area_frame(*, force: Force) -> pd.DataFrame:
    """The force's local areas by name (engine.areas.AREA_COLUMNS). One query."""
    rows = LocalArea.objects.filter(force=force).order_by("name").values_list("id", "code", "name")
    return pd.DataFrame.from_records(list(rows), columns=a.AREA_COLUMNS)


def local_area_population_frame(*, force: Force) -> pd.DataFrame:
    """Populations of the force's local areas (engine.areas.AREA_POPULATION_COLUMNS). One query."""
    rows = LocalAreaPopulation.objects.filter(area__force=force).values_list("area_id", "year", "population")
    return pd.DataFrame.from_records(list(rows), columns=a.AREA_POPULATION_COLUMNS)


def area_observation_frame(*, force: Force, start: date, end: date, include_drafts: bool = False) -> pd.DataFrame:
    """The figures of the force's local areas from ``start`` to ``end``
    (engine.areas.AREA_OBSERVATION_COLUMNS): published ones; with
    ``include_drafts``, the lines of unpublished returns laid over them (a
    second query). One query."""
    columns = [*c.OBSERVATION_COLUMNS, "area_id"]
    qs = Observation.objects.filter(_visible(include_drafts), area__force=force, month__gte=start, month__lte=end)
    frame = pd.DataFrame.from_records(list(qs.values_list(*columns)), columns=a.AREA_OBSERVATION_COLUMNS)
    if include_drafts:
        lines = (ReturnLine.objects.filter(area__force=force, month__gte=start, month__lte=end)
                 .exclude(source_return__state=ReturnState.PUBLISHED)
                 .order_by("source_return__created_at", "source_return_id").values_list(*columns))
        pending = pd.DataFrame.from_records(list(lines), columns=a.AREA_OBSERVATION_COLUMNS)
        if len(pending):
            frame = (pd.concat([frame, pending], ignore_index=True)
                     .drop_duplicates([c.INDICATOR_ID, a.AREA_ID, c.MONTH], keep="last").reset_index(drop=True))
    return frame


def indicator_ids_with_area_figures(*, force: Force) -> set[int]:
    """The force's indicators that have a figure for some local area. One query."""
    return set(Observation.objects.filter(area__force=force).order_by().values_list("indicator_id", flat=True)
               .distinct())


def local_area_by_code(*, force: Force, code: str) -> LocalArea | None:
    """The force's local area with this code, or None. One query."""
    return LocalArea.objects.filter(force=force, code=code).order_by().first()


def priority_local_areas(*, plan: Plan) -> list[tuple[int, str, list[int]]]:
    """The plan's priorities, in order, with the ids of the local areas that
    chose each as their own: (number, title, [area ids]). One query."""
    out: dict[int, tuple[int, str, list[int]]] = {}
    for number, title, area_id in (StrategicPriority.objects.filter(plan=plan).order_by("number")
                                   .values_list("number", "title", "local_areas__id")):
        entry = out.setdefault(number, (number, title, []))
        if area_id is not None:
            entry[2].append(area_id)
    return list(out.values())


def area_template_inputs(*, force: Force, indicators, months: list[date]):
    """What a template's local-area rows or sheets are built from: the
    measures the plan breaks down by area (those with local figures), the
    force's local areas, and their figures held over ``months``, published
    or in a draft; or ``([], None, None)`` when no measure is broken down.
    Three queries."""
    broken_down = indicator_ids_with_area_figures(force=force)
    measures = [ind for ind in indicators if ind.id in broken_down]
    if not measures:
        return [], None, None
    return (measures, local_area_frame(force=force),
            area_observation_frame(force=force, start=months[0], end=months[-1], include_drafts=True))
