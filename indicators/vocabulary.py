"""The words of the domain, in one place: every unit, aggregation, polarity,
target kind, status and rating the plan file, the return file, the models,
the engine and the pages accept or show.

Django-free (the engine imports it). Each vocabulary maps the stored value
to its label; the models build their TextChoices from these, so a change
here is a change everywhere (and `makemigrations --check` says when it
needs a migration).
"""

from __future__ import annotations

UNITS = {"count": "Count", "percent": "Percent", "rate": "Rate", "gbp": "£", "number": "Number"}
AGGREGATIONS = {"sum": "Sum", "ratio": "Ratio", "mean": "Mean", "latest": "Latest"}
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
ASSESSMENT_METHODS = {"targets": "Targets", "significance": "Significance", "spc": "SPC"}
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
}
# What an analyst may set as a rating (Assessment.rating): the significance
# and SPC values (a `targets` rating is set as the assessment's RAG).
ASSESSMENT_RATINGS = {value: value.replace("-", " ").capitalize()
                      for value in (*SIGNIFICANCE_RATINGS, *SPC_VARIATIONS)}
# SPEC §3: a rating is "bad" when it is red or amber, deterioration,
# special-cause-concern (or the SPC assurance is fail).
BAD_RATINGS = ("red", "amber", "deterioration", "special-cause-concern")

REPORT_MODES = {"full": "Full", "exceptions": "Exceptions only", "theme": "One area of focus"}
ROLES = {"analyst": "OPCC analyst", "panel": "Panel member"}


def choices(vocabulary: dict[str, str]) -> list[tuple[str, tuple[str, str]]]:
    """``(NAME, (value, label))`` pairs for Django's functional TextChoices API."""
    return [(value.upper().replace("-", "_"), (value, label)) for value, label in vocabulary.items()]
