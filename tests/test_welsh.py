"""Welsh and English (issue 31): the Welsh demo force, the language of a
page (its address), the switch, the browser's preference for a bilingual
force only, the plan's own Welsh with English marked lang="en" where it has
none, the page cache by language, the report and PDF in Welsh, and the
catalogue (compiled as committed, and no English of it on a Welsh page)."""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from indicators import models
from indicators.plans.file import parse_plan_file
from tests.welsh_catalogue import MO, PO, catalogue, english_shown, untranslated

pytestmark = pytest.mark.django_db

WELSH_FORCE = "/dyfed-powys/"
PERIOD = "2024-06"


class _Text(HTMLParser):
    """A page's words as a reader meets them: text, and the labels a screen reader reads;
    ``english=False`` leaves out what is marked lang="en" (a plan's English on a Welsh page)."""

    VOID = {"br", "img", "input", "meta", "link", "hr", "col", "source", "wbr", "circle", "line", "polyline", "path",
            "rect"}

    def __init__(self, english: bool = True):
        super().__init__()
        self.parts, self.skip, self.english, self.open = [], 0, english, []

    def _skipping(self):
        return self.skip or any(self.open)

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        if tag not in self.VOID:
            self.open.append(not self.english and dict(attrs).get("lang") == "en")
        if not self._skipping():
            self.parts += [v for k, v in attrs if k in ("aria-label", "title", "alt") and v]

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip -= 1
        if tag not in self.VOID and self.open:
            self.open.pop()

    def handle_data(self, data):
        if not self._skipping():
            self.parts.append(data)


def words(html: str, english: bool = True) -> str:
    parser = _Text(english)
    parser.feed(html)
    return re.sub(r"\s+", " ", " ".join(parser.parts))


# --- the Welsh demo force and its plan file ---------------------------------------------------------

def test_the_welsh_demo_force_is_bilingual_with_its_plans_welsh_and_illustrative_figures(demo):
    force = models.Force.objects.get(slug="dyfed-powys")
    assert force.languages == ["cy", "en"] and force.name_cy == "Heddlu Dyfed-Powys"
    plan = force.plans.get()
    assert plan.title_cy == "Cynllun Heddlu a Throseddu Dyfed-Powys 2021-2025" and plan.is_demo
    assert [p.title_cy for p in plan.priorities.order_by("number")] == [
        "Mae dioddefwyr yn cael eu cefnogi", "Mae niwed yn cael ei atal", "Mae ein system gyfiawnder yn fwy effeithiol"]
    assert not models.Indicator.objects.filter(force=force, name_cy="").exists()
    assert set(models.Target.objects.filter(indicator__force=force).values_list("wording_cy", flat=True)) <= {
        "Gwelliant parhaus", "Yn cael ei fonitro"}
    # no published figure is held for a Welsh force: every one is illustrative, in the data
    observations = models.Observation.objects.filter(indicator__force=force)
    assert observations.count() > 200 and not observations.filter(illustrative=False).exists()
    assert models.Commentary.objects.filter(force=force).exclude(text_cy="").exists()
    assert models.ExecutiveSummary.objects.filter(force=force).exclude(text_cy="").exists()


def test_a_plan_files_welsh_siblings_are_stored_and_a_reload_changes_nothing(demo):
    from indicators.dataio.demo import DEMO_DIR
    from indicators.plans.load import load_plan

    spec = parse_plan_file((DEMO_DIR / "dyfed-powys.plan.yaml").read_bytes())
    assert spec.force.languages == ["cy", "en"] and spec.title_cy.startswith("Cynllun")
    assert spec.indicators()[0].footnote_cy.startswith("Dioddefwyr a holwyd")
    assert not load_plan(spec, is_demo=True).changed


# --- addresses and the language of a page --------------------------------------------------------------

def test_english_addresses_are_as_they_were_and_only_pages_have_a_welsh_address():
    assert reverse("reports:force-dashboard", args=["essex"]) == "/essex/"
    assert reverse("reports:api-indicator-list", args=["essex"]) == "/api/forces/essex/indicators/"
    assert reverse("admin:index") == "/admin/"
    with translation.override("cy"):
        assert reverse("reports:force-dashboard", args=["dyfed-powys"]) == "/cy/dyfed-powys/"
        assert reverse("reports:home") == "/cy/"
        assert reverse("admin:index") == "/admin/"


def test_the_api_has_no_welsh_address_and_healthz_none_either(demo, client):
    assert client.get("/api/forces/dyfed-powys/indicators/").status_code == 200
    assert client.get("/cy/api/forces/dyfed-powys/indicators/").status_code == 404
    assert client.get("/cy/admin/").status_code == 404


def test_a_welsh_page_is_welsh_with_lang_cy_and_the_plans_own_welsh(demo, client):
    response = client.get(f"/cy{WELSH_FORCE}?period={PERIOD}")
    assert response.status_code == 200 and response["Content-Language"] == "cy"
    html = response.content.decode()
    assert html.startswith('<!doctype html>\n<html lang="cy">')
    assert "<h1>Cynllun Heddlu a Throseddu Dyfed-Powys 2021-2025</h1>" in html
    for welsh in ("Beth sydd angen sylw", "Crynodeb", "Blaenoriaethau", "Dangosfwrdd", "Mehefin 2024", "Mai 2024",
                  "Mae dioddefwyr yn cael eu cefnogi", "Pob trosedd a gofnodwyd", "Crynodeb enghreifftiol"):
        assert welsh in html, welsh
    # every verdict built on a generated figure says so, in Welsh
    assert html.count('class="tag tag-illustrative"') >= 8 and "enghreifftiol" in html


def test_no_english_of_the_catalogue_shows_on_the_welsh_dashboard_report_or_priority_page(demo, client):
    entries = catalogue()
    for path in (f"/cy{WELSH_FORCE}?period={PERIOD}", f"/cy{WELSH_FORCE}priorities/2/?period={PERIOD}",
                 f"/cy{WELSH_FORCE}report/?period={PERIOD}", "/cy/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert english_shown(words(response.content.decode()), entries) == [], path


def _welsh_page(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    html = response.content.decode()
    assert html.startswith('<!doctype html>\n<html lang="cy">'), path
    return html


@pytest.mark.parametrize("code", ["all-crime", "victim-satisfaction", "ksi", "charge-rate"])
def test_the_welsh_indicator_page_shows_none_of_the_catalogues_english(demo, client, code):
    html = _welsh_page(client, f"/cy{WELSH_FORCE}indicators/{code}/?period={PERIOD}")
    assert english_shown(words(html)) == [], code
    for welsh in ("Targedau fesul blwyddyn ariannol", "Ffigurau misol, y diweddaraf yn gyntaf", "Statws", "Terfynol",
                  "Ydy'r newid yn real? Rheoli prosesau ystadegol"):
        assert welsh in html, welsh


def test_the_demos_notes_are_welsh_on_a_welsh_page_and_any_other_note_is_marked_english(demo, client):
    force = models.Force.objects.get(slug="dyfed-powys")
    assert models.Observation.objects.filter(indicator__force=force, indicator__code="all-crime",
                                             month__year=2024, month__month=6).update(note="Recount after audit.")
    html = _welsh_page(client, f"/cy{WELSH_FORCE}indicators/all-crime/?period={PERIOD}")
    assert "Enghreifftiol: wedi'i gynhyrchu ar gyfer y demo, nid ffigur a gyhoeddwyd." in words(html)
    assert "gyda chyfanswm enghreifftiol o 7,612 ar gyfer Ebr 2024–Meh 2024" in words(html)
    assert '<span lang="en">Recount after audit.</span>' in html
    english = client.get(f"{WELSH_FORCE}indicators/all-crime/?period={PERIOD}").content.decode()
    assert "Illustrative: generated for the demo, not a published figure." in english and '<span lang="en">' not in english


def test_the_welsh_areas_page_of_a_force_without_local_areas_is_welsh(demo, client):
    html = _welsh_page(client, f"/cy{WELSH_FORCE}areas/?period={PERIOD}")
    assert english_shown(words(html)) == []
    assert "Nid yw Heddlu Dyfed-Powys yn cyhoeddi ffigurau ar gyfer ardaloedd lleol eto." in words(html)


def test_the_local_areas_pages_in_welsh_of_a_force_with_areas(demo, client):
    """No Welsh force has local areas in the demo: Essex, made bilingual here, stands in for one."""
    force = models.Force.objects.get(slug="essex")
    models.Force.objects.filter(pk=force.pk).update(languages=["cy", "en"])
    area = force.local_areas.order_by("code").first()
    html = _welsh_page(client, "/cy/essex/areas/?sort=name")
    assert english_shown(words(html)) == [] and "Mesurau fesul ardal leol" in html
    assert "enw&#x27;r ardal, A i Y" in html or "enw'r ardal, A i Y" in html
    html = _welsh_page(client, f"/cy/essex/areas/{area.code}/")
    assert english_shown(words(re.sub(r'<div class="area-notes" lang="en">.*?</div>', "", html, flags=re.S))) == []
    assert '<div class="area-notes" lang="en">' in html
    # the English pages are as they were
    assert "Areas in order of area name, A to Z." in client.get("/essex/areas/?sort=name").content.decode()


def test_the_pack_being_prepared_and_the_bad_request_pages_are_welsh(demo, client):
    html = _welsh_page(client, f"/cy{WELSH_FORCE}report/?period={PERIOD}&mode=exceptions&format=pdf")
    assert english_shown(words(html)) == [] and "Mae pecyn y Panel yn cael ei baratoi" in html
    assert "Heddlu Dyfed-Powys, pecyn y Panel, Mehefin 2024, eithriadau, PDF: yn aros am weithiwr" in words(html)
    for path, welsh in ((f"/cy{WELSH_FORCE}?period=bogus", "nid yw 'bogus' yn fis; ysgrifennwch ef fel BBBB-MM"),
                        (f"/cy{WELSH_FORCE}indicators/all-crime/?period=2099-01", "mae 2099-01 yn y dyfodol"),
                        (f"/cy{WELSH_FORCE}?period=2024-13", "rhaid i ran y mis fod rhwng 01 a 12"),
                        (f"/cy{WELSH_FORCE}report/?period={PERIOD}&format=docx", "rhaid i'r fformat (format) fod")):
        response = client.get(path)
        assert response.status_code == 400, path
        html = response.content.decode()
        assert html.startswith('<!doctype html>\n<html lang="cy">') and welsh in words(html), path
        assert english_shown(words(html)) == [], path
    english = client.get(f"{WELSH_FORCE}?period=bogus").content.decode()
    assert "&#x27;bogus&#x27; is not a month; write it as YYYY-MM, e.g. 2014-06." in english


def test_the_switch_links_the_same_page_and_period_in_the_other_language(demo, client):
    html = client.get(f"/cy{WELSH_FORCE}priorities/2/?period={PERIOD}").content.decode()
    assert (f'<nav class="language-switch" aria-label="Iaith"><a href="{WELSH_FORCE}priorities/2/?period={PERIOD}" '
            'lang="en" hreflang="en">English</a></nav>') in html
    html = client.get(f"{WELSH_FORCE}priorities/2/?period={PERIOD}").content.decode()
    assert (f'<a href="/cy{WELSH_FORCE}priorities/2/?period={PERIOD}" lang="cy" hreflang="cy">Cymraeg</a>') in html
    assert f'<link rel="alternate" hreflang="cy" href="/cy{WELSH_FORCE}priorities/2/?period={PERIOD}">' in html


def test_an_english_only_force_has_no_switch_and_no_welsh_pages(demo, client):
    html = client.get("/essex/").content.decode()
    assert "language-switch" not in html and 'hreflang="cy"' not in html
    response = client.get("/cy/essex/priorities/2/?period=2014-01")
    assert response.status_code == 302 and response["Location"] == "/essex/priorities/2/?period=2014-01"


def test_the_browsers_preference_opens_a_bilingual_force_in_welsh_once(demo, client):
    response = client.get(f"{WELSH_FORCE}?period={PERIOD}", HTTP_ACCEPT_LANGUAGE="cy-GB,cy;q=0.9,en;q=0.8")
    assert response.status_code == 302 and response["Location"] == f"/cy{WELSH_FORCE}?period={PERIOD}"
    assert "Accept-Language" in response["Vary"] and response.cookies["django_language"].value == "cy"
    # the reader then chose English with the switch: the cookie keeps them there
    response = client.get(f"{WELSH_FORCE}?period={PERIOD}", HTTP_ACCEPT_LANGUAGE="cy,en;q=0.8")
    assert response.status_code == 200 and '<html lang="en-GB">' in response.content.decode()


def test_the_browsers_preference_leaves_english_pages_of_other_forces_and_english_browsers_alone(demo, client):
    assert client.get("/essex/", HTTP_ACCEPT_LANGUAGE="cy,en;q=0.5").status_code == 200
    assert client.get(WELSH_FORCE, HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9,cy;q=0.8").status_code == 200
    assert client.get(WELSH_FORCE).status_code == 200


@override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
                           "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                     "LOCATION": "welsh-pages"}})
def test_the_page_cache_keeps_each_language_apart(demo, client):
    english = client.get(f"{WELSH_FORCE}?period={PERIOD}")
    welsh = client.get(f"/cy{WELSH_FORCE}?period={PERIOD}")
    assert (english["X-Cache"], welsh["X-Cache"]) == ("miss", "miss")
    again = client.get(f"/cy{WELSH_FORCE}?period={PERIOD}")
    assert again["X-Cache"] == "hit" and again.content == welsh.content and b'lang="cy"' in again.content
    assert b'<html lang="en-GB">' in client.get(f"{WELSH_FORCE}?period={PERIOD}").content


# --- English where the plan gives no Welsh ------------------------------------------------------------------

def test_a_plan_text_or_writing_with_no_welsh_shows_in_english_marked_lang_en(demo, client):
    force = models.Force.objects.get(slug="dyfed-powys")
    models.Indicator.objects.filter(force=force, code="rural-crime").update(name_cy="")
    models.Commentary.objects.filter(force=force).update(text_cy="")
    html = client.get(f"/cy{WELSH_FORCE}?period={PERIOD}").content.decode()
    assert '<span lang="en">Rural crime</span>' in html
    assert "Troseddau gwledig" not in html
    html = client.get(f"/cy{WELSH_FORCE}priorities/1/?period={PERIOD}").content.decode()
    assert '<div lang="en"><p>Illustrative commentary written for the demo.' in html
    # in an attribute or a menu, where markup cannot go, the English is plain
    assert 'lang="en">Rural crime' not in client.get(f"/cy{WELSH_FORCE}indicators/rural-crime/").content.decode()[:600]


# --- the report and the PDF --------------------------------------------------------------------------------

def test_export_report_writes_the_welsh_report_with_lang_cy(demo, tmp_path):
    out = StringIO()
    path = tmp_path / "adroddiad.html"
    call_command("export_report", "--force", "dyfed-powys", "--period", PERIOD, "--language", "cy",
                 "--output", str(path), stdout=out)
    assert "in Welsh" in out.getvalue()
    html = path.read_text()
    assert '<html lang="cy">' in html and "Diben yr adroddiad" in html and "Panel Heddlu a Throseddu" in html
    assert english_shown(words(html)) == []
    english = tmp_path / "report.html"
    call_command("export_report", "--force", "dyfed-powys", "--period", PERIOD, "--output", str(english),
                 stdout=StringIO())
    assert '<html lang="en-GB">' in english.read_text()


def test_export_report_refuses_welsh_for_a_force_published_in_english_only(demo, tmp_path):
    with pytest.raises(CommandError, match="publishes in English only"):
        call_command("export_report", "--force", "essex", "--period", "2014-01", "--language", "cy",
                     "--output", str(tmp_path / "x.html"), stdout=StringIO())


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils (pdftotext)")
def test_the_welsh_pdf_has_lang_cy_welsh_headings_and_welsh_page_numbers(demo, tmp_path):
    from pypdf import PdfReader

    path = tmp_path / "adroddiad.pdf"
    call_command("export_report", "--force", "dyfed-powys", "--period", PERIOD, "--language", "cy",
                 "--mode", "exceptions", "--format", "pdf", "--output", str(path), stdout=StringIO())
    reader = PdfReader(path)
    assert reader.trailer["/Root"]["/Lang"] == "cy"
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    for heading in ("Diben yr adroddiad", "Beth sydd angen sylw", "Crynodeb", "Atodiad A: diffiniadau a ffynonellau"):
        assert heading in text, heading
    assert "Tudalen 1 o" in text and "Page 1 of" not in text
    assert [o.title for o in reader.outline if not isinstance(o, list)][:1] == [
        "Cynllun Heddlu a Throseddu Dyfed-Powys 2021-2025: adroddiad perfformiad"]


def test_the_report_page_offers_the_welsh_pdf_and_packs_are_kept_per_language(demo, client):
    from jobs import runner
    from jobs.models import StoredPack

    response = client.get(f"/cy{WELSH_FORCE}report/?period={PERIOD}&mode=exceptions&format=pdf")
    assert response.status_code == 200        # being prepared: the job is queued
    runner.run_queued()
    response = client.get(f"/cy{WELSH_FORCE}report/?period={PERIOD}&mode=exceptions&format=pdf")
    assert response["Content-Disposition"] == (
        'attachment; filename="dyfed-powys-panel-report-2024-06-exceptions-cy.pdf"')
    assert StoredPack.objects.filter(force__slug="dyfed-powys", language="cy").count() == 1
    assert not StoredPack.objects.filter(force__slug="dyfed-powys", language="en-gb").exists()


# --- the catalogue ----------------------------------------------------------------------------------------

def test_the_catalogue_has_the_welsh_public_bodies_terms_and_the_month_names():
    entries = catalogue()
    assert entries["Police and Crime Panel"] == "Panel Heddlu a Throseddu"
    assert entries["The Police and Crime Commissioner"] == "Y Comisiynydd Heddlu a Throseddu"
    assert entries["July"] == "Gorffennaf"
    with translation.override("cy"):
        from datetime import date

        from reports.formatting import month_label
        assert [month_label(date(2024, m, 1)).split()[0] for m in range(1, 13)] == [
            "Ionawr", "Chwefror", "Mawrth", "Ebrill", "Mai", "Mehefin", "Gorffennaf", "Awst", "Medi", "Hydref",
            "Tachwedd", "Rhagfyr"]


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="needs GNU gettext (msgfmt); .ci/run installs it")
def test_the_committed_mo_is_the_po_compiled_with_its_fuzzy_entries(tmp_path):
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check-format", "--use-fuzzy", "-o", str(compiled), str(PO)], check=True)
    assert catalogue(compiled) == catalogue(MO), "run `make messages` and commit locale/cy/LC_MESSAGES/django.mo"


def test_every_word_of_the_catalogue_has_its_welsh_but_the_admins_own_title():
    """The admin is English only (issue 31): its title, in templates/admin, is the one word left untranslated."""
    assert sorted(untranslated()) == ["Django administration", "Django site admin"]


def test_after_a_welsh_page_the_english_pages_links_are_english_again(demo, client):
    """Links are reversed once per process and cached: the caches are keyed by language, and a Welsh
    request leaves no Welsh active behind it."""
    client.get(f"/cy{WELSH_FORCE}?period={PERIOD}")
    assert translation.get_language() == "en-gb"
    html = client.get(f"{WELSH_FORCE}?period={PERIOD}").content.decode()
    assert f'href="{WELSH_FORCE}priorities/1/?period={PERIOD}"' in html
    assert f'href="{WELSH_FORCE}indicators/all-crime/?period={PERIOD}"' in html
    # the only Welsh addresses on the English page: the switch and its <link rel="alternate">
    assert html.count('href="/cy/') == 2


def test_the_engines_spans_reasons_and_unit_words_are_welsh_on_a_welsh_page_and_unchanged_in_english():
    """indicators/ stays English (the API's SPEC shapes); reports/formatting puts its words into Welsh."""
    from indicators import numbers
    from reports import formatting as fmt

    cases = {
        fmt.span_words: [("rolling year to Nov 2022", "blwyddyn dreigl hyd at Tach 2022"), ("Q1 2024/25", "2024/25 Ch1"),
                         ("Nov 2021 – Apr 2022", "Tach 2021 – Ebr 2022"), ("Jul 2023", "Gorff 2023"),
                         ("2024/25", "2024/25")],
        fmt.reason_words: [("June 2014 not yet available", "Mehefin 2014 ddim ar gael eto"),
                           ("June 2014 not yet available (and 2 more months)", "Mehefin 2014 ddim ar gael eto (a 2 mis arall)"),
                           ("July 2014 unavailable: the system was replaced", "Gorffennaf 2014 ddim ar gael: the system was replaced"),
                           ("No data for April 2024 to June 2024", "Dim data ar gyfer Ebrill 2024 i Mehefin 2024")],
    }
    for function, pairs in cases.items():
        for english, welsh in pairs:
            assert function(english) == english
            with translation.override("cy"):
                assert function(english) == welsh, english
    assert fmt.display(2, "rank", of=43) == numbers.display(2, "rank", of=43) == "2nd of 43"
    assert fmt.display_change(-2, "rank") == "up 2 places" and fmt.display(951, "duration") == "15 min 51 s"
    with translation.override("cy"):
        assert fmt.display(2, "rank", of=43) == "safle 2 o 43"
        assert fmt.display_change(-2, "rank") == "i fyny 2 safle" and fmt.display_change(0, "rank") == "dim newid yn y safle"
        assert fmt.display(951, "duration") == "15 mun 51 eil" and fmt.display(3720, "duration") == "1 awr 2 mun"
        assert numbers.display(2, "rank", of=43) == "2nd of 43"      # the API's display: English


# --- the compact report, the local areas and the schedule of the report; the plan's word for its areas -----

def test_the_welsh_compact_report_and_its_table_of_every_measure_are_welsh(demo, client):
    html = _welsh_page(client, f"/cy{WELSH_FORCE}report/?period={PERIOD}&mode=compact")
    assert english_shown(words(html)) == []
    table = html[html.index('<section class="at-a-glance"'):]
    table = words(table[:table.index("</section>")])
    for welsh in ("Pob mesur yn gryno", "BHY", "Angen sylw", "* Prif fesur.",
                  "Dioddefwyr sy'n fodlon â'r gwasanaeth a gawsant"):
        assert welsh in table, welsh
    assert "Every measure" not in table and "Victims satisfied" not in table


def _section(html: str, start: str) -> str:
    part = html[html.index(start):]
    return part[:part.index("</section>")]


def test_the_welsh_reports_local_areas_and_schedule_are_welsh_with_data_marked_english(demo, client, tmp_path):
    """Essex, made bilingual here, has local areas and panel meetings (no Welsh force has them in the demo)."""
    models.Force.objects.filter(slug="essex").update(languages=["cy", "en"])
    path = tmp_path / "adroddiad.html"
    call_command("export_report", "--force", "essex", "--period", "2014-01", "--language", "cy", "--areas",
                 "--output", str(path), stdout=StringIO())
    html = path.read_text()
    areas = _section(html, '<section class="area" id="local-areas"')
    assert english_shown(words(areas, english=False)) == [] and "Ardaloedd lleol" in areas
    assert "fesul ardal leol (yr hyn sydd angen sylw yn gyntaf)" in areas
    schedule = _section(html, '<section class="appendix" id="schedule"')
    assert english_shown(words(schedule, english=False)) == [] and "<td>Llawn</td>" in schedule
    # a meeting's notes are the force's words: shown as written, marked English
    assert '<span lang="en">End March 2014 (Q4) - linked to Annual Report</span>' in schedule
    english = client.get("/essex/report/?period=2014-01").content.decode()
    assert "<td>Full</td>" in english and "<td>End March 2014 (Q4) - linked to Annual Report</td>" in english


def test_the_plans_word_for_its_areas_is_welsh_from_its_file_or_marked_english(demo, client):
    from indicators.dataio.demo import DEMO_DIR
    from indicators.plans.load import load_plan

    # West Mercia's plan calls them aims, with no Welsh: the English shows, marked as English
    models.Force.objects.filter(slug="west-mercia").update(languages=["cy", "en"])
    html = _welsh_page(client, "/cy/west-mercia/?period=2014-03")
    assert '<h2 id="area-1"><span lang="en">Aim</span> 1: ' in html
    # a plan file's area_label_cy is read, stored and shown
    text = (DEMO_DIR / "west-mercia.plan.yaml").read_text().replace("  area_label: Aim\n",
                                                                    "  area_label: Aim\n  area_label_cy: Nod\n")
    spec = parse_plan_file(text.encode())
    assert spec.area_label_cy == "Nod"
    load_plan(spec, is_demo=True)
    assert models.Plan.objects.get(force__slug="west-mercia").area_label_cy == "Nod"
    html = _welsh_page(client, "/cy/west-mercia/?period=2014-03")
    assert '<h2 id="area-1">Nod 1: ' in html and "Un nod:" in html
    # the default, "Area of focus", is pccperf's own word: in Welsh from the catalogue
    models.Force.objects.filter(slug="essex").update(languages=["cy", "en"])
    html = _welsh_page(client, "/cy/essex/?period=2014-01")
    assert '<h2 id="area-2">Maes ffocws 2: ' in html
    assert '<h2 id="area-2">Area of focus 2: ' in client.get("/essex/?period=2014-01").content.decode()


def test_the_meeting_modes_words_are_the_vocabularys_in_english():
    from indicators import vocabulary
    from reports.templatetags.pccperf import _MEETING_MODES

    assert {mode: str(words) for mode, words in _MEETING_MODES.items()} == vocabulary.REPORT_MODES
