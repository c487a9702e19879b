"""Run the jobs of issue 27: panel packs, big imports, open data, page warm-ups."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from jobs.runner import queue_health, reclaim_stale, run_queued


class Command(BaseCommand):
    help = ("Run queued jobs (panel packs, big return imports, data.police.uk imports, pages rendered after a "
            "publish) until stopped. With REDIS_URL the jobs come from Redis through RQ and any number of "
            "workers on any number of machines share them; otherwise from the database. A job whose worker "
            "stopped answering for JOBS_STALE_AFTER seconds (default 120) is sent again. `make demo` and "
            "`make serve` start workers for you.")

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true",
                            help="run every job queued now, here, one after another, then exit")
        parser.add_argument("--interval", type=float, default=1.0,
                            help="database queue: seconds between looks for new work when idle (default 1)")

    def handle(self, *args, once=False, interval=1.0, verbosity=1, **options):
        again = reclaim_stale()
        if again and verbosity:
            self.stdout.write(f"Sent again {again} job(s) whose worker had stopped.")
        if once:
            ran = run_queued()
            health = queue_health()
            self.stdout.write(self.style.SUCCESS(f"Ran {ran} job(s); {health['queued']} queued now."))
            return
        if settings.JOBS_BACKEND == "rq":
            # the queue of work someone waits for first (jobs/runner.py URGENT_QUEUE)
            call_command("rqworker", "urgent", "default", job_class="django_tasks_rq.Job", verbosity=verbosity)
        else:
            call_command("db_worker", interval=interval, reload=False, startup_delay=False, verbosity=verbosity)
