"""The grid's part of issue 28 (the analyst's quarter with nothing to guess),
server side: measures expecting no figure left out and not counted (item 2),
rows left out never read as emptied, every problem linked to its cell from
a summary that takes the focus (item 3), and one set of number rules whose
wording the grid's errors follow (item 9). Paste by name is in
tests/browser/test_grid_by_name_browser.py."""

import re

import pytest

from indicators import models
from indicators.returns.grid import NUMBER_RULES, grid_message
from tests import test_grid_entry as entry
from tests.test_grid_entry import Q1, cell_html, form_of, ind, key

pytestmark = pytest.mark.django_db
plan, analyst, publish = entry.plan, entry.analyst, entry.publish        # the grid tests' fixtures


def rows_of(html: str) -> list[str]:
    return re.findall(r'<tr [^>]*data-code="([^"]+)"', html)


def test_a_measure_expecting_no_figure_is_left_out_and_not_counted(analyst, client):
    html = client.get(Q1).content.decode()
    # alcohol-strategy is a milestone: rated by assessment, no monthly figure
    assert rows_of(html) == ["vwi", "vwi-solved"]
    assert "1 measure expecting no monthly figure (a milestone, a measure reported in words) is not shown" in html
    assert 'href="/admin/indicators/return/grid/?force=west-mercia&amp;quarter=2013%2F14+Q1&amp;all=1">' \
           'Show all measures</a>' in html
    assert "Filled: <strong>0 of 2</strong> measures (every month) · 0 of 6 figures" in html

    shown = client.get(Q1 + "&all=1").content.decode()
    assert rows_of(shown) == ["vwi", "vwi-solved", "alcohol-strategy"]
    assert "not expected: a milestone, rated by assessment; not counted" in shown
    assert 'data-code="alcohol-strategy" data-expected="0"' in shown
    assert "Filled: <strong>0 of 2</strong> measures (every month) · 0 of 6 figures" in shown   # shown, not counted
    assert ">Show only the measures expecting figures</a>" in shown
    assert '<input type="hidden" name="all" value="1">' in shown           # the picker keeps the switch


def test_saving_without_the_hidden_rows_saves_the_others_and_keeps_them_as_they_are(analyst, client):
    form = form_of(client.get(Q1).content.decode())
    assert not any(ind("alcohol-strategy").id == int(name.split("-")[-3]) for name in form if name.count("-") >= 3)
    form[f"value-{key('vwi', '2013-04')}"] = "4,920"
    assert client.post(Q1, form).status_code == 302
    assert list(models.ReturnLine.objects.values_list("indicator__code", "value")) == [("vwi", 4920)]


def test_a_row_the_form_does_not_carry_is_never_read_as_emptied(analyst, client, publish):
    """A milestone with a figure is shown (its cell holds something); a form
    without its inputs (a page opened before the figure was filed, or a
    script's post) leaves the figure held as it is."""
    publish("west-mercia,alcohol-strategy,2013-04,1,,,,\n")
    html = client.get(Q1).content.decode()
    assert "alcohol-strategy" in rows_of(html)
    form = {name: value for name, value in form_of(html).items() if str(ind("alcohol-strategy").id) not in name}
    form[f"value-{key('vwi', '2013-04')}"] = "512"
    response = client.post(Q1, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert models.Observation.objects.get(indicator__code="alcohol-strategy").value == 1
    draft = models.Return.objects.get(state="draft")
    assert list(draft.lines.values_list("indicator__code", "value")) == [("vwi", 512)]     # the milestone unchanged


def test_every_problem_is_linked_to_its_cell_from_a_summary_that_takes_the_focus(analyst, client):
    form = form_of(client.get(Q1).content.decode())
    bad, ratio = key("vwi", "2013-05"), key("vwi-solved", "2013-06")
    form[f"value-{bad}"] = "n/a"
    form[f"numerator-{ratio}"] = "600"
    form[f"denominator-{ratio}"] = "500"
    html = client.post(Q1, form).content.decode()
    summary = html[html.index('id="grid-summary"'):]
    summary = summary[:summary.index("</div>")]
    assert 'tabindex="-1" autofocus' in summary
    assert "Nothing was saved: 2 problems." in summary
    assert (f'<li><a href="#value-{bad}">Violent crime with injury, May 2013</a>: value: &#x27;n/a&#x27; is not a '
            "number; write a number such as 512, 4,920 or 55.2</li>") in summary, summary
    assert f'<a href="#numerator-{ratio}">Solved rate for violent crime with injury, June 2013</a>: ' in summary
    # the cell's own message says the same, and the anchors are the inputs' ids
    assert "write a number such as 512, 4,920 or 55.2" in cell_html(html, bad)
    assert f'id="value-{bad}"' in html and f'id="numerator-{ratio}"' in html
    assert "plain decimal" not in html


def test_one_set_of_number_rules_said_in_the_help(analyst, client):
    html = client.get(Q1).content.decode()
    assert html.count("Thousands separators are accepted (4,920)") == 1
    assert '<p class="help number-rules" id="number-rules">' in html
    assert "plain decimal" not in NUMBER_RULES


@pytest.mark.parametrize("message, expected", [
    ("'n/a' is not a number; write a plain decimal such as 512 or 55.2",
     "'n/a' is not a number; write a number such as 512, 4,920 or 55.2"),
    ("'12,34' has a thousands separator; write it as 1234",
     "'12,34' has commas that do not separate thousands; write it as 512, 4,920 or 55.2"),
    ("'1,5' has a decimal comma; write it with a dot: 1.5", "'1,5' has a decimal comma; write it with a dot: 1.5"),
])
def test_the_files_advice_in_the_grids_words(message, expected):
    assert grid_message(message) == expected
