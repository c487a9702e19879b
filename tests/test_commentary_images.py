"""Commentary shows no image from another address, on the pages or in the
self-contained panel report, whose Content-Security-Policy forbids any
request (SPEC §4 Panel report: no request to any other address when opened)."""

import io
import re
from datetime import date
from html.parser import HTMLParser

import pytest
from django.core.management import call_command

from indicators import models
from reports.formatting import render_markdown

pytestmark = pytest.mark.django_db
CSP = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'none'; "
       "base-uri 'none'; form-action 'none'")
COMMENTARY = (
    "Burglary fell in **June**. See the [force statement](https://www.westmercia.police.uk/news).\n\n"
    "![Burglary hot spots](https://tracker.example.com/map.png)\n\n"
    '<img src=https://tracker.example.com/pixel.gif alt="pixel"> <img src="//cdn.example.net/logo.png">\n\n'
    '<p style="background: url(https://tracker.example.com/bg.png)">Styled</p>'
)


@pytest.mark.parametrize("text,shown", [
    ("![Burglary hot spots](https://tracker.example.com/map.png)", "[image not shown: Burglary hot spots]"),
    ('<img src=https://tracker.example.com/pixel.gif alt="pixel">', "[image not shown: pixel]"),
    ('<img src="//cdn.example.net/logo.png">', "[image not shown]"),
    ('<img src="x.png" alt="a &quot;quoted&quot; &lt;b&gt;">', "[image not shown: a \"quoted\" &lt;b&gt;]"),
])
def test_an_image_in_commentary_is_replaced_by_its_alt_text(text, shown):
    html = render_markdown(text)
    assert "<img" not in html and "example" not in html
    assert shown in html


def test_commentary_keeps_its_text_and_links():
    html = render_markdown(COMMENTARY)
    assert "<strong>June</strong>" in html
    assert '<a href="https://www.westmercia.police.uk/news" rel="noopener noreferrer">force statement</a>' in html
    assert "tracker.example.com" not in html and "cdn.example.net" not in html


@pytest.fixture
def commentary(demo):
    priority = models.StrategicPriority.objects.get(plan__force__slug="west-mercia", number=1)
    comment, _ = models.Commentary.objects.update_or_create(priority=priority, month=date(2013, 6, 1), defaults={
        "force": priority.plan.force, "text": COMMENTARY})
    return comment


def test_the_priority_page_shows_no_image_from_another_address(commentary, client):
    html = client.get("/west-mercia/priorities/1/?period=2013-06").content.decode()
    assert "Burglary fell in" in html and "[image not shown: Burglary hot spots]" in html
    assert "tracker.example.com" not in html and "cdn.example.net" not in html


class _Addresses(HTMLParser):
    """Every address the document names, with the element naming it."""

    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, str, str]] = []
        self.meta: list[dict] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta":
            self.meta.append(attrs)
        for name in ("src", "href", "srcset", "data", "action", "poster", "xlink:href", "background"):
            if attrs.get(name):
                self.found.append((tag, name, attrs[name]))
        for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", attrs.get("style") or ""):
            self.found.append((tag, "style url()", url))
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", data):
                self.found.append(("style", "url()", url))


def _inside(address: str) -> bool:
    return address.startswith(("#", "data:"))


def test_the_exported_report_names_no_other_address_and_forbids_any(commentary, tmp_path):
    out = tmp_path / "report.html"
    call_command("export_report", "--force", "west-mercia", "--period", "2013-06", "--output", str(out),
                 stdout=io.StringIO())
    text = out.read_text(encoding="utf-8")
    assert "Burglary fell in" in text and "[image not shown: Burglary hot spots]" in text
    parser = _Addresses()
    parser.feed(text)
    # links the analyst wrote stay links: following one is the reader's choice, not a request on opening
    fetched = [f for f in parser.found if not _inside(f[2]) and not (f[0] == "a" and f[1] == "href")]
    assert fetched == []
    assert [f[2] for f in parser.found if f[0] == "a" and not _inside(f[2])] == [
        "https://www.westmercia.police.uk/news"]
    assert "tracker.example.com" not in text and "cdn.example.net" not in text
    policies = [m["content"] for m in parser.meta if m.get("http-equiv", "").lower() == "content-security-policy"]
    assert policies == [CSP]
    # the policy comes before anything it governs
    head = text[:text.index("</head>")]
    assert head.index("Content-Security-Policy") < head.index("<style")
