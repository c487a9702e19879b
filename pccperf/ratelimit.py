"""A per-client rate limit on /api/ (issue 30; docs/decisions.md, "API: rate limit").

API_RATE_LIMIT (settings) allows N requests per window of S seconds from one
client address (`pccperf.proxies.client_ip`, which trusts TRUSTED_PROXY_COUNT
proxies). Counted in a fixed window in Django's default cache: Redis with
REDIS_URL, so every server counts the same requests (its INCR is atomic);
without it, each process counts its own. Past the limit the answer is
``429 Too Many Requests`` with a JSON message and ``Retry-After`` (the seconds
left in the window); every answer says ``X-RateLimit-Limit`` and
``X-RateLimit-Remaining``. If the cache does not answer, requests are let
through (and a warning logged): the limit protects the servers, and a Redis
outage must not take the API down with it.
"""

from __future__ import annotations

import logging
import math
import time

from django.conf import settings
from django.core.cache import caches
from django.http import JsonResponse
from django.utils.translation import gettext

from pccperf.proxies import client_ip

logger = logging.getLogger(__name__)

try:
    from redis import RedisError
except ImportError:  # pragma: no cover
    RedisError = OSError


class ApiRateLimit:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.API_RATE_LIMIT
        if limit is None or not request.path.startswith("/api/"):
            return self.get_response(request)
        allowed, window = limit
        now = time.time()
        start = int(now // window) * window
        key = f"api-rate:{client_ip(request) or 'unknown'}:{window}:{start}"
        try:
            cache = caches["default"]
            cache.add(key, 0, window + 1)
            count = cache.incr(key)
        except ValueError:          # the key expired between add and incr: a new window
            count = 1
        except (RedisError, OSError) as exc:
            logger.warning("rate limit not counted (cache unavailable): %s", exc)
            return self.get_response(request)
        if count > allowed:
            retry = max(1, math.ceil(start + window - now))
            response = JsonResponse({"error": gettext("rate limit: more than %(allowed)s requests in %(window)s s from "
                                                      "this address; ask again in %(retry)s s") % {
                "allowed": allowed, "window": window, "retry": retry}}, status=429)
            response["Retry-After"] = str(retry)
            response["Cache-Control"] = "no-store"
        else:
            response = self.get_response(request)
        response["X-RateLimit-Limit"] = str(allowed)
        response["X-RateLimit-Remaining"] = str(max(0, allowed - count))
        return response
