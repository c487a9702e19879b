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

# ONS codes of the 43 territorial police force areas of England and Wales, by data.police.uk force id
# (the Force slug): ONS "Police Force Areas (December 2022) Names and Codes in England and Wales", Open
# Geography Portal (Open Government Licence v3.0). The benchmark series carry the ONS codes of the
# geographies they stand for: K04000001 England and Wales, W92000004 Wales. A force not listed here (a
# test's or a made-up one) has no code: the API gives null. docs/decisions.md, "ONS and GSS codes".
FORCE_ONS_CODES = {
    "metropolitan": "E23000001", "cumbria": "E23000002", "lancashire": "E23000003", "merseyside": "E23000004",
    "greater-manchester": "E23000005", "cheshire": "E23000006", "northumbria": "E23000007",
    "durham": "E23000008", "north-yorkshire": "E23000009", "west-yorkshire": "E23000010",
    "south-yorkshire": "E23000011", "humberside": "E23000012", "cleveland": "E23000013",
    "west-midlands": "E23000014", "staffordshire": "E23000015", "west-mercia": "E23000016",
    "warwickshire": "E23000017", "derbyshire": "E23000018", "nottinghamshire": "E23000019",
    "lincolnshire": "E23000020", "leicestershire": "E23000021", "northamptonshire": "E23000022",
    "cambridgeshire": "E23000023", "norfolk": "E23000024", "suffolk": "E23000025", "bedfordshire": "E23000026",
    "hertfordshire": "E23000027", "essex": "E23000028", "thames-valley": "E23000029", "hampshire": "E23000030",
    "surrey": "E23000031", "kent": "E23000032", "sussex": "E23000033", "city-of-london": "E23000034",
    "devon-and-cornwall": "E23000035", "avon-and-somerset": "E23000036", "gloucestershire": "E23000037",
    "wiltshire": "E23000038", "dorset": "E23000039",
    "north-wales": "W15000001", "gwent": "W15000002", "south-wales": "W15000003", "dyfed-powys": "W15000004",
    "england-and-wales": "K04000001", "wales": "W92000004",
}
# A local area's code is its GSS code when it is one (a district, unitary or metropolitan borough: E06, E07,
# E08, E09, W06, ...): a letter for the country and eight digits. Any other code (a CSP's own short name,
# one import_policeuk made from an LSOA name) is not, and the API gives null.
GSS_CODE = r"[EWSN]\d{8}"
