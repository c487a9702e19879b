"""python manage.py load_plan FILE.yaml — create or update a force's plan."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from indicators.management.commands._common import acting_user, problems_error
from indicators.plans.file import PlanFileError, parse_plan_file
from indicators.plans.load import PlanLoadError, load_plan


class Command(BaseCommand):
    help = (
        "Create or update a force's Police and Crime Plan from a YAML plan file "
        "(the format of shared/examples/plan.yaml). The whole file is checked first; "
        "any problem is reported with its YAML path and nothing is written. Loading the "
        "same file twice changes nothing; loading a new version of a plan keeps every "
        "observation, since indicators are identified by force and code."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the plan file (YAML)")
        parser.add_argument("--dry-run", action="store_true", help="check and report what would change; write nothing")
        parser.add_argument("--user", help="act as this user, with their permissions (default: an operator with all)")

    def handle(self, *args, file, dry_run, user, **options):
        acting_user(user, perms=["indicators.add_plan", "indicators.change_plan", "indicators.change_indicator"])
        path = Path(file)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{file}: cannot read the file ({exc.strerror})") from None
        try:
            spec = parse_plan_file(raw)
        except PlanFileError as exc:
            raise problems_error(exc.problems, name=file) from None
        try:
            summary = load_plan(spec, dry_run=dry_run)
        except PlanLoadError as exc:
            raise CommandError(f"{file}: {exc}; nothing was written") from None
        prefix = "Dry run, nothing written: " if dry_run else ""
        where = f"{spec.force.slug} plan {spec.title!r}"
        if summary.changed:
            self.stdout.write(self.style.SUCCESS(f"{prefix}{where}: {summary.describe()}."))
        else:
            self.stdout.write(f"{prefix}{where} is already up to date; nothing changed ({summary.unchanged} records checked).")
