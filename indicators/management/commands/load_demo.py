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

    def handle(self, *args, if_empty=False, **options):
        from indicators.models import Plan

        if if_empty and Plan.objects.exists():
            self.stdout.write("The database already has plans; the demo was not loaded.")
            return
        started = time.perf_counter()
        summary = load_demo(progress=self.stdout.write)
        self.stdout.write(self.style.SUCCESS(
            f"Demo loaded: {len(summary.forces)} forces, {summary.observations:,} observations and "
            f"{summary.peer_observations:,} MSG peer observations in {time.perf_counter() - started:.1f} s."))
