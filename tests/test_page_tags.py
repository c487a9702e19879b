"""The dashboard's remaining per-row template loops are drawn in one pass by
tags in reports/templatetags/pccperf.py (``measures_table``,
``priority_sections``, ``attention_items``, ``rating_count_items``). Each must
give the bytes the template gave: this renders the loops as they were (kept
here as the reference) and the tags, on every demo dashboard and report
(anonymous and superuser, filtered and not) and on edge cases: nothing to
list, and text that needs escaping."""

from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.template.loader import get_template
from django.utils.safestring import mark_safe

from reports.tables import MeasuresTable
from tests.test_measure_rows import tables_in

pytestmark = pytest.mark.django_db

# dashboard.html's loop over an area's priorities, as it was.
PRIORITIES_REFERENCE = """{% for priority, table in tables %}
  <section class="priority" aria-labelledby="priority-{{ priority.number }}">
    <h3 id="priority-{{ priority.number }}"><a href="{% url 'reports:priority' force.slug priority.number %}?period={{ period_param }}">{{ priority.number }}. {{ priority.title }}</a></h3>
    {% include "reports/_measures_table.html" %}
  </section>
  {% endfor %}"""

# reports/_attention.html's loops, as they were.
ATTENTION_REFERENCE = """{% load pccperf %}{% for item in items %}<li>{% if item.url %}<a href="{{ item.url }}">{{ item.result.name }}</a>{% else %}{{ item.result.name }}{% endif %}: {{ item.why }}.{% illustrative_mark item.illustrative %}</li>{% endfor %}"""

# reports/_rating_counts.html's loop, as it was.
COUNTS_REFERENCE = """{% for c in counts %}<li>{% if c.url %}<a class="count-link" href="{{ c.url }}"{% if c.key == filter_rating %} aria-current="true"{% endif %}>{% endif %}<span class="rag rating-{{ c.tone }} rag-{{ c.key }}"><span class="rag-shape" aria-hidden="true">{{ c.shape }}</span> {{ c.label }}</span> <strong>{{ c.count }}</strong>{% if c.url %}<span class="visually-hidden"> (show only these)</span></a>{% endif %}</li>{% endfor %}"""

TAGS = Template("{% load pccperf %}{% if which == 'table' %}{% measures_table table %}"
                "{% elif which == 'priorities' %}{% priority_sections tables force period_param %}"
                "{% elif which == 'attention' %}{% attention_items items %}"
                "{% else %}{% rating_count_items counts %}{% endif %}")


def same(which: str, reference: str | None, **context):
    """The tag's bytes and the reference's (the template file when ``reference`` is None)."""
    drawn = TAGS.render(Context({"which": which, **context}))
    expected = (get_template("reports/_measures_table.html").render(context) if reference is None
                else Template(reference).render(Context(context)))
    if drawn != expected:
        at = next((i for i, (a, b) in enumerate(zip(drawn, expected)) if a != b), min(len(drawn), len(expected)))
        pytest.fail(f"{which}: {drawn[max(at - 200, 0):at + 200]!r}\n  expected {expected[max(at - 200, 0):at + 200]!r}")
    return drawn


def flat(contexts) -> dict:
    return {key: contexts[key] for key in contexts.keys()}


@pytest.fixture
def demo_contexts(client, demo, django_user_model):
    """The contexts of every demo dashboard and panel report, as anonymous and as a superuser (who sees drafts)."""
    from indicators.models import Force

    found = []
    admin = django_user_model.objects.create_superuser("tags-admin", "tags@example.org", "x")
    for login in (False, True):
        if login:
            client.force_login(admin)
        for slug in Force.objects.order_by("slug").values_list("slug", flat=True):
            for query in ("", "?period=2013-04", "?period=2024-03", "?show=attention", "?rating=red",
                          "?rating=green", "?rating=amber", "?period=2024-03&rating=amber&show=attention"):
                response = client.get(f"/{slug}/{query}")
                if response.status_code == 200:
                    found.append(flat(response.context))
            for mode in ("full", "exceptions", "compact"):
                response = client.get(f"/{slug}/report/?mode={mode}&download=1")
                if response.status_code == 200:
                    found.append(flat(response.context))
    assert len(found) > 40
    return found


def test_every_demo_measures_table_draws_the_template_file_s_bytes(demo_contexts):
    tables = tables_in(demo_contexts, [])
    assert len(tables) > 50
    assert len({t.method for t in tables}) > 1 and any(t.footnotes for t in tables)
    for table in tables:
        same("table", None, table=table)


def test_every_demo_area_draws_its_priorities_as_the_loop_did(demo_contexts):
    areas = [(context, item) for context in demo_contexts if "months" in context      # the dashboards
             for item in context["areas"]]
    assert sum(len(item["tables"]) for _, item in areas) > 50
    assert any(not item["tables"] for _, item in areas)
    for context, item in areas:
        same("priorities", PRIORITIES_REFERENCE, tables=item["tables"], force=context["force"],
             period_param=context["period_param"])


def test_every_demo_attention_and_improved_list_draws_as_the_loop_did(demo_contexts):
    lists = [context[name] for context in demo_contexts for name in ("attention", "improved") if name in context]
    assert sum(map(len, lists)) > 50 and any(not items for items in lists)
    for items in lists:
        same("attention", ATTENTION_REFERENCE, items=items)


def test_every_demo_rating_count_draws_as_the_loop_did(demo_contexts):
    pages = [context for context in demo_contexts if "counts" in context]
    assert any(context.get("filter_rating") for context in pages)
    assert any(c.get("url") for context in pages for c in context["counts"])
    currents = 0
    for context in pages:
        drawn = same("counts", COUNTS_REFERENCE, counts=context["counts"], filter_rating=context.get("filter_rating"))
        currents += 'aria-current="true"' in drawn
    assert currents > 0


def test_the_rating_counts_without_a_filter_in_the_context_mark_none_current():
    counts = [{"key": "red", "tone": "bad", "shape": "■", "label": "Red", "count": 3, "url": "?rating=red"}]
    drawn = TAGS.render(Context({"which": "counts", "counts": counts}))
    assert drawn == Template(COUNTS_REFERENCE).render(Context({"counts": counts}))
    assert "aria-current" not in drawn


NASTY = "<b>Fish & \"chips\"</b> 'n' co"


def test_empty_lists_and_text_needing_escaping_draw_as_the_loops_did(demo_contexts):
    force = next(context["force"] for context in demo_contexts if context.get("areas"))
    assert same("attention", ATTENTION_REFERENCE, items=[]) == ""
    assert same("counts", COUNTS_REFERENCE, counts=[], filter_rating=None) == ""
    assert same("priorities", PRIORITIES_REFERENCE, tables=[], force=force, period_param="2024-03") == ""
    result = SimpleNamespace(name=NASTY)
    items = [SimpleNamespace(result=result, url="/a/?x=1&y=<2>", why=NASTY, illustrative=True),
             SimpleNamespace(result=SimpleNamespace(name=mark_safe("<i>safe</i>")), url="/b/", why=mark_safe("a &amp; b"),
                             illustrative=False)]
    assert "&lt;b&gt;Fish &amp; &quot;chips&quot;" in same("attention", ATTENTION_REFERENCE, items=items)
    counts = [{"key": "a<", "tone": "b\"", "shape": "&", "label": NASTY, "count": 1234, "url": "?r=1&s=<"},
              {"key": "none", "tone": "none", "shape": "–", "label": mark_safe("<i>x</i>"), "count": 0, "url": ""}]
    for current in (None, "a<", "none"):
        same("counts", COUNTS_REFERENCE, counts=counts, filter_rating=current)
    table = MeasuresTable(NASTY, "fn-<x>", footnotes=[(1, NASTY), (2, mark_safe("<em>safe</em>"))], method="spc")
    assert "&lt;b&gt;" in same("table", None, table=table)
    same("table", None, table=MeasuresTable(mark_safe("<i>Caption</i>"), "fn-y"))
    priority = SimpleNamespace(number=3, title=NASTY)
    same("priorities", PRIORITIES_REFERENCE, tables=[(priority, table), (SimpleNamespace(number=12, title="x"),
                                                                          MeasuresTable("c", "p"))],
         force=force, period_param="2024-03&<")


@pytest.mark.parametrize("text", ["", None, "   ", "\n\n  \t\n"])
def test_blank_markdown_renders_as_markdown_renders_it_without_a_parser(text):
    """render_markdown skips building a Markdown parser for blank text (every
    dashboard without an executive summary); the HTML is what the full
    path gives: nothing, and safe."""
    import markdown
    import nh3

    from reports.formatting import render_markdown

    drawn = render_markdown(text)
    full = nh3.clean(markdown.markdown(text or "", extensions=["extra", "sane_lists"]))
    assert drawn == full == "" and hasattr(drawn, "__html__")


def test_every_demo_icon_is_the_icon_template_drawn_from_the_whole_reading(demo_contexts):
    """The icons are cached by the reading's variation and direction (and
    assurance): drawn from the whole reading through reports/_mdc_icon.html,
    as they were, they are the same."""
    from reports import formatting
    from reports.templatetags.pccperf import _COMMON_DOTS, assurance_icon, variation_icon

    results = {id(row.result): row.result for table in tables_in(demo_contexts, []) for row in table.rows}
    assert len(results) > 50
    icon_template = get_template("reports/_mdc_icon.html")
    seen = set()
    for result in results.values():
        for text, size in ((False, 28), (True, 32)):
            icon = formatting.variation_icon(result.spc)
            expected = icon_template.render({"icon": icon, "kind": "variation", "text": text, "size": size,
                                             "dots": _COMMON_DOTS})
            assert variation_icon(result, text=text, size=size) == expected
            icon = formatting.assurance_icon(result.spc.assurance)
            expected = icon_template.render({"icon": icon, "kind": "assurance", "text": text, "size": size})
            assert assurance_icon(result, text=text, size=size) == expected
        seen.add((result.spc.variation, result.spc.direction, result.spc.assurance))
    assert len({v for v, _, _ in seen}) >= 3 and len({a for _, _, a in seen}) >= 2, seen
