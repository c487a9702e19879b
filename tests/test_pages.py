"""The pages of SPEC §4 on the demo data: what a panel member reads."""

import re

import pytest

pytestmark = pytest.mark.django_db


def page(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def text(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_home_shows_headline_rag_counts_per_plan(client, demo):
    html = page(client, "/")
    assert "West Mercia Police" in html and "Headline measures to June 2013" in html
    assert 'aria-label="Headline ratings for West Mercia Police (against targets)"' in html


def test_dashboard_shows_the_plan_period_state_and_every_priority(client, demo):
    html = page(client, "/west-mercia/")
    words = text(html)
    assert "Police and Crime Plan for West Mercia 2013-2017" in words
    assert "2013/14 to the end of June 2013 (2013/14 Q1)" in words
    assert "Data as at" in words and "Published" in words
    for number in range(1, 12):
        assert f'id="priority-{number}"' in html
    assert "Aim 2: Reduce crime and disorder" in words
    # the headline summary carries the seed figures
    for figure in ["15,015", "15,138", "15,769", "1,517", "1,639", "13,800", "14,155", "519", "688", "74.2%", "75.0%"]:
        assert figure in words, figure
    assert "Green" in words and "Amber" in words


def test_dashboard_rag_is_text_and_shape_not_colour_alone(client, demo):
    html = page(client, "/west-mercia/")
    assert re.search(r'class="rag rag-amber"[^>]*><span class="rag-shape" aria-hidden="true">▲</span> Amber', html)
    assert re.search(r'class="rag rag-green"[^>]*><span class="rag-shape" aria-hidden="true">●</span> Green', html)
    assert "(manual)" in html                     # seed assessments are marked as manual


def test_dashboard_negative_changes_use_a_real_minus_sign(client, demo):
    words = text(page(client, "/west-mercia/"))
    assert "\u22129.3%" in words and "-9.3%" not in words


def test_dashboard_period_selector_lists_only_months_with_data(client, demo):
    html = page(client, "/west-mercia/")
    options = re.findall(r'<option value="(\d{4}-\d{2})"', html)
    assert options[0] == "2013-06" and options[-1] == "2010-04"
    assert 'value="2013-07"' not in html
    assert '<label for="period-select">' in html


def test_dashboard_at_an_earlier_period(client, demo):
    words = text(page(client, "/west-mercia/?period=2013-05"))
    assert "2013/14 to the end of May 2013" in words


def test_priority_page_has_measures_commentary_and_charts_with_tables(client, demo):
    html = page(client, "/west-mercia/priorities/2/")
    words = text(html)
    assert "2. To reduce the volume of violent crime" in words
    assert "An initial scoping exercise has commenced" in words          # commentary
    assert html.count('class="chart"') == 4                             # trend + SPC for the two charted measures
    assert "Month by month, 2013/14 and 2012/13" in words
    assert "Show the data in this chart" in words
    assert 'id="trend-vwi-data" type="application/json"' in html
    assert "vendor/plotly/plotly.min.js" in html and "cdn" not in html.lower()


def test_priority_footnotes_are_listed_under_the_table(client, demo):
    html = page(client, "/west-mercia/priorities/5/")
    assert 'href="#fn-1"' in html and 'id="fn-1"' in html
    assert "Data is published quarterly" in html


def test_indicator_page_explains_spc_msg_and_offers_csv(client, demo):
    html = page(client, "/west-mercia/indicators/vwi/")
    words = text(html)
    assert "1,517" in words and "1,672" in words and "Significant improvement" in words
    assert "p = 0.0064" in words
    assert "Most Similar Group comparison" in words and "of 8" in words
    assert "Rolling 12 months" in words and "Projected outturn" in words
    assert "/api/forces/west-mercia/observations.csv?indicator=vwi" in html
    assert "less 2% of 2012/13 outturn" in words                      # target history
    assert "Illustrative" in words                                      # demo values labelled


def test_indicator_page_gives_the_reason_for_a_null(client, demo):
    words = text(page(client, "/west-mercia/indicators/iom-drug-tests/"))
    assert "June 2013 unavailable: Tests published to the end of May 2013 only" in words


def test_csv_for_one_indicator(client, demo):
    response = client.get("/api/forces/west-mercia/observations.csv?indicator=vwi&from=2013-04")
    lines = response.content.decode().strip().splitlines()
    assert len(lines) == 4 and all(",vwi," in line for line in lines[1:])


@pytest.mark.parametrize("url", ["/atlantis/", "/west-mercia/priorities/99/", "/west-mercia/indicators/nope/",
                                 "/atlantis/indicators/vwi/"])
def test_unknown_things_are_404(client, demo, url):
    page(client, url, 404)


@pytest.mark.parametrize("url", ["/west-mercia/?period=2013-13", "/west-mercia/priorities/2/?period=June",
                                 "/west-mercia/indicators/vwi/?period=2999-01"])
def test_bad_period_is_400_with_a_message(client, demo, url):
    html = page(client, url, 400)
    assert "That period cannot be shown" in html and "YYYY-MM" in html
