"""Moving between a force's pages keeps the force and the period on show;
every force page's header links to its panel report at that period; the
site has a favicon, and /favicon.ico finds it."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db

FORCE_PAGES = ["/west-mercia/", "/west-mercia/priorities/2/", "/west-mercia/indicators/vwi/"]
# a page of a force: its dashboard, a priority, an indicator or its report
PAGE_LINK = re.compile(r"^/west-mercia/(|priorities/\d+/|indicators/[\w-]+/|report/)$")


def _links(html: str) -> list[str]:
    return [h.replace("&amp;", "&") for h in re.findall(r'href="([^"]*)"', html)]


def _header(html: str) -> str:
    return re.search(r'<header class="site-header">(.*?)</header>', html, re.S).group(1)


@pytest.mark.parametrize("path", FORCE_PAGES)
def test_header_links_to_the_report_and_dashboard_at_the_period_asked_for(client, demo, path):
    html = client.get(path + "?period=2013-05").content.decode()
    header = _header(html)
    assert 'href="/west-mercia/report/?period=2013-05"' in header
    assert "Panel report, May 2013" in header
    assert 'href="/west-mercia/?period=2013-05"' in header
    assert 'href="/west-mercia/report/?period=2013-05&amp;format=pdf"' in header
    assert "PDF<span class=\"visually-hidden\"> of the panel report, May 2013</span>" in header
    # the report link works
    assert client.get("/west-mercia/report/?period=2013-05").status_code == 200


@pytest.mark.parametrize("path", FORCE_PAGES)
def test_header_report_link_is_at_the_default_period_when_none_is_asked_for(client, demo, path):
    header = _header(client.get(path).content.decode())
    assert 'href="/west-mercia/report/?period=2013-06"' in header      # West Mercia's latest month


def test_the_dashboard_marks_itself_current_in_the_header(client, demo):
    header = _header(client.get("/west-mercia/?period=2013-05").content.decode())
    assert 'href="/west-mercia/?period=2013-05" aria-current="page">Dashboard' in header
    header = _header(client.get("/west-mercia/priorities/2/?period=2013-05").content.decode())
    assert "aria-current" not in header


@pytest.mark.parametrize("path", FORCE_PAGES)
def test_every_link_to_another_force_page_keeps_the_period(client, demo, path):
    """Dashboard → priority → indicator → back: each link between the force's
    pages carries ?period= of the page it is on."""
    html = client.get(path + "?period=2013-05").content.decode()
    between = [h for h in _links(html) if PAGE_LINK.match(urlsplit(h).path)]
    assert len(between) >= 3, between
    lost = [h for h in between if parse_qs(urlsplit(h).query).get("period") != ["2013-05"]]
    assert lost == []


def test_following_links_dashboard_priority_indicator_and_back_stays_on_the_period(client, demo):
    html = client.get("/west-mercia/?period=2013-05").content.decode()
    to_priority = next(h for h in _links(html) if h.startswith("/west-mercia/priorities/2/"))
    html = client.get(to_priority).content.decode()
    assert "to the end of May 2013" in html
    to_indicator = next(h for h in _links(html) if h.startswith("/west-mercia/indicators/"))
    html = client.get(to_indicator).content.decode()
    assert "to the end of May 2013" in html
    back = re.search(r'<nav class="breadcrumbs".*?</nav>', html, re.S).group(0)
    assert 'href="/west-mercia/?period=2013-05"' in back


def test_home_links_to_the_dashboards_without_a_period(client, demo):
    html = client.get("/").content.decode()
    dashboards = [h for h in _links(html) if re.fullmatch(r"/[\w-]+/", h)]
    assert "/west-mercia/" in dashboards and "/leicestershire/" in dashboards
    assert not [h for h in _links(html) if "period=" in h]
    assert 'class="site-nav"' not in html          # no force, no force links in the header


def test_a_bad_period_page_links_the_forces_report_without_the_bad_period(client, demo):
    response = client.get("/essex/?period=2099-01")
    assert response.status_code == 400
    header = _header(response.content.decode())
    assert 'href="/essex/report/"' in header and "2099" not in header


def test_the_favicon_is_linked_and_served(client, demo):
    html = client.get("/").content.decode()
    icon = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', html).group(1)
    assert icon == "/static/favicon.svg"
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"] == icon


@override_settings(WHITENOISE_USE_FINDERS=True, WHITENOISE_AUTOREFRESH=True)
def test_whitenoise_serves_the_favicon_that_favicon_ico_leads_to(db):
    """Through the site's own middleware (a fresh client builds it under these
    settings), as in production: /favicon.ico, then the SVG."""
    from django.test import Client

    response = Client().get("/favicon.ico", follow=True)
    assert response.redirect_chain == [("/static/favicon.svg", 302)]
    assert response.status_code == 200 and response["Content-Type"].startswith("image/svg+xml")
    body = b"".join(response.streaming_content)
    assert body.startswith(b'<svg xmlns="http://www.w3.org/2000/svg"') and b"<title>pccperf</title>" in body
