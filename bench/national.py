"""A national-scale data set (SPEC §5): 43 forces × 60 indicators × 180
months = 464,400 observations, loaded through pccperf's own loaders (plan
files and a return file). Synthetic and illustrative: for benchmarks and
load tests only, never for the demo."""

from __future__ import annotations

import io
import random
import time
from datetime import date

import yaml

from indicators import periods

# The 43 territorial police forces of England and Wales (data.police.uk ids).
FORCES = [
    "avon-and-somerset", "bedfordshire", "cambridgeshire", "cheshire", "city-of-london", "cleveland", "cumbria",
    "derbyshire", "devon-and-cornwall", "dorset", "durham", "dyfed-powys", "essex", "gloucestershire",
    "greater-manchester", "gwent", "hampshire", "hertfordshire", "humberside", "kent", "lancashire",
    "leicestershire", "lincolnshire", "merseyside", "metropolitan", "norfolk", "north-wales", "north-yorkshire",
    "northamptonshire", "northumbria", "nottinghamshire", "south-wales", "south-yorkshire", "staffordshire",
    "suffolk", "surrey", "sussex", "thames-valley", "warwickshire", "west-mercia", "west-midlands",
    "west-yorkshire", "wiltshire",
]
INDICATORS, MONTHS = 60, 180
FIRST = date(2011, 4, 1)
LAST = periods.add_months(FIRST, MONTHS - 1)


def plan_text(slug: str, i: int) -> str:
    peers = [FORCES[(i + k) % len(FORCES)] for k in range(1, 8)]
    areas = []
    for a in range(4):
        priorities = []
        for p in range(3):
            indicators = []
            for k in range(5):
                n = a * 15 + p * 5 + k
                kind = ["sum", "sum", "sum", "ratio", "latest"][k]
                indicators.append({
                    "code": f"ind-{n:02d}", "name": f"Measure {n} (illustrative)",
                    "unit": {"sum": "count", "ratio": "percent", "latest": "number"}[kind], "aggregation": kind,
                    "polarity": "down" if k < 3 else "up", "headline": p == 0 and k == 0, "msg": kind == "sum" and n < 15,
                    "targets": {periods.financial_year(LAST): {"kind": "change", "value": -2} if kind == "sum" else
                                {"kind": "absolute", "value": 55} if kind == "ratio" else {"kind": "monitor"}},
                })
            priorities.append({"number": a * 3 + p + 1, "title": f"Priority {a * 3 + p + 1}", "indicators": indicators})
        areas.append({"number": a + 1, "title": f"Area {a + 1}", "priorities": priorities})
    return yaml.safe_dump({
        "force": {"slug": slug, "name": f"{slug.replace('-', ' ').title()} (illustrative)",
                  "population": {y: 500_000 + 37_000 * i for y in range(2011, 2027)}, "msg_peers": peers},
        "peers": [{"slug": s, "name": f"{s.replace('-', ' ').title()} (illustrative)"} for s in peers],
        "plan": {"title": f"Illustrative plan for {slug}", "start": FIRST, "end": date(2026, 3, 31),
                 "areas": areas},
    }, sort_keys=False)


def return_csv() -> str:
    rng = random.Random(2026)
    out = io.StringIO()
    out.write("force,indicator,month,value,numerator,denominator,status,note\n")
    months = [periods.format_month(m) for m in periods.month_range(FIRST, LAST)]
    for slug in FORCES:
        for n in range(INDICATORS):
            kind = ["sum", "sum", "sum", "ratio", "latest"][n % 5]
            level = rng.uniform(50, 2000)
            for month in months:
                if kind == "ratio":
                    den = int(level)
                    out.write(f"{slug},ind-{n:02d},{month},,{int(den * rng.uniform(0.4, 0.7))},{den},final,\n")
                else:
                    out.write(f"{slug},ind-{n:02d},{month},{int(level * rng.gauss(1, 0.05))},,,final,\n")
    return out.getvalue()


def load(say=print) -> dict:
    """Load the plans and the observations; returns timings."""
    from django.utils import timezone

    from indicators.plans.file import parse_plan_file
    from indicators.plans.load import load_plan
    from indicators.returns.file import MAX_BYTES, check_rows, read_table
    from indicators.returns.workflow import catalogue_for, stage

    times = {}
    started = time.perf_counter()
    for i, slug in enumerate(FORCES):
        load_plan(parse_plan_file(plan_text(slug, i)))
    times["plans"] = time.perf_counter() - started
    say(f"  {len(FORCES)} plans loaded in {times['plans']:.1f} s")
    text = return_csv()
    started = time.perf_counter()
    data = text.encode()
    chunks, lines = [], data.split(b"\n")
    header, body_lines = lines[0], [line for line in lines[1:] if line]
    # One file per force, as forces submit them (and each under the size limit).
    per_force = INDICATORS * MONTHS
    rows_total = 0
    for start in range(0, len(body_lines), per_force):
        chunk = b"\n".join([header, *body_lines[start:start + per_force]]) + b"\n"
        assert len(chunk) < MAX_BYTES
        chunks.append(chunk)
    catalogue = catalogue_for(None)
    steps = {"read the files (read_table)": 0.0, "check every row (check_rows)": 0.0,
             "write with history (stage, publish)": 0.0}
    for chunk in chunks:
        t0 = time.perf_counter()
        head, body = read_table(chunk, "national.csv")
        t1 = time.perf_counter()
        rows = check_rows(head, body, catalogue, today=timezone.localdate())
        t2 = time.perf_counter()
        stage(rows, user=None, source="national benchmark (illustrative)", period="benchmark", publish=True)
        t3 = time.perf_counter()
        for step, seconds in zip(steps, (t1 - t0, t2 - t1, t3 - t2)):
            steps[step] += seconds
        rows_total += len(rows)
    times["observations"] = time.perf_counter() - started
    times["steps"] = steps
    times["rows"] = rows_total
    times["csv"] = text
    say(f"  {rows_total:,} observations imported and published in {times['observations']:.1f} s")
    return times
