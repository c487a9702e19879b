"""The calculation engine of SPEC §2–§3: pure functions, pandas/numpy in,
values out. Nothing under indicators/engine/ imports Django, so every view,
the API, the report export and a batch job compute figures the same way."""
