"""SPEC §6 through the engine: each comparison a current plan makes, with the
figures the forces published, worked out by hand here."""

from __future__ import annotations

import pytest

from indicators import periods
from indicators.engine import columns as c
from indicators.engine.performance import Inputs, evaluate
from tests.engine.helpers import concat, figures, indicators, m, observations, targets


def months(first: str, values: list) -> dict:
    start = m(first)
    return {periods.format_month(periods.add_months(start, i)): v for i, v in enumerate(values)}


def one(inputs: Inputs, period: str, **kw):
    return evaluate(inputs, period=m(period), **kw)[0]


# Violence with injury, as the force published it: "rolling year to Nov 2022: 18,212, +6.4 % (+1,093);
# −10.0 % on the June 2019 baseline". 18,212 = 11 × 1,517 + 1,525; 17,119 = 11 × 1,426 + 1,433;
# the baseline (Jul 2018 – Jun 2019) 20,241 = 11 × 1,687 + 1,684.
VWI = concat(
    observations(1, months("2018-07", [1687] * 11 + [1684])),
    observations(1, months("2020-12", [1426] * 11 + [1433])),
    observations(1, months("2021-12", [1517] * 11 + [1525])),
)


def vwi(**extra):
    row = {c.CODE: "vwi", c.FREQUENCY: "monthly", c.COMPARE: "rolling-12", c.BASELINE_LABEL: "year ending June 2019",
           c.BASELINE_FROM: m("2018-07"), c.BASELINE_TO: m("2019-06")} | extra
    return indicators(row)


def test_rolling_year_and_baseline_as_the_force_published_them():
    r = one(Inputs(indicators=vwi(), observations=VWI), "2022-11")
    assert r.compare.basis == "rolling-12"
    assert r.compare.current.to_api() == {"from": "2021-12", "to": "2022-11", "value": 18212}
    assert r.compare.previous.to_api() == {"from": "2020-12", "to": "2021-11", "value": 17119}
    assert r.compare.change == 1093
    assert round(r.compare.change_pct, 1) == 6.4
    assert r.span.span_api() == {"from": "2021-12", "to": "2022-11", "label": "rolling year to Nov 2022"}
    assert r.display == "18,212"
    assert r.baseline.value == 20241 and r.baseline.first == "2018-07" and r.baseline.last == "2019-06"
    assert r.baseline.change == 18212 - 20241
    assert round(r.baseline.change_pct, 1) == -10.0
    # 18,212 against 17,119 is far beyond chance; more violence is worse
    assert r.significance.result == "deterioration" and r.significance.test == "binomial"
    assert r.baseline.significance.result == "improvement"
    # YTD and last YTD are still shown for a monthly measure
    assert (r.ytd, r.last_ytd) == (7 * 1517 + 1525, 7 * 1426 + 1433)
    api = r.to_api()
    assert api["compare"]["basis"] == "rolling-12" and api["stale"] is False and api["frequency"] == "monthly"
    assert api["baseline"]["label"] == "year ending June 2019"


def test_a_change_target_applies_to_the_rolling_year():
    # "2% fewer than the previous 12 months": 17,119 × 0.98 = 16,776.62 -> 16,777; 18,212 misses by 8.6% -> red
    inputs = Inputs(indicators=vwi(), observations=VWI, targets=targets((1, "2022/23", "change", -2)))
    r = one(inputs, "2022-11")
    assert r.target.value == 16777
    assert r.rag == "red"


def test_rolling_three_months_against_the_same_months_a_year_earlier():
    # the board's "Aug–Oct 8,943 vs 9,617, −7.0 %"
    obs = observations(1, months("2021-08", [3205, 3206, 3206]) | months("2022-08", [2981, 2981, 2981]))
    r = one(Inputs(indicators=indicators({c.COMPARE: "rolling-3"}), observations=obs), "2022-10")
    assert (r.compare.current.value, r.compare.previous.value) == (8943, 9617)
    assert r.compare.change == -674 and round(r.compare.change_pct, 1) == -7.0
    assert r.span.label == "Aug 2022 – Oct 2022"


def test_annual_figures_and_a_published_baseline():
    inds = indicators({c.CODE: "homicide", c.FREQUENCY: "annual", c.BASELINE_LABEL: "year ending March 2020",
                       c.BASELINE_VALUE: 11.0})
    obs = figures(1, ("2022-04", "2023-03", 15), ("2023-04", "2024-03", 12))
    r = one(Inputs(indicators=inds, observations=obs), "2024-05")
    assert r.frequency == "annual" and r.compare.basis == "previous"
    assert (r.compare.current.value, r.compare.previous.value, r.compare.change) == (12, 15, -3)
    assert r.compare.change_pct == -20.0
    assert r.span.label == "2023/24"
    assert (r.baseline.value, r.baseline.change, r.baseline.first) == (11.0, 1, None)
    # an annual figure is never added up as months of a year to date
    assert r.ytd is None and r.ytd_reason.startswith("An annual measure: its figures are compared span by span")
    assert r.stale is False
    # two years and two months after its span ended, the figure is stale (annual: two years)
    assert one(Inputs(indicators=inds, observations=obs), "2026-05").stale is True
    assert one(Inputs(indicators=inds, observations=obs), "2026-03").stale is False


def test_a_definition_change_compares_with_the_restated_figure_not_the_old_series():
    # Gun crime 2023/24: "113, +2.7 %" against 110 on the new definition (2022/23 restated under the new code)
    inds = indicators({c.CODE: "gun-crime", c.FREQUENCY: "annual"},
                      {c.CODE: "gun-crime-ex-air", c.FREQUENCY: "annual", c.REPLACES: "gun-crime",
                       c.REPLACES_FROM: m("2023-04"), c.REPLACES_NOTE: "air weapons no longer counted"})
    obs = concat(figures(1, ("2022-04", "2023-03", 156)),
                 figures(2, ("2022-04", "2023-03", 110), ("2023-04", "2024-03", 113)))
    old, new = evaluate(Inputs(indicators=inds, observations=obs), period=m("2024-03"))
    assert (new.compare.current.value, new.compare.previous.value) == (113, 110)
    assert round(new.compare.change_pct, 1) == 2.7
    assert new.replaces.to_api() == {"code": "gun-crime", "from": "2023-04", "note": "air weapons no longer counted"}
    assert old.replaces is None and old.compare.current.value == 156 and old.compare.previous.value is None


def test_quarterly_ratio_against_the_same_quarter_a_year_earlier():
    inds = indicators({c.CODE: "calls", c.UNIT: "percent", c.DECIMALS: 1, c.AGGREGATION: "ratio",
                       c.POLARITY: "up", c.FREQUENCY: "quarterly"})
    obs = figures(1, ("2023-04", "2023-06", None, 36000, 42000), ("2024-04", "2024-06", None, 41230, 45810))
    inputs = Inputs(indicators=inds, observations=obs, targets=targets((1, "2024/25", "absolute", 90)))
    r = one(inputs, "2024-08")
    assert r.span.label == "Q1 2024/25"
    assert round(r.compare.current.value, 3) == round(100 * 41230 / 45810, 3)
    assert round(r.compare.previous.value, 3) == round(100 * 36000 / 42000, 3)
    assert r.display == "90.0%"
    assert r.significance.test == "two-proportion" and r.significance.result == "improvement"
    assert r.rag == "green"                     # 90.002% meets the 90% national standard
    assert r.stale is False and one(inputs, "2025-01").stale is True      # two quarters after June: stale


def test_year_ending_figures_published_quarterly_are_never_added():
    # covers: 12 — each figure is the 12 months to its month; previous is the one ending 12 months earlier
    inds = indicators({c.FREQUENCY: "quarterly", c.COVERS: 12})
    obs = figures(1, ("2022-07", "2023-06", 500), ("2022-10", "2023-09", 510), ("2022-01", "2022-12", 490),
                  ("2023-07", "2024-06", 450))
    r = one(Inputs(indicators=inds, observations=obs), "2024-07")
    assert (r.compare.current.value, r.compare.previous.value) == (450, 500)
    assert r.span.label == "rolling year to Jun 2024"


def test_a_rank_shows_its_place_and_moves_in_places():
    inds = indicators({c.CODE: "rank", c.UNIT: "rank", c.AGGREGATION: "latest", c.FREQUENCY: "irregular"})
    obs = figures(1, ("2022-10", "2023-03", 27, None, 43), ("2023-11", "2024-04", 2, None, 43))
    r = one(Inputs(indicators=inds, observations=obs), "2025-03")
    assert r.display == "2nd of 43"
    assert r.compare.change == -25
    # each side carries its N, so the previous place reads "27th of 43" too
    assert (r.compare.previous.value, r.compare.previous.denominator, r.compare.current.denominator) == (27, 43, 43)
    assert r.compare.previous.numerator is None
    assert r.span.label == "Nov 2023 – Apr 2024"
    # a one-off figure eleven months old is not stale (irregular: 24 months)
    assert r.stale is False


def test_survey_waves_compared_by_their_confidence_intervals():
    inds = indicators({c.CODE: "confidence", c.UNIT: "score", c.DECIMALS: 1, c.AGGREGATION: "latest",
                       c.POLARITY: "up", c.FREQUENCY: "irregular", c.SCALE: 10.0})
    apart = figures(1, ("2023-09", "2023-11", 5.6, None, None, 5.3, 5.9), ("2024-09", "2024-11", 6.4, None, None, 6.1, 6.7))
    r = one(Inputs(indicators=inds, observations=apart), "2025-01")
    assert r.display == "6.4 / 10"
    assert r.significance.test == "interval-overlap" and r.significance.result == "improvement"
    assert (r.compare.current.lower, r.compare.current.upper) == (6.1, 6.7)
    overlap = figures(1, ("2023-09", "2023-11", 6.2, None, None, 5.9, 6.5), ("2024-09", "2024-11", 6.4, None, None, 6.1, 6.7))
    assert one(Inputs(indicators=inds, observations=overlap), "2025-01").significance.result == "no-significant-change"


def test_a_benchmark_is_shown_beside_the_measure_and_can_be_its_headline():
    inds = indicators({c.CODE: "calls", c.UNIT: "percent", c.DECIMALS: 1, c.AGGREGATION: "ratio", c.POLARITY: "up",
                       c.FREQUENCY: "quarterly", c.COMPARE: "benchmark", c.BENCHMARKS: ["england-and-wales"]},
                      {c.FORCE: "england-and-wales", c.CODE: "calls", c.UNIT: "percent", c.AGGREGATION: "ratio",
                       c.POLARITY: "up", c.FREQUENCY: "quarterly"})
    obs = concat(figures(1, ("2024-04", "2024-06", None, 900, 1000)),
                 figures(2, ("2024-04", "2024-06", None, 8500, 10000)))
    r = evaluate(Inputs(indicators=inds, observations=obs), period=m("2024-07"), indicator_ids=[1])[0]
    (bench,) = r.benchmarks
    assert bench.to_api() == {"force": "england-and-wales", "value": 85.0, "difference": 5.0,
                              "difference_pct": pytest.approx(100 * 5 / 85)}
    assert r.rating.method == "benchmark" and r.rating.value == "better"
    assert r.compare.basis == "benchmark" and r.compare.previous is None


def test_a_plan_that_sets_no_verdicts_has_no_rating():
    inputs = Inputs(indicators=vwi(), observations=VWI, rating_methods={"west-mercia": "none"})
    r = one(inputs, "2022-11")
    assert (r.rating.method, r.rating.value, r.rating.bad) == ("none", None, False)
    assert r.compare.change == 1093                     # the comparison is still shown


def test_a_rebase_restarts_spc_and_too_short_a_segment_has_no_verdict():
    values = months("2020-04", [100 + (i % 5) for i in range(36)])
    plain = one(Inputs(indicators=indicators({c.COMPARE: "rolling-12"}), observations=observations(1, values)),
                "2023-03")
    assert plain.spc.variation is not None
    rebased = one(Inputs(indicators=indicators({c.COMPARE: "rolling-12", c.REBASE: ["2022-10"]}),
                         observations=observations(1, values)), "2023-03")
    assert rebased.spc.variation is None and "since" in rebased.spc.reason


def test_a_comparison_is_refused_across_a_rebase():
    values = months("2021-04", [100] * 24)
    r = one(Inputs(indicators=indicators({c.COMPARE: "rolling-12", c.REBASE: ["2022-10"]}),
                   observations=observations(1, values)), "2023-03")
    assert r.compare.previous is None and r.compare.change is None
    assert "No comparison across the change of October 2022" in r.compare.reason


def test_a_2013_style_measure_is_compared_year_to_date_as_before():
    obs = observations(1, months("2012-04", [10] * 15) | months("2013-04", [8, 9, 10]))
    r = one(Inputs(indicators=indicators({}), observations=obs), "2013-06")
    assert r.compare.basis == "ytd"
    assert r.compare.current.to_api() == {"from": "2013-04", "to": "2013-06", "value": 27}
    assert r.compare.previous.to_api() == {"from": "2012-04", "to": "2012-06", "value": 30}
    assert (r.compare.change, r.change) == (-3, -3)
    assert r.span.label == "Q1 2013/14" and r.display == "27" and r.stale is False


def test_a_monthly_figure_three_months_old_is_stale():
    obs = observations(1, months("2013-04", [8, 9]))
    assert one(Inputs(indicators=indicators({}), observations=obs), "2013-07").stale is False
    assert one(Inputs(indicators=indicators({}), observations=obs), "2013-08").stale is True
    lagged = indicators({c.LAG: 3})
    assert one(Inputs(indicators=lagged, observations=obs), "2013-08").stale is False


def test_year_ending_figures_are_never_a_year_to_date():
    # Essex's confidence (covers: 12, quarterly, latest): the Jan-Dec 2022 figure is not the 2022/23 YTD
    inds = indicators({c.CODE: "confidence", c.UNIT: "percent", c.DECIMALS: 1, c.AGGREGATION: "latest",
                       c.POLARITY: "up", c.FREQUENCY: "quarterly", c.COVERS: 12})
    obs = figures(1, ("2021-01", "2021-12", 80.1), ("2022-01", "2022-12", 75.0))
    r = one(Inputs(indicators=inds, observations=obs), "2023-02")
    assert (r.compare.current.value, r.compare.previous.value) == (75.0, 80.1)
    assert (r.ytd, r.last_ytd, r.change, r.change_pct, r.change_pts, r.rolling_12) == (None,) * 6
    assert r.ytd_reason.startswith("A quarterly measure: its figures are compared span by span (previous)")


def test_a_span_with_nothing_filed_is_named_by_its_label():
    inds = indicators({c.CODE: "q", c.FREQUENCY: "quarterly", c.AGGREGATION: "sum"})
    obs = figures(1, ("2024-04", "2024-06", 12), ("2024-07", "2024-09", 10))
    r = one(Inputs(indicators=inds, observations=obs), "2024-09")
    assert r.compare.previous.label == "Q2 2023/24"
    assert (r.compare.previous.value, r.compare.previous.reason) == (None, "No figure for Q2 2023/24")


def test_a_measure_with_no_figure_yet_is_shown_against_the_span_due_not_a_part_quarter():
    # the example's 999 calls (quarterly): at May 2024 no quarter's figure is held yet
    inds = indicators({c.CODE: "calls", c.UNIT: "percent", c.AGGREGATION: "ratio", c.POLARITY: "up",
                       c.FREQUENCY: "quarterly"}, {c.CODE: "homicide", c.FREQUENCY: "annual"})
    obs = concat(figures(1, ("2024-04", "2024-06", None, 41230, 45810)), figures(2, ("2024-04", "2025-03", 9)))
    calls, homicide = evaluate(Inputs(indicators=inds, observations=obs), period=m("2024-05"), indicator_ids=[1, 2])
    assert (calls.span.label, calls.span.value, calls.compare.reason) == ("Q4 2023/24", None, "No figure yet")
    assert (homicide.span.label, homicide.span.value) == ("2023/24", None)
