"""SPEC §6 on the pages and in the panel report: what a reader sees for a
current plan's measures, loaded as analysts load them (load_plan, then
import_return --publish).

Essex (fixtures/current, a real force's published figures; see
tests/test_real_current_plan.py): confidence in the local police was 75.0%
for the 12 months to December 2022, down 5.1 points on 80.1% a year earlier
and up 10.3 points on 64.7% in the 12 months to December 2019; the plan sets
``assessment: none`` and lists its priority directly (one level).

Northshire (../shared/examples, invented): a one-level plan rated by
significance with a rank (2nd of 43), a 101 wait (31 s), a survey score
(6.4 / 10, interval 6.1 to 6.7), a quarterly percentage, annual counts and a
definition change (gun-crime-ex-air 87 in 2023/24 against 91 restated for
2022/23: −4, −4.4%; it replaces gun-crime).
"""

import re
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from indicators.models import Force, Plan
from reports.report import build_pdf, build_report

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
ESSEX_PLAN, ESSEX_RETURN = ROOT / "fixtures/current/essex.plan.yaml", ROOT / "fixtures/current/essex.return.csv"
EXAMPLES = ROOT.parent / "shared" / "examples"
if not (EXAMPLES / "plan-current.yaml").exists():          # a worktree beside /work/shared
    EXAMPLES = Path("/work/shared/examples")
MINUS = "\u2212"
EMPTY_HEADING = re.compile(r"<h[1-6][^>]*>\s*</h[1-6]>")


def load(plan: Path, *returns: Path) -> None:
    call_command("load_plan", str(plan), stdout=StringIO())
    for file in returns:
        call_command("import_return", str(file), "--publish", stdout=StringIO(), stderr=StringIO())


@pytest.fixture
def essex(db):
    load(ESSEX_PLAN, ESSEX_RETURN)


@pytest.fixture
def northshire(db, tmp_path):
    # one figure of the old definition, so the indicator page has an old series to show beside the new
    old = tmp_path / "old.csv"
    old.write_text("force,indicator,month,value,numerator,denominator,status,note\n"
                   "northshire,gun-crime,2022-03,150,,,final,2021/22 with air weapons\n", encoding="utf-8")
    load(EXAMPLES / "plan-current.yaml", EXAMPLES / "return-current.csv", old)


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return response.content.decode()


def row_of(html: str, name: str) -> str:
    """The measures-table row that names ``name`` (the first table showing it)."""
    start = html.index(f">{name}</a></th>")
    return html[html.rindex('<tr role="row">', 0, start):html.index("</tr>", start)]


def text(html: str) -> str:
    """The words a reader sees: tags and screen-reader-only text removed, spaces collapsed."""
    html = re.sub(r'<span class="visually-hidden">.*?</span>', "", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#x27;", "'").replace("&amp;", "&")


# --- Essex: a real force's figures -------------------------------------------------------------------

def test_essex_dashboard_shows_the_span_the_figure_its_comparison_and_the_baseline(essex, client):
    html = page(client, "/essex/?period=2023-02")
    row = text(row_of(html, "Confidence in the local police (independent survey commissioned by Essex Police), "
                            "12 months to the quarter"))
    assert "rolling year to Dec 2022 75.0%" in row
    assert "rolling year to Dec 2021 80.1%" in row
    assert f"{MINUS}5.1 pts" in row                       # down 5.1 percentage points, as published
    assert "12 months to December 2019 64.7%" in row
    assert "+10.3 pts" in row                             # up 10.3 points on the pre-pandemic year
    assert "stale" not in row
    # a quarterly measure has no year to date to show
    assert "YTD" not in row


def test_a_plan_with_no_verdicts_shows_no_rating_no_rag_and_no_not_rated(essex, client):
    for url in ("/essex/?period=2023-02", "/essex/priorities/1/?period=2023-02", "/essex/report/?period=2023-02"):
        html = page(client, url)
        assert "Not rated" not in html, url
        assert 'class="col-rating"' not in html and 'class="col-rag"' not in html, url
        assert "Rating (no ratings)" not in html, url
        assert 'rating=none' not in html, url                  # no rating counts to filter by
        assert "Significance" in html, url                     # the comparisons' significance is still shown


def test_a_one_level_plan_has_no_area_heading(essex, northshire, client):
    for url in ("/essex/?period=2023-02", "/essex/priorities/1/?period=2023-02", "/essex/report/?period=2023-02",
                "/northshire/?period=2024-12", "/northshire/report/?period=2024-12",
                "/northshire/priorities/3/?period=2024-12"):
        html = page(client, url)
        assert not EMPTY_HEADING.search(html), url
        assert "Area of focus 1" not in html, url
        assert "One area of focus" not in html, url            # theme mode is "one priority" instead


def test_essex_indicator_page_has_the_latest_figure_in_words(essex, client):
    html = page(client, "/essex/indicators/confidence/?period=2023-02")
    latest = text(html[html.index('id="latest-heading"'):html.index("</section>", html.index('id="latest-heading"'))])
    assert "Rolling year to Dec 2022 75.0%" in latest
    assert ("Compared with the 12 months to the same quarter a year earlier: rolling year to Dec 2021, 80.1%"
            in latest)
    assert f"Change: {MINUS}5.1 pts" in latest
    assert "12 months to December 2019: 64.7%" in latest and "Change: +10.3 pts" in latest
    assert "Data as at the end of December 2022" in latest
    # the figures table names each figure's span, and "as at" is not a dash for a figure older than the year to date
    assert '<th scope="row">rolling year to Dec 2022</th><td>75.0%</td>' in html
    state = html[html.index('<dl class="state">'):html.index("</dl>", html.index('<dl class="state">'))]
    assert "<dt>Data as at</dt><dd>—</dd>" not in state


# --- Northshire: the example plan's units, spans and definition change ------------------------------------

def test_example_dashboard_shows_each_unit_in_its_own_form(northshire, client):
    html = page(client, "/northshire/?period=2024-12")
    assert "2nd of 43" in text(row_of(html, "National rank, 999 calls answered within 10 seconds (1 = best)"))
    assert "Nov 2023 – Apr 2024" in text(row_of(html, "National rank, 999 calls answered within 10 seconds (1 = best)"))
    wait = text(row_of(html, "Average wait to answer a 101 call"))
    assert "31 s" in wait
    survey = text(row_of(html, "Public survey: confidence in the police (score out of 10)"))
    assert "Sep 2024 – Nov 2024 6.4 / 10" in survey
    assert "95% interval 6.1 to 6.7" in survey
    assert "No earlier figure to compare with" in survey        # the first wave: why there is no comparison
    calls = text(row_of(html, "999 calls answered within 10 seconds"))
    assert "Q1 2024/25 90.0%" in calls and "Target 90.0%" in calls
    violence = text(row_of(html, "Violence with injury"))
    assert "rolling year to Dec 2024" in violence
    assert "YTD" in violence and "last YTD" in violence          # SPEC §6: still shown for monthly measures
    assert "year ending June 2019" in violence                  # its baseline, with why there is no figure for it


def test_example_annual_measures_compare_with_the_year_before_and_the_baseline(northshire, client):
    html = page(client, "/northshire/priorities/1/?period=2024-12")
    gun = text(row_of(html, "Firearms offences, excluding air weapons"))
    assert "2023/24 87" in gun and "2022/23 91" in gun
    assert f"{MINUS}4 ({MINUS}4.4%)" in gun
    homicide = text(row_of(html, "Murder and other homicides"))
    assert "2023/24 12" in homicide
    assert "year ending March 2020 11" in homicide and "+1 (+9.1%)" in homicide


def test_a_figure_past_its_time_is_marked_stale_in_words(northshire, client):
    name = "999 calls answered within 10 seconds"
    fresh = row_of(page(client, "/northshire/priorities/3/?period=2024-12"), name)   # June + 2 quarters
    assert "tag-stale" not in fresh
    stale = row_of(page(client, "/northshire/priorities/3/?period=2025-01"), name)
    assert ">stale<" in stale
    assert "ended more than 2 quarters before January 2025" in stale


def test_a_measure_listed_under_two_priorities_is_one_headline_measure(northshire, client):
    html = page(client, "/northshire/?period=2024-12")
    summary = html[html.index('id="summary-heading"'):html.index('id="report-heading"')]
    assert summary.count(">Violence with injury</a></th>") == 1


def test_indicator_page_shows_spans_intervals_and_the_series_a_definition_replaces(northshire, client):
    survey = page(client, "/northshire/indicators/survey-confidence/?period=2024-12")
    assert "Compared with the previous survey wave" in survey
    assert "No comparison: No earlier figure to compare with" in survey
    assert '<th scope="row">Sep 2024 – Nov 2024</th><td>6.4 / 10</td><td>6.1 to 6.7</td>' in survey

    gun = text(page(client, "/northshire/indicators/gun-crime-ex-air/?period=2024-12"))
    assert "Compared with the year before: 2022/23, 91" in gun
    assert f"Change: {MINUS}4 ({MINUS}4.4%)" in gun
    assert "Before the change of definition: Firearms offences, including air weapons (definition to March 2023)" in gun
    assert "New definition from April 2023" in gun
    assert "air weapon offences no longer counted" in gun
    assert "2021/22 150 Final" in gun                          # the old code's figure, beside the new series

    rank = text(page(client, "/northshire/indicators/calls-999-rank/?period=2024-12"))
    assert "Nov 2023 – Apr 2024 2nd of 43" in rank


def test_a_plans_rating_labels_replace_the_rating_words(northshire, client):
    Plan.objects.filter(force__slug="northshire").update(
        assessment="targets", rating_labels={"green": "Content", "amber": "Requires additional scrutiny"})
    html = page(client, "/northshire/?period=2024-12")
    assert "Content" in text(row_of(html, "999 calls answered within 10 seconds"))
    assert 'rating=green"><span class="rag rating-good rag-green"><span class="rag-shape" aria-hidden="true">●</span> Content' \
        in html
    assert "Requires additional scrutiny" in html                   # the key and the counts
    indicator = page(client, "/northshire/indicators/calls-999-10s/?period=2024-12")
    assert "Content" in text(indicator) and " Green" not in text(indicator)
    # the API keeps the SPEC's values
    api = client.get("/api/forces/northshire/indicators/calls-999-10s/?period=2024-12").json()
    assert api["rag"] == "green"


# --- The panel report ---------------------------------------------------------------------------------------

def test_the_report_shows_the_spans_and_no_area_heading(northshire):
    html = build_report(force=Force.objects.get(slug="northshire"), period=date(2024, 12, 1))
    assert "Q1 2024/25" in html and "rolling year to Dec 2024" in html and "2023/24" in html
    assert "Sep 2024 – Nov 2024" in html and "6.4 / 10" in html and "2nd of 43" in html
    assert not EMPTY_HEADING.search(html)
    assert "Area of focus 1" not in html
    assert '<a href="#area-1">Priorities</a>' in html              # the contents list names the section
    assert 'class="data measures measures-current"' in html
    assert build_pdf(html).startswith(b"%PDF")


def test_the_compact_pack_gives_each_measure_its_span_and_change(northshire):
    html = build_report(force=Force.objects.get(slug="northshire"), period=date(2024, 12, 1), mode="compact")
    glance = text(html[html.index('id="at-a-glance"'):html.index("</section>", html.index('id="at-a-glance"'))])
    assert "Latest figure" in glance and "Change on last YTD" not in glance
    assert f"2023/24: 87 {MINUS}4 ({MINUS}4.4%)" in glance
    assert "Q1 2024/25: 90.0%" in glance
    assert "Area of focus" not in glance


def test_a_measure_under_two_priorities_is_counted_once_in_every_count(northshire):
    from indicators import selectors
    from reports.plan_results import plan_results
    from reports.tables import attention, rag_counts, rating_counts

    Plan.objects.filter(force__slug="northshire").update(assessment="targets")
    force = Force.objects.get(slug="northshire")
    plan = selectors.plan_for(force=force, period=date(2024, 12, 1))
    perf = plan_results(force, plan, date(2024, 12, 1), False)
    listed = [perf.results[m.indicator_id] for m in perf.measures]
    distinct = {r.id for r in listed}
    assert len(listed) > len(distinct)                                # Violence with injury is listed twice
    assert sum(c["count"] for c in rating_counts(listed, "targets")) == len(distinct)
    assert sum(c["count"] for c in rag_counts(listed)) == len(distinct)
    bad, good = attention(listed, force_slug="northshire", period=date(2024, 12, 1))
    names = [item.result.name for item in bad + good]
    assert len(names) == len(set(names))


def test_theme_mode_of_a_one_level_plan_reports_one_priority(northshire, client):
    from reports.report import ReportError
    force = Force.objects.get(slug="northshire")
    plan = Plan.objects.get(force=force)
    priorities = {p.number: p for a in plan.areas.all() for p in a.priorities.all()}
    html = build_report(force=force, period=date(2024, 12, 1), mode="theme", theme=3)
    assert f"Priority 3: {priorities[3].title}" in text(html)
    assert "999 calls answered within 10 seconds" in html                 # a measure of priority 3
    others = [p for n, p in priorities.items() if n != 3]
    assert not any(f'Measures for priority {p.number}"' in html or f"Measures for priority {p.number}<" in html
                   for p in others)
    with pytest.raises(ReportError, match="it has no areas of focus, so --theme names one of its priorities"):
        build_report(force=force, period=date(2024, 12, 1), mode="theme", theme=99)
    dashboard = page(client, "/northshire/?period=2024-12")
    assert "One priority:" in dashboard and f'<option value="3">3. {priorities[3].title}</option>' in dashboard


def test_a_measure_says_how_its_figures_are_filed(northshire, client):
    assert "ratio of quarterly figures" in page(client, "/northshire/indicators/calls-999-10s/?period=2024-12")
    assert "sum of monthly figures" in page(client, "/northshire/indicators/vwi/?period=2024-12")
    rank = page(client, "/northshire/indicators/calls-999-rank/?period=2024-12")
    assert "latest of figures for irregular spans (survey waves, one-off releases)" in rank
    html = build_report(force=Force.objects.get(slug="northshire"), period=date(2024, 12, 1))
    assert "<td>Sum of annual figures</td>" in html and "of monthly figures</td>" in html


def test_a_benchmark_is_shown_beside_the_measure_and_can_be_the_headline(northshire, client):
    """The England and Wales series of the 999 measure, filed like a peer's
    (SPEC §6 Benchmarks): Northshire's Q1 2024/25 90.0% (41,230 of 45,810)
    against England and Wales's 2,000,000 of 2,300,000 = 86.96%: +3.0 pts."""
    from indicators import models
    from indicators.plans.benchmarks import ensure_benchmark_forces

    ew = ensure_benchmark_forces()["england-and-wales"]
    series = models.Indicator.objects.create(force=ew, code="calls-999-10s", name="999 in 10 s, England and Wales",
                                             unit="percent", decimals=1, aggregation="ratio", polarity="up",
                                             frequency="quarterly")
    models.Observation.objects.create(indicator=series, month=date(2024, 6, 1), first_month=date(2024, 4, 1),
                                      numerator=2_000_000, denominator=2_300_000)
    models.Indicator.objects.filter(force__slug="northshire", code="calls-999-10s").update(
        benchmarks=["england-and-wales"])
    calls = text(row_of(page(client, "/northshire/?period=2024-12"), "999 calls answered within 10 seconds"))
    assert "England and Wales: 87.0% +3.0 pts" in calls, calls

    models.Indicator.objects.filter(force__slug="northshire", code="calls-999-10s").update(compare="benchmark")
    api = client.get("/api/forces/northshire/indicators/calls-999-10s/?period=2024-12").json()
    assert api["compare"]["basis"] == "benchmark"
    assert api["benchmarks"][0]["force"] == "england-and-wales"
    assert round(api["benchmarks"][0]["difference"], 2) == round(100 * 41230 / 45810 - 100 * 2e6 / 2.3e6, 2)
    headline = text(row_of(page(client, "/northshire/?period=2024-12"), "999 calls answered within 10 seconds"))
    assert "England and Wales" in headline and "87.0%" in headline, headline


def test_the_plans_method_is_described_by_each_measures_own_comparison(northshire, client):
    words = text(page(client, "/northshire/?period=2024-12"))
    assert ("this plan judges each measure's latest figure against the one it is compared with (the same months "
            "last year, the rolling year before, the same quarter a year earlier, the wave before)") in words
    assert "a significance test of the measure's own comparison" in words
    assert "year to date against the same months last year" not in words


def test_a_period_beyond_the_data_is_the_one_the_menu_shows(northshire, client):
    html = page(client, "/northshire/?period=2026-01")
    menu = re.search(r'<select[^>]*id="period-select".*?</select>', html, re.S).group(0)
    assert '<option value="2026-01" selected>January 2026</option>' in menu
    assert menu.index('value="2026-01"') < menu.index('value="2024-')            # newest first, in its place
