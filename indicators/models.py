"""The domain of SPEC §1: forces, plans and their measures, and the data.

Models hold data and the small facts about their own fields; everything that
walks a series or crosses relations lives in the engine or the selectors.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from indicators import periods, vocabulary

FY_VALIDATOR = RegexValidator(r"^\d{4}/\d{2}$", "Write the financial year as YYYY/YY, e.g. 2014/15.")


class Force(models.Model):
    slug = models.SlugField(
        max_length=64, unique=True,
        help_text="The data.police.uk force id, e.g. west-mercia.",
    )
    name = models.CharField(max_length=200)
    name_cy = models.CharField(max_length=200, blank=True, default="", db_default="", verbose_name="name (Welsh)")
    # SPEC §6 `force.languages` (issue 31): [cy, en] shows the language switch and opens in the browser's
    # preferred one; empty: English only
    languages = models.JSONField(default=list, blank=True, help_text='The languages its pages are published in: ["cy", "en"] for a Welsh force; empty: English only.')
    msg_peers = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="msg_of",
        verbose_name="Most Similar Group peers",
    )
    # Who may write a force's figures (docs/decisions.md, "Who may write a
    # force's figures"): its own analysts, and, for a peer with no plan of its
    # own, the analysts of a force an administrator granted it to here. The
    # rule itself is indicators.access.permissions.write_refusal.
    files_for = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="filed_for_by",
        verbose_name="MSG peers this force's analysts file for",
        help_text="Granted by an administrator: this force's analysts may file the MSG figures of these peers. "
                  "Only an MSG peer with no plan of its own can be granted; a force with its own plan is "
                  "filed for by its own analysts only, and a grant lapses if the peer gets a plan.",
    )
    is_demo = models.BooleanField(
        default=False, help_text="Loaded by load_demo: its figures are partly illustrative.",
    )
    is_benchmark = models.BooleanField(
        default=False, editable=False,
        help_text="A benchmark series (england-and-wales, wales; SPEC §6 Benchmarks), not a police force: "
                  "its figures are filed like a peer's and shown beside the measures that name it.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ForcePopulation(models.Model):
    """Mid-year population estimate of a force area for a calendar year."""

    force = models.ForeignKey(Force, on_delete=models.CASCADE, related_name="populations")
    year = models.PositiveSmallIntegerField()
    population = models.PositiveIntegerField(validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["force", "year"]
        constraints = [
            models.UniqueConstraint(fields=["force", "year"], name="population_unique_force_year"),
            models.CheckConstraint(condition=Q(population__gt=0), name="population_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.force} {self.year}: {self.population:,}"


class LocalArea(models.Model):
    """A district or Community Safety Partnership inside a force (SPEC §1).
    Identity is (force, code): areas belong to a force, so two forces may
    each have an area of the same name."""

    force = models.ForeignKey(Force, on_delete=models.CASCADE, related_name="local_areas")
    code = models.CharField(
        max_length=64, validators=[RegexValidator(r"^[A-Za-z0-9][A-Za-z0-9_-]*$",
                                                  "Use letters, digits, hyphens and underscores.")],
        help_text="The ONS local authority code where there is one, e.g. E07000234.",
    )
    name = models.CharField(max_length=200)
    notes = models.TextField(
        blank=True, help_text="The area's own priorities in its words, e.g. its Community Safety Partnership's "
                              "(Essex plan, Annex A), shown on the area's page.",
    )

    class Meta:
        ordering = ["force", "name"]
        constraints = [
            models.UniqueConstraint(fields=["force", "code"], name="local_area_unique_force_code"),
            models.UniqueConstraint(fields=["force", "name"], name="local_area_unique_force_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class LocalAreaPopulation(models.Model):
    """Mid-year population estimate of a local area for a calendar year."""

    area = models.ForeignKey(LocalArea, on_delete=models.CASCADE, related_name="populations")
    year = models.PositiveSmallIntegerField()
    population = models.PositiveIntegerField(validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["area", "year"]
        constraints = [
            models.UniqueConstraint(fields=["area", "year"], name="local_population_unique_area_year"),
            models.CheckConstraint(condition=Q(population__gt=0), name="local_population_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.area} {self.year}: {self.population:,}"


class Plan(models.Model):
    """A Police and Crime Plan. Identity is (force, start): loading a refreshed
    version of the same plan updates it in place."""

    force = models.ForeignKey(Force, on_delete=models.CASCADE, related_name="plans")
    title = models.CharField(max_length=300)
    title_cy = models.CharField(max_length=300, blank=True, default="", db_default="", verbose_name="title (Welsh)")
    start = models.DateField()
    end = models.DateField()
    area_label = models.CharField(
        max_length=60, default="Area of focus",
        help_text='What this plan calls its areas of focus: "Theme", "Aim", …',
    )
    area_label_cy = models.CharField(
        max_length=60, blank=True, default="", db_default="", verbose_name="area label (Welsh)",
        help_text='The same in Welsh ("Thema"); empty: "Maes ffocws" for the default, else the English.')
    assessment = models.CharField(
        max_length=12, choices=list(vocabulary.ASSESSMENT_METHODS.items()),
        default="targets",
        help_text="How the plan judges its measures (SPEC §3, Ratings): against targets, by statistical "
                  "significance against last year, or by SPC variation.",
    )
    rating_labels = models.JSONField(
        default=dict, blank=True,
        help_text='The plan\'s own words for its ratings, e.g. {"green": "Content", "amber": "Requires additional '
                  'scrutiny"} (SPEC §6). Readers see these; the API keeps the SPEC values.')
    is_demo = models.BooleanField(default=False)

    # every load of a plan file is recorded, with what it changed (the audit trail's "loaded a plan file")
    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    class Meta:
        ordering = ["force__name", "-start"]
        constraints = [
            models.UniqueConstraint(fields=["force", "start"], name="plan_unique_force_start"),
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="plan_end_after_start"),
            models.CheckConstraint(condition=Q(assessment__in=list(vocabulary.ASSESSMENT_METHODS)),
                                   name="plan_assessment_valid"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def area_label_plural(self) -> str:
        """"Area of focus" -> "Areas of focus", "Aim" -> "Aims"."""
        first, _, rest = self.area_label.partition(" ")
        first = first[:-1] + "ies" if first.endswith("y") else first + "s"
        return f"{first} {rest}".strip()


class AreaOfFocus(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="areas")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(
        max_length=300, blank=True,
        help_text="Empty for the one area of a plan that lists its priorities directly (SPEC §6 Plan shape): "
                  "pages show no area heading.")
    title_cy = models.CharField(max_length=300, blank=True, default="", db_default="", verbose_name="title (Welsh)")

    class Meta:
        ordering = ["plan", "number"]
        verbose_name_plural = "areas of focus"
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="area_unique_plan_number"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class StrategicPriority(models.Model):
    """A priority (objective). Numbered across the whole plan, as the plans
    number them (West Mercia objectives 1–11, Leicestershire priorities 1–18),
    so `/<force>/priorities/<n>/` is unambiguous."""

    area = models.ForeignKey(AreaOfFocus, on_delete=models.CASCADE, related_name="priorities")
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="priorities")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=300)
    title_cy = models.CharField(max_length=300, blank=True, default="", db_default="", verbose_name="title (Welsh)")
    indicators = models.ManyToManyField("Indicator", through="PriorityIndicator", related_name="priorities")
    local_areas = models.ManyToManyField(
        LocalArea, blank=True, related_name="priorities",
        help_text="The force's local areas that chose this priority as their own (Essex plan, Annex A).",
    )

    class Meta:
        ordering = ["plan", "number"]
        verbose_name_plural = "strategic priorities"
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="priority_unique_plan_number"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


Unit = models.TextChoices("Unit", vocabulary.choices(vocabulary.UNITS))


Aggregation = models.TextChoices("Aggregation", vocabulary.choices(vocabulary.AGGREGATIONS))


Polarity = models.TextChoices("Polarity", vocabulary.choices(vocabulary.POLARITIES))


Frequency = models.TextChoices("Frequency", vocabulary.choices(vocabulary.FREQUENCIES))


Comparison = models.TextChoices("Comparison", vocabulary.choices(vocabulary.COMPARISONS))


class Indicator(models.Model):
    """A success measure. Identity is (force, code) so its series continues
    when a plan is refreshed."""

    force = models.ForeignKey(Force, on_delete=models.CASCADE, related_name="indicators")
    code = models.SlugField(max_length=64)
    name = models.CharField(max_length=300)
    name_cy = models.CharField(max_length=300, blank=True, default="", db_default="", verbose_name="name (Welsh)")
    unit = models.CharField(max_length=10, choices=Unit.choices)
    decimals = models.PositiveSmallIntegerField(default=0)
    aggregation = models.CharField(max_length=16, choices=Aggregation.choices)
    polarity = models.CharField(max_length=10, choices=Polarity.choices)
    msg = models.BooleanField(
        default=False, verbose_name="MSG comparison",
        help_text="Peers report it under the same code; compared as a rate per 1,000 population.",
    )
    source = models.CharField(max_length=300, blank=True)
    notes = models.TextField(blank=True)
    # SPEC §6: how often it has a figure and what its headline change compares
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default="monthly",
                                 db_default="monthly")
    compare = models.CharField(
        max_length=12, choices=Comparison.choices, blank=True, default="", db_default="",
        help_text="Empty: the frequency's default (year to date for monthly measures, the previous figure "
                  "otherwise).")
    covers = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Each figure covers this many months ending at its month (year-ending "
                                         "figures published quarterly: 12); figures may then overlap.")
    lag = models.PositiveSmallIntegerField(
        default=0, db_default=0, help_text="Months partner data arrives late: it never pins the default period and "
                                           "is stale only this much later.")
    scale = models.FloatField(null=True, blank=True, help_text="Score measures: the top of the scale (10).")
    baseline_label = models.CharField(max_length=200, blank=True, help_text='e.g. "year ending June 2019".')
    baseline_label_cy = models.CharField(max_length=200, blank=True, default="", db_default="",
                                         verbose_name="baseline label (Welsh)")
    baseline_from = models.DateField(null=True, blank=True, help_text="First month of the baseline held here.")
    baseline_to = models.DateField(null=True, blank=True, help_text="Last month of the baseline held here.")
    baseline_value = models.FloatField(
        null=True, blank=True, help_text="The baseline as published, when its months are not held.")
    benchmarks = models.JSONField(default=list, blank=True,
                                  help_text="Slugs of the series shown beside it (england-and-wales, wales, a force).")
    rebase = models.JSONField(default=list, blank=True,
                              help_text='SPC rebase months ("YYYY-MM"): each starts a new segment.')
    replaces = models.SlugField(max_length=64, blank=True,
                                help_text="The code of the measure whose definition this one replaces.")
    replaces_from = models.DateField(null=True, blank=True, help_text="The first month on the new definition.")
    replaces_note = models.TextField(blank=True, help_text="The change of definition in words.")
    replaces_note_cy = models.TextField(blank=True, default="", db_default="", verbose_name="replaces note (Welsh)")

    class Meta:
        ordering = ["force", "code"]
        constraints = [
            models.UniqueConstraint(fields=["force", "code"], name="indicator_unique_force_code"),
            models.CheckConstraint(condition=Q(unit__in=Unit.values), name="indicator_unit_valid"),
            models.CheckConstraint(condition=Q(aggregation__in=Aggregation.values), name="indicator_aggregation_valid"),
            models.CheckConstraint(condition=Q(polarity__in=Polarity.values), name="indicator_polarity_valid"),
            models.CheckConstraint(condition=Q(decimals__lte=6), name="indicator_decimals_at_most_6"),
            models.CheckConstraint(condition=Q(frequency__in=Frequency.values), name="indicator_frequency_valid"),
            models.CheckConstraint(condition=Q(compare__in=["", *Comparison.values]), name="indicator_compare_valid"),
        ]

    @property
    def basis(self) -> str:
        """The comparison its headline change is made on (SPEC §6 ``compare``)."""
        return self.compare or vocabulary.DEFAULT_COMPARISON[self.frequency]

    def __str__(self) -> str:
        return f"{self.name} ({self.force.slug}/{self.code})"


class PriorityIndicator(models.Model):
    """The ordered list of a priority's measures, with the headline flag and
    footnote that belong to the plan rather than to the indicator."""

    priority = models.ForeignKey(StrategicPriority, on_delete=models.CASCADE, related_name="measures")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="measures")
    order = models.PositiveSmallIntegerField()
    headline = models.BooleanField(default=False)
    footnote = models.TextField(blank=True)
    footnote_cy = models.TextField(blank=True, default="", db_default="", verbose_name="footnote (Welsh)")

    class Meta:
        ordering = ["priority", "order"]
        verbose_name = "priority measure"
        constraints = [
            models.UniqueConstraint(fields=["priority", "indicator"], name="measure_unique_priority_indicator"),
            models.UniqueConstraint(fields=["priority", "order"], name="measure_unique_priority_order"),
        ]

    def __str__(self) -> str:
        return f"{self.priority.number}.{self.order} {self.indicator.name}"


TargetKind = models.TextChoices("TargetKind", vocabulary.choices(vocabulary.TARGET_KINDS))


class Target(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    financial_year = models.CharField(max_length=7, validators=[FY_VALIDATOR])
    kind = models.CharField(max_length=10, choices=TargetKind.choices)
    value = models.FloatField(
        null=True, blank=True,
        help_text="For change: p % on last year (e.g. -4). For absolute: the value (e.g. 75).",
    )
    tolerance = models.FloatField(
        default=5.0, validators=[MinValueValidator(0)],
        help_text="Amber band: % the target may be missed by, relative to the target.",
    )
    wording = models.CharField(max_length=300, blank=True, help_text="As shown to readers.")
    wording_cy = models.CharField(max_length=300, blank=True, default="", db_default="", verbose_name="wording (Welsh)")
    due = models.DateField(null=True, blank=True, help_text="Milestones: when the deliverable is due.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator", "financial_year"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "financial_year"], name="target_unique_indicator_year"),
            models.CheckConstraint(condition=Q(kind__in=TargetKind.values), name="target_kind_valid"),
            models.CheckConstraint(condition=Q(tolerance__gte=0), name="target_tolerance_non_negative"),
            models.CheckConstraint(
                condition=~Q(kind__in=["change", "absolute"]) | Q(value__isnull=False),
                name="target_numeric_kinds_have_value",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.financial_year}: {self.wording or self.kind}"


ReturnState = models.TextChoices("ReturnState", vocabulary.choices(vocabulary.RETURN_STATES))


class Return(models.Model):
    """One submission of observations: a quarter's return or a file."""

    force = models.ForeignKey(Force, on_delete=models.CASCADE, related_name="returns")
    period = models.CharField(max_length=40, help_text='What it covers, e.g. "2014/15 Q1".')
    state = models.CharField(max_length=10, choices=ReturnState.choices, default=ReturnState.DRAFT)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )
    source = models.CharField(max_length=300, blank=True, help_text="File name or how it was entered.")
    is_demo = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["force", "-created_at"]
        permissions = [("publish_return", "Can publish a return (make its figures public)")]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=ReturnState.values), name="return_state_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.force.slug} {self.period} ({self.state})"


FIRST_MONTH_HELP = ("The first month of the span the figure covers (the return's `from`); empty: the month alone, "
                    "or the measure's quarter or year ending at the month (SPEC §6).")
LOWER_HELP = "Survey figures: the lower end of the published 95% confidence interval."
UPPER_HELP = "Survey figures: the upper end of the published 95% confidence interval."


class ReturnLine(models.Model):
    """One figure as submitted in a return. Lines wait here, seen only by the
    force's analysts and panel members, until the return is published; then
    each is written to its Observation (whose history keeps earlier values)."""

    source_return = models.ForeignKey(Return, on_delete=models.CASCADE, related_name="lines", verbose_name="return")
    indicator = models.ForeignKey("Indicator", on_delete=models.CASCADE, related_name="return_lines")
    area = models.ForeignKey(
        LocalArea, null=True, blank=True, on_delete=models.PROTECT, related_name="return_lines",
        help_text="The local area the figure is for; empty: the whole force.",
    )
    month = models.DateField()
    value = models.FloatField(null=True, blank=True)
    numerator = models.FloatField(null=True, blank=True)
    denominator = models.FloatField(null=True, blank=True)
    status = models.CharField(max_length=12, default="final")
    note = models.TextField(blank=True)
    first_month = models.DateField(null=True, blank=True, help_text=FIRST_MONTH_HELP)
    lower = models.FloatField(null=True, blank=True, help_text=LOWER_HELP)
    upper = models.FloatField(null=True, blank=True, help_text=UPPER_HELP)
    row = models.PositiveIntegerField(null=True, blank=True, help_text="Row of the file it came from.")
    # The engine reads lines and figures alike (engine.columns.OBSERVATION_COLUMNS). True only when
    # a file's `illustrative` column says so (observations.csv of demo figures, imported again: issue 30);
    # the admin never sets it.
    illustrative = models.BooleanField(default=False, db_default=False, editable=False)
    written_at = models.DateTimeField(
        default=timezone.now,
        help_text="When the figure was entered or last edited: a figure published since makes this one stale.")

    class Meta:
        ordering = ["source_return", "indicator", "month"]
        constraints = [
            # one figure per (indicator, area, month); the whole force's has no area
            models.UniqueConstraint(fields=["source_return", "indicator", "month"], condition=Q(area__isnull=True),
                                    name="line_unique_return_month"),
            models.UniqueConstraint(fields=["source_return", "indicator", "area", "month"],
                                    condition=Q(area__isnull=False), name="line_unique_return_area_month"),
            models.CheckConstraint(condition=Q(status__in=["final", "provisional", "unavailable"]),
                                   name="line_status_valid"),
            models.CheckConstraint(condition=Q(denominator__isnull=True) | Q(denominator__gt=0),
                                   name="line_denominator_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {periods.format_month(self.month)}: {self.value}"


Role = models.TextChoices("Role", vocabulary.choices(vocabulary.ROLES))


class ForceMembership(models.Model):
    """Ties a user to a force they work on. What they may do there comes from
    their group: "OPCC analyst" edits the force's data; "Panel member" reads
    its drafts."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="force_memberships")
    force = models.ForeignKey(Force, on_delete=models.CASCADE, related_name="memberships")

    class Meta:
        ordering = ["force", "user"]
        constraints = [models.UniqueConstraint(fields=["user", "force"], name="membership_unique_user_force")]

    def __str__(self) -> str:
        return f"{self.user} → {self.force}"


ObservationStatus = models.TextChoices("ObservationStatus", vocabulary.choices(vocabulary.OBSERVATION_STATUSES))


class Observation(models.Model):
    """One indicator's figure for one month, for the whole force (``area``
    empty) or for one of its local areas. A re-import revises it in place;
    the history keeps every earlier value with who and when."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="observations")
    area = models.ForeignKey(
        LocalArea, null=True, blank=True, on_delete=models.PROTECT, related_name="observations",
        help_text="The local area the figure is for; empty: the whole force, as returned for the force "
                  "(never the sum of its areas).",
    )
    month = models.DateField(help_text="First day of the month; for a figure over a span, its last month.")
    value = models.FloatField(null=True, blank=True)
    numerator = models.FloatField(null=True, blank=True)
    denominator = models.FloatField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=ObservationStatus.choices, default=ObservationStatus.FINAL)
    note = models.TextField(blank=True)
    first_month = models.DateField(null=True, blank=True, help_text=FIRST_MONTH_HELP)
    lower = models.FloatField(null=True, blank=True, help_text=LOWER_HELP)
    upper = models.FloatField(null=True, blank=True, help_text=UPPER_HELP)
    source_return = models.ForeignKey(
        Return, null=True, blank=True, on_delete=models.PROTECT, related_name="observations",
        verbose_name="return",
    )
    illustrative = models.BooleanField(
        default=False, db_default=False,      # a database default too: COPY (returns/workflow.py) leaves it out
        help_text="Generated for the demo (load_demo), not a published figure: a month of a published total "
                  "split by the demo, an earlier year, a peer's figure. Every verdict it feeds says so.",
    )
    updated_at = models.DateTimeField(auto_now=True, null=True, help_text="When the figure was last written.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator", "month"]
        constraints = [
            # one per (indicator, area, month): two partial constraints, as SQLite has no NULLS NOT DISTINCT
            models.UniqueConstraint(fields=["indicator", "month"], condition=Q(area__isnull=True),
                                    name="observation_unique_indicator_month"),
            models.UniqueConstraint(fields=["indicator", "area", "month"], condition=Q(area__isnull=False),
                                    name="observation_unique_indicator_area_month"),
            models.CheckConstraint(
                condition=Q(status__in=ObservationStatus.values), name="observation_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(denominator__isnull=True) | Q(denominator__gt=0),
                name="observation_denominator_positive",
            ),
            models.CheckConstraint(
                condition=Q(numerator__isnull=True) | Q(numerator__gte=0),
                name="observation_numerator_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(numerator__isnull=True) | Q(denominator__isnull=True)
                | Q(numerator__lte=models.F("denominator")),
                name="observation_numerator_within_denominator",
            ),
            models.CheckConstraint(
                condition=~Q(status="unavailable") | ~Q(note=""),
                name="observation_unavailable_has_note",
            ),
        ]
        indexes = [models.Index(fields=["month"], name="observation_month_idx")]

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.area_id and self.indicator_id and self.area.force_id != self.indicator.force_id:
            raise ValidationError({"area": f"{self.area.name} is a local area of another force, not of the "
                                           "indicator's; a figure is for an area of its own force."})

    def __str__(self) -> str:
        area = f" {self.area.code}" if self.area_id else ""
        return f"{self.indicator.code}{area} {periods.format_month(self.month)}: {self.value}"


Rag = models.TextChoices("Rag", vocabulary.choices(vocabulary.RAGS))
AssessmentRating = models.TextChoices("AssessmentRating", vocabulary.choices(vocabulary.ASSESSMENT_RATINGS))


class Assessment(models.Model):
    """An analyst's RAG and status text for a measure and period: for measures
    the numbers cannot rate (monitor, baseline, milestone), or to override a
    computed RAG, which then needs a reason. For a plan judged by
    significance or SPC (Plan.assessment), ``rating`` overrides the plan's
    rating with a value of that method (SPEC §3 "Ratings")."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="assessments")
    month = models.DateField(help_text="The period assessed (first day of the month).")
    rag = models.CharField(max_length=5, choices=Rag.choices, blank=True)
    status_text = models.CharField(max_length=300, blank=True)
    rating = models.CharField(
        max_length=30, choices=AssessmentRating.choices, blank=True,
        help_text="For a plan judged by significance or SPC: the rating, from that method's values. "
                  "A plan judged by targets is rated by the RAG above.")
    reason = models.TextField(blank=True, help_text="Required when it overrides a computed RAG or rating.")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "month"], name="assessment_unique_indicator_month"),
            models.CheckConstraint(condition=Q(rag__in=["", *Rag.values]), name="assessment_rag_valid"),
            models.CheckConstraint(condition=Q(rating__in=["", *AssessmentRating.values]),
                                   name="assessment_rating_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {periods.format_month(self.month)}: " + (
            self.rating or self.rag or self.status_text)


WritingState = models.TextChoices("WritingState", vocabulary.choices(vocabulary.WRITING_STATES))


class Writing(models.Model):
    """What commentary and executive summaries share: a state (a draft
    publishes with its return), the author and when it was last written."""

    state = models.CharField(
        max_length=10, choices=WritingState.choices, default=WritingState.PUBLISHED,
        help_text="Published now, or a draft the public sees once a return covering this force and month "
                  "is published (the return's review page previews it).")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )
    is_demo = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Commentary(Writing):
    """Markdown per priority (or indicator) and period; sanitised on output."""

    force = models.ForeignKey(Force, on_delete=models.CASCADE, related_name="commentaries")
    priority = models.ForeignKey(
        StrategicPriority, null=True, blank=True, on_delete=models.CASCADE, related_name="commentaries",
    )
    indicator = models.ForeignKey(
        Indicator, null=True, blank=True, on_delete=models.CASCADE, related_name="commentaries",
    )
    month = models.DateField(help_text="The period it comments on (first day of the month).")
    text = models.TextField(help_text="Markdown.")
    text_cy = models.TextField(blank=True, default="", db_default="", verbose_name="text (Welsh)",
                               help_text="Markdown; empty: Welsh pages show the English, marked as English.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["force", "-month"]
        verbose_name_plural = "commentaries"
        constraints = [
            models.CheckConstraint(
                condition=(Q(priority__isnull=False) & Q(indicator__isnull=True))
                | (Q(priority__isnull=True) & Q(indicator__isnull=False)),
                name="commentary_on_priority_or_indicator",
            ),
            models.UniqueConstraint(
                fields=["priority", "month"], condition=Q(priority__isnull=False),
                name="commentary_unique_priority_month",
            ),
            models.UniqueConstraint(
                fields=["indicator", "month"], condition=Q(indicator__isnull=False),
                name="commentary_unique_indicator_month",
            ),
            models.CheckConstraint(condition=Q(state__in=WritingState.values), name="commentary_state_valid"),
        ]

    def __str__(self) -> str:
        subject = self.priority or self.indicator
        return f"{subject} {periods.format_month(self.month)}"


class ExecutiveSummary(Writing):
    """The OPCC's writing for a force and period, in markdown sanitised on
    output like commentary: the executive summary that opens the dashboard and
    the panel report, and the PCC's key activity that the report's cover sheet
    gives (issue 29; West Mercia's "Part 3"). Either may be empty, not both."""

    force = models.ForeignKey(Force, on_delete=models.CASCADE, related_name="executive_summaries")
    month = models.DateField(help_text="The period it sums up (first day of the month).")
    text = models.TextField(blank=True, help_text="Markdown.")
    text_cy = models.TextField(blank=True, default="", db_default="", verbose_name="text (Welsh)",
                               help_text="Markdown; empty: Welsh pages show the English, marked as English.")
    key_activity = models.TextField(
        blank=True, verbose_name="PCC key activity",
        help_text="Markdown: the commissioner's key activity in the period not shown by the measures (decisions, "
                  "audit, annual report…), given on the panel report's cover sheet.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["force", "-month"]
        verbose_name_plural = "executive summaries"
        constraints = [
            models.UniqueConstraint(fields=["force", "month"], name="executive_summary_unique_force_month"),
            models.CheckConstraint(condition=Q(state__in=WritingState.values), name="executive_summary_state_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.force} executive summary {periods.format_month(self.month)}"


ReportMode = models.TextChoices("ReportMode", vocabulary.choices(vocabulary.REPORT_MODES))
DEFAULT_MEETING_AUTHOR = "The Police and Crime Commissioner"
DEFAULT_RECOMMENDATION = "The Panel is invited to note the report and to comment on the performance it shows."


class PanelMeeting(models.Model):
    force = models.ForeignKey(Force, on_delete=models.CASCADE, related_name="meetings")
    date = models.DateField()
    period = models.DateField(help_text="The last month the meeting's report covers (first day of the month).")
    mode = models.CharField(max_length=10, choices=ReportMode.choices, default=ReportMode.FULL)
    theme = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Area of focus number, for theme mode.")
    notes = models.CharField(max_length=300, blank=True)
    # The committee front sheet of the meeting's paper (issue 29): blank fields are left off it.
    reference = models.CharField(max_length=60, blank=True,
                                 help_text="The paper's reference on the agenda, e.g. EPCP/15(a)/13.")
    author = models.CharField(max_length=200, blank=True, default=DEFAULT_MEETING_AUTHOR,
                              help_text="Whose report it is, as the front sheet says \"Report of …\".")
    contact = models.CharField(max_length=300, blank=True,
                               help_text="Enquiries to: a role, telephone or e-mail address for questions.")
    recommendation = models.TextField(blank=True, default=DEFAULT_RECOMMENDATION,
                                      help_text="Markdown: what the panel is asked to do.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["force", "date"]
        constraints = [
            models.UniqueConstraint(fields=["force", "date"], name="meeting_unique_force_date"),
            models.CheckConstraint(condition=Q(mode__in=ReportMode.values), name="meeting_mode_valid"),
            models.CheckConstraint(
                condition=~Q(mode="theme") | Q(theme__isnull=False), name="meeting_theme_mode_has_theme",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.force} panel {self.date:%d %B %Y}"


class DataVersion(models.Model):
    """One row whose number goes up with every change to plans or figures,
    in the same transaction as the change: pages cached under the number are
    never served after the data they show has changed."""

    version = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"data version {self.version}"


class ForceDataVersion(models.Model):
    """A force's own data version: it goes up with every change to that
    force's figures, returns, assessments, commentary and meetings, in the
    same transaction. A force's pages are cached under it, its MSG peers'
    and the benchmark series' (what they read), so one force publishing
    leaves every other force's cached pages in place (issue 27). A change to
    anything else (plans, forces, peers) bumps the global DataVersion."""

    force = models.OneToOneField(Force, on_delete=models.CASCADE, primary_key=True, related_name="data_version")
    version = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.force_id}: data version {self.version}"


class PendingUpload(models.Model):
    """A return file checked and previewed, waiting for its uploader to
    confirm or cancel the import. It is kept here, not on a server's disk,
    so that any server behind the load balancer can confirm it (SPEC §4).
    Only its uploader finds it (by ``token``); it is deleted on confirm or
    cancel, and after a day (indicators/returns/pending.py)."""

    token = models.CharField(max_length=64, unique=True)
    uploader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    forces = models.ManyToManyField(Force, blank=True, related_name="+",
                                    help_text="The forces whose figures the file holds.")
    name = models.CharField(max_length=255, help_text="The file's name as uploaded.")
    data = models.BinaryField()
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    created = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created"]

    def __str__(self) -> str:
        return f"{self.name} ({self.size:,} bytes), uploaded by {self.uploader} at {self.created:%Y-%m-%d %H:%M}"
