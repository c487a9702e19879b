"""``__any_of`` (indicators/sql/lookups.py) selects what ``__in`` selects: on
SQLite it is ``IN``; on PostgreSQL one array parameter (its SQL is checked
here by compiling for PostgreSQL, without a server)."""

import pytest

from indicators.models import Indicator, Target
from indicators.sql.lookups import AnyOf

pytestmark = pytest.mark.django_db


def test_any_of_selects_what_in_selects(demo):
    ids = list(Indicator.objects.order_by("id").values_list("id", flat=True)[::3])
    assert len(ids) > 5
    assert (sorted(Target.objects.filter(indicator_id__any_of=ids).values_list("id", flat=True))
            == sorted(Target.objects.filter(indicator_id__in=ids).values_list("id", flat=True)))
    assert sorted(Indicator.objects.filter(id__any_of=ids).values_list("id", flat=True)) == ids
    assert not Target.objects.filter(indicator_id__any_of=[]).exists()


def test_on_postgresql_it_is_one_array_parameter():
    from django.db.backends.postgresql.base import DatabaseWrapper

    lookup = Target.objects.filter(indicator_id__any_of=[3, 1, 2]).query.where.children[0]
    assert isinstance(lookup, AnyOf)
    connection = DatabaseWrapper({"NAME": "x", "USER": "", "PASSWORD": "", "HOST": "", "PORT": "", "OPTIONS": {},
                                  "TIME_ZONE": None, "CONN_MAX_AGE": 0, "CONN_HEALTH_CHECKS": False,
                                  "AUTOCOMMIT": True, "ATOMIC_REQUESTS": False, "TEST": {}})
    compiler = Target.objects.all().query.get_compiler(connection=connection)
    sql, params = lookup.as_postgresql(compiler, connection)
    assert sql == '"indicators_target"."indicator_id" = ANY(%s::bigint[])'
    assert params == [[3, 1, 2]]
