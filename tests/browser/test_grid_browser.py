"""The quarterly grid in a real browser (issue 15): an analyst of West Mercia
pastes a whole quarter copied from Excel, sees the tenfold figure's warning
beside its cell, fixes it, saves, publishes, and the public dashboard moves
on; paste edge cases, Enter and Tab, Enter without scripts; axe on the grid."""

import time
from datetime import date
from types import SimpleNamespace

import pytest

from indicators import models, periods
from tests.browser.conftest import axe_violations, screenshot
from tests.factories import make_user

pytestmark = pytest.mark.django_db

FORCE = "west-mercia"
Q2 = "2013/14 Q2"           # the demo's figures end in June 2013: Q2 is the quarter to file next
GRID = f"/admin/indicators/return/grid/?force={FORCE}&quarter=2013/14+Q2"
TENFOLD = ("all-crime", 1)  # August 2013 of all crime, typed ten times over


@pytest.fixture(scope="module")
def wm(demo_data, django_db_blocker):
    """What the tests need from the database, read (and the analysts made)
    before the browser runs: the test thread then never touches the
    database the live server writes to."""
    from indicators import selectors
    from indicators.admin.returns import plan_indicators

    with django_db_blocker.unblock():
        force = models.Force.objects.get(slug=FORCE)
        for name in ("wm-analyst", "wm-noscript", "wm-keys"):
            make_user(name, role="analyst", forces=[force])
        months = periods.quarter_months(2013, 2)
        indicators = [SimpleNamespace(id=i.id, code=i.code, name=i.name, aggregation=i.aggregation, unit=i.unit)
                      for i in plan_indicators(force, months[-1])]
        # the measures expecting no figure (milestones, measures reported in words) the grid leaves out (issue 28)
        not_expected = selectors.measures_expecting_no_figures(indicator_ids=[i.id for i in indicators],
                                                               financial_year="2013/14")
        latest = {}
        for ind in indicators:
            latest[ind.id] = (models.Observation.objects.filter(indicator_id=ind.id, month__lte=date(2013, 6, 1),
                                                                value__isnull=False)
                              .order_by("-month").values("value", "numerator", "denominator").first())
    yield SimpleNamespace(all=indicators, indicators=[i for i in indicators if i.id not in not_expected],
                          not_expected=not_expected, months=months, latest=latest)


def sign_in(page, site, username="wm-analyst"):
    page.goto(site + "/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(site + "/admin/")


def publish_quarter(page, site, quarter=Q2):
    """Publish the draft return just saved from the grid through its review
    page: the save message links to it; the figures show old → new; Publish
    needs its confirmation ticked."""
    page.locator(".messagelist a", has_text="return #").first.click()
    page.wait_for_load_state()
    assert "/review/" in page.url
    body = page.locator("#content").inner_text()
    assert "→" in body and quarter in body, body[:500]
    tick = page.get_by_label("I have checked these figures")      # the one rule: only when a figure needs it
    if tick.count():
        tick.check()
    page.get_by_role("button", name="Publish return").click()
    page.wait_for_load_state()
    assert "published" in page.locator(".messagelist").inner_text()


def quarter_block(wm, tenfold=True) -> tuple[str, dict]:
    """The Q2 figures as Excel copies a block of the grid's measures × 3 months: each measure's latest
    published figure (June 2013 where there is one) for July to September,
    counts with thousands separators, percentages with a per cent sign, ratio
    measures as numerator/denominator. Returns the text and the figures."""
    rows, figures = [], {}
    for ind in wm.indicators:
        last = wm.latest[ind.id]
        cells = []
        for j, month in enumerate(wm.months):
            if ind.aggregation == "ratio":
                num, den = (int(last["numerator"]), int(last["denominator"])) if last and last["numerator"] \
                    else (50, 100)
                cells.append(f"{num:,}/{den:,}" if j == 0 else f"{num}/{den}")
                figures[(ind.id, month)] = (num, den)
                continue
            value = last["value"] if last else (50.0 if ind.unit == "percent" else 1.0)
            if tenfold and (ind.code, j) == TENFOLD:
                value *= 10
            if ind.unit == "count":
                text = f"{int(value):,}"
            elif ind.unit == "percent":
                text = f"{value:g} %" if j != 2 else f"{value:g}%"
            else:
                text = f"{value:g}"
            cells.append(text)
            figures[(ind.id, month)] = value
        rows.append("\t".join(cells))
    return "\r\n".join(rows) + "\r\n", figures


def paste(page, selector, text):
    """A paste as the browser fires it from Ctrl+V, with ``text`` on the clipboard."""
    page.focus(selector)
    page.evaluate("""([selector, text]) => {
        const data = new DataTransfer();
        data.setData('text/plain', text);
        document.querySelector(selector).dispatchEvent(
            new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));
    }""", [selector, text])


def first_figure(ind, month):
    part = "numerator" if ind.aggregation == "ratio" else "value"
    return f"#{part}-{ind.id}-{periods.format_month(month)}"


def test_a_quarter_pasted_checked_fixed_saved_and_published(site, page, wm):
    sign_in(page, site)
    page.goto(site + f"/{FORCE}/")
    assert page.locator("#period-select option[selected]").get_attribute("value") == "2013-06"
    indicators, months = wm.indicators, wm.months
    n = len(indicators)
    assert len(wm.all) == 49 and n == 49 - len(wm.not_expected) and n < 49
    text, figures = quarter_block(wm)
    started = time.perf_counter()
    checking = 0.0              # time spent by axe and the screenshot, not by the analyst

    def axe_clean():
        nonlocal checking
        t = time.perf_counter()
        assert axe_violations(page) == []
        checking += time.perf_counter() - t

    page.goto(site + "/admin/indicators/return/grid/")            # the picker opens on the quarter to file next
    assert page.locator("#pick-quarter option:checked").inner_text() == Q2
    axe_clean()
    page.get_by_role("button", name="Open the grid").click()
    page.wait_for_url("**/grid/?force=west-mercia&quarter=2013%2F14+Q2")
    assert page.locator("#grid-counter").inner_text() == f"Filled: 0 of {n} measures (every month) · 0 of {3 * n} figures"
    axe_clean()

    paste(page, first_figure(indicators[0], months[0]), text)
    status = page.locator("#paste-status").inner_text()
    assert status.startswith(f"Pasted {3 * n} cells from a block of {n} rows × 3 columns, starting at "
                             f"{indicators[0].name}, July 2013."), status
    assert "written as numerator/denominator filled both parts" in status
    assert page.locator("#grid-counter").inner_text() == f"Filled: {n} of {n} measures (every month) · {3 * n} of {3 * n} figures"
    crime = next(i for i in indicators if i.code == "all-crime")
    august = f"{crime.id}-2013-08"
    tenfold = int(figures[(crime.id, months[1])])
    assert page.input_value(f"#value-{august}") == str(tenfold)        # "50,130" pasted, 50130 in the cell

    page.get_by_role("button", name="Save as draft").click()
    page.wait_for_load_state()
    assert f"{3 * n} figures saved in draft" in page.locator(".messagelist").inner_text()
    assert page.locator(".warnlist").count() == 1                 # the tenfold figure, and only it
    warning = page.locator(f"#warn-{august}")
    assert warning.is_visible() and f"{tenfold:,} is more than 3× the previous month (Jul 2013:" in warning.inner_text()
    assert f"warn-{august}" in page.get_attribute(f"#value-{august}", "aria-describedby")
    assert page.get_by_label("I have checked these figures").count() == 0    # asked when publishing
    t = time.perf_counter()
    screenshot(page, "grid-with-warning")
    checking += time.perf_counter() - t
    axe_clean()

    page.fill(f"#value-{august}", str(tenfold // 10))
    page.get_by_role("button", name="Save as draft").click()
    page.wait_for_load_state()
    assert f"{3 * n} figures saved in draft" in page.locator(".messagelist").inner_text()
    assert page.locator(".warnlist").count() == 0

    publish_quarter(page, site)
    page.goto(site + f"/{FORCE}/")
    assert page.locator("#period-select option[selected]").get_attribute("value") == "2013-09"
    elapsed = time.perf_counter() - started
    print(f"\nthe quarter opened, pasted, saved with a warning, fixed, saved and published in {elapsed:.1f} s "
          f"({elapsed - checking:.1f} s without the {checking:.1f} s of axe runs and the screenshot)")
    page.goto(site + GRID)
    assert page.input_value(f"#value-{august}") == str(tenfold // 10)
    assert page.locator(".warnlist").count() == 0


def test_keystrokes_and_clicks_for_a_quarter(site, page, wm):
    """Counted from the page: typing a quarter cell by cell, Tab through every
    control (as the grid was), against pasting it."""
    sign_in(page, site)
    page.goto(site + "/admin/indicators/return/grid/?force=west-mercia&quarter=2013/14+Q3")
    _, figures = quarter_block(wm, tenfold=False)

    def typed(v):
        if isinstance(v, tuple):
            return len(str(v[0])) + len(str(v[1]))
        return len(f"{v:g}") if not float(v).is_integer() else len(str(int(v)))

    characters = sum(typed(v) for v in figures.values())
    stops = page.locator("table.grid-table input, table.grid-table select").count()
    ratios = sum(i.aggregation == "ratio" for i in wm.indicators)
    n = len(wm.indicators)
    assert stops == n * 3 * 3 + ratios * 3          # value (or numerator and denominator), status, note
    print(f"\nbefore: {characters} characters + {stops} Tab presses = {characters + stops} keystrokes and a click "
          f"(Save), {n * 3 + ratios * 3} numbers; after: Ctrl+V and two clicks (first cell, Save as draft)")


def test_paste_edge_cases(site, page, wm):
    """A block larger than the grid, text, separators, percentages and a single
    figure over a ratio measure, each said in the paste message; the checks
    then report the text beside its cell."""
    sign_in(page, site)
    q3 = site + "/admin/indicators/return/grid/?force=west-mercia&quarter=2013/14+Q3"
    page.goto(q3)
    indicators = wm.indicators
    start = len(indicators) - 2                        # two rows from the end, second month: room for 2 × 2
    block = "\n".join("\t".join(["9"] * 3) for _ in range(3)) + "\n"
    paste(page, first_figure(indicators[start], date(2013, 11, 1)), block)
    status = page.locator("#paste-status").inner_text()
    assert "from a block of 3 rows × 3 columns" in status
    assert ("The block is larger than the grid from here: its last 1 row (from “9 9 9”) and its last 1 column did "
            "not fit and were left out.") in status, status

    # over a ratio measure: parts are taken, a single figure is left out; text is kept for the checks
    ratio_at = next(n for n, i in enumerate(indicators) if i.aggregation == "ratio" and n + 1 < len(indicators)
                    and indicators[n + 1].aggregation != "ratio")
    ratio, below = indicators[ratio_at], indicators[ratio_at + 1]
    page.goto(q3)
    last = "55.2 %" if below.unit == "percent" else "7"
    paste(page, first_figure(ratio, date(2013, 10, 1)), f"55.2 %\t275/498\t1,234 of 2,000\nn/a\t1,234\t{last}\n")
    status = page.locator("#paste-status").inner_text()
    assert "2 ratio cells written as numerator/denominator filled both parts." in status
    assert ("1 pasted cell holding one figure fell on a ratio measure, which needs its numerator and denominator: "
            "the cell is marked") in status and "(55.2 %)" in status
    marked = page.locator(f"#needs-{ratio.id}-2013-10")                  # marked beside the cell, not dropped
    assert marked.is_visible() and "Pasted “55.2 %”: needs numerator and denominator" in marked.inner_text()
    assert f"needs-{ratio.id}-2013-10" in page.get_attribute(f"#numerator-{ratio.id}-2013-10", "aria-describedby")
    assert "1 cell holds text, not a number; saving will say so beside it" in status
    assert page.input_value(f"#numerator-{ratio.id}-2013-10") == ""
    assert page.input_value(f"#numerator-{ratio.id}-2013-11") == "275"
    assert page.input_value(f"#denominator-{ratio.id}-2013-12") == "2000"
    paste(page, f"#denominator-{ratio.id}-2013-10", "1,500 / 3,000")      # one cell: both parts
    assert page.input_value(f"#numerator-{ratio.id}-2013-10") == "1500"
    assert page.input_value(f"#denominator-{ratio.id}-2013-10") == "3000"
    assert page.locator(f"#needs-{ratio.id}-2013-10").count() == 0                # filled: the mark is gone
    assert page.input_value(f"#value-{below.id}-2013-10") == "n/a"
    assert page.input_value(f"#value-{below.id}-2013-11") == "1234"
    assert page.input_value(f"#value-{below.id}-2013-12") == ("55.2" if below.unit == "percent" else "7")
    page.get_by_role("button", name="Check without saving").click()
    page.wait_for_load_state()
    assert "'n/a' is not a number" in page.locator(f"#err-{below.id}-2013-10").inner_text()
    assert f"err-{below.id}-2013-10" in page.get_attribute(f"#value-{below.id}-2013-10", "aria-describedby")


def test_enter_moves_down_and_tab_moves_right(site, page, wm):
    sign_in(page, site, "wm-keys")
    page.goto(site + "/admin/indicators/return/grid/?force=west-mercia&quarter=2013/14+Q4")
    indicators = wm.indicators
    a = next(n for n, i in enumerate(indicators) if i.aggregation != "ratio")
    plain, nxt = indicators[a], indicators[a + 1]
    first_part = "numerator" if nxt.aggregation == "ratio" else "value"

    def focused():
        return page.evaluate("document.activeElement.id")

    page.focus(f"#value-{plain.id}-2014-01")
    page.keyboard.type("10")
    page.keyboard.press("Tab")
    assert focused() == f"value-{plain.id}-2014-02"
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")                                   # past March: the next line's January
    assert focused() == f"{first_part}-{nxt.id}-2014-01"
    page.keyboard.press("Shift+Tab")
    assert focused() == f"value-{plain.id}-2014-03"
    page.keyboard.press("Enter")
    assert focused() == f"{first_part}-{nxt.id}-2014-03"
    page.keyboard.press("Shift+Enter")
    assert focused() == f"value-{plain.id}-2014-03"
    assert page.locator(".messagelist").count() == 0 and page.input_value(f"#value-{plain.id}-2014-01") == "10"
    ratio = next(i for i in indicators if i.aggregation == "ratio")
    page.focus(f"#numerator-{ratio.id}-2014-01")
    page.keyboard.press("Enter")                                 # a ratio measure is two lines
    assert focused() == f"denominator-{ratio.id}-2014-01"
    page.uncheck("#tab-figures")                                 # unticked, Tab reaches "Status, note"
    page.focus(f"#value-{plain.id}-2014-01")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
    page.keyboard.press("Enter")                                 # opens it
    page.keyboard.press("Tab")
    assert focused() == f"status-{plain.id}-2014-01"


def test_enter_never_submits_the_grid_without_scripts(site, browser, wm):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, site, "wm-noscript")
    page.goto(site + "/admin/indicators/return/grid/?force=west-mercia&quarter=2014/15+Q1")
    plain = next(i for i in wm.indicators if i.unit == "count" and i.aggregation != "ratio")
    cell = f"#value-{plain.id}-2014-04"
    page.fill(cell, "1,234")
    page.press(cell, "Enter")
    page.wait_for_timeout(500)
    assert page.locator(".messagelist").count() == 0 and page.input_value(cell) == "1,234"
    page.get_by_role("button", name="Save as draft").click()
    page.wait_for_load_state()
    assert "1 figure saved in draft" in page.locator(".messagelist").inner_text()
    assert page.input_value(cell) == "1234"
    n = page.locator("tbody tr[data-code]").count()          # 2014/15's targets: its own measures expecting none
    assert page.locator("#grid-counter").inner_text() == f"Filled: 0 of {n} measures (every month) · 1 of {3 * n} figures"
    context.close()


def test_the_grid_script_runs_under_the_content_security_policy(site, browser, wm):
    context = browser.new_context()                 # the policy in force (the page fixture bypasses it for axe)
    page = context.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    sign_in(page, site, "wm-keys")
    response = page.goto(site + "/admin/indicators/return/grid/?force=west-mercia&quarter=2013/14+Q4")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert page.locator("#grid-keys").is_visible() and page.locator("#tab-figures").is_visible()
    assert [e for e in errors if "Content Security Policy" in e] == []
    context.close()


# --- one local area's grid (issue 18, item 4) ----------------------------------------------------------------

@pytest.fixture(scope="module")
def essex(demo_data, django_db_blocker):
    """Essex's analyst, a district, and the measures the plan breaks down by
    area (read before the browser runs, as ``wm``)."""
    from indicators import selectors
    from indicators.admin.returns import plan_indicators

    with django_db_blocker.unblock():
        force = models.Force.objects.get(slug="essex")
        make_user("essex-analyst", role="analyst", forces=[force])
        district = force.local_areas.get(name="Basildon")
        months = periods.quarter_months(2013, 4)
        local = selectors.indicator_ids_with_area_figures(force=force)
        measures = [SimpleNamespace(id=i.id, name=i.name) for i in plan_indicators(force, months[-1])
                    if i.id in local]
        december, january = ({i.id: models.Observation.objects.get(indicator_id=i.id, area=district, month=m).value
                              for i in measures} for m in (date(2013, 12, 1), date(2014, 1, 1)))
    yield SimpleNamespace(force=force, district=district, measures=measures, months=months, december=december,
                          january=january)


def test_a_districts_grid_opens_from_the_picker_and_passes_axe(site, page, essex):
    sign_in(page, site, "essex-analyst")
    page.goto(site + "/admin/indicators/return/grid/?force=essex")
    # Essex's figures run to June 2014, past its plan's end (March 2014): the quarter to file next is
    # 2014/15 Q2, offered although the plan has ended (SPEC §6 "A plan's life"); the districts' is 2013/14 Q4
    assert page.locator("#pick-quarter option:checked").inner_text() == "2014/15 Q2"
    page.get_by_label("Quarter").select_option(label="2013/14 Q4")
    page.get_by_label(f"Area of {essex.force.name}").select_option(label="Basildon")
    page.get_by_role("button", name="Open the grid").click()
    page.wait_for_url(f"**/grid/?force=essex&quarter=2013%2F14+Q4&area={essex.district.code}")
    assert page.locator("#content-main h2").first.inner_text() == f"{essex.force.name}, Basildon: 2013/14 Q4"
    # the four measures with district series (all crime, ASB, domestic burglary, vehicle crime), no others
    assert len(essex.measures) == 4
    names = page.eval_on_selector_all("tbody tr[data-name]", "rows => rows.map(r => r.dataset.name)")
    assert sorted(names) == sorted(m.name for m in essex.measures)
    first = essex.measures[0]
    refs = page.locator(f"#ref-{first.id}-2014-01").inner_text()
    assert f"Dec 2013: {essex.december[first.id]:,.0f}" in refs, refs    # Basildon's own December, not Essex's
    assert page.locator("#grid-counter").inner_text() == "Filled: 4 of 4 measures (every month) · 12 of 12 figures"
    assert page.input_value(f"#value-{first.id}-2014-01") == f"{essex.january[first.id]:.0f}"
    assert axe_violations(page) == []
    page.fill(f"#value-{first.id}-2014-01", f"{essex.january[first.id] + 1:,.0f}")     # a revision
    page.get_by_role("button", name="Save as draft").click()
    page.wait_for_load_state()
    assert "Basildon 2013/14 Q4: 1 figure saved in draft" in page.locator(".messagelist").inner_text()
    assert page.input_value(f"#value-{first.id}-2014-01") == f"{essex.january[first.id] + 1:.0f}"
    assert page.locator("#pick-area option:checked").inner_text() == "Basildon"
    screenshot(page, "grid-local-area")
    assert axe_violations(page) == []


def test_essex_files_the_quarter_after_its_plan_ended_by_grid_and_wide_template(site, page, essex, tmp_path):
    """Essex's plan ends on 31 March 2014 (issue "Current plans II"): its
    analyst goes on filing, 2014/15 Q2 by the grid and by the wide template,
    with no administrator step, and is told the plan has ended."""
    from openpyxl import load_workbook

    sign_in(page, site, "essex-analyst")
    page.goto(site + "/admin/indicators/return/grid/?force=essex")
    assert page.locator("#pick-quarter option:checked").inner_text() == "2014/15 Q2"
    page.get_by_role("button", name="Open the grid").click()
    page.wait_for_url("**/grid/?force=essex&quarter=2014%2F15+Q2*")
    notice = page.locator(".plan-ended")
    assert notice.is_visible()
    assert "ended on 31 March 2014. Its measures are still offered" in notice.inner_text()
    assert axe_violations(page) == []
    crime = essex.measures[0]
    page.fill(f"#value-{crime.id}-2014-07", "9,876")
    page.get_by_role("button", name="Save as draft").click()
    page.wait_for_load_state()
    assert "1 figure saved in draft" in page.locator(".messagelist").inner_text()

    # the wide template of the same quarter, filled in Excel and uploaded
    response = page.request.get(site + "/admin/indicators/return/template/wide/?force=essex&quarter=2014/15+Q2")
    assert response.status == 200
    path = tmp_path / "essex-2014-15-q2.xlsx"
    path.write_bytes(response.body())
    book = load_workbook(path)
    sheet = book["Quarter"]
    header = [cell.value for cell in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[2].value == crime.name)
    assert row[header.index("2014-07 value")].value == 9876          # the grid's draft, filled in
    row[header.index("2014-08 value")].value = 9543
    book.save(path)
    page.goto(site + "/admin/indicators/return/import/")
    page.set_input_files("#id_file", str(path))
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_load_state()
    assert "9,543" in page.locator("#content-main").inner_text()
    page.get_by_role("button", name="Import").click()
    page.wait_for_load_state()
    assert "essex" in page.locator(".messagelist").inner_text().lower()
