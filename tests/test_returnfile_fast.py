"""The column-wise fast path of check_rows (issue 17, bulk load) gives
exactly what the per-row path gives: the same Rows (values, types, -0 as 0,
ratio values filled in), the same skipped template rows, and for any file
with a problem the same messages, because it hands such a file back to the
per-row path. Each case runs the file both ways and compares."""

from contextlib import contextmanager
from dataclasses import replace
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicators.returns import file
from indicators.returns.file import IndicatorInfo, ReturnFileError, check_rows, read_table
from tests.test_returnfile import CATALOGUE as BASE_CATALOGUE
from tests.test_returnfile import HEADER, TODAY

# test_returnfile's catalogue, with a summed number measure and local areas
CATALOGUE = replace(BASE_CATALOGUE, indicators={
    **BASE_CATALOGUE.indicators, ("west-mercia", "spend"): IndicatorInfo(13, 1, "number", "sum", False)},
    areas={("west-mercia", "hfd"): 7, ("west-mercia", "wor"): 8, ("essex", "cen"): 9})


@contextmanager
def per_row_only():
    with mock.patch.object(file, "_fast_rows", lambda *args: None):
        yield


def both_ways(text: str):
    """(outcome of the default path, outcome of the per-row path, whether the
    fast path answered): an outcome is (rows, skipped) or the messages."""
    header, body = read_table(text.encode(), "r.csv")

    def run():
        skipped = []
        try:
            rows = check_rows(header, body, CATALOGUE, today=TODAY, skipped=skipped)
        except ReturnFileError as exc:
            return [str(p) for p in exc.problems]
        return [(r, repr(r), type(r.value)) for r in rows], skipped

    default = run()
    with per_row_only():
        per_row = run()
    position = {c: header.index(c) for c in file.ALL_COLUMNS if c in header}
    answered = file._fast_rows(len(header), position, body, CATALOGUE, file.periods.first_of_month(TODAY)) is not None
    return default, per_row, answered


GOOD = f"""{HEADER},area
west-mercia,vwi,2013-04,512,,,final,,
west-mercia, vwi ,2013-05, 498 ,,,Provisional,Awaiting QA,
west-mercia,vwi,2013-06,-0,,,,,hfd
west-mercia,vwi-solved,2013-04,,281,512,final,,
west-mercia,vwi-solved,2013-05,54.88,281,512,final,,
west-mercia,vwi-solved,2013-06,,,,unavailable,Outcome data delayed,
west-mercia,confidence,2013-05,69.10,,,final,,wor
west-mercia,spend,2013-05,-12.5,,,final,,
west-mercia,spend,2013-06,.5,,,final,,
west-mercia,vwi,2013-07,,,,final,,
west-mercia,vwi,2013-08,,,,,,
avon-and-somerset,vwi,2013-04,701,,,final,,
"""


def test_a_good_file_takes_the_fast_path_and_gives_the_same_rows():
    default, per_row, answered = both_ways(GOOD)
    assert answered
    assert default == per_row
    rows, skipped = default
    assert skipped == [11, 12]
    assert [r.value for r, *_ in rows] == [512.0, 498.0, 0.0, 100 * 281 / 512, 54.88, None, 69.1, -12.5, 0.5, 701.0]
    assert repr(rows[2][0].value) == "0.0"              # -0 is stored as 0
    assert rows[1][0].status == "provisional" and rows[1][0].note == "Awaiting QA"
    assert (rows[2][0].area, rows[2][0].area_id) == ("hfd", 7)


@pytest.mark.parametrize("bad_line", [
    "west-mercia,vwi,2013-09,1,000,,final,,",          # a field too many
    "west-mercia,vwi,2013-09,\"1,000\",,,final,,",      # thousands separator
    "west-mercia,vwi,2013-09,1e3,,,final,,",
    "west-mercia,vwi,2013-09,12.5,,,final,,",           # a count that is not whole
    "west-mercia,vwi,2013-09,-3,,,final,,",
    "west-mercia,vwi,2099-01,3,,,final,,",              # after this month
    "west-mercia,vwi,2013-13,3,,,final,,",
    "west-mercia,vwi,,3,,,final,,",
    "west-mercia,vwi,2013-09,3,,,done,,",
    "west-mercia,vwi,2013-09,3,,,final,=SUM(A1),",
    "west-mercia,vwi,2013-09,3,,,final,,nowhere",
    "west-mercia,vwi,2013-09,3,,,final,,cen",           # another force's area
    "west-mercia,vwi,2013-09,,,,unavailable,,",
    "west-mercia,vwi,2013-09,3,,,unavailable,why,",
    "west-mercia,vwi-solved,2013-09,,600,512,final,,",
    "west-mercia,vwi-solved,2013-09,,281,0,final,,",
    "west-mercia,vwi-solved,2013-09,10,281,512,final,,",
    "west-mercia,vwi-solved,2013-09,,281,,final,,",
    "west-mercia,confidence,2013-09,101,,,final,,",
    "west-mercia,vwi,2013-04,513,,,final,,",            # the same figure twice
    "essex,asb,2013-09,3,,,final,,",                    # not editable
    "kent,vwi,2013-09,3,,,final,,",
    "west-mercia,nothing,2013-09,3,,,final,,",
    "west-mercia,spend,2013-09,99999999999999999,,,final,,",
    "west-mercia,spend,2013-09,٣,,,final,,",
    '"west-mercia","vwi","2013-09","1\n2",,,final,,',    # a line break inside a number
])
def test_a_file_with_a_problem_gets_the_per_row_messages(bad_line):
    default, per_row, answered = both_ways(GOOD + bad_line + "\n")
    assert not answered
    assert default == per_row
    assert isinstance(default, list) and default          # the problem is reported


CELLS = st.sampled_from(["", " ", "0", "-0", "1", "12", "12.5", ".5", "5.", "-3", "281", "512", "600", "1e3",
                         "nan", "1,5", "١", "99999999999999999", "100", "100.0"])
ROW = st.tuples(st.sampled_from(["west-mercia", "avon-and-somerset", "essex", "kent", ""]),
                st.sampled_from(["vwi", "vwi-solved", "confidence", "spend", "asb", ""]),
                st.sampled_from(["2013-04", "2013-05", "2014-07", "2014-08", "2013-4", ""]),
                CELLS, CELLS, CELLS,
                st.sampled_from(["final", "", "provisional", "unavailable", "FINAL", "x"]),
                st.sampled_from(["", "a note", "=x", "tab\there"]),
                st.sampled_from(["", "hfd", "wor", "cen", "zzz"]))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ROW, min_size=1, max_size=12))
def test_any_file_gives_the_same_outcome_both_ways(rows):
    text = f"{HEADER},area\n" + "".join(",".join(f'"{c}"' for c in row) + "\n" for row in rows)
    default, per_row, _ = both_ways(text)
    assert default == per_row


MONTHS = [f"{y}-{m:02d}" for y in (2013, 2014) for m in range(1, 13)][:19] + ["2014-08"]     # the last is too late
GOOD_ROW = st.one_of(
    st.tuples(st.just("west-mercia"), st.just("vwi"), st.sampled_from(["0", "-0", "1", "512", " 7 ", "3.5"]),
              st.just(""), st.just(""), st.sampled_from(["final", "provisional", ""])),
    st.tuples(st.just("west-mercia"), st.just("spend"), st.sampled_from(["-12.5", ".5", "5.", "0.1", "1e2", ""]),
              st.just(""), st.just(""), st.sampled_from(["final", "Provisional"])),
    st.tuples(st.just("west-mercia"), st.just("vwi-solved"), st.sampled_from(["", "54.88", "100", "55"]),
              st.sampled_from(["281", "0", "512", ""]), st.sampled_from(["512", "5", ""]), st.just("final")),
    st.tuples(st.just("west-mercia"), st.just("confidence"), st.sampled_from(["", "69.1", "100.0"]), st.just(""),
              st.just(""), st.sampled_from(["unavailable", "final"])),
    st.tuples(st.just("avon-and-somerset"), st.just("vwi"), st.just("701"), st.just(""), st.just(""), st.just("")),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(GOOD_ROW, st.sampled_from(MONTHS), st.sampled_from(["", "", "", "", "", "", "", "a note", "a note", "=x"]),
                          st.sampled_from(["", "", "", "", "", "", "", "", "hfd", "cen"])), min_size=1, max_size=15))
def test_mostly_good_files_give_the_same_outcome_both_ways(rows):
    lines = [f"{force},{code},{month},{value},{num},{den},{status},{note},{area}"
             for (force, code, value, num, den, status), month, note, area in rows]
    default, per_row, answered = both_ways(f"{HEADER},area\n" + "\n".join(lines) + "\n")
    assert default == per_row
    if answered:
        assert isinstance(default, tuple)
