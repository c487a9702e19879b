"""Mid-year populations by force area, for rates per 1,000 (SPEC §3 MSG)."""

from __future__ import annotations

import csv
from pathlib import Path

from indicators.models import Force, ForcePopulation
from indicators.opendata import policeuk


def read_population_file(path: Path) -> dict[str, dict[int, int]]:
    """{force slug: {year: population}} from a file with a `year` column and
    one column per force area, named as people write them ("Avon and
    Somerset", "Metropolitan Police"). ValueError listing every problem."""
    problems, table = [], {}
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError([f"{path.name}: cannot read the file ({exc})"]) from None
    reader = csv.reader(text.splitlines())
    header = next(reader, None)
    if not header or header[0].strip().lower() != "year":
        raise ValueError([f"{path.name}: the first column must be 'year', then one column per force area"])
    slugs = []
    for name in header[1:]:
        slug = policeuk.force_for_name(name)
        if slug is None:
            problems.append(f"{path.name}: column {name!r} matches no force")
        slugs.append(slug)
    for number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            problems.append(f"row {number}: has {len(row)} fields; the header has {len(header)}")
            continue
        try:
            year = int(row[0])
        except ValueError:
            problems.append(f"row {number}, column year: {row[0]!r} is not a year")
            continue
        for slug, name, cell in zip(slugs, header[1:], row[1:], strict=True):
            if not cell.strip() or slug is None:
                continue
            if not cell.strip().isdigit() or int(cell) <= 0:
                problems.append(f"row {number}, column {name}: {cell!r} is not a population (a positive whole number)")
                continue
            table.setdefault(slug, {})[year] = int(cell)
    if problems:
        raise ValueError(problems)
    return table


def load_populations(table: dict[str, dict[int, int]], *, create_forces: bool = True) -> tuple[int, int]:
    """Upsert the populations; returns (forces created, force-years written)."""
    created = 0
    forces = {f.slug: f for f in Force.objects.filter(slug__in=table)}
    for slug in table:
        if slug not in forces and create_forces:
            forces[slug] = Force.objects.create(slug=slug, name=policeuk.FORCES[slug])
            created += 1
    written = 0
    for slug, years in table.items():
        if slug not in forces:
            continue
        for year, people in years.items():
            ForcePopulation.objects.update_or_create(force=forces[slug], year=year, defaults={"population": people})
            written += 1
    return created, written
