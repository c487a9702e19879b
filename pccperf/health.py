"""/healthz: what a page needs, checked with django-health-check.

A load balancer sends users only to a server that answers 200 here, so the
checks are the parts every page needs: the database, every migration
applied, each cache (Redis when REDIS_URL is set), and, when pages name
fingerprinted static files, collectstatic's manifest. Any failure answers
503 with the failing part named:

    {"status": "error", "database": "ok", "migrations": "ok", "cache": "ok",
     "pages cache": "ok", "static": "no static manifest at /srv/…/staticfiles.json: run collectstatic",
     "queue": {"queued": 3, "running": 1, "oldest_seconds": 12.5}}

"queue" is for operators (issue 27): the job queue's depth and the age of
its oldest waiting job. It never makes the answer a 503.

The checks that use the database run in the request's own thread (through
sync_to_async), so they use its connection and leave none open in a pool
thread.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json

from asgiref.sync import async_to_sync, sync_to_async
from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin
from django.core.files.storage import storages
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from health_check.base import HealthCheck
from health_check.checks import Cache, Database
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView


@dataclasses.dataclass
class Migrations(HealthCheck):
    """Every migration on disk is applied: code newer than its schema 500s."""

    alias: str = DEFAULT_DB_ALIAS

    async def run(self):
        await sync_to_async(self._check, thread_sensitive=True)()

    def _check(self):
        executor = MigrationExecutor(connections[self.alias])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            names = ", ".join(f"{m.app_label}.{m.name}" for m, _ in plan[:3])
            more = f" and {len(plan) - 3} more" if len(plan) > 3 else ""
            raise ServiceUnavailable(f"{len(plan)} migration(s) not applied ({names}{more}): run migrate")


@dataclasses.dataclass
class StaticManifest(HealthCheck):
    """collectstatic's manifest is on disk and lists files. With DEBUG off
    every page names its CSS and icons by their fingerprinted names from
    it; without it each page raises "Missing staticfiles manifest entry"."""

    async def run(self):
        storage = storages["staticfiles"]
        path = storage.manifest_storage.path(storage.manifest_name)
        try:
            with open(path, "rb") as handle:
                paths = json.load(handle).get("paths") or {}
        except FileNotFoundError:
            raise ServiceUnavailable(f"no static manifest at {path}: run collectstatic") from None
        except (OSError, ValueError, AttributeError) as exc:
            raise ServiceUnavailable(f"the static manifest at {path} cannot be read ({exc}): "
                                     "run collectstatic") from None
        if not paths:
            raise ServiceUnavailable(f"the static manifest at {path} lists no files: run collectstatic")


def uses_static_manifest() -> bool:
    return isinstance(storages["staticfiles"], ManifestFilesMixin)


# The name each part has in the answer, and its check.
def checks() -> list[tuple[str, HealthCheck]]:
    parts = [("database", Database()), ("migrations", Migrations())]
    # A cache set to keep nothing (DummyCache: bench/settings_nocache.py's pages) has nothing to check.
    parts += [("cache" if alias == "default" else f"{alias} cache", Cache(alias=alias))
              for alias, cache in settings.CACHES.items() if not cache["BACKEND"].endswith(".DummyCache")]
    if uses_static_manifest():
        parts.append(("static", StaticManifest()))
    return parts


async def _queue() -> dict | str:
    """The job queue's depth and the age of its oldest waiting job, for
    operators (jobs/runner.py): a long queue is no reason to stop sending a
    server readers, so it never turns the answer into a 503."""
    from jobs.runner import queue_health

    try:
        return await sync_to_async(queue_health, thread_sensitive=True)()
    except Exception as exc:                 # the database check says what is wrong with the database
        return f"unknown ({type(exc).__name__})"


class Healthz(HealthCheckView):
    """The library's concurrent checks, answered as one flat JSON object:
    "status" and each part's "ok" or what is wrong; 200 or 503."""

    http_method_names = ["get", "head"]

    async def get(self, request, *args, **kwargs):
        named = checks()
        self.checks = [check for _, check in named]
        with self.get_executor() as executor:
            results = await asyncio.gather(*(check.get_result(executor) for check in self.checks))
        answer = {name: "ok" if result.error is None else getattr(result.error, "message", str(result.error))
                  for (name, _), result in zip(named, results, strict=True)}
        healthy = all(result.error is None for result in results)
        return JsonResponse({"status": "ok" if healthy else "error", **answer, "queue": await _queue()},
                            status=200 if healthy else 503)

    def get_checks(self):  # the library's other renderings read these
        return self.checks


healthz = Healthz.as_view()


class HealthzFirst:
    """Answers /healthz before any other middleware: a load balancer probes
    a server by its address, which is not in ALLOWED_HOSTS, and over plain
    HTTP, which the HTTPS redirect would turn away. Nothing else is served
    this way; the answer carries no data."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == "/healthz":
            return async_to_sync(healthz)(request)
        return self.get_response(request)
