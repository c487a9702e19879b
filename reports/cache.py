"""Cache of rendered pages that show published data, keyed by the data version.

Dashboards are read far more than the data changes (it changes when a
return is published or a plan loaded). A page is cached per path, per
signed-in-or-not (the header differs) and per data version, which every
change bumps in its own transaction: so a page is never served after the
data it shows changed. Users who may see drafts (analysts, superusers)
always get a fresh page; panel members and the public see published data
only, so they share the cache.

With REDIS_URL the cache is one Redis shared by every server (SPEC §4). If
that Redis does not answer, pages are rendered afresh (and a warning
logged): slower, never wrong, never an error page.
"""

from __future__ import annotations

import logging
from functools import wraps

from django.core.cache import caches
from django.http import HttpResponse

from indicators import versioning
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


def cached_response(request, render) -> HttpResponse:
    """``render()``'s response, from the cache when it holds this page at the
    current data version."""
    if request.method != "GET" or _may_see_drafts(request.user):
        return render()
    cache = caches["pages"]
    key = f"page:{versioning.current()}:{int(request.user.is_authenticated)}:{request.get_full_path()}"
    try:
        hit = cache.get(key)
    except (RedisError, OSError) as exc:
        logger.warning("page cache unavailable, rendering %s afresh: %s", request.path, exc)
        return render()
    if hit is not None:
        status, content_type, disposition, content = hit
        response = HttpResponse(content, status=status, content_type=content_type)
        if disposition:
            response["Content-Disposition"] = disposition
        return response
    response = render()
    if response.status_code in (200, 400, 404) and not getattr(response, "streaming", False):
        try:
            cache.set(key, (response.status_code, response["Content-Type"], response.get("Content-Disposition"),
                            response.content), TIMEOUT)
        except (RedisError, OSError) as exc:
            logger.warning("page cache unavailable, %s not kept: %s", request.path, exc)
    return response


def cached_page(view):
    """A view whose responses go through `cached_response`."""
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        return cached_response(request, lambda: view(request, *args, **kwargs))
    return wrapper
