"""The engine's inputs read two at a time in one query give what the two
reads gave, dtypes and order included: the targets with the assessments,
the MSG peers' indicators with the peer list and populations."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from indicators import models, selectors
from indicators.engine import columns as c
from tests.factories import make_force, make_indicator

pytestmark = pytest.mark.django_db


def target_frame(*, indicator_ids):
    """The targets as the ORM reads them (what the paired query replaced)."""
    rows = models.Target.objects.filter(indicator_id__in=indicator_ids).order_by().values_list(*selectors.TARGET_FIELDS)
    return pd.DataFrame.from_records(list(rows), columns=c.TARGET_COLUMNS)


def assessment_frame(*, indicator_ids, month):
    """One month's assessments as the ORM reads them."""
    rows = (models.Assessment.objects.filter(indicator_id__in=indicator_ids, month=month).order_by()
            .values_list(*selectors.ASSESSMENT_FIELDS))
    return pd.DataFrame.from_records(list(rows), columns=c.ASSESSMENT_COLUMNS)


def test_targets_and_assessments_in_one_query(django_assert_num_queries):
    force = make_force()
    inds = [make_indicator(force, code=f"ind-{n}") for n in range(3)]
    other = make_indicator(make_force(slug="essex", name="Essex Police"), code="ind-0")
    for ind in [*inds[:2], other]:
        models.Target.objects.create(indicator=ind, financial_year="2013/14", kind="change", value=-2.5, tolerance=5)
    models.Target.objects.create(indicator=inds[1], financial_year="2014/15", kind="milestone", value=1,
                                 wording="Deliver the hub", due=date(2014, 9, 30))
    june, may = date(2013, 6, 1), date(2013, 5, 1)
    models.Assessment.objects.create(indicator=inds[0], month=june, rag="green", reason="On track")
    models.Assessment.objects.create(indicator=inds[2], month=june, rating="improvement", status_text="Better")
    models.Assessment.objects.create(indicator=inds[1], month=may, rag="red")
    models.Assessment.objects.create(indicator=other, month=june, rag="amber")
    ids = [i.id for i in inds]
    for month, n_assessments in ((june, 2), (may, 1), (date(2013, 7, 1), 0)):
        with django_assert_num_queries(1):
            targets, assessments = selectors._targets_and_assessments(indicator_ids=ids, months=[month])
        expected_t = target_frame(indicator_ids=ids)
        expected_a = assessment_frame(indicator_ids=ids, month=month)
        assert len(targets) == 3 and len(assessments) == n_assessments
        key_t, key_a = ["indicator_id", "financial_year"], ["indicator_id"]
        assert targets.sort_values(key_t).reset_index(drop=True).equals(
            expected_t.sort_values(key_t).reset_index(drop=True))
        assert assessments.sort_values(key_a).reset_index(drop=True).equals(
            expected_a.sort_values(key_a).reset_index(drop=True))
        assert list(targets.dtypes) == list(expected_t.dtypes)
        assert list(assessments.dtypes) == list(expected_a.dtypes)
    assert set(targets["due"].dropna()) == {date(2014, 9, 30)}
    # several months at once (the home page: each force at its own period): each month's assessments
    with django_assert_num_queries(1):
        targets, assessments = selectors._targets_and_assessments(indicator_ids=ids, months=[may, june])
    assert len(targets) == 3
    both = assessments.sort_values(["month", "indicator_id"]).reset_index(drop=True)
    expected = pd.concat([assessment_frame(indicator_ids=ids, month=m) for m in (may, june)],
                         ignore_index=True).sort_values(["month", "indicator_id"]).reset_index(drop=True)
    assert both.equals(expected) and list(both["rag"]) == ["red", "green", ""]
    with django_assert_num_queries(1):
        targets, assessments = selectors._targets_and_assessments(indicator_ids=[], months=[june])
    assert targets.empty and assessments.empty
    with django_assert_num_queries(1):
        targets, assessments = selectors._targets_and_assessments(indicator_ids=ids, months=[])
    assert len(targets) == 3 and assessments.empty


def test_peers_indicators_and_populations_in_one_query(django_assert_num_queries):
    main = make_force(slug="west-mercia", name="West Mercia Police")
    codes = ["ind-a", "ind-b"]
    # peers named out of id order, one without populations; a bystander with the same codes
    for slug, name, years in (("zeta", "Zeta Police", (2013, 2012)), ("alpha", "Alpha Police", ()),
                              ("mid", "Mid Police", (2012,)), ("by", "Bystander", (2012,))):
        force = make_force(slug=slug, name=name)
        if slug != "by":
            main.msg_peers.add(force)
        for year in years:
            models.ForcePopulation.objects.create(force=force, year=year, population=1000 + year)
        for code in (*reversed(codes), "other"):
            make_indicator(force, code=code, msg=code != "other", decimals=1)
    models.ForcePopulation.objects.create(force=main, year=2012, population=5)
    for asked in (codes, codes[:1], ["nowhere"]):
        with django_assert_num_queries(1):
            frame, peers, populations = selectors._peers_with_populations(force=main, codes=asked)
        expected = selectors._peer_indicators(force=main, codes=asked)
        expected_peers, expected_populations = selectors._peers_and_populations(force=main, with_peers=True)
        assert frame.equals(expected) and list(frame.dtypes) == list(expected.dtypes)
        assert peers == expected_peers == ["alpha", "mid", "zeta"]
        assert populations.equals(expected_populations)
        assert list(populations.dtypes) == list(expected_populations.dtypes)
    frame, _, populations = selectors._peers_with_populations(force=main, codes=codes)
    assert list(zip(frame["force"], frame["code"], strict=True)) == [
        ("alpha", "ind-a"), ("alpha", "ind-b"), ("mid", "ind-a"), ("mid", "ind-b"), ("zeta", "ind-a"), ("zeta", "ind-b")]
    assert list(zip(populations["force"], populations["year"], strict=True)) == [
        ("mid", 2012), ("west-mercia", 2012), ("zeta", 2012), ("zeta", 2013)]
