"""Cache of rendered pages that show published data, keyed by the data version.

Dashboards are read far more than the data changes (it changes when a
return is published or a plan loaded). A page is cached per path, per
signed-in-or-not (the header differs) and per data version, which every
change bumps in its own transaction (and per language: /cy/… pages are Welsh): so a page is never served after the
data it shows changed. Users who may see drafts (analysts, superusers)
always get a fresh page; panel members and the public see published data
only, so they share the cache.

With REDIS_URL the cache is one Redis shared by every server (SPEC §4). If
that Redis does not answer, pages are rendered afresh (and a warning
logged): slower, never wrong, never an error page.

A page a reader may be served from the cache says which it was in its
``X-Cache`` header, ``hit`` or ``miss`` (rendered now): how
bench/bench_cache_share.py counts the share of readers served from it.
"""

from __future__ import annotations

import logging
from functools import wraps

from django.core.cache import caches
from django.http import HttpResponse
from django.utils import translation

from indicators.access.permissions import editable_force_ids

TIMEOUT = 3600
logger = logging.getLogger(__name__)

try:
    from redis import RedisError
except ImportError:  # pragma: no cover  (redis is a runtime dependency; only REDIS_URL needs it)
    RedisError = OSError


def _may_see_drafts(user) -> bool:
    if not user.is_authenticated:
        return False
    return editable_force_ids(user) != set()     # the groups it reads are kept on the user for the view


def cached_response(request, render, *, version: str | None = None) -> HttpResponse:
    """``render()``'s response, from the cache when it holds this page at the
    current data version (``version``, when the caller has read it)."""
    if request.method != "GET" or _may_see_drafts(request.user):
        return render()
    cache = caches["pages"]
    try:
        # by language too (issue 31): a Welsh page's path has /cy/ in front, and the language is said outright
        key = (f"page:{version or page_version(request)}:{translation.get_language()}:"
               f"{int(request.user.is_authenticated)}:{request.get_full_path()}")
        hit = cache.get(key)
    except (RedisError, OSError) as exc:
        logger.warning("page cache unavailable, rendering %s afresh: %s", request.path, exc)
        response = render()
        response["X-Cache"] = "miss"
        return response
    if hit is not None:
        status, content_type, disposition, content = hit
        response = HttpResponse(content, status=status, content_type=content_type)
        if disposition:
            response["Content-Disposition"] = disposition
        response["X-Cache"] = "hit"
        return response
    response = render()
    response["X-Cache"] = "miss"
    if response.status_code in (200, 400, 404) and not getattr(response, "streaming", False):
        try:
            cache.set(key, (response.status_code, response["Content-Type"], response.get("Content-Disposition"),
                            response.content), TIMEOUT)
        except (RedisError, OSError) as exc:
            logger.warning("page cache unavailable, %s not kept: %s", request.path, exc)
    return response


# The versions a page's figures depend on, in one query (SPEC §4 cache; issue 27: one force publishing leaves
# every other force's cached pages in place). A force's page: the global version, and the sum of the own
# versions of the force, its MSG peers, the benchmark series, and any force its measures name as a benchmark
# (a sum of counters that only go up changes whenever one of them does). Any other page: the global version
# and the sum of every force's.
_FORCE_SQL = """
    SELECT (SELECT version FROM indicators_dataversion WHERE id = 1),
           (SELECT COALESCE(SUM(v.version), 0) FROM indicators_forcedataversion v
             WHERE v.force_id IN (
                SELECT f.id FROM indicators_force f WHERE f.slug = %s OR f.is_benchmark
                UNION SELECT t.to_force_id FROM indicators_force_msg_peers t
                      JOIN indicators_force a ON a.id = t.from_force_id WHERE a.slug = %s
                UNION SELECT b.id FROM indicators_force b WHERE EXISTS (
                      SELECT 1 FROM indicators_indicator i JOIN indicators_force a ON a.id = i.force_id
                       WHERE a.slug = %s AND CAST(i.benchmarks AS TEXT) LIKE '%%"' || b.slug || '"%%')))"""
_ALL_SQL = """
    SELECT (SELECT version FROM indicators_dataversion WHERE id = 1),
           (SELECT COALESCE(SUM(version), 0) FROM indicators_forcedataversion)"""


def page_version(request) -> str:
    """The version part of a page's cache key: by force for a force's pages
    (the URL names it), else for everything."""
    kwargs = request.resolver_match.kwargs if request.resolver_match else {}
    return data_version(kwargs.get("force_slug") or kwargs.get("force"))


def data_version(slug: str | None) -> str:
    """The data version of a force's pages (by its slug), or of every page."""
    from django.db import connection

    with connection.cursor() as cursor:
        if slug:
            cursor.execute(_FORCE_SQL, [slug, slug, slug])
        else:
            cursor.execute(_ALL_SQL)
        global_version, forces = cursor.fetchone()
    return f"{global_version or 0}.{forces}" + (f".{slug}" if slug else "")


def cached_page(view):
    """A view whose responses go through `cached_response`."""
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        return cached_response(request, lambda: view(request, *args, **kwargs))
    return wrapper
