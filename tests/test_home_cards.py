"""The home page's plan cards are drawn by one Python tag (``home_cards`` in
reports/templatetags/pccperf.py) rather than a template loop, which took a
third of a cold home page at national scale. Both must give the same bytes:
this renders cards through the loop the page had before (kept here as the
reference) and through the tag, for the demo's home page and for every kind
of card (counts with and without links, no headline measures at the period,
no figures yet, a demo plan, one area of focus, text that needs escaping)."""

from datetime import date
from types import SimpleNamespace

import pytest
from django.template import Context, Template

from reports import views

pytestmark = pytest.mark.django_db

REFERENCE = """{% for card in cards %}{% with plan=card.plan %}
  <li class="card">
    <h2><a href="{% url 'reports:force-dashboard' plan.force.slug %}">{{ plan.force.name }}</a></h2>
    <p class="plan-title">{{ plan.title }}{% if plan.is_demo %} <span class="tag tag-demo">Demo data, partly illustrative</span>{% endif %}</p>
    <p class="muted">{{ plan.start|date:"M Y" }} – {{ plan.end|date:"M Y" }} · {{ plan.area_count }} {% if plan.area_count == 1 %}{{ plan.area_label|lower }}{% else %}{{ plan.area_label_plural|lower }}{% endif %} · {{ plan.indicator_count }} measures</p>
    {% if card.counts %}
    <p>Headline measures to {{ card.period_label }}, {{ card.method_label|lower }}:</p>
    <ul class="rag-counts" aria-label="Headline ratings for {{ plan.force.name }} ({{ card.method_label|lower }})">
      {% for c in card.counts %}<li>{% if c.url %}<a class="count-link" href="{{ c.url }}">{% endif %}<span class="rag rating-{{ c.tone }} rag-{{ c.key }}"><span class="rag-shape" aria-hidden="true">{{ c.shape }}</span> {{ c.label }}</span> <strong>{{ c.count }}</strong>{% if c.url %}<span class="visually-hidden"> (show these measures)</span></a>{% endif %}</li>{% endfor %}
    </ul>
    {% elif card.period_label %}<p class="muted">No headline measures to {{ card.period_label }}.</p>
    {% else %}<p class="muted">No published figures yet.</p>{% endif %}
  </li>
  {% endwith %}{% endfor %}"""
TAG = "{% load pccperf %}{% home_cards cards %}"


def both(cards) -> tuple[str, str]:
    return (Template(REFERENCE).render(Context({"cards": cards})),
            Template(TAG).render(Context({"cards": cards})))


def test_the_demo_home_pages_cards_are_the_templates_bytes(client, demo):
    captured = {}
    original = views.render

    def spy(request, name, context):
        captured.update(context)
        return original(request, name, context)

    views.render = spy
    try:
        html = client.get("/").content.decode()
    finally:
        views.render = original
    reference, drawn = both(captured["cards"])
    assert drawn == reference and drawn in html
    assert drawn.count('<li class="card">') == 4 and "West Mercia" in drawn and "<strong>" in drawn


def plan(**overrides):
    values = {"force": SimpleNamespace(slug="a-b", name="Avon & <Somerset>"), "title": 'Plan "2021" & more',
              "is_demo": False, "start": date(2021, 4, 1), "end": date(2025, 3, 1), "area_count": 3,
              "area_label": "Priority", "area_label_plural": "Priorities", "indicator_count": 12}
    return SimpleNamespace(**{**values, **overrides})


COUNTS = [{"key": "green", "tone": "good", "shape": "●", "label": "On target", "count": 4, "url": None},
          {"key": "not-rated", "tone": "none", "shape": "○", "label": "Not rated", "count": 0,
           "url": "?period=2014-06&rating=not-rated&x=<y>"}]


@pytest.mark.parametrize("card", [
    {"plan": plan(), "period_label": "June 2014", "method_label": "Targets (RAG)", "counts": COUNTS},
    {"plan": plan(is_demo=True, area_count=1), "period_label": "June 2014", "method_label": "X & Y", "counts": []},
    {"plan": plan(area_count=0), "period_label": False, "method_label": "", "counts": None},
    {"plan": plan(start=date(2013, 9, 1), end=date(2013, 9, 1)), "period_label": "September 2013",
     "method_label": "Judgement", "counts": COUNTS[:1]},
], ids=["counts with a link", "no headline measures, demo, one area", "no figures yet", "same start and end"])
def test_every_kind_of_card_is_the_templates_bytes(card):
    reference, drawn = both([card, card])
    assert drawn == reference
    assert "Avon &amp; &lt;Somerset&gt;" in drawn and "<Somerset>" not in drawn
