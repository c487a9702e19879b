"""Server time of the pages on the demo data (Django test client, in
process): median of 20 requests each, with the query count, and as a ratio
against a trivial page measured in the same run (a 400 for a bad period:
middleware, one query and a template)."""

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
logging.disable(logging.WARNING)      # the trivial page is a 400, logged on every request

django.setup()

from django.core.cache import caches  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

PAGES = [
    ("trivial: 400 for a bad period", "/essex/?period=bad"),
    ("home", "/"),
    ("dashboard, West Mercia (49 measures)", "/west-mercia/"),
    ("priority page, West Mercia 5 (9 measures, 12 charts)", "/west-mercia/priorities/5/"),
    ("indicator page, West Mercia vwi", "/west-mercia/indicators/vwi/"),
    ("API list, West Mercia", "/api/forces/west-mercia/indicators/"),
]
REPORTS = [
    ("report full, West Mercia", "/west-mercia/report/?period=2013-06&mode=full&download=1"),
    ("report exceptions, West Mercia", "/west-mercia/report/?period=2013-06&mode=exceptions&download=1"),
    ("report theme 2, West Mercia", "/west-mercia/report/?period=2013-06&mode=theme&theme=2&download=1"),
    ("report full, Leicestershire", "/leicestershire/report/?period=2014-06&mode=full&download=1"),
]


def main():
    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=open(os.devnull, "w"))
    client = Client()
    pages = caches["pages"]
    base = None
    print("Server time, median of 20 requests; 'rendered' with the page cache emptied before each request,")
    print("'cached' served from it. Ratios against the trivial page's rendering.")
    print(f"{'page':<55} {'rendered':>9} {'ratio':>7} {'queries':>8} {'cached':>9}")
    for label, url in PAGES:
        client.get(url)  # warm up
        times, cached = [], []
        for _ in range(20):
            pages.clear()
            t = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - t)
            t = time.perf_counter()
            client.get(url)
            cached.append(time.perf_counter() - t)
        pages.clear()
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        median = statistics.median(times)
        base = base or median
        print(f"{label:<55} {median * 1000:7.1f} ms {median / base:6.1f}x {len(queries):8d} "
              f"{statistics.median(cached) * 1000:7.1f} ms   [{response.status_code}]")
    print(f"\n{'panel report (median of 5, rendered)':<55} {'median':>9} {'size':>9} {'queries':>8}")
    for label, url in REPORTS:
        times = []
        for _ in range(5):
            pages.clear()
            t = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - t)
        pages.clear()
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        size = len(response.content) / 1_000_000
        print(f"{label:<55} {statistics.median(times) * 1000:7.0f} ms {size:7.2f} MB {len(queries):8d}")
    DB.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
