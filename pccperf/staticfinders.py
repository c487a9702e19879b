"""Serve plotly.js from the pinned plotly package (requirements.txt), so the
browser never fetches it from a CDN and nothing is copied by hand."""

from pathlib import Path

import plotly
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

PLOTLY_DIR = Path(plotly.__file__).resolve().parent / "package_data"
FILES = {"vendor/plotly/plotly.min.js": "plotly.min.js"}


class _PrefixedStorage(FileSystemStorage):
    prefix = "vendor/plotly"


class PlotlyFinder(BaseFinder):
    def __init__(self, *args, **kwargs):
        self.storage = _PrefixedStorage(location=str(PLOTLY_DIR))

    def check(self, **kwargs):
        return []

    def find(self, path, find_all=False, **kwargs):
        name = FILES.get(path)
        if name is None:
            return [] if find_all else None
        match = str(PLOTLY_DIR / name)
        return [match] if find_all else match

    def list(self, ignore_patterns):
        for name in FILES.values():
            yield name, self.storage
