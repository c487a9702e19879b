"""The panel pack as an A4 PDF (issue 27, item 3): the CPU time WeasyPrint
takes for each demo force's full pack, against the 3 s goal, with the PDF's
size; and the HTML it is printed from, for the ratio. CPU time
(time.process_time), the median of three, on the demo data."""

from __future__ import annotations

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

from django.core.management import call_command  # noqa: E402

GOAL_S = 3.0
FORCES = ("west-mercia", "essex", "leicestershire")


def cpu(fn, repeat: int = 3) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        started = time.process_time()
        out = fn()
        times.append(time.process_time() - started)
    return statistics.median(times), out


def main() -> None:
    from indicators import selectors
    from indicators.models import Force
    from reports.report import build_pdf, build_report

    call_command("migrate", verbosity=0)
    call_command("load_demo", "--no-packs", stdout=open(os.devnull, "w"))
    print("full panel pack as PDF (CPU, median of 3):")
    for slug in FORCES:
        force = Force.objects.get(slug=slug)
        period = selectors.default_period(force=force)
        html_s, html = cpu(lambda force=force, period=period: build_report(force=force, period=period))
        pdf_s, pdf = cpu(lambda html=html: build_pdf(html))
        verdict = "met" if pdf_s < GOAL_S else "NOT MET"
        print(f"  {slug:16} HTML {html_s * 1000:6.0f} ms   PDF {pdf_s:5.2f} s CPU ({pdf_s / html_s:5.0f}x the HTML), "
              f"{len(pdf) / 1e6:.2f} MB   goal under {GOAL_S:.0f} s: {verdict}")


if __name__ == "__main__":
    main()
