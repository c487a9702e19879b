"""The real settings with the page cache switched off (bench/load.py
--no-cache): every request renders its page, as after a publication, when
every page is cold at once (issue 17)."""

from pccperf.settings import *  # noqa: F403

CACHES = {**CACHES, "pages": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}  # noqa: F405
