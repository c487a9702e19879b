"""A "Not rated" always shows its reason on screen, and the right one
(issue "Current plans II"): in a plan judged by significance, the rating
says why a change was not tested ("Not tested (a latest figure, …)") or
what figure it lacks, never the targets' "No numeric target"; in a plan
judged by targets, a measure without a RAG says why beside it."""

import re
from collections import Counter

import pytest

from reports import formatting

pytestmark = pytest.mark.django_db

REASON = r'<span class="status-text not-rated-reason">([^<]*)</span>'


def rating_reasons(html: str) -> Counter:
    cells = re.findall(r'<td role="cell" class="col-rating" data-label="Rating[^"]*">(.*?)</td>', html, re.S)
    return Counter(r for cell in cells for r in re.findall(REASON, cell))


def test_significance_plans_give_the_reason_a_change_was_not_tested(demo, client):
    html = client.get("/leicestershire/?period=2014-06").content.decode()
    shown = rating_reasons(html)
    assert shown["Not tested (a latest figure, with no count or ratio to test)"] >= 1
    assert not any("numeric target" in reason.lower() for reason in shown)
    assert all(reason[0].isupper() for reason in shown)


def test_targets_plans_say_why_a_measure_has_no_rag_on_screen(demo, client):
    html = client.get("/west-mercia/?period=2013-06").content.decode()
    shown = Counter(re.findall(REASON, html))
    assert shown["Monitored: no numeric target"] >= 1 or shown["Milestone: rated by assessment"] >= 1


def test_the_reasons_words():
    assert formatting.not_tested_reason("mean", "percent") == "Not tested (a mean of percentages)"
    assert formatting.not_tested_reason("sum", "gbp") == "Not tested (a sum of gbp figures, not a count)"
    assert formatting.not_tested_reason("latest", "number") == (
        "Not tested (a latest figure, with no count or ratio to test)")
