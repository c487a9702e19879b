"""The benchmark series every database holds (SPEC §6 Benchmarks): England
and Wales, and Wales, as pseudo-forces whose figures are filed like a peer's.

Populations are the ONS mid-year estimates (Open Government Licence v3.0):
mid-2019 (MYE 2019) and mid-2021 (census-based MYE 2021), so rates per
1,000 work for the NCPM baseline year and the current plans."""

from django.db import migrations

BENCHMARKS = {
    "england-and-wales": ("England and Wales", {2019: 59_439_840, 2021: 59_641_829}),
    "wales": ("Wales", {2019: 3_152_879, 2021: 3_107_494}),
}


def create(apps, schema_editor):
    Force = apps.get_model("indicators", "Force")
    ForcePopulation = apps.get_model("indicators", "ForcePopulation")
    for slug, (name, populations) in BENCHMARKS.items():
        force, _ = Force.objects.update_or_create(slug=slug, defaults={"name": name, "is_benchmark": True})
        for year, people in populations.items():
            ForcePopulation.objects.get_or_create(force=force, year=year, defaults={"population": people})


def remove(apps, schema_editor):
    apps.get_model("indicators", "Force").objects.filter(slug__in=BENCHMARKS, is_benchmark=True).delete()


class Migration(migrations.Migration):
    dependencies = [("indicators", "0015_current_plans")]
    operations = [migrations.RunPython(create, remove)]
