"""The state of a page's figures ("as at", counts of figures, illustrative,
provisional and draft ones) counted from the rows read for the engine
(`selectors.performance_inputs_with_state`) is exactly `selectors.data_state`'s
aggregate, with and without drafts; the months menu's PostgreSQL query gives
the ORM's months."""

from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.db.models import Q

from indicators import models, periods, selectors
from indicators.engine import columns as c
from reports.plan_results import _engine_frame
from tests.factories import make_force, make_indicator, make_observation, make_return

pytestmark = pytest.mark.django_db

MONTHS = [date(2012, 4, 1), date(2012, 11, 1), date(2013, 3, 1), date(2013, 4, 1), date(2013, 5, 1),
          date(2013, 6, 1), date(2013, 7, 1)]


def _world():
    force = make_force()
    peer = make_force(slug="peer", name="Peer")
    force.msg_peers.add(peer)
    published = make_return(force, published_at=datetime(2013, 8, 2, 9, 30, 15, 123456, tzinfo=UTC))
    later = make_return(force, period="2013/14 Q2", published_at=datetime(2013, 9, 1, 12, tzinfo=UTC))
    demo = make_return(force, period="demo", is_demo=True, published_at=None)
    draft = make_return(force, period="draft", state=models.ReturnState.DRAFT)
    indicators = [make_indicator(force, code=f"ind-{i}", name=f"Indicator {i}", msg=(i == 0)) for i in range(4)]
    make_indicator(peer, code="ind-0", name="Indicator 0", msg=True)
    sources = [published, later, demo, None, draft]
    for i, ind in enumerate(indicators):
        for k, month in enumerate(MONTHS):
            source = sources[(i + k) % len(sources)]
            status = ["final", "provisional", "final", "unavailable"][(i * 3 + k) % 4]
            make_observation(ind, month, None if status == "unavailable" else 10.0 + k, status=status,
                             note="Not recorded" if status == "unavailable" else "", source_return=source,
                             illustrative=source is demo)
    # an unpublished line over a published month, one in a month with no figure, one outside the window
    models.ReturnLine.objects.create(source_return=draft, indicator=indicators[1], month=date(2013, 5, 1), value=7)
    models.ReturnLine.objects.create(source_return=draft, indicator=indicators[2], month=date(2013, 8, 1), value=8)
    models.ReturnLine.objects.create(source_return=draft, indicator=indicators[3], month=date(2010, 1, 1), value=9)
    # the same period of another force's figures must not count
    models.Observation.objects.filter(indicator__force=peer).delete()
    return force, indicators


@pytest.mark.parametrize("drafts", [False, True])
@pytest.mark.parametrize("period", [date(2013, 5, 1), date(2013, 7, 1), date(2013, 8, 1), date(2012, 12, 1)])
def test_state_from_the_engine_rows_is_the_aggregate(drafts, period):
    force, indicators = _world()
    for ind in indicators:
        ind.force = force
    frame = _engine_frame(indicators, set())
    first = periods.ytd_months(period)[0]
    inputs, state = selectors.performance_inputs_with_state(force=force, indicators=frame, period=period,
                                                             include_drafts=drafts, rating_method="targets",
                                                             state_first=first)
    expected = selectors.data_state(indicator_ids=list(frame[c.ID]), first=first, last=period,
                                    include_drafts=drafts)
    assert state == expected
    assert state["as_at"] is None or (state["as_at"].tzinfo is not None
                                      and state["as_at"].utcoffset() == expected["as_at"].utcoffset())
    # the engine's rows are those performance_inputs reads
    plain = selectors.performance_inputs(force=force, indicators=frame, period=period, include_drafts=drafts,
                                         rating_method="targets")
    # (as sets of rows: two queries without ORDER BY may meet the rows in different orders on PostgreSQL
    # under load, which the engine does not depend on; CI saw it once)
    def rows(frame):
        return frame.sort_values([c.INDICATOR_ID, c.MONTH], kind="stable", ignore_index=True)
    assert rows(plain.observations).equals(rows(inputs.observations))
    assert list(plain.observations.dtypes) == list(inputs.observations.dtypes)


def test_the_world_has_every_kind_of_figure():
    """So the comparison above is not of zeros."""
    force, indicators = _world()
    period = date(2013, 7, 1)
    ids = [i.id for i in indicators]
    published = selectors.data_state(indicator_ids=ids, first=date(2013, 4, 1), last=period, include_drafts=False)
    with_drafts = selectors.data_state(indicator_ids=ids, first=date(2013, 4, 1), last=period, include_drafts=True)
    assert published["as_at"] >= datetime(2013, 9, 1, 12, tzinfo=UTC)   # or a figure written without a return
    assert published["figures"] and published["illustrative"] and published["provisional"]
    assert with_drafts["drafts"] > published["drafts"] == 0


def test_months_with_data():
    force, indicators = _world()
    # a force with no figure at all
    empty = make_force(slug="empty", name="Empty")
    make_indicator(empty, code="x", name="X")
    for f in (force, empty):
        published = (models.Observation.objects.filter(area__isnull=True, indicator__force=f)
                     .filter(Q(source_return__isnull=True)
                             | Q(source_return__state=models.ReturnState.PUBLISHED))
                     .exclude(status="unavailable").values_list("month", flat=True))
        assert selectors.months_with_data(force=f) == sorted(set(published), reverse=True)
    assert selectors.months_with_data(force=empty) == []
    months = selectors.months_with_data(force=force)
    assert months and months == sorted(months, reverse=True)
    if connection.vendor == "postgresql":
        assert selectors._months_with_data_pg(force) == months


def test_plan_pages_read_the_peers_figures_for_12_months_only_and_evaluate_the_same(demo):
    """`performance_inputs_with_state` reads the MSG peers' figures for the
    rolling 12 months only (all the engine reads of them); every result of the
    force's own indicators is what the full window gives."""
    from indicators.engine.performance import evaluate, window_start
    from reports.plan_results import plan_measures

    compared = peers_trimmed = 0
    for slug in selectors.force_slugs_with_plans():
        force = models.Force.objects.get(slug=slug)
        for period in selectors.months_with_data(force=force)[::9]:
            plan = selectors.plan_for(force=force, period=period)
            measures = plan_measures(plan)
            indicators = list({m.indicator_id: m.indicator for m in measures}.values())
            frame = _engine_frame(indicators, {m.indicator_id for m in measures if m.headline})
            ids = list(frame[c.ID])
            trimmed, _ = selectors.performance_inputs_with_state(
                force=force, indicators=frame, period=period, rating_method=plan.assessment,
                state_first=periods.ytd_months(period)[0])
            full = selectors.performance_inputs(force=force, indicators=frame, period=period,
                                                rating_method=plan.assessment)
            peer_rows = ~trimmed.observations[c.INDICATOR_ID].isin(ids)
            assert (trimmed.observations.loc[peer_rows, c.MONTH] >= periods.rolling_12_months(period)[0]).all()
            peers_trimmed += len(full.observations) - len(trimmed.observations)
            assert window_start(period) < periods.rolling_12_months(period)[0]
            assert ([r.to_api() for r in evaluate(trimmed, period=period, indicator_ids=ids, monthly=False)]
                    == [r.to_api() for r in evaluate(full, period=period, indicator_ids=ids, monthly=False)])
            compared += 1
    assert compared > 10 and peers_trimmed > 0


def test_the_peer_list_and_populations_in_one_query_are_the_two_queries(demo):
    """`_peers_and_populations` gives the peer list of ``force.msg_peers`` and
    `population_frame`'s rows for the force and those peers (none without peers)."""
    from django.test.utils import CaptureQueriesContext

    compared = 0
    for force in models.Force.objects.all():
        for with_peers in (True, False):
            with CaptureQueriesContext(connection) as queries:
                peers, populations = selectors._peers_and_populations(force=force, with_peers=with_peers)
            assert len(queries) == 1
            expected_peers = list(force.msg_peers.values_list("slug", flat=True)) if with_peers else []
            expected = selectors.population_frame(force_slugs=[force.slug, *expected_peers])
            assert peers == expected_peers
            assert populations.equals(expected) and list(populations.dtypes) == list(expected.dtypes)
            compared += bool(peers) and len(populations) > 1
    assert compared >= 3
