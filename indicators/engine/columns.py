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
OBSERVATION_COLUMNS = [INDICATOR_ID, MONTH, VALUE, NUMERATOR, DENOMINATOR, STATUS, NOTE, ILLUSTRATIVE]

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
