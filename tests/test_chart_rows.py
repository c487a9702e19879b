"""The report's chart data tables leave out the end tags HTML makes optional
(issue 27 item 8, the report's size): parsed as WeasyPrint parses them
(tinyhtml5, the HTML standard's parser), they are the same table, cell for
cell, as the rows written with every end tag, and what follows the table
stays outside it."""

from __future__ import annotations

import tinyhtml5

from reports.templatetags.pccperf import chart_rows

NS = "{http://www.w3.org/1999/xhtml}"
ROWS = [("April 2023", "874", "—"), ("May 2023", "1,0<5", "Rule 1 & 2"), ("June 2023", "", "<b>x</b>")]


def _table(body: str):
    doc = tinyhtml5.parse(f"<table><thead><tr><th>Month<th>Value<th>Special cause</thead><tbody>{body}</tbody>"
                          "</table><p>after the table</p>")
    rows = [[(cell.tag.removeprefix(NS), dict(cell.attrib), "".join(cell.itertext())) for cell in tr]
            for tr in doc.iter(f"{NS}tr")]
    return rows, "".join(doc.find(f".//{NS}p").itertext())


def test_rows_without_optional_end_tags_are_the_same_table():
    compact = chart_rows(ROWS, end_tags=False)
    assert "</td>" not in compact and "</tr>" not in compact and "&lt;b&gt;x&lt;/b&gt;" in compact
    assert _table(compact) == _table(chart_rows(ROWS))
    rows, after = _table(compact)
    assert rows[2] == [("th", {"scope": "row"}, "May 2023"), ("td", {}, "1,0<5"), ("td", {}, "Rule 1 & 2")]
    assert rows[3][2] == ("td", {}, "<b>x</b>") and after == "after the table"
