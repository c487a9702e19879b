"""The home page's default period per force (selectors.default_periods):
the latest month in which every headline measure with data has a figure;
every indicator when no headline measure has any (as default_period)."""

from datetime import date

import pytest

from indicators import selectors
from tests.factories import make_force, make_indicator, make_observation

pytestmark = pytest.mark.django_db


def test_headline_months_decide_and_every_indicator_is_the_fallback():
    with_data = make_force(slug="with-data", name="With data")
    headline = make_indicator(with_data, code="hl")
    later = make_indicator(with_data, code="later")
    make_observation(headline, date(2013, 5, 1), 10)
    make_observation(later, date(2013, 8, 1), 10)

    bare = make_force(slug="bare", name="Headline without data")
    bare_headline = make_indicator(bare, code="hl")
    other = make_indicator(bare, code="other")
    make_observation(other, date(2014, 2, 1), 3)

    none = make_force(slug="none", name="No headline measures")
    a, b = make_indicator(none, code="a"), make_indicator(none, code="b")
    make_observation(a, date(2012, 6, 1), 1)
    make_observation(b, date(2012, 9, 1), 1)

    empty = make_force(slug="empty", name="No figures")
    make_indicator(empty, code="hl")

    forces = [with_data, bare, none, empty]
    periods = selectors.default_periods(forces=forces, headline_ids={headline.id, bare_headline.id},
                                        drafts_force_ids=set())
    assert periods == {with_data.id: date(2013, 5, 1), bare.id: date(2014, 2, 1), none.id: date(2012, 6, 1)}
