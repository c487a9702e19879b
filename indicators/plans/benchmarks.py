"""The benchmark series every database holds (SPEC §6 Benchmarks).

Migration 0016 creates the pseudo-forces of `vocabulary.BENCHMARK_FORCES`
with their populations; a database flushed since (a test's) lacks them, so
`load_plan` makes sure they are there before a plan names them.
"""

from __future__ import annotations

from collections import Counter
from importlib import import_module

from indicators import models, vocabulary

# The populations live once, in the migration that first wrote them.
_MIGRATION = import_module("indicators.migrations.0016_benchmark_forces")


def ensure_benchmark_forces(created: Counter | None = None) -> dict[str, models.Force]:
    """Every benchmark pseudo-force by slug, created (is_benchmark=True, with
    the migration's populations) when missing; a force that exists is left
    as it is. Counts what it creates under "benchmark series" in ``created``."""
    existing = {f.slug: f for f in models.Force.objects.filter(slug__in=vocabulary.BENCHMARK_FORCES)}
    for slug, name in vocabulary.BENCHMARK_FORCES.items():
        if slug in existing:
            continue
        force = existing[slug] = models.Force.objects.create(slug=slug, name=name, is_benchmark=True)
        _, populations = _MIGRATION.BENCHMARKS.get(slug, (name, {}))
        models.ForcePopulation.objects.bulk_create(
            models.ForcePopulation(force=force, year=year, population=people) for year, people in populations.items())
        if created is not None:
            created["benchmark series"] += 1
    return existing
