"""The public pages and the panel packs speak of the plan, the panel and the
figures only (issue 29, item 5): no word of pccperf's own workings, its demo's
sources or its files. Every public page of each demo force, and each force's
report in every mode, is read as a reader sees it (text, not markup) and
searched for a list of internal terms."""

import html as html_lib
import re

import pytest

from indicators import models

pytestmark = pytest.mark.django_db

# Words a reader should never meet: the seeds the demo was built from, pccperf's files, commands, models
# and fields, its specification and issues, and what leaks when a template or a value goes wrong.
INTERNAL = [
    r"\bseeds?\b", r"shared/", r"\.ya?ml\b", r"\bfixtures?\b", r"\bplan file\b", r"force\.local_areas",
    r"\bload_demo\b", r"\bimport_policeuk\b", r"\bimport_return\b", r"\bload_plan\b", r"\bmanage\.py\b",
    r"\bis_demo\b", r"\bslug\b", r"\bSPEC\b", r"\bissue \d+", r"docs/", r"\bTODO\b", r"\bDataFrame\b",
    r"\bTraceback\b", r"\bNone\b", r"\bnan\b", r"\bNaN\b", r"\{\{", r"\{%", r"\bpccperf\.\w", r"\bindicators\.\w+\.",
]
_INTERNAL = re.compile("|".join(INTERNAL))


def reader_text(page: str) -> str:
    """What a reader sees: no scripts (the charts' data), styles, comments or tags."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r"<!--.*?-->", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", page)))


def internal_words(page: str) -> list[str]:
    text = reader_text(page)
    return [text[max(0, m.start() - 60):m.end() + 60] for m in _INTERNAL.finditer(text)]


def public_urls() -> list[str]:
    urls = ["/"]
    for force in models.Force.objects.filter(plans__isnull=False).distinct():
        plan = force.plans.order_by("-start").first()
        urls += [f"/{force.slug}/", f"/{force.slug}/areas/", f"/{force.slug}/report/"]
        urls += [f"/{force.slug}/priorities/{p.number}/" for a in plan.areas.all() for p in a.priorities.all()]
        urls += [f"/{force.slug}/indicators/{m.indicator.code}/" for a in plan.areas.all()
                 for p in a.priorities.all() for m in p.measures.select_related("indicator")]
        urls += [f"/{force.slug}/areas/{code}/" for code in force.local_areas.values_list("code", flat=True)[:3]]
        urls += [f"/{force.slug}/report/?mode={mode}" for mode in ("exceptions", "compact")]
        urls.append(f"/{force.slug}/report/?mode=theme&theme=1")
    return urls


def test_the_list_finds_what_it_is_for():
    """The check itself: each kind of leak the walk found is caught."""
    assert internal_words("<p>As published: West Mercia monitoring report (seed 003).</p>")
    assert internal_words("<p>They come from the plan file (<code>force.local_areas</code>).</p>")
    assert internal_words("<td>None</td>") and internal_words("<p>{{ force.name }}</p>")
    assert not internal_words('<p>Reduce crime</p><script type="application/json">{"seed": null}</script>')


def test_no_public_page_or_pack_has_internal_words(client, demo):
    urls = public_urls()
    assert len(urls) > 150
    found = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        if response["Content-Type"].startswith("text/html"):
            hits = internal_words(response.content.decode())
            if hits:
                found[url] = hits[:3]
    assert not found, found


def test_areas_page_of_a_force_with_no_rates_offers_no_order_by_rate(client, demo):
    """Essex's districts have no population estimates: no "rate per 1,000 people" order is offered."""
    essex = models.Force.objects.get(slug="essex")
    assert not models.LocalAreaPopulation.objects.filter(area__force=essex).exists()
    text = reader_text(client.get("/essex/areas/?period=2014-03").content.decode())
    assert "Order by:" in text and "change on last year, largest rise first" in text
    assert "rate per 1,000 people, highest first" not in text
