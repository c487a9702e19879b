"""engine.result.build: the fast constructor evaluate uses gives the same
object as the dataclass's own __init__, and only when every field is named."""

import dataclasses

import pytest

from indicators.engine.result import IndicatorResult, Rating, Significance, SpcReading, build
from tests.engine.test_performance import one, vwi_inputs


def _result() -> IndicatorResult:
    r = one(vwi_inputs(), monthly=True)
    assert r.spc.points and r.target is not None and r.monthly
    return r


def test_build_equals_the_dataclass_constructor():
    r = _result()
    values = {f.name: getattr(r, f.name) for f in dataclasses.fields(r)}
    fast = build(IndicatorResult, **values)
    assert fast == IndicatorResult(**values) == r
    assert repr(fast) == repr(r) and hash(fast) == hash(r)
    spc = {f.name: getattr(r.spc, f.name) for f in dataclasses.fields(r.spc)}
    assert build(SpcReading, **spc) == SpcReading(**spc)


def test_built_objects_stay_frozen():
    r = _result()
    fast = build(IndicatorResult, **{f.name: getattr(r, f.name) for f in dataclasses.fields(r)})
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.ytd = 1.0


def test_build_without_every_field_is_the_constructor_and_its_errors():
    r = _result()
    values = {f.name: getattr(r, f.name) for f in dataclasses.fields(r)}
    del values["change_pts"]                  # a field with a default: the constructor fills it
    assert build(IndicatorResult, **values).change_pts is None
    del values["ytd"]
    with pytest.raises(TypeError):
        build(IndicatorResult, **values)
    with pytest.raises(TypeError):
        build(IndicatorResult, **{**{f.name: getattr(r, f.name) for f in dataclasses.fields(r)}, "extra": 1})
    # classes it does not know: always the constructor
    assert build(Significance, test=None, p_value=None, result="not-tested") == Significance(None, None, "not-tested")
    assert build(Rating, method="targets", value=None, manual=False).computed is None
