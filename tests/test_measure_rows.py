"""The measures table's rows are drawn by one string format per row
(``measure_rows`` in reports/templatetags/pccperf.py) rather than a template
loop. Both must give the same bytes: this renders every measures table of
the demo's pages (every force's dashboard, priorities, reports) through the
template loop the rows had before (kept here as the reference) and through
the page's template, and compares them."""

import pytest
from django.template import Context, Template
from django.template.loader import get_template

from reports.tables import MeasuresTable

pytestmark = pytest.mark.django_db

# The rows of reports/_measures_table.html as a template loop, as they were drawn before.
REFERENCE = """{% load pccperf %}{% for row in table.rows %}{% with r=row.result %}
    <tr role="row"><td role="cell" class="col-headline">{% if row.headline %}<span aria-hidden="true">*</span><span class="visually-hidden">Headline measure</span>{% endif %}</td><th scope="row" role="rowheader" class="col-name">{% if row.url %}<a href="{{ row.url }}">{{ r.name }}</a>{% else %}{{ r.name }}{% endif %}</th><td role="cell" class="col-wording" data-label="Overall target">{% if r.target.wording %}{{ r.target.wording }}{% else %}—{% endif %}</td><td role="cell" class="col-target_value" data-label="YTD target">{% if r.target.kind == "change" or r.target.kind == "absolute" %}{% if r.target.value is None %}{% missing "Needs last year's figure" %}{% else %}{{ r.target.value|measure:r }}{% endif %}{% else %}<span class="muted">{{ row.target_label }}</span>{% endif %}</td><td role="cell" class="col-ytd" data-label="YTD">{% if r.ytd is None %}{% missing r.ytd_reason %}{% else %}{{ r.ytd|measure:r }}{% endif %}</td><td role="cell" class="col-last_ytd" data-label="Last YTD">{% if r.last_ytd is None %}{% missing r.last_ytd_reason %}{% else %}{{ r.last_ytd|measure:r }}{% endif %}</td><td role="cell" class="col-change_pct" data-label="Change">{% if r.change_pct is None and r.change_pts is None %}{% missing "Needs this year's and last year's figures" %}{% else %}{{ r|change }}{% endif %}</td>{% if table.method != "targets" %}<td role="cell" class="col-rating" data-label="Rating ({{ table.method_label|lower }})">{% rating_badge r %}{% illustrative_mark r.rating.illustrative %}</td>{% endif %}<td role="cell" class="col-rag" data-label="RAG">{% rag_badge r row.rag_reason %}{% illustrative_mark r|rag_illustrative %}</td><td role="cell" class="col-variation" data-label="SPC variation">{% variation_icon r size=28 %} <span class="{{ row.variation_class }}">{{ row.variation }}</span>{% if r.spc.variation is not None %}{% illustrative_mark r.illustrative.spc %}{% endif %}</td><td role="cell" class="col-significance" data-label="Significance"><span class="sig-{{ r.significance.result }}">{{ row.significance }}</span>{% illustrative_mark r|significance_illustrative %}</td><td role="cell" class="col-footnote" data-label="Note">{% if row.footnote %}<a href="#{{ table.footnote_prefix }}-{{ row.footnote }}" class="fn-mark"><span class="visually-hidden">Note </span>{{ row.footnote }}</a>{% endif %}</td></tr>
    {% endwith %}{% empty %}
    <tr role="row"><td role="cell" colspan="12" class="empty">No measures.</td></tr>
    {% endfor %}"""


def tables_in(value, found):
    if isinstance(value, MeasuresTable):
        found.append(value)
    elif isinstance(value, dict):
        for item in value.values():
            tables_in(item, found)
    elif isinstance(value, list | tuple):
        for item in value:
            tables_in(item, found)
    elif hasattr(value, "__dict__") and type(value).__module__.startswith("reports"):
        tables_in(vars(value), found)
    return found


def body(html: str) -> str:
    start = html.index('<tbody role="rowgroup">\n    ') + len('<tbody role="rowgroup">\n    ')
    return html[start:html.index("\n  </tbody>", start)]


def test_every_measures_table_of_the_demo_draws_the_same_bytes_as_the_template_loop(client, demo):
    from indicators.models import Force

    tables = []
    for slug in Force.objects.order_by("slug").values_list("slug", flat=True):
        for url in (f"/{slug}/", f"/{slug}/priorities/1/", f"/{slug}/report/?mode=full&download=1",
                    f"/{slug}/report/?mode=exceptions&download=1", f"/{slug}/?period=2013-04"):
            response = client.get(url)
            if response.status_code == 200 and response.context is not None:
                for context in response.context:
                    tables_in(context.flatten(), tables)
    assert len(tables) > 20
    methods = {t.method for t in tables}
    assert len(methods) > 1, methods                        # a plan rated otherwise than by the RAG, too
    assert any(row.footnote for t in tables for row in t.rows)
    assert any(row.headline for t in tables for row in t.rows)
    reference = Template(REFERENCE)
    page = get_template("reports/_measures_table.html")
    for table in tables:
        drawn, expected = body(page.render({"table": table})), reference.render(Context({"table": table}))
        if drawn != expected:
            at = next((i for i, (a, b) in enumerate(zip(drawn, expected)) if a != b), min(len(drawn), len(expected)))
            pytest.fail(f"{table.caption}: {drawn[at - 200:at + 200]!r}\n  expected {expected[at - 200:at + 200]!r}")


def test_an_empty_table_says_no_measures_as_before():
    table = MeasuresTable("Nothing", "fn-x")
    html = get_template("reports/_measures_table.html").render({"table": table})
    assert body(html) == Template(REFERENCE).render(Context({"table": table}))
    assert '<td role="cell" colspan="12" class="empty">No measures.</td>' in html


# The icon summary's rows (reports/_mdc_summary.html) as a template loop, as they were drawn before.
MDC_REFERENCE = """{% load pccperf %}{% for row in mdc_rows %}{% with r=row.result %}<tr><th scope="row">{% if row.url %}<a href="{{ row.url }}">{{ r.name }}</a>{% else %}{{ r.name }}{% endif %}</th><td>{{ row.month }}</td><td>{{ row.value|measure:r }}</td><td>{{ r.spc.mean|measure:r }}</td><td>{% variation_icon r text=True %}{% illustrative_mark r.illustrative.spc %}</td><td>{% if r.spc.assurance %}{% assurance_icon r text=True %}{% else %}<span class="muted">No absolute target</span>{% endif %}</td></tr>{% endwith %}{% endfor %}"""


def test_the_icon_summary_of_every_demo_dashboard_draws_the_same_bytes_as_the_template_loop(client, demo):
    from indicators.models import Force

    summaries = []
    for slug in Force.objects.order_by("slug").values_list("slug", flat=True):
        for url in (f"/{slug}/", f"/{slug}/?period=2013-04", f"/{slug}/?period=2014-03"):
            response = client.get(url)
            if response.status_code == 200 and response.context is not None and response.context.get("mdc_rows"):
                summaries.append((response.context["mdc_rows"], response.content.decode()))
    assert len(summaries) >= 3
    rows = [row for found, _ in summaries for row in found]
    assert any(row["result"].spc.assurance for row in rows) and any(not row["result"].spc.assurance for row in rows)
    reference = Template(MDC_REFERENCE)
    for found, html in summaries:
        start = html.index('<table class="data compact mdc-summary">')
        drawn = html[html.index("<tbody>", start) + len("<tbody>"):html.index("</tbody>", start)]
        assert drawn == reference.render(Context({"mdc_rows": found}))
