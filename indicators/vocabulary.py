"""The words of the domain, in one place: every unit, aggregation, polarity,
target kind, status and rating the plan file, the return file, the models,
the engine and the pages accept or show.

Django-free (the engine imports it). Each vocabulary maps the stored value
to its label; the models build their TextChoices from these, so a change
here is a change everywhere (and `makemigrations --check` says when it
needs a migration).
"""

from __future__ import annotations

UNITS = {"count": "Count", "percent": "Percent", "rate": "Rate", "gbp": "£", "number": "Number",
         # SPEC §6 Units: seconds; a position among N (1 = best); a survey score on the measure's scale
         "duration": "Duration (seconds)", "rank": "Rank (position of N)", "score": "Score"}
AGGREGATIONS = {"sum": "Sum", "ratio": "Ratio", "mean": "Mean", "latest": "Latest",
                "weighted-mean": "Weighted mean (Σ numerator / Σ denominator)"}
# SPEC §6 Frequency: how often a measure has a figure, each covering a span of months
FREQUENCIES = {"monthly": "Monthly", "quarterly": "Quarterly", "annual": "Annual",
               "irregular": "Irregular (survey waves, one-off releases)"}
# SPEC §6 Comparison: the pair of windows a measure's headline change is made on
COMPARISONS = {"ytd": "Year to date vs last year to date",
               "rolling-12": "Rolling 12 months vs the 12 months before",
               "rolling-3": "3 months vs the same 3 months a year earlier",
               "previous": "Latest figure vs the same span a year earlier",
               "sequential": "Latest figure vs the one just before it",
               "benchmark": "Against a benchmark for the same window"}
DEFAULT_COMPARISON = {"monthly": "ytd", "quarterly": "previous", "annual": "previous", "irregular": "previous"}
# SPEC §6: a figure is stale when its span ended more than two of its own periods before the page's period
STALE_AFTER_MONTHS = {"monthly": 2, "quarterly": 6, "annual": 24, "irregular": 24}
# Values that may be negative (SPEC §6 Units); every other unit's figures are >= 0
SIGNED_UNITS = ("number", "gbp")
# The pseudo-forces every database holds, whose series are filed like a peer's (SPEC §6 Benchmarks)
BENCHMARK_FORCES = {"england-and-wales": "England and Wales", "wales": "Wales"}
BENCHMARK_RATINGS = ("better", "similar", "worse")
POLARITIES = {"up": "Higher is better", "down": "Lower is better", "neutral": "Neither"}
TARGET_KINDS = {
    "change": "Change on last year (%)",
    "absolute": "Absolute value",
    "monitor": "Monitor (no numeric target)",
    "baseline": "Baseline year",
    "milestone": "Milestone (deliverable)",
}
RATEABLE_TARGET_KINDS = ("change", "absolute")      # the kinds the numbers can rate (RAG)
OBSERVATION_STATUSES = {"final": "Final", "provisional": "Provisional", "unavailable": "Unavailable"}
RETURN_STATES = {"draft": "Draft", "submitted": "Submitted", "published": "Published"}
# Commentary and executive summaries (docs/decisions.md "Writing that publishes with the return"):
# published at once, or a draft that the public sees once a return covering its force and month is published.
WRITING_STATES = {"published": "Published", "draft": "Draft: published with the return for its period"}

# Ratings (SPEC §3). An analyst's assessment sets one of RAGS; the engine
# also gives NO_DATA when there is a target but no figure.
RAGS = {"green": "Green", "amber": "Amber", "red": "Red"}
NO_DATA = "no-data"
RAG_SOURCES = ("computed", "manual")
ASSESSMENT_METHODS = {"targets": "Targets", "significance": "Significance", "spc": "SPC",
                      "none": "None (comparisons only, no verdicts)"}
SIGNIFICANCE_RESULTS = ("improvement", "deterioration", "significant-change", "no-significant-change", "not-tested")
SPC_VARIATIONS = ("common-cause", "special-cause-improvement", "special-cause-concern", "special-cause-neither")
SPC_ASSURANCES = ("pass", "fail", "hit-and-miss")
SPC_RULES = ("outside-limits", "trend", "two-of-three", "run")     # in the order variation reads them

# The values a rating takes under each method (SPEC §3 "Ratings"); an
# assessment's `rag` sets a `targets` rating, its `rating` the others.
SIGNIFICANCE_RATINGS = ("improvement", "no-significant-change", "deterioration", "significant-change")
RATING_VALUES = {
    "targets": (*RAGS, NO_DATA),
    "significance": SIGNIFICANCE_RATINGS,
    "spc": SPC_VARIATIONS,
    "none": (),
    # not a plan's method: a measure compared with a benchmark (SPEC §6 `compare: benchmark`) is rated so
    "benchmark": BENCHMARK_RATINGS,
}
# What an analyst may set as a rating (Assessment.rating): the significance
# and SPC values (a `targets` rating is set as the assessment's RAG).
ASSESSMENT_RATINGS = {value: value.replace("-", " ").capitalize()
                      for value in (*SIGNIFICANCE_RATINGS, *SPC_VARIATIONS)}
# SPEC §3: a rating is "bad" when it is red or amber, deterioration,
# special-cause-concern (or the SPC assurance is fail).
BAD_RATINGS = ("red", "amber", "deterioration", "special-cause-concern", "worse")

REPORT_MODES = {"full": "Full", "exceptions": "Exceptions only", "theme": "One area of focus"}
ROLES = {"analyst": "OPCC analyst", "panel": "Panel member"}


def choices(vocabulary: dict[str, str]) -> list[tuple[str, tuple[str, str]]]:
    """``(NAME, (value, label))`` pairs for Django's functional TextChoices API."""
    return [(value.upper().replace("-", "_"), (value, label)) for value, label in vocabulary.items()]
