"""python manage.py load_demo — the seed forces, labelled as demo data."""

import time

from django.core.management.base import BaseCommand

from indicators.dataio.demo import load_demo


class Command(BaseCommand):
    help = (
        "Load the demo: the plans of West Mercia, Leicestershire and Essex built from the seed "
        "reports, their Most Similar Group peers and populations, and monthly observations "
        "generated so that every published total reproduces exactly. Generated values are "
        "labelled illustrative. Safe to run again: earlier demo observations are replaced, "
        "figures entered by analysts are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true",
                            help="load only when the database has no plan yet (for first starts)")
        parser.add_argument("--no-packs", action="store_true",
                            help="do not queue the demo forces' panel packs for the job workers to build "
                                 "(by default they are queued once the demo is loaded, so they are ready when asked)")

    def handle(self, *args, if_empty=False, no_packs=False, **options):
        from indicators.models import Plan

        if if_empty and Plan.objects.exists():
            self.stdout.write("The database already has plans; the demo was not loaded.")
            return
        started = time.perf_counter()
        from indicators.models import Force
        from reports import packs

        with packs.not_after_each_save():            # once at the end, not after each commentary saved
            summary = load_demo(progress=self.stdout.write)
        if not no_packs:
            packs.queue_after_publish(Force.objects.filter(slug__in=summary.forces).values_list("pk", flat=True))
        self.stdout.write(self.style.SUCCESS(
            f"Demo loaded: {len(summary.forces)} forces, {summary.observations:,} observations and "
            f"{summary.peer_observations:,} MSG peer observations in {time.perf_counter() - started:.1f} s."))
