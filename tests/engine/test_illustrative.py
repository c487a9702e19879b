"""Which verdicts rest on a figure generated for the demo (issue 24, item 4):
each verdict's own months decide, not the indicator as a whole."""

from datetime import date

import pandas as pd

from indicators.engine import columns as c
from indicators.engine.performance import Inputs, evaluate
from tests.engine.helpers import concat, indicators, m, series, targets


def generated(frame: pd.DataFrame, *months: str) -> pd.DataFrame:
    """``frame`` with the figures of ``months`` ("YYYY-MM") marked illustrative."""
    marked = {date(int(t[:4]), int(t[5:]), 1) for t in months}
    return frame.assign(**{c.ILLUSTRATIVE: frame[c.MONTH].isin(marked)})


def one(observations, period="2013-06", **kwargs):
    inputs = Inputs(indicators=indicators({}), observations=observations, **kwargs)
    return evaluate(inputs, period=date.fromisoformat(period + "-01"))[0]


# Two years of history (the SPC baseline: April 2011 to March 2013) and this year's three months.
HISTORY = [100, 104, 98, 101, 97, 103, 99, 102, 100, 98, 101, 99] * 2


def test_published_figures_only_mark_nothing():
    r = one(generated(series(1, "2011-04", [*HISTORY, 90, 91, 92])))
    assert r.ytd == 273 and not r.illustrative.any and r.to_api()["illustrative"] is False
    assert not r.rating.illustrative
    assert [f.illustrative for f in r.monthly] == [False] * 27


def test_a_generated_history_marks_the_spc_verdict_not_the_ytd_comparison():
    """The demo's earlier years are generated; this year's and last year's
    first quarter are published: YTD against last YTD stands, SPC does not."""
    history = [f"{y}-{mo:02d}" for y in (2011, 2012) for mo in range(1, 13)
               if not (y == 2012 and mo in (4, 5, 6))]
    r = one(generated(series(1, "2011-04", [*HISTORY, 90, 91, 92]), *history),
            targets=targets((1, "2013/14", "change", -5)))
    assert r.illustrative.spc and not r.illustrative.comparison
    assert r.rag == "green" and not r.rating.illustrative       # a RAG by targets: YTD against last YTD
    assert r.illustrative.any and r.to_api()["illustrative"] is True
    monthly = {f.month: f.illustrative for f in r.monthly}
    assert monthly["2012-03"] and not monthly["2012-04"] and not monthly["2013-06"]


def test_one_generated_month_of_this_year_marks_the_comparison_and_the_rating():
    r = one(generated(series(1, "2011-04", [*HISTORY, 90, 91, 92]), "2013-05"),
            targets=targets((1, "2013/14", "change", -5)))
    assert r.illustrative.comparison and r.illustrative.spc and not r.illustrative.msg
    assert r.rating.value == "green" and r.rating.illustrative


def test_an_analysts_rating_is_not_the_figures():
    r = one(generated(series(1, "2011-04", [*HISTORY, 90, 91, 92]), "2013-05"),
            targets=targets((1, "2013/14", "change", -5)),
            assessments=pd.DataFrame([{c.INDICATOR_ID: 1, c.MONTH: m("2013-06"), c.RAG: "amber", c.STATUS_TEXT: "",
                                       c.REASON: "As published", c.RATING: ""}], columns=c.ASSESSMENT_COLUMNS))
    assert r.rating.manual and r.rating.value == "amber" and not r.rating.illustrative
    assert r.illustrative.comparison          # the figures beside it still say so


def test_a_generated_peer_marks_the_msg_comparison():
    ind = indicators({c.CODE: "burglary", c.MSG: True}, {c.CODE: "burglary", c.FORCE: "kent"})
    own = series(1, "2012-07", [100] * 12)
    peer = generated(series(2, "2012-07", [300] * 12), "2013-01")
    pops = pd.DataFrame([("west-mercia", 2013, 1_200_000), ("kent", 2013, 1_800_000)], columns=c.POPULATION_COLUMNS)
    inputs = Inputs(indicators=ind, observations=concat(generated(own), peer), populations=pops,
                    msg_peers={"west-mercia": ["kent"]})
    r = evaluate(inputs, period=date(2013, 6, 1), indicator_ids=[1])[0]
    assert r.msg_comparison.rate == 1.0 and r.illustrative.msg
    assert not r.illustrative.comparison and not r.illustrative.spc
