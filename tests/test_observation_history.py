"""The lean Observation history (issue 17, docs/decisions.md): publishing a
first value writes no history row (the Observation and its Return hold the
value, who and when); the first change writes it first, so every revision
keeps who, when, the old value, the new value and the return."""

from datetime import date

import pytest
from django.utils import timezone

from indicators import models
from indicators.returns.file import check_rows, read_table
from indicators.returns.workflow import catalogue_for, publish_return, stage
from tests.factories import make_user
from tests.test_import_return import EXAMPLE, plan  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def publish(text: str, user, source="return.csv"):
    head, body = read_table(text.encode(), source)
    rows = check_rows(head, body, catalogue_for(None), today=timezone.localdate())
    return stage(rows, user=user, source=source, publish=True)


def vwi_may(force):
    return models.Observation.objects.get(indicator__force=force, indicator__code="vwi", month=date(2013, 5, 1))


def test_a_first_value_is_held_by_its_observation_and_return_not_a_history_row(plan):  # noqa: F811
    alice = make_user("alice", superuser=True)
    summary = publish(EXAMPLE, alice)
    obs = vwi_may(plan)
    assert models.Observation.history.count() == 0
    ret = obs.source_return
    assert (obs.value, ret.published_by, ret.source, ret.state) == (498, alice, "return.csv", "published")
    assert abs((obs.updated_at - ret.published_at).total_seconds()) < 5
    assert ret in summary.returns


def test_a_revision_keeps_the_first_value_who_and_when_then_the_change(plan):  # noqa: F811
    alice, bob = make_user("alice", superuser=True), make_user("bob", superuser=True)
    first = publish(EXAMPLE, alice).returns
    first_ret = next(r for r in first if r.force == plan)
    revised = EXAMPLE.replace("west-mercia,vwi,2013-05,498,,,final,", "west-mercia,vwi,2013-05,512,,,final,Revised")
    second = next(r for r in publish(revised, bob, "v2.csv").returns if r.force == plan)
    obs = vwi_may(plan)
    history = list(obs.history.order_by("history_date", "history_id"))
    first_ret.refresh_from_db()
    assert [(h.history_type, h.value, h.history_user, h.source_return_id, h.history_change_reason)
            for h in history] == [
        ("+", 498, alice, first_ret.pk, f"Published from return {first_ret.pk} ({first_ret.period})"),
        ("~", 512, bob, second.pk, f"Published from return {second.pk} ({second.period})")]
    assert history[0].history_date == first_ret.published_at < history[1].history_date
    # Only the revised figure has history; the five unchanged ones still have none.
    assert models.Observation.history.count() == 2
    # A third publication adds one row: the first value is written once.
    third = revised.replace("2013-05,512,,,final,Revised", "2013-05,515,,,final,Revised again")
    publish(third, alice, "v3.csv")
    assert [h.value for h in vwi_may(plan).history.order_by("history_date", "history_id")] == [498, 512, 515]


def test_publishing_a_draft_return_over_a_figure_keeps_the_first_value(plan):  # noqa: F811
    alice = make_user("alice", superuser=True)
    publish(EXAMPLE, alice)
    revised = EXAMPLE.replace("west-mercia,vwi,2013-05,498,,,final,", "west-mercia,vwi,2013-05,500,,,final,")
    head, body = read_table(revised.encode(), "draft.csv")
    rows = check_rows(head, body, catalogue_for(None), today=timezone.localdate())
    draft = next(r for r in stage(rows, user=alice, source="draft.csv").returns if r.force == plan)
    publish_return(draft, user=alice)
    assert [(h.history_type, h.value) for h in vwi_may(plan).history.order_by("history_date", "history_id")] == [
        ("+", 498), ("~", 500)]


def test_an_admin_edit_of_a_figure_without_history_keeps_its_first_value(plan):  # noqa: F811
    alice = make_user("alice", superuser=True)
    publish(EXAMPLE, alice)
    obs = vwi_may(plan)
    ret = obs.source_return
    obs.value = 499
    obs.save()
    history = list(obs.history.order_by("history_date", "history_id"))
    assert [(h.history_type, h.value, h.history_user, h.source_return_id) for h in history][0] == (
        "+", 498, alice, ret.pk)
    assert [h.value for h in history] == [498, 499]
    obs.value = 500
    obs.save()                                       # the first value is not written twice
    assert [h.value for h in obs.history.order_by("history_date", "history_id")] == [498, 499, 500]


def test_the_indicator_page_lists_a_revision_of_a_bulk_published_figure(plan, client):  # noqa: F811
    alice = make_user("alice", superuser=True)
    publish(EXAMPLE, alice)
    publish(EXAMPLE.replace("west-mercia,vwi,2013-05,498,,,final,", "west-mercia,vwi,2013-05,512,,,final,"), alice,
            "v2.csv")
    html = client.get("/west-mercia/indicators/vwi/?period=2013-06").content.decode()
    assert "May 2013: revised from 498 to 512 on" in html


def test_bulk_published_figures_read_back_exactly(plan):  # noqa: F811
    """COPY's text format on PostgreSQL (bulk_create elsewhere): a note with a
    tab, a backslash, a quote and a line break, and a float with many digits,
    read back as written."""
    note = 'Split\tacross "two" systems\\n: see\nthe March note'
    text = EXAMPLE.replace("west-mercia,vwi,2013-06,507,,,provisional,Awaiting quality assurance",
                           f'west-mercia,vwi,2013-06,507,,,provisional,"{note.replace(chr(34), chr(34) * 2)}"')
    text = text.replace("west-mercia,vwi-solved,2013-04,,281,512,final,",
                        "west-mercia,vwi-solved,2013-04,54.882812500000004,281,512,final,")
    publish(text, make_user("alice", superuser=True))
    june = models.Observation.objects.get(indicator__force=plan, indicator__code="vwi", month=date(2013, 6, 1))
    assert (june.value, june.numerator, june.status, june.note) == (507.0, None, "provisional", note)
    april = models.Observation.objects.get(indicator__force=plan, indicator__code="vwi-solved",
                                           month=date(2013, 4, 1))
    assert (april.value, april.numerator, april.denominator) == (54.882812500000004, 281.0, 512.0)
    gone = models.Observation.objects.get(indicator__force=plan, indicator__code="vwi-solved", month=date(2013, 6, 1))
    assert (gone.value, gone.status, gone.note) == (None, "unavailable", "Outcome data delayed by system migration")
