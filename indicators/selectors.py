"""Every read of the database: ORM -> QuerySet or DataFrame, one query each."""

from django.db.models import Count, QuerySet

from indicators.models import Plan


def plan_list() -> QuerySet[Plan]:
    """Every plan with its force and counts of areas and linked indicators."""
    return (Plan.objects.select_related("force")
            .annotate(area_count=Count("areas", distinct=True),
                      indicator_count=Count("priorities__measures", distinct=True))
            .order_by("force__name", "-start"))
