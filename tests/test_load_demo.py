"""load_demo: the seed forces, with every published figure reproduced exactly."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Sum
from hypothesis import given
from hypothesis import strategies as st

from indicators import models
from indicators.dataio.demo import split_total
from tests.factories import make_return

pytestmark = pytest.mark.django_db


def total(force, code, first, last, field="value"):
    return (models.Observation.objects
            .filter(indicator__force__slug=force, indicator__code=code, month__gte=first, month__lte=last,
                    area__isnull=True)
            .aggregate(t=Sum(field))["t"])


def ratio(force, code, first, last):
    return 100 * total(force, code, first, last, "numerator") / total(force, code, first, last, "denominator")


@pytest.mark.parametrize("code,ytd,last_ytd", [
    ("all-crime", 15015, 15769), ("vwi", 1517, 1672), ("asb", 13800, 14745),
    ("domestic-burglary", 519, 702), ("ksi", 100, 100), ("hate-crimes", 184, 172),
    ("repeat-da-incidents", 2724, 2784),
])
def test_west_mercia_q1_2013_14_totals_reproduce(demo, code, ytd, last_ytd):
    assert total("west-mercia", code, date(2013, 4, 1), date(2013, 6, 1)) == ytd
    assert total("west-mercia", code, date(2012, 4, 1), date(2012, 6, 1)) == last_ytd


@pytest.mark.parametrize("code,pct", [
    ("priority-response", 74.2), ("vwi-solved", 54.9), ("burglary-solved", 26.0), ("sso-solved", 34.3),
    ("emergency-response", 95.9), ("victim-satisfaction", 86.5),
])
def test_west_mercia_ytd_rates_reproduce_to_the_published_decimal(demo, code, pct):
    assert ratio("west-mercia", code, date(2013, 4, 1), date(2013, 6, 1)) == pytest.approx(pct, abs=1e-9)


def test_west_mercia_public_confidence_is_the_published_latest_value(demo):
    obs = models.Observation.objects.get(indicator__force__slug="west-mercia", indicator__code="public-confidence",
                                         month=date(2013, 6, 1))
    assert obs.value == 69.1 and obs.note.startswith("Published figure")


@pytest.mark.parametrize("code,ytd,change_pct", [
    ("all-crime", 15243, 0.8), ("domestic-burglary", 930, 15.8), ("vap-injury", 1021, -4.4),
    ("tfmv", 1326, 3.3), ("tomv", 315, 18.9),
])
def test_leicestershire_q1_2014_15_totals_and_changes_reproduce(demo, code, ytd, change_pct):
    this = total("leicestershire", code, date(2014, 4, 1), date(2014, 6, 1))
    last = total("leicestershire", code, date(2013, 4, 1), date(2013, 6, 1))
    assert this == ytd
    assert round(100 * (this - last) / last, 1) == change_pct


def test_essex_apr_2012_to_jan_2013_reductions_reproduce(demo):
    crime = total("essex", "all-crime", date(2011, 4, 1), date(2012, 1, 1)) - total("essex", "all-crime", date(2012, 4, 1), date(2013, 1, 1))
    asb = total("essex", "asb", date(2011, 4, 1), date(2012, 1, 1)) - total("essex", "asb", date(2012, 4, 1), date(2013, 1, 1))
    assert crime == 4336 and asb == 4143
    last_crime = total("essex", "all-crime", date(2011, 4, 1), date(2012, 1, 1))
    last_asb = total("essex", "asb", date(2011, 4, 1), date(2012, 1, 1))
    assert round(100 * crime / last_crime, 1) == 4.9 and round(100 * asb / last_asb, 1) == 8.0


def test_demo_has_the_seed_plans_shapes(demo):
    shapes = {p.force.slug: (p.areas.count(), p.priorities.count(), p.area_label) for p in models.Plan.objects.all()}
    # Essex: its 8 priorities and the 18 Community Safety Partnership priorities of Annex A (issue 18)
    # Dyfed-Powys (issue 31): a one-level plan, its three priorities in one untitled area
    assert shapes == {"west-mercia": (4, 11, "Aim"), "leicestershire": (4, 18, "Theme"), "essex": (8, 26, "Area of focus"),
                      "dyfed-powys": (1, 3, "Area of focus")}
    headline = models.PriorityIndicator.objects.filter(priority__plan__force__slug="west-mercia", headline=True)
    assert headline.count() == 9


def test_at_least_36_months_of_history_for_spc(demo):
    months = models.Observation.objects.filter(indicator__force__slug="west-mercia", indicator__code="all-crime")
    assert months.count() >= 36
    months = models.Observation.objects.filter(indicator__force__slug="essex", indicator__code="all-crime",
                                               month__lte=date(2014, 3, 1), area__isnull=True)
    assert months.count() >= 36


def test_every_demo_value_says_whether_it_is_illustrative_or_published(demo):
    rows = models.Observation.objects.exclude(status="unavailable").values_list("note", "illustrative")
    assert rows and all(n.startswith(("Illustrative", "Published")) for n, _ in rows)
    # the flag is the note's, figure by figure: "Illustrative monthly split" included (issue 24, item 4)
    assert all(flag == note.startswith("Illustrative") for note, flag in rows)
    assert all(models.Return.objects.filter(is_demo=True).values_list("state", flat=True))


def test_state_of_the_data_counts_every_illustrative_figure(demo, client):
    """West Mercia's June 2013 said "4 of 67 figures illustrative" where 56 of
    its 67 carry an "Illustrative monthly split" or "Illustrative" note."""
    page = client.get("/west-mercia/?period=2013-06").content.decode()
    assert "<dt>State of the data</dt><dd>Published; 56 of 67 figures illustrative</dd>" in page


def test_essex_panel_meetings_follow_the_seed_schedule(demo):
    meetings = list(models.PanelMeeting.objects.filter(force__slug="essex").values_list("date", "period", "mode"))
    assert meetings == [
        (date(2013, 12, 12), date(2013, 10, 1), "full"),
        (date(2014, 1, 29), date(2013, 11, 1), "exceptions"),
        (date(2014, 2, 20), date(2013, 12, 1), "full"),
        (date(2014, 6, 19), date(2014, 3, 1), "full"),
    ]


def test_msg_peers_have_populations_and_illustrative_figures(demo):
    leics = models.Force.objects.get(slug="leicestershire")
    assert sorted(leics.msg_peers.values_list("slug", flat=True)) == [
        "bedfordshire", "essex", "hampshire", "hertfordshire", "kent", "nottinghamshire", "sussex"]
    assert models.ForcePopulation.objects.get(force__slug="leicestershire", year=2014).population == 1043436
    kent = models.Observation.objects.filter(indicator__force__slug="kent", indicator__code="tomv",
                                             month__range=(date(2013, 7, 1), date(2014, 6, 1)))
    assert kent.count() == 12 and all(o.note.startswith("Illustrative MSG peer") for o in kent)


def test_load_demo_is_deterministic_and_a_second_run_writes_nothing(demo):
    before = list(models.Observation.objects.order_by("indicator__force__slug", "indicator__code", "month")
                  .values_list("indicator__code", "month", "value", "numerator", "denominator"))
    history = models.Observation.history.count()
    call_command("load_demo", stdout=StringIO())
    after = list(models.Observation.objects.order_by("indicator__force__slug", "indicator__code", "month")
                 .values_list("indicator__code", "month", "value", "numerator", "denominator"))
    assert after == before
    assert models.Observation.history.count() == history


def test_load_demo_keeps_an_analysts_figures(demo):
    obs = models.Observation.objects.get(indicator__force__slug="west-mercia", indicator__code="vwi", month=date(2013, 6, 1))
    analyst_return = make_return(obs.indicator.force, period="2013/14 Q1 revision")
    obs.value, obs.source_return, obs.note = 999, analyst_return, "Revised"
    obs.save()
    call_command("load_demo", stdout=StringIO())
    obs.refresh_from_db()
    assert obs.value == 999 and obs.source_return == analyst_return


def test_load_demo_reports_what_it_did(demo):
    assert "west-mercia: plan 'Police and Crime Plan for West Mercia 2013-2017' — 49 indicators" in demo
    assert "Demo loaded: 4 forces" in demo     # the three seed forces and Dyfed-Powys (issue 31)


@given(st.integers(0, 100000), st.lists(st.floats(0.01, 10), min_size=1, max_size=24))
def test_split_total_adds_up_exactly(total_, weights):
    parts = split_total(total_, weights)
    assert sum(parts) == total_ and len(parts) == len(weights) and min(parts) >= 0


# --- issue 14, item 6: a truthful demo ------------------------------------------------------------

def test_west_mercia_police_cadets_last_year_is_28_not_282(demo):
    """Seed 003 prints "282 ²": 28 with its footnote marker 2 run into the number."""
    cadets = dict(models.Observation.objects.filter(indicator__force__slug="west-mercia",
                                                    indicator__code="police-cadets").values_list("month", "value"))
    assert cadets == {date(2012, 6, 1): 28.0, date(2013, 6, 1): 28.0}


def test_each_demo_plan_says_how_its_measures_are_rated(demo):
    methods = dict(models.Plan.objects.values_list("force__slug", "assessment"))
    assert methods == {"west-mercia": "targets", "leicestershire": "significance", "essex": "significance",
                       "dyfed-powys": "significance"}


def test_demo_milestones_have_no_direction(demo):
    milestones = models.Indicator.objects.filter(force__is_demo=True, targets__kind="milestone").distinct()
    assert milestones.count() == 10
    assert set(milestones.values_list("polarity", flat=True)) == {"neutral"}


def test_every_demo_force_has_a_meeting_schedule_with_the_seeds_dates(demo):
    meetings = {slug: list(models.PanelMeeting.objects.filter(force__slug=slug).values_list("date", "period", "notes"))
                for slug in ("west-mercia", "leicestershire")}
    assert meetings["leicestershire"] == [
        (date(2014, 9, 29), date(2014, 6, 1), "Quarter 1 performance report")]
    # seed 003 covers April-June 2013 but is undated: the date is illustrative, and says so
    [(day, period, notes)] = meetings["west-mercia"]
    assert (day, period) == (date(2013, 9, 17), date(2013, 6, 1))
    assert "illustrative date" in notes
    assert models.PanelMeeting.objects.filter(force__slug="essex").count() == 4


def test_seed_figures_are_in_a_return_published_on_the_seeds_date_and_generated_ones_in_one_never_published(demo):
    from django.utils import timezone

    returns = {(r.force.slug, r.period): r for r in models.Return.objects.filter(is_demo=True).select_related("force")}
    local = {key: timezone.localtime(r.published_at).strftime("%Y-%m-%d %H:%M") if r.published_at else None
             for key, r in returns.items() if key[0] in ("west-mercia", "leicestershire", "essex")}
    assert local == {
        ("west-mercia", "Demo data (published figures)"): "2013-09-17 00:00",
        ("west-mercia", "Demo data (illustrative)"): None,
        ("leicestershire", "Demo data (published figures)"): "2014-09-29 00:00",
        ("leicestershire", "Demo data (illustrative)"): None,
        ("leicestershire", "Demo MSG peer data (illustrative)"): None,
        ("essex", "Demo data (published figures)"): "2013-03-31 00:00",
        ("essex", "Demo data (illustrative)"): None,
        ("essex", "Demo MSG peer data (illustrative)"): None,
    }
    obs = models.Observation.objects.filter(indicator__force__slug="west-mercia")
    # a published total's monthly split is in the published return; generated history is not
    vwi = dict(obs.filter(indicator__code="vwi").values_list("month", "source_return__period"))
    assert vwi[date(2013, 5, 1)] == vwi[date(2012, 5, 1)] == "Demo data (published figures)"
    assert vwi[date(2011, 5, 1)] == "Demo data (illustrative)"
    essex = models.Observation.objects.filter(indicator__force__slug="essex").exclude(
        source_return__period="Demo MSG peer data (illustrative)")
    assert set(essex.exclude(indicator__code="savings").values_list("source_return__period", flat=True)) == {
        "Demo data (illustrative)"}
    assert essex.get(indicator__code="savings").source_return.period == "Demo data (published figures)"


def test_data_as_at_is_when_the_figures_were_published_not_when_the_demo_was_loaded(demo):
    from django.utils import timezone

    from indicators import selectors

    def state(slug, first, last):
        ids = list(models.Indicator.objects.filter(force__slug=slug).values_list("id", flat=True))
        return selectors.data_state(indicator_ids=ids, first=first, last=last, include_drafts=False)

    wm = state("west-mercia", date(2013, 4, 1), date(2013, 6, 1))
    assert timezone.localtime(wm["as_at"]).date() == date(2013, 9, 17)
    assert 0 < wm["illustrative"] < wm["figures"]
    leics = state("leicestershire", date(2014, 4, 1), date(2014, 6, 1))
    assert timezone.localtime(leics["as_at"]).date() == date(2014, 9, 29)
    # Essex 2013/14: every figure generated, none published, so no "as at"
    essex = state("essex", date(2013, 4, 1), date(2014, 3, 1))
    assert essex["as_at"] is None and essex["illustrative"] == essex["figures"] > 0


def test_essex_default_period_labels_its_figures_illustrative_not_published(demo, client):
    page = client.get("/essex/").content.decode()
    state = page[page.index('<dl class="state">'):page.index("</dl>")]
    assert "Published" not in state
    assert "Illustrative</span> generated for the demo, not published" in state
    assert "Every figure for this period was generated for the demo; none is a published statistic" in state
    assert "— (illustrative figures are never published)" in state


def test_west_mercia_state_says_published_on_the_seeds_date(demo, client):
    page = client.get("/west-mercia/").content.decode()
    state = page[page.index('<dl class="state">'):page.index("</dl>")]
    assert "<dd>17 September 2013</dd>" in state
    assert "Published figures with illustrative monthly splits and history" in state
    assert "figures illustrative" in state


def test_msg_peers_are_marked_illustrative_and_the_chart_says_so(demo, client):
    from indicators import selectors

    names = selectors.force_names(slugs=["leicestershire", "kent", "essex"])
    assert names == {"leicestershire": "Leicestershire Police", "kent": "Kent Police", "essex": "Essex Police"}
    assert names.illustrative == {"leicestershire", "kent", "essex"}
    page = client.get("/leicestershire/indicators/tomv/").content.decode()
    assert ("Illustrative: the peer forces&#x27; figures were generated for the demo, so their rates, the "
            "average and this ranking are not published statistics.") in page


def test_nte_spc_baseline_starts_when_its_recording_did(demo, client):
    """Night-time-economy incidents were first recorded in April 2013 (seed 004)."""
    page = client.get("/leicestershire/indicators/nte-incidents/").content.decode()
    assert "from the baseline April 2013 to March 2014" in page
    assert "April 2012" not in page.split("Is the change real?")[1].split("Monthly figures")[0]


def test_panel_reports_state_what_their_figures_are(demo, client):
    essex = client.get("/essex/report/?period=2014-03&mode=full").content.decode()
    assert "<dt>State of the data</dt><dd>Illustrative: generated for the demo, not published</dd>" in essex
    assert "<dt>Data as at</dt><dd>— (illustrative figures are never published)</dd>" in essex
    leics = client.get("/leicestershire/report/?period=2014-06&mode=full").content.decode()
    assert "<dt>Data as at</dt><dd>29 September 2014</dd>" in leics
    # Counted per figure (issue 24, item 4): every monthly split of a published total is
    # illustrative, as are the satisfaction rates' generated April and May; 15 figures are the
    # seed's own (published single figures and declared-unavailable months are not counted).
    assert "<dt>State of the data</dt><dd>Published; 48 of 63 figures illustrative</dd>" in leics


def test_a_milestone_shows_no_tolerance_on_its_page(demo, client):
    """Milestones have no direction and no tolerance (issue 14, item 6): the
    targets table shows a dash, while a numeric target keeps its 5 %."""
    page = client.get("/west-mercia/indicators/police-cadets/?period=2013-06").content.decode()
    row = page[page.index("<th scope=\"row\">2013/14</th>"):]
    row = row[:row.index("</tr>")]
    assert "Milestone" in row and "%" not in row and "—" in row
    numeric = client.get("/west-mercia/indicators/all-crime/?period=2013-06").content.decode()
    row = numeric[numeric.index("<th scope=\"row\">2013/14</th>"):]
    assert "5.0%" in row[:row.index("</tr>")]
