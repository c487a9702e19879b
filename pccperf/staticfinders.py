"""Serve plotly.js from the pinned npm package (package.json, installed by
`make install` with `npm ci`), so the browser never fetches it from a CDN and
nothing is copied by hand. The basic bundle (scatter and bar charts) is all
pccperf draws, at a quarter of the full bundle's size."""

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import Error
from django.core.files.storage import FileSystemStorage

PLOTLY_DIR = Path(settings.BASE_DIR) / "node_modules" / "plotly.js-basic-dist-min"
PLOTLY_FILE = "plotly-basic.min.js"
STATIC_PATH = "vendor/plotly/plotly.min.js"


def plotly_js_path() -> Path:
    return PLOTLY_DIR / PLOTLY_FILE


class _PlotlyStorage(FileSystemStorage):
    prefix = "vendor/plotly"

    def path(self, name):
        return super().path(PLOTLY_FILE if name == "plotly.min.js" else name)


class PlotlyFinder(BaseFinder):
    def __init__(self, *args, **kwargs):
        self.storage = _PlotlyStorage(location=str(PLOTLY_DIR))

    def check(self, **kwargs):
        if not plotly_js_path().exists():
            return [Error(f"{plotly_js_path()} is missing", hint="Run `make install` (it runs `npm ci`).",
                          id="pccperf.E001")]
        return []

    def find(self, path, find_all=False, **kwargs):
        if path != STATIC_PATH or not plotly_js_path().exists():
            return [] if find_all else None
        return [str(plotly_js_path())] if find_all else str(plotly_js_path())

    def list(self, ignore_patterns):
        if plotly_js_path().exists():
            yield "plotly.min.js", self.storage
