"""Column names of the frames the engine takes. Selectors build these frames."""

# Observations: one row per indicator and month.
INDICATOR_ID = "indicator_id"
MONTH = "month"            # datetime.date, first of the month
VALUE = "value"
NUMERATOR = "numerator"
DENOMINATOR = "denominator"
STATUS = "status"          # final | provisional | unavailable
NOTE = "note"
ILLUSTRATIVE = "illustrative"  # bool: generated for the demo, not a published figure (a missing column: none is)
FIRST_MONTH = "first_month"  # SPEC §6 `from`: the first month of the figure's span; None: the month alone
LOWER = "lower"            # a survey figure's published 95% interval (SPEC §6)
UPPER = "upper"
OBSERVATION_COLUMNS = [INDICATOR_ID, MONTH, VALUE, NUMERATOR, DENOMINATOR, STATUS, NOTE, ILLUSTRATIVE,
                       FIRST_MONTH, LOWER, UPPER]
# Without the §6 columns: what a read for 2013-style measures only needs (the engine reads a missing
# FIRST_MONTH, LOWER, UPPER as none; psycopg's date parsing of a first_month per row is not free).
PLAIN_OBSERVATION_COLUMNS = OBSERVATION_COLUMNS[:-3]

# Indicators: one row per indicator.
ID = "id"
FORCE = "force"            # force slug
CODE = "code"
NAME = "name"
UNIT = "unit"
DECIMALS = "decimals"
AGGREGATION = "aggregation"
POLARITY = "polarity"
MSG = "msg"
HEADLINE = "headline"  # optional: a headline measure in its plan
RATING_METHOD = "rating_method"  # optional (selectors.indicator_frame): the force's plan's rating method
INDICATOR_COLUMNS = [ID, FORCE, CODE, NAME, UNIT, DECIMALS, AGGREGATION, POLARITY, MSG]
# SPEC §6, optional (a frame without them holds 2013-style measures; engine/current.py reads them):
FREQUENCY = "frequency"
COMPARE = "compare"
COVERS = "covers"
LAG = "lag"
SCALE = "scale"
BASELINE_LABEL = "baseline_label"
BASELINE_FROM = "baseline_from"
BASELINE_TO = "baseline_to"
BASELINE_VALUE = "baseline_value"
BENCHMARKS = "benchmarks"
REBASE = "rebase"
REPLACES = "replaces"
REPLACES_FROM = "replaces_from"
REPLACES_NOTE = "replaces_note"
CURRENT_PLAN_COLUMNS = [FREQUENCY, COMPARE, COVERS, LAG, SCALE, BASELINE_LABEL, BASELINE_FROM, BASELINE_TO,
                        BASELINE_VALUE, BENCHMARKS, REBASE, REPLACES, REPLACES_FROM, REPLACES_NOTE]

# Targets: one row per indicator and financial year.
FINANCIAL_YEAR = "financial_year"
KIND = "kind"
TARGET_VALUE = "target_value"
TOLERANCE = "tolerance"
WORDING = "wording"
DUE = "due"
TARGET_COLUMNS = [INDICATOR_ID, FINANCIAL_YEAR, KIND, TARGET_VALUE, TOLERANCE, WORDING, DUE]

# Assessments: one row per indicator and month.
RAG = "rag"
STATUS_TEXT = "status_text"
REASON = "reason"
RATING = "rating"          # "" or a significance / SPC rating value (vocabulary.ASSESSMENT_RATINGS)
ASSESSMENT_COLUMNS = [INDICATOR_ID, MONTH, RAG, STATUS_TEXT, REASON, RATING]

# Populations: one row per force and calendar year.
YEAR = "year"
POPULATION = "population"
POPULATION_COLUMNS = [FORCE, YEAR, POPULATION]
