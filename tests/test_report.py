"""The panel report: modes, contents, self-containment, CLI and web (SPEC §4)."""

import re
from datetime import date
from html.parser import HTMLParser
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def export(tmp_path, *args, name="report.html"):
    out = tmp_path / name
    stdout = StringIO()
    call_command("export_report", *args, "--output", str(out), stdout=stdout)
    return out.read_text(encoding="utf-8"), stdout.getvalue()


def text(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def sections(html):
    return re.findall(r'<h3 id="priority-(\d+)"', html)


def test_full_report_has_cover_summary_every_priority_and_appendices(demo, tmp_path):
    html, out = export(tmp_path, "--force", "west-mercia", "--period", "2013-06")
    words = text(html)
    assert "Wrote" in out and "MB, full" in out
    assert "Police and Crime Plan for West Mercia 2013-2017" in words
    assert "April 2013 to June 2013 (2013/14, data to the end of 2013/14 Q1)" in words
    assert "Data as at" in words and "State of the data Published" in words
    assert sections(html) == [str(n) for n in (1, 10, 11, 2, 3, 4, 6, 5, 7, 8, 9)]
    for figure in ["15,015", "15,138", "1,517", "1,639", "13,800", "14,155", "519", "688", "74.2%"]:
        assert figure in words
    assert "Appendix A: definitions and sources" in words and "Appendix B: future reporting schedule" in words
    assert "An initial scoping exercise has commenced" in words            # commentary
    # a trend and an SPC chart per measure, but no SPC chart for a measure
    # with fewer than four points (SPEC §3): 46 for West Mercia at June 2013
    assert html.count('class="chart"') >= 40


def test_exceptions_report_keeps_only_measures_needing_attention(demo, tmp_path):
    html, _ = export(tmp_path, "--force", "west-mercia", "--period", "2013-06", "--mode", "exceptions")
    words = text(html)
    shown = set(re.findall(r'<div class="measure-detail" id="m-([a-z0-9-]+)"', html))
    # KSI and priority incidents are amber; public confidence amber; unnecessary attendance red (manual)
    assert {"priority-response", "public-confidence", "unnecessary-attendance"} <= shown
    assert "ksi" not in shown            # green as published (issue 24, item 5)
    assert "all-crime" not in shown and "vwi" not in shown                 # green and improving
    # SPEC §4: no table or count in it shows any other measure, not even a count of those left out
    assert "Only the measures that need attention are shown in this report." in words
    assert "not shown" not in words
    assert "Exceptions only" in words


def test_theme_report_has_one_area_only(demo, tmp_path):
    html, _ = export(tmp_path, "--force", "leicestershire", "--period", "2014-06", "--mode", "theme", "--theme", "3")
    assert re.findall(r'<section class="area" id="area-(\d+)"', html) == ["3"]
    assert sections(html) == ["10", "11", "12", "13", "14"]
    assert "15,243" in text(html) and "Theme 3: Making Communities and Neighbourhoods Safer" in text(html)


def test_cover_names_the_meeting_and_appendix_lists_the_schedule(demo, tmp_path):
    html, _ = export(tmp_path, "--force", "essex", "--period", "2013-11", "--mode", "exceptions")
    words = text(html)
    assert "Panel meeting 29 January 2014 — End November - exceptions only" in words
    schedule = words[words.index("Appendix B"):]
    assert "29 January 2014 (this report) November 2013" in schedule
    assert "20 February 2014 December 2013" in schedule and "19 June 2014 March 2014" in schedule
    assert "12 December 2013" not in schedule                              # already past


class _Refs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs, self.styles, self._in_style = [], [], False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "href", "action", "poster", "data") and value:
                self.refs.append(value)
            if name == "style" and value:
                self.styles.append(value)
        self._in_style = tag == "style"

    def handle_data(self, data):
        if self._in_style:
            self.styles.append(data)


def test_no_external_url_in_any_src_href_or_css_url(demo, tmp_path):
    html, _ = export(tmp_path, "--force", "west-mercia", "--period", "2013-06")
    parser = _Refs()
    parser.feed(html)
    assert parser.refs and all(ref.startswith("#") for ref in parser.refs), [r for r in parser.refs if r[0] != "#"]
    css_urls = [u for block in parser.styles for u in re.findall(r"url\(([^)]*)\)", block)]
    assert css_urls == []
    assert "<script src" not in html and "<link" not in html


def test_size_under_2_mb_for_the_largest_demo_plan(demo, tmp_path):
    html, _ = export(tmp_path, "--force", "west-mercia", "--period", "2013-06")
    assert len(html.encode()) < 2_000_000


def _without_timestamp(html):
    return re.sub(r"<dt>Generated</dt><dd>[^<]*</dd>", "", html)


def test_web_download_is_the_same_file_as_the_command(demo, tmp_path, client):
    html, _ = export(tmp_path, "--force", "essex", "--period", "2013-12", "--mode", "full")
    response = client.get("/essex/report/?period=2013-12&mode=full&download=1")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="essex-panel-report-2013-12-full.html"'
    assert _without_timestamp(response.content.decode()) == _without_timestamp(html)


def test_web_report_page_has_a_download_button(demo, client):
    html = client.get("/west-mercia/report/?period=2013-06&mode=exceptions").content.decode()
    assert 'href="?period=2013-06&amp;mode=exceptions&amp;download=1" download>Download this report' in html


def test_dashboard_offers_the_report(demo, client):
    html = client.get("/west-mercia/").content.decode()
    assert 'action="/west-mercia/report/"' in html and 'value="exceptions"' in html


@pytest.mark.parametrize("query,message", [
    ("period=2013-06&mode=theme&theme=9", "theme 9 is not in the plan; its aims are numbered 1, 2, 3, 4"),
    ("period=2013-06&mode=theme", "mode theme needs --theme N"),
    ("period=2013-06&mode=everything", "mode must be one of full, exceptions, theme"),
    ("period=2013-06&mode=theme&theme=two", "theme must be a whole number"),
    ("period=2013-13", "is not a month"),
])
def test_web_report_errors_are_400_with_a_message(demo, client, query, message):
    response = client.get(f"/west-mercia/report/?{query}")
    assert response.status_code == 400 and message in response.content.decode()


@pytest.mark.parametrize("args,message", [
    (["--force", "atlantis", "--period", "2013-06"], "--force atlantis: no such force; forces with plans:"),
    (["--force", "west-mercia", "--period", "2013-13"], "--period: '2013-13' is not a month"),
    (["--force", "west-mercia", "--period", "2999-01"], "--period: 2999-01 is in the future"),
    (["--force", "west-mercia", "--period", "2013-06", "--mode", "theme", "--theme", "7"],
     "theme 7 is not in the plan; its aims are numbered 1, 2, 3, 4"),
    (["--force", "west-mercia", "--period", "2013-06", "--mode", "theme"], "mode theme needs --theme N"),
    (["--force", "west-mercia", "--period", "2013-06", "--theme", "2"], "--theme only goes with mode theme"),
])
def test_cli_errors_are_clear(demo, tmp_path, args, message):
    with pytest.raises(CommandError) as excinfo:
        export(tmp_path, *args)
    assert message in str(excinfo.value)
    assert not (tmp_path / "report.html").exists()


def test_cli_unwritable_output_path(demo, tmp_path):
    with pytest.raises(CommandError, match="the folder .*/missing does not exist"):
        call_command("export_report", "--force", "west-mercia", "--period", "2013-06",
                     "--output", str(tmp_path / "missing" / "r.html"), stdout=StringIO())
    # /proc takes no new files, even from root (CI runs as root)
    with pytest.raises(CommandError, match=r"--output /proc/r.html: cannot write there \("):
        call_command("export_report", "--force", "west-mercia", "--period", "2013-06",
                     "--output", "/proc/r.html", stdout=StringIO())
    with pytest.raises(CommandError, match="is a folder"):
        call_command("export_report", "--force", "west-mercia", "--period", "2013-06", "--output", str(tmp_path),
                     stdout=StringIO())


def test_report_page_runs_no_script(demo, client):
    """The charts are drawn on the server (SVG), so the report page, like the
    file, has no script for the Content-Security-Policy to allow."""
    response = client.get("/west-mercia/report/?period=2013-06&mode=exceptions")
    html = response.content.decode()
    assert "<script" not in html and html.count('class="chart-svg"') >= 4


@pytest.mark.parametrize("force,period,mode", [("west-mercia", "2013-06", "full"), ("leicestershire", "2014-06", "full"),
                                               ("essex", "2014-03", "full"), ("west-mercia", "2013-06", "compact")])
def test_no_empty_measure_blocks_and_no_dangling_links(demo, tmp_path, force, period, mode):
    """Issue 29, item 4: a measure with nothing to chart has no block (its
    table row says "Not enough data" once), no block repeats that, and every
    #m- link goes to a block that is there."""
    from indicators.models import Force
    from reports.report import build_report

    html = build_report(force=Force.objects.get(slug=force), period=date.fromisoformat(f"{period}-01"), mode=mode)
    assert "No monthly figures to chart" not in html
    if mode != "compact":       # a compact report has no table row to say it (a drawn chart's caption may)
        assert "<p>not enough data for SPC" not in html
    blocks = re.findall(r'<div class="measure-detail" id="m-([a-z0-9-]+)">(.*?)\n    </div>', html, re.S)
    assert blocks and all('class="chart"' in body for _, body in blocks)
    ids = {code for code, _ in blocks}
    assert set(re.findall(r'href="#m-([a-z0-9-]+)"', html)) <= ids
