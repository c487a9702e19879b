"""After a publish, render a force's pages for readers before anyone asks
(issue 27, item 7): its dashboard, priority pages, report and the home
page's cards, as a signed-out reader gets them, into the page cache
(reports/cache.py). Worth it where the cache is shared (REDIS_URL): a
worker's own memory cache is no web server's."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import resolve, reverse

from indicators import selectors
from indicators.models import Force
from jobs import runner


def worth_it() -> bool:
    """Only a shared page cache (Redis) lets a worker render pages for a web server."""
    from django.conf import settings

    return "locmem" not in settings.CACHES["pages"]["BACKEND"].lower()


def paths_for(force: Force) -> list[str]:
    plan = selectors.plan_for(force=force, period=selectors.default_period(force=force, include_drafts=False))
    numbers = [p.number for a in plan.areas.all() for p in a.priorities.all()] if plan else []
    return ([reverse("reports:home"), reverse("reports:force-dashboard", args=[force.slug])]
            + [reverse("reports:priority", args=[force.slug, n]) for n in numbers]
            + [reverse("reports:report", args=[force.slug])])


def render(path: str) -> int:
    request = RequestFactory().get(path)
    request.user = AnonymousUser()
    request.resolver_match = match = resolve(path)
    return match.func(request, *match.args, **match.kwargs).status_code


@runner.kind("warm")
def warm(job, progress) -> dict:
    force = Force.objects.get(pk=job.params["force"])
    paths = paths_for(force)
    statuses = {}
    for done, path in enumerate(paths):
        progress(done, len(paths), stage=f"rendering {path}")
        statuses[path] = render(path)
    return {"pages": len(paths), "statuses": statuses}
