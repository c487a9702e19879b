"""``field__any_of=[ids]``: ``field IN (...)`` for a long list of ids, as one
array parameter on PostgreSQL (``field = ANY(%s::bigint[])``).

Django writes ``__in`` as one bound parameter per value. The national home
page asks for the figures, targets and assessments of 2,580 indicators, and
PostgreSQL took 13-18 ms to take in and plan each such query of 2,580
parameters against 1.7 ms for the same query with one array (measured on the
national set; docs/decisions.md, "Long id lists"). Other databases get the
ordinary ``IN``. Registered on the integer and foreign-key fields by
IndicatorsConfig.ready."""

from django.db import models
from django.db.models.lookups import In


class AnyOf(models.Lookup):
    lookup_name = "any_of"
    prepare_rhs = False           # a list of ids, not one value

    def _in(self) -> In:
        return In(self.lhs, list(self.rhs))

    def as_sql(self, compiler, connection):
        return self._in().as_sql(compiler, connection)

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s::bigint[])", [*lhs_params, [int(v) for v in self.rhs]]


def register() -> None:
    for field in (models.ForeignKey, models.BigAutoField, models.BigIntegerField, models.IntegerField):
        field.register_lookup(AnyOf)
