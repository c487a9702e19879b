"""What the API says about caching (issue 30; docs/decisions.md, "API: ETag and Cache-Control").

The page cache already keys a force's published pages by a data version that
every change bumps (reports/cache.py); the API hands the same version to
clients as its ETag, so a client (or a proxy) asking again with
``If-None-Match`` gets ``304 Not Modified`` until something is published.

- Public data (a reader who may see no drafts: anonymous, a panel member):
  ``Cache-Control: public, max-age=API_MAX_AGE`` (300 s), a strong ETag made
  from the data version, the URL and `API_REVISION`, and ``Last-Modified``:
  when this server first served that version (kept in the default cache,
  which is Redis and shared with REDIS_URL). Only ``If-None-Match`` decides a
  304: ``Last-Modified`` has whole seconds, and two versions within one
  second would share it, so ``If-Modified-Since`` alone never gives one.
- A reader who may see drafts (an analyst, a superuser): ``Cache-Control:
  private, no-store``, no ETag, never a 304; the response is rendered for
  them, as the page cache does.

Only 200s carry validators; an error says ``no-cache``.
"""

from __future__ import annotations

import hashlib
import logging
import time

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date, parse_etags

from reports.cache import RedisError, _may_see_drafts, cached_response, page_version

logger = logging.getLogger(__name__)

# Bumped when a response's shape changes for the same data (a deploy), so that no client keeps an old shape.
API_REVISION = "2"   # 2: observations.csv writes `illustrative` (issue 30)
PUBLIC = "public, max-age={}"
PRIVATE = "private, no-store"


def etag_for(version: str, request) -> str:
    digest = hashlib.sha256(f"{API_REVISION}|{version}|{request.get_full_path()}".encode()).hexdigest()
    return f'"{digest[:32]}"'


def _first_served(version: str) -> float | None:
    """When this version was first served (seconds since the epoch), or None
    when the cache does not answer."""
    try:
        cache = caches["default"]
        key = f"api-version-seen:{version}"
        cache.add(key, time.time(), 7 * 24 * 3600)
        return cache.get(key)
    except (RedisError, OSError) as exc:
        logger.warning("cache unavailable, no Last-Modified: %s", exc)
        return None


def api_response(request, render) -> HttpResponse:
    """``render()``'s response (through the page cache) with the API's
    caching headers, or a 304 when the client holds the current version."""
    if _may_see_drafts(request.user):
        response = render()
        response["Cache-Control"] = PRIVATE
        patch_vary_headers(response, ["Cookie"])
        return response
    version = page_version(request)
    etag = etag_for(version, request)
    if etag in parse_etags(request.headers.get("If-None-Match", "")) or request.headers.get("If-None-Match") == "*":
        response = HttpResponseNotModified()
    else:
        response = cached_response(request, render, version=version)
    patch_vary_headers(response, ["Cookie"])
    if response.status_code not in (200, 304):
        response["Cache-Control"] = "no-cache"
        return response
    response["ETag"] = etag
    response["Cache-Control"] = PUBLIC.format(settings.API_MAX_AGE)
    seen = _first_served(version)
    if seen is not None:
        response["Last-Modified"] = http_date(seen)
    return response


class ApiHead:
    """HEAD on the API answers as its GET does, headers and all, without the
    body (RFC 9110, 9.3.2): link checkers and `curl -I` ask it, and CORS lists
    it; the views themselves take GET only (`require_GET`, ninja's routes)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method != "HEAD" or not request.path.startswith("/api/"):
            return self.get_response(request)
        request.method = "GET"
        try:
            response = self.get_response(request)
        finally:
            request.method = "HEAD"
        if not response.streaming:
            response["Content-Length"] = str(len(response.content))
            response.content = b""
        return response
