"""The demo's West Mercia figures are seed 003's Appendix B as printed.

APPENDIX_B holds every figure of Appendix B as read from the seed by a person
(shared/seeds/003_f3abbd5752d7ddcc.txt), with footnote markers taken off:
the text extraction runs a superscript marker into the number before it when
no space separates them, as in the Police Cadets row, "282 ²", which is 28
with marker 2 (its footnote 2: "Previous year figure (year to date) shown for
comparison only"). No database: these read the fixture files.
"""

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
import yaml

from indicators.dataio.demo import DEMO_DIR
from tests.factories import SHARED, skip_unless_shared

SEED_003 = SHARED / "seeds" / "003_f3abbd5752d7ddcc.txt"

# code -> the fixture's keys and the values Appendix B prints for them
APPENDIX_B = {
    "public-confidence": {"latest": 69.1, "last": 71.2},
    "emergency-response": {"ytd_pct": 95.9},
    "priority-response": {"ytd_pct": 74.2},
    "special-constables": {"latest": 343, "last": 276},
    "police-cadets": {"latest": 28, "last": 28},
    "vwi": {"ytd": 1517},
    "vwi-solved": {"ytd_pct": 54.9},
    "iom-drug-tests": {"ytd": 181},
    "iom-positive-tests": {"numerator": 84, "denominator": 181},
    "asb": {"ytd": 13800},
    "asb-problem": {"latest": 21.5, "last": 22.5},
    "all-crime": {"ytd": 15015},
    "domestic-burglary": {"ytd": 519},
    "burglary-solved": {"ytd_pct": 26.0},
    "adult-reoffending": {"latest": 10.03},
    "effective-trials": {"latest": 38.9},
    "youth-reoffending-frequency": {"latest": 0.88, "last": 0.87},
    "youth-reoffending-proportion": {"latest": 33.5, "last": 30.3},
    "first-time-entrants": {"latest": 539, "last": 662},
    "sso-solved": {"ytd_pct": 34.3},
    "hate-crimes": {"ytd": 184, "last_ytd": 172},
    "hate-crimes-solved": {"ytd_pct": 29.3, "last_ytd_pct": 37.2},
    "repeat-da-incidents": {"ytd": 2724, "last_ytd": 2784},
    "repeat-da-victims": {"latest": 43, "numerator": 314, "denominator": 730},
    "victim-satisfaction": {"ytd_pct": 86.5},
    "victim-updates": {"ytd_pct": 89.7, "last_ytd_pct": 89.8},
    "unnecessary-attendance": {"latest": 1.96},
    "ksi": {"ytd": 100},
    "community-grants": {"ytd": 61},
}

# Appendix B prints a change measure's YTD target, not its last YTD: the
# fixture derives last YTD so that the plan's change reproduces the printed
# target (SPEC §3: rounded half-up).
PRINTED_TARGETS = {"all-crime": 15138, "vwi": 1639, "asb": 14155, "domestic-burglary": 688, "ksi": 98}

# Absolute targets printed in Appendix B's "Target" column.
ABSOLUTE_TARGETS = {"public-confidence": 71.2, "emergency-response": 95, "priority-response": 75, "vwi-solved": 53,
                    "burglary-solved": 23, "sso-solved": 32, "victim-satisfaction": 85}

SUPERSCRIPTS = "¹²³⁴⁵⁶⁷⁸⁹"


def read(name: str) -> dict:
    return yaml.safe_load((DEMO_DIR / name).read_text(encoding="utf-8"))


def figures() -> dict:
    return read("west-mercia.data.yaml")["figures"]


@pytest.mark.parametrize("code", sorted(APPENDIX_B))
def test_fixture_holds_appendix_b_figures_as_printed(code):
    figure = figures()[code]
    for key, value in APPENDIX_B[code].items():
        assert figure[key] == pytest.approx(value, abs=1e-9), f"{code}.{key}"


def test_every_published_west_mercia_figure_is_checked():
    """A new published figure in the fixture needs its value read from the seed here."""
    assert set(figures()) == set(APPENDIX_B)


def test_derived_last_ytd_reproduces_the_printed_target():
    plan = read("west-mercia.plan.yaml")
    change = {i["code"]: i["targets"]["2013/14"]["value"]
              for a in plan["plan"]["areas"] for p in a["priorities"] for i in p["indicators"]
              if i["targets"]["2013/14"]["kind"] == "change"}
    assert set(change) == set(PRINTED_TARGETS)
    for code, printed in PRINTED_TARGETS.items():
        last = Decimal(figures()[code]["last_ytd"])
        target = (last * (1 + Decimal(str(change[code])) / 100)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        assert target == printed, code


def test_absolute_targets_are_appendix_b_s():
    plan = read("west-mercia.plan.yaml")
    absolute = {i["code"]: i["targets"]["2013/14"]["value"]
                for a in plan["plan"]["areas"] for p in a["priorities"] for i in p["indicators"]
                if i["targets"]["2013/14"]["kind"] == "absolute"}
    assert absolute == ABSOLUTE_TARGETS


def test_no_fixture_figure_has_a_footnote_marker_run_into_it():
    """Every number in Appendix B followed by a footnote marker whose digit
    it ends with (e.g. "282 ²") is the number without that digit: the fixture
    must hold the shorter number, never the run-together one."""
    skip_unless_shared(SEED_003, "shared/seeds is not beside the project")
    text = SEED_003.read_text(encoding="utf-8")
    appendix = text[text.index("\nAppendix B\n"):]
    run_in = []
    for number, marker in re.findall(r"(\d[\d,]*(?:\.\d+)?)%? ?([" + SUPERSCRIPTS + "])", appendix):
        digit = str(SUPERSCRIPTS.index(marker) + 1)
        if number.endswith(digit) and len(number.replace(",", "")) > 1:
            run_in.append(float(number.replace(",", "")))
    assert run_in == [282.0]                          # the Police Cadets' previous year, and only it
    values = [v for figure in figures().values() for v in figure.values() if isinstance(v, (int, float))]
    assert 282 not in values and 28 in values


def test_seed_dates_are_the_seeds():
    """"Data as at" is when the seed published its figures (West Mercia's undated report: illustrative)."""
    assert read("leicestershire.data.yaml")["published_on"] == date(2014, 9, 29)
    assert read("essex.data.yaml")["published_on"] == date(2013, 3, 31)
    assert read("west-mercia.data.yaml")["published_on"] == date(2013, 9, 17)
    skip_unless_shared(SHARED / "seeds", "shared/seeds is not beside the project")
    assert "Date\tMONDAY 29th SEPTEMBER 2014" in (SHARED / "seeds" / "004_d6877d3faf503804.txt").read_text()
