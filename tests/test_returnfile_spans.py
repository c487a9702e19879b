"""SPEC §6 in the return file, without the database: the optional columns
`area`, `from`, `lower`, `upper` by header name; a non-monthly figure's span;
spans that never overlap; the units rank, duration, score, weighted-mean;
negative values only for number and £. Each bad input has its exact message."""

from datetime import date

import pytest

from indicators.returns.file import Catalogue, IndicatorInfo, ReturnFileError, check_rows, read_table

TODAY = date(2025, 1, 15)
HEADER = "force,indicator,month,value,numerator,denominator,status,note,area,from,lower,upper"
CATALOGUE = Catalogue(
    forces={"northshire": 1},
    indicators={
        ("northshire", "vwi"): IndicatorInfo(10, 1, "count", "sum", False),
        ("northshire", "calls-999-10s"): IndicatorInfo(11, 1, "percent", "ratio", False, "quarterly"),
        ("northshire", "homicide"): IndicatorInfo(12, 1, "count", "sum", False, "annual"),
        ("northshire", "calls-999-rank"): IndicatorInfo(13, 1, "rank", "latest", False, "irregular"),
        ("northshire", "calls-101-wait"): IndicatorInfo(14, 1, "duration", "mean", False),
        ("northshire", "survey-confidence"): IndicatorInfo(15, 1, "score", "latest", False, "irregular", None, 10),
        ("northshire", "ncpm-crime"): IndicatorInfo(16, 1, "count", "sum", False, "quarterly", 12),
        ("northshire", "wait-weighted"): IndicatorInfo(17, 1, "duration", "weighted-mean", False),
        ("northshire", "spend"): IndicatorInfo(18, 1, "gbp", "sum", False),
        ("northshire", "rate"): IndicatorInfo(19, 1, "rate", "mean", False),
    },
    editable={1}, peer_editable=set(), areas={("northshire", "E07999001"): 5},
    held_spans={(12, None): [(date(2022, 4, 1), date(2023, 3, 1))]},
)


def check(text: str, catalogue=CATALOGUE):
    header, body = read_table(text.encode(), "r.csv")
    return check_rows(header, body, catalogue, today=TODAY)


def problems(text: str) -> list[str]:
    with pytest.raises(ReturnFileError) as excinfo:
        check(text)
    return [str(p) for p in excinfo.value.problems]


def test_spans_and_intervals_are_read():
    rows = check(f"""{HEADER}
northshire,calls-999-10s,2024-06,,41230,45810,final,,,,,
northshire,homicide,2024-03,12,,,final,,,,,
northshire,calls-999-rank,2024-04,2,,43,final,,,2023-11,,
northshire,survey-confidence,2024-11,6.4,,,final,,,2024-09,6.1,6.7
northshire,vwi,2024-05,96,,,final,,E07999001,2024-05,,
northshire,calls-101-wait,2024-05,31,,,final,,,,,
""")
    quarter, year, rank, survey, area, wait = rows
    assert (quarter.month, quarter.first_month) == (date(2024, 6, 1), date(2024, 4, 1))
    assert quarter.value == pytest.approx(100 * 41230 / 45810)       # 90.0021...
    assert (year.month, year.first_month) == (date(2024, 3, 1), date(2023, 4, 1))
    assert (rank.first_month, rank.value, rank.numerator, rank.denominator) == (date(2023, 11, 1), 2, None, 43)
    assert (survey.first_month, survey.lower, survey.upper) == (date(2024, 9, 1), 6.1, 6.7)
    # a monthly figure with `from` equal to its month covers its month alone: no first_month
    assert (area.first_month, area.area_id) == (None, 5)
    assert (wait.first_month, wait.lower, wait.upper) == (None, None, None)


def test_the_optional_columns_are_found_by_name_in_any_order():
    rows = check("force,indicator,month,value,numerator,denominator,status,note,upper,from,area,lower\n"
                 "northshire,survey-confidence,2024-11,6.4,,,final,,6.7,2024-09,,6.1\n"
                 "northshire,vwi,2024-05,96,,,final,,,,E07999001,\n")
    assert [(r.first_month, r.lower, r.upper, r.area_id) for r in rows] == [
        (date(2024, 9, 1), 6.1, 6.7, None), (None, None, None, 5)]


def test_any_optional_column_may_be_left_out():
    rows = check("force,indicator,month,value,numerator,denominator,status,note,lower,upper\n"
                 "northshire,calls-101-wait,2024-05,31,,,final,,29,33\n")
    assert (rows[0].lower, rows[0].upper, rows[0].first_month) == (29, 33, None)
    # and without them the irregular measure cannot be filed: its span needs `from`
    assert problems("force,indicator,month,value,numerator,denominator,status,note\n"
                    "northshire,survey-confidence,2024-11,6.4,,,final,\n") == [
        "row 2, column from: 'survey-confidence' is an irregular measure: an irregular figure needs `from`, the "
        "first month of its span"]


def test_a_weighted_mean_is_numerator_over_denominator_not_times_100():
    rows = check(f"{HEADER}\nnorthshire,wait-weighted,2024-05,,93000,3000,final,,,,,\n")
    assert rows[0].value == 31.0
    assert problems(f"{HEADER}\nnorthshire,wait-weighted,2024-05,3100,93000,3000,final,,,,,\n") == [
        "row 2, column value: 3100 disagrees with numerator / denominator = 31.00 (a weighted mean is not × 100)"]


def test_covers_lets_year_ending_figures_overlap():
    rows = check(f"""{HEADER}
northshire,ncpm-crime,2024-03,18212,,,final,,,,,
northshire,ncpm-crime,2024-06,18090,,,final,,,,,
""")
    assert [r.first_month for r in rows] == [date(2023, 4, 1), date(2023, 7, 1)]


BAD = [
    ("quarterly at 2024-05 without from", "northshire,calls-999-10s,2024-05,,41230,45810,final,,,,,",
     ["row 2, column month: 'calls-999-10s' is a quarterly measure: 2024-05 is not a quarter end (Jun, Sep, Dec, "
      "Mar); give `from` for a span that is not a calendar quarter"]),
    ("irregular without from", "northshire,calls-999-rank,2024-04,2,,43,final,,,,,",
     ["row 2, column from: 'calls-999-rank' is an irregular measure: an irregular figure needs `from`, the first "
      "month of its span"]),
    ("from after month", "northshire,calls-999-rank,2024-04,2,,43,final,,,2024-05,,",
     ["row 2, column from: 'calls-999-rank' is an irregular measure: `from` 2024-05 is after the month 2024-04"]),
    ("monthly with an earlier from", "northshire,vwi,2024-05,96,,,final,,,2024-04,,",
     ["row 2, column from: 'vwi' is a monthly measure: a monthly figure has no `from` (or `from` equal to its "
      "month)"]),
    ("from not a month", "northshire,calls-999-rank,2024-04,2,,43,final,,,Nov 2023,,",
     None),
    ("rank with numerator", "northshire,calls-999-rank,2024-04,2,2,43,final,,,2023-11,,",
     ["row 2, column numerator: a rank has no numerator; leave it empty (the value is the position, the "
      "denominator how many were ranked)"]),
    ("rank not a position", "northshire,calls-999-rank,2024-04,2.5,,43,final,,,2023-11,,",
     ["row 2, column value: 2.5 is not a position; a rank is a whole number, 1 or more"]),
    ("rank of zero", "northshire,calls-999-rank,2024-04,0,,43,final,,,2023-11,,",
     ["row 2, column value: 0 is not a position; a rank is a whole number, 1 or more"]),
    ("rank beyond N", "northshire,calls-999-rank,2024-04,44,,43,final,,,2023-11,,",
     ["row 2, column denominator: 43 is not how many were ranked: a whole number, no less than the position 44"]),
    ("rank without N", "northshire,calls-999-rank,2024-04,2,,,final,,,2023-11,,",
     ["row 2, column denominator: is required for a rank: how many were ranked (the N of '2nd of 43')"]),
    ("negative duration", "northshire,calls-101-wait,2024-05,-3,,,final,,,,,",
     ["row 2, column value: -3 is negative; a duration is a number of seconds, 0 or more"]),
    ("score above its scale", "northshire,survey-confidence,2024-11,10.5,,,final,,,2024-09,,",
     ["row 2, column value: 10.5 is not a score between 0 and 10, the measure's scale"]),
    ("negative rate", "northshire,rate,2024-05,-1.5,,,final,,,,,",
     ["row 2, column value: -1.5 is negative; only number and £ measures may be (this one is a rate)"]),
    ("lower > value", "northshire,survey-confidence,2024-11,6.4,,,final,,,2024-09,6.5,6.7",
     ["row 2, column lower: 6.5 is more than the value 6.4"]),
    ("upper < value", "northshire,survey-confidence,2024-11,6.4,,,final,,,2024-09,6.1,6.3",
     ["row 2, column upper: 6.3 is less than the value 6.4"]),
    ("lower alone", "northshire,survey-confidence,2024-11,6.4,,,final,,,2024-09,6.1,",
     ["row 2, column upper: is required when lower is given (a 95 % interval has both ends)"]),
    ("interval on an unavailable figure", "northshire,survey-confidence,2024-11,,,,unavailable,No wave,,2024-09,6.1,6.7",
     ["row 2, column lower: must be empty when status is unavailable",
      "row 2, column upper: must be empty when status is unavailable"]),
    ("lower not a number", "northshire,survey-confidence,2024-11,6.4,,,final,,,2024-09,six,6.7",
     ["row 2, column lower: 'six' is not a number; write a plain decimal such as 512 or 55.2"]),
    ("overlap with a held figure", "northshire,homicide,2023-06,12,,,final,,,,,",
     ["row 2, column month: its span rolling year to Jun 2023 overlaps the figure held for 2022/23 (2022-04 to "
      "2023-03); the figures of 'homicide' never overlap (each month is in one figure)"]),
]


@pytest.mark.parametrize("label,row,expected", BAD, ids=[b[0] for b in BAD])
def test_each_bad_row_has_its_exact_message(label, row, expected):
    found = problems(f"{HEADER}\n{row}\n")
    if expected is None:
        assert len(found) == 1 and found[0].startswith("row 2, column from: ")
    else:
        assert found == expected


def test_spans_in_one_file_never_overlap_and_the_message_names_both_rows():
    assert problems(f"""{HEADER}
northshire,calls-999-rank,2024-04,2,,43,final,,,2023-11,,
northshire,calls-999-rank,2024-06,3,,43,final,,,2024-03,,
""") == ["row 3, column from: its span Mar 2024 – Jun 2024 overlaps row 2's Nov 2023 – Apr 2024; the figures of "
         "'calls-999-rank' never overlap (each month is in one figure)"]


def test_a_held_figure_filed_again_is_replaced_not_overlapped():
    rows = check(f"{HEADER}\nnorthshire,homicide,2023-03,11,,,final,Restated,,,,\n")
    assert (rows[0].first_month, rows[0].value) == (date(2022, 4, 1), 11)


def test_negative_values_stay_allowed_for_number_and_gbp():
    rows = check(f"{HEADER}\nnorthshire,spend,2024-05,-1200.5,,,final,Refund,,,,\n")
    assert rows[0].value == -1200.5
