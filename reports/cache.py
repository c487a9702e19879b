"""Cache of rendered public pages, keyed by the data version.

Dashboards are read far more than the data changes (it changes when a
return is published or a plan loaded). A page is cached per path, per
signed-in-or-not (the header differs) and per data version, which every
change bumps in its own transaction: so a page is never served after the
data it shows changed. Users who may see drafts always get a fresh page.
"""

from __future__ import annotations

from functools import wraps

from django.core.cache import caches
from django.http import HttpResponse

from indicators import versioning

TIMEOUT = 3600


def cached_page(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method != "GET":
            return view(request, *args, **kwargs)
        if getattr(request.user, "is_superuser", False) or request.user.groups.exists() \
                if request.user.is_authenticated else False:
            return view(request, *args, **kwargs)          # analysts may see drafts: never cached
        cache = caches["pages"]
        key = f"page:{versioning.current()}:{int(request.user.is_authenticated)}:{request.get_full_path()}"
        hit = cache.get(key)
        if hit is not None:
            status, content_type, disposition, content = hit
            response = HttpResponse(content, status=status, content_type=content_type)
            if disposition:
                response["Content-Disposition"] = disposition
            return response
        response = view(request, *args, **kwargs)
        if response.status_code in (200, 400, 404) and not getattr(response, "streaming", False):
            cache.set(key, (response.status_code, response["Content-Type"], response.get("Content-Disposition"),
                            response.content), TIMEOUT)
        return response
    return wrapper
