"""Server-drawn charts: reports/svg.py's SVG writer against the matplotlib
drawing it replaced (bench/svg_matplotlib.py), in the same run, on every
chart of the demo's full panel reports (trend and SPC) and every Most
Similar Group chart of their measures: per-chart draw time (median, wall and
CPU) and the ratio; then the cold full report's server time with each.

    .venv/bin/python bench/bench_svg.py [--dump DIR]

--dump DIR writes an HTML page per implementation (DIR/old.html and
DIR/new.html, every chart with its id) to compare the pictures side by side.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
DB = Path(tempfile.mkdtemp()) / "bench.sqlite3"
os.environ["DATABASE_URL"] = f"sqlite:///{DB}"
os.environ["DJANGO_SETTINGS_MODULE"] = "pccperf.settings_test"

import logging  # noqa: E402
import warnings  # noqa: E402

import django  # noqa: E402

warnings.filterwarnings("ignore", message="No directory at")
logging.disable(logging.WARNING)

django.setup()

from django.core.cache import caches  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from bench import svg_matplotlib as old  # noqa: E402
from indicators import models, periods, selectors  # noqa: E402
from reports import charts, svg  # noqa: E402
from reports.plan_results import plan_results  # noqa: E402
from reports.report import build_report  # noqa: E402

REPORTS = [("west-mercia", "2013-06"), ("leicestershire", "2014-06"), ("essex", "2014-06")]


def demo_charts() -> list:
    """Every chart the demo's full reports draw, then each measure's MSG chart."""
    drawn = []
    real = svg.render_many
    svg.render_many = lambda many: drawn.extend(many)
    try:
        for slug, month in REPORTS:
            build_report(force=models.Force.objects.get(slug=slug), period=periods.parse_month(month), mode="full")
    finally:
        svg.render_many = real
    for slug, month in REPORTS:
        force = models.Force.objects.get(slug=slug)
        plan = models.Plan.objects.get(force=force)
        for result in plan_results(force, plan, periods.parse_month(month), False).results.values():
            if result.msg_comparison:
                peers = [p.force for p in result.msg_comparison.peers]
                chart = charts.msg_chart(result, selectors.force_names(slugs=[slug, *peers]))
                chart.id = f"{slug}-{chart.id}"
                drawn.append(chart)
    return drawn


def timed(draw, chart) -> tuple[float, float, str]:
    wall, cpu = time.perf_counter(), time.process_time()
    out = draw(chart)
    return time.perf_counter() - wall, time.process_time() - cpu, out


def dump(folder: Path, drawn: list) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, draw in (("old", old._draw), ("new", svg._draw)):
        body = "".join(f'<section id="{c.id}"><h2>{c.id}</h2><div style="width:700px">{draw(c)}</div></section>'
                       for c in drawn)
        (folder / f"{name}.html").write_text(
            "<!doctype html><meta charset=utf-8><style>body{font-family:sans-serif;margin:8px}"
            "h2{font-size:11px;margin:4px 0}svg{width:100%;height:auto;display:block}</style>" + body,
            encoding="utf-8")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dump", type=Path, help="write old.html and new.html with every chart here")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=open(os.devnull, "w"))
    drawn = demo_charts()
    old._draw(drawn[0]), svg._draw(drawn[0])            # warm up: imports, font metrics
    times = {"old": ([], []), "new": ([], [])}
    for chart in drawn:                                  # interleaved, so both see the same machine
        for name, draw in (("old", old._draw), ("new", svg._draw)):
            wall, cpu, _ = timed(draw, chart)
            times[name][0].append(wall)
            times[name][1].append(cpu)
    kinds = {k: sum(1 for c in drawn if k in c.id) for k in ("trend", "spc", "msg")}
    print(f"Server-drawn charts: {len(drawn)} charts of the demo's full reports and MSG charts "
          f"({', '.join(f'{n} {k}' for k, n in kinds.items())}); each drawn once by each implementation, "
          "interleaved.")
    print(f"{'implementation':<32} {'median wall':>12} {'median CPU':>11} {'total wall':>11}")
    for name, label in (("old", "matplotlib (bench/svg_matplotlib)"), ("new", "SVG writer (reports/svg.py)")):
        wall, cpu = times[name]
        print(f"{label:<32} {statistics.median(wall) * 1000:9.2f} ms {statistics.median(cpu) * 1000:8.2f} ms "
              f"{sum(wall) * 1000:8.0f} ms")
    ratios = [o / n for o, n in zip(times["old"][0], times["new"][0])]
    print(f"old/new per chart: median {statistics.median(ratios):.0f}x (min {min(ratios):.0f}x), "
          f"medians' ratio {statistics.median(times['old'][0]) / statistics.median(times['new'][0]):.0f}x")

    client = Client()
    pages = caches["pages"]
    print(f"\n{'cold full report (page cache emptied), median of 5':<55} {'drawing':<11} {'wall':>7} {'CPU':>9}")
    new_draw = svg._draw
    for slug, month in REPORTS:
        url = f"/{slug}/report/?period={month}&mode=full&download=1"
        for name, draw in (("matplotlib", old._draw), ("SVG writer", new_draw)):
            svg._draw = draw
            client.get(url)
            wall, cpu = [], []
            for _ in range(5):
                pages.clear()
                t, c = time.perf_counter(), time.process_time()
                response = client.get(url)
                wall.append(time.perf_counter() - t)
                cpu.append(time.process_time() - c)
                assert response.status_code == 200
            print(f"{'report full, ' + slug + ' ' + month:<55} {name:<11} {statistics.median(wall) * 1000:4.0f} ms "
                  f"{statistics.median(cpu) * 1000:6.0f} ms")
    svg._draw = new_draw
    if args.dump:
        dump(args.dump, drawn)
        print(f"\nwrote {args.dump / 'old.html'} and {args.dump / 'new.html'}")
    DB.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
